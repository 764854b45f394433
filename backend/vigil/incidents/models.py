from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from vigil.incidents import rules
from vigil.records.models import FloorRecord, VoidableRecord
from vigil.visits.models import Substance

NARRATIVE_WARNING = (
    "Never name anyone in the narrative: no participant, staff member, bystander or responder "
    "names, nicknames or descriptions that identify a person. Write 'the participant', "
    "'staff member 1', 'a bystander'."
)


class Incident(VoidableRecord):
    """One event needing a response, with its live timeline and its review by a supervisor."""

    # The time that places an incident on a report's day (see vigil.records.recompute).
    REPORT_TIME_FIELD = "started_at"

    class Kind(models.TextChoices):
        OPIOID_OVERDOSE = "opioid_overdose"
        STIMULANT_OVERDOSE = "stimulant_overdose"
        OTHER_MEDICAL = "other_medical"
        VIOLENCE = "violence"
        NEEDLESTICK = "needlestick"
        SUBSTANCE_FOUND = "substance_found"
        PRIVACY_BREACH = "privacy_breach"
        OTHER = "other"

    class Location(models.TextChoices):
        BOOTH = "booth"
        AFTERCARE = "aftercare"
        WASHROOM = "washroom"
        OUTSIDE = "outside"
        OTHER = "other"

    class Sign(models.TextChoices):
        SLOW_OR_NO_BREATHING = "slow_or_no_breathing"
        UNRESPONSIVE = "unresponsive"
        CYANOSIS = "cyanosis"
        PINPOINT_PUPILS = "pinpoint_pupils"
        SEIZURE = "seizure"
        CHEST_PAIN = "chest_pain"
        AGITATION = "agitation"
        OTHER = "other"

    class Outcome(models.TextChoices):
        RECOVERED_ON_SITE = "recovered_on_site"
        TRANSPORTED = "transported"
        DECLINED_TRANSPORT = "declined_transport"
        LEFT_AGAINST_ADVICE = "left_against_advice"
        DECEASED = "deceased"
        UNKNOWN = "unknown"

    class Status(models.TextChoices):
        OPEN = "open"
        SUBMITTED = "submitted"
        RETURNED = "returned"
        APPROVED = "approved"

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="incidents")
    visit = models.ForeignKey(
        "visits.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="incidents"
    )
    participant = models.ForeignKey(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    location = models.CharField(max_length=12, choices=Location.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    police_attended = models.BooleanField(default=False)
    narrative = models.TextField(blank=True, help_text=NARRATIVE_WARNING)
    responders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="incidents_responded"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Derived from the fields and the live actions at every write (see rules.review_of), and
    # stored so the supervisor queue filters and sorts in SQL.
    critical = models.BooleanField(default=False)
    critical_reasons = models.JSONField(default=list, blank=True)
    review_due_at = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["site", "started_at"], name="incident_site_day_idx"),
            models.Index(fields=["site", "status", "review_due_at"], name="incident_queue_idx"),
            models.Index(fields=["participant", "started_at"], name="incident_participant_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="incident_ended_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"incident {str(self.id)[:8]} at {self.site_id}"

    @cached_property
    def figures(self) -> rules.Figures:
        """Derived from the (prefetched) actions: naloxone doses, EMS times, duration."""
        return rules.figures_of(
            started_at=self.started_at, ended_at=self.ended_at, actions=self.actions.all()
        )

    @property
    def overdue(self) -> bool:
        return (
            not self.voided
            and self.status != self.Status.APPROVED
            and self.review_due_at < timezone.now()
        )

    @property
    def debrief_due_at(self) -> datetime:
        """A critical incident's debrief is due this long after the response ended (after its
        onset while no end is recorded)."""
        return (self.ended_at or self.started_at) + timedelta(hours=settings.VIGIL_DEBRIEF_HOURS)

    def involves(self, user_id: object) -> bool:
        """Logged or responded to by this user: their own incident (uses prefetched rows)."""
        return self.created_by_id == user_id or any(
            user.pk == user_id for user in self.responders.all()
        )


class IncidentSign(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="sign_rows")
    sign = models.CharField(max_length=24, choices=Incident.Sign.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "sign"], name="incident_sign_unique"),
        ]

    def __str__(self) -> str:
        return str(self.sign)


class IncidentSubstance(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="substance_rows")
    substance = models.CharField(max_length=20, choices=Substance.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "substance"], name="incident_substance_unique"
            ),
        ]

    def __str__(self) -> str:
        return str(self.substance)


class IncidentAction(FloorRecord):
    """One tap on the response timeline. Ids come from the tablet, so a resend is recognised."""

    class Kind(models.TextChoices):
        STIMULATION = "stimulation"
        RECOVERY_POSITION = "recovery_position"
        OXYGEN = "oxygen"
        RESCUE_BREATHING = "rescue_breathing"
        BAG_VALVE_MASK = "bag_valve_mask"
        NALOXONE = "naloxone"
        CPR = "cpr"
        AED = "aed"
        EMS_CALLED = "ems_called"
        EMS_ARRIVED = "ems_arrived"
        TRANSPORTED = "transported"
        VITALS = "vitals"
        MONITORING = "monitoring"
        OTHER = "other"

    class Route(models.TextChoices):
        IM = "IM", "Intramuscular"
        IN = "IN", "Intranasal"
        IV = "IV", "Intravenous"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="actions")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField()
    dose_mg = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    route = models.CharField(max_length=2, choices=Route.choices, blank=True)
    spo2 = models.PositiveSmallIntegerField(null=True, blank=True)
    resp_rate = models.PositiveSmallIntegerField(null=True, blank=True)

    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "received_at"]
        indexes = [models.Index(fields=["incident", "at"], name="incident_action_time_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="naloxone", dose_mg__isnull=False, route__in=["IM", "IN", "IV"])
                | (~Q(kind="naloxone") & Q(dose_mg__isnull=True, route="")),
                name="action_naloxone_has_dose_and_route",
            ),
            models.CheckConstraint(
                condition=Q(dose_mg__isnull=True)
                | Q(
                    dose_mg__gte=rules.NALOXONE_DOSE_MG_MIN, dose_mg__lte=rules.NALOXONE_DOSE_MG_MAX
                ),
                name="action_naloxone_dose_plausible",
            ),
            models.CheckConstraint(
                condition=(Q(kind="vitals") & (Q(spo2__isnull=False) | Q(resp_rate__isnull=False)))
                | (~Q(kind="vitals") & Q(spo2__isnull=True, resp_rate__isnull=True)),
                name="action_vitals_have_a_reading",
            ),
            models.CheckConstraint(
                condition=Q(spo2__isnull=True)
                | Q(spo2__gte=rules.SPO2_MIN, spo2__lte=rules.SPO2_MAX),
                name="action_spo2_plausible",
            ),
            models.CheckConstraint(
                condition=Q(resp_rate__isnull=True)
                | Q(resp_rate__gte=rules.RESP_RATE_MIN, resp_rate__lte=rules.RESP_RATE_MAX),
                name="action_resp_rate_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%H:%M}"


class IncidentReview(models.Model):
    """One decision of a supervisor on a submitted incident: every return round stays on record."""

    class Decision(models.TextChoices):
        APPROVE = "approve"
        RETURN = "return"

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    comment = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)
    incident_version = models.PositiveIntegerField()

    class Meta:
        ordering = ["reviewed_at"]

    def __str__(self) -> str:
        return f"{self.decision} of {self.incident_id}"


class IncidentVersion(models.Model):
    """The incident as it was shown just before a supervisor amended it after approval."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="history")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    amended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amended_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField()

    class Meta:
        ordering = ["amended_at"]

    def __str__(self) -> str:
        return f"{self.incident_id} before amendment at v{self.version}"


class Debrief(models.Model):
    """The debrief after a critical incident, once a supervisor records it: held (when, how many
    attended, the supports offered) or declined. Until then the debrief is due (see
    Incident.debrief_due_at); nobody is named in it."""

    class Status(models.TextChoices):
        HELD = "held"
        DECLINED = "declined"

    class Support(models.TextChoices):
        PEER_SUPPORT = "peer_support"
        EAP_REFERRAL = "eap_referral"
        TIME_OFF = "time_off"
        NONE = "none"

    incident = models.OneToOneField(
        Incident, primary_key=True, on_delete=models.PROTECT, related_name="debrief"
    )
    status = models.CharField(max_length=8, choices=Status.choices)
    held_at = models.DateTimeField(null=True, blank=True)
    attendees = models.PositiveSmallIntegerField(null=True, blank=True)
    supports = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status="held", held_at__isnull=False, attendees__gte=1)
                | Q(status="declined", held_at__isnull=True, attendees__isnull=True),
                name="debrief_held_has_time_and_attendees",
            ),
        ]

    def __str__(self) -> str:
        return f"debrief {self.status} of {self.incident_id}"
