from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from vigil.records.models import VoidableRecord


class Substance(models.TextChoices):
    FENTANYL = "fentanyl"
    HEROIN = "heroin"
    UNSPECIFIED_OPIOID = "unspecified_opioid"
    HYDROMORPHONE = "hydromorphone"
    OXYCODONE = "oxycodone"
    MORPHINE = "morphine"
    METHADONE = "methadone"
    COCAINE = "cocaine"
    CRACK = "crack"
    METHAMPHETAMINE = "methamphetamine"
    AMPHETAMINE = "amphetamine"
    SPEEDBALL = "speedball"
    BENZODIAZEPINE = "benzodiazepine"
    OTHER = "other"
    UNKNOWN = "unknown"


class Route(models.TextChoices):
    INJECTION = "injection"
    INHALATION = "inhalation"
    INTRANASAL = "intranasal"
    ORAL = "oral"


class Visit(VoidableRecord):
    """One person's visit: a consumption session in a booth, or a service-only visit."""

    # The time that places a visit on a report's day (see vigil.records.recompute).
    REPORT_TIME_FIELD = "checked_in_at"

    class Kind(models.TextChoices):
        CONSUMPTION = "consumption"
        SERVICE_ONLY = "service_only"

    class DidNotConsume(models.TextChoices):
        CHANGED_MIND = "changed_mind", "Changed their mind"
        LEFT = "left", "Left before using"
        ASKED_TO_LEAVE = "asked_to_leave", "Asked to leave"
        UNWELL = "unwell", "Unwell"
        OTHER = "other", "Other"

    class Assisted(models.TextChoices):
        NONE = "none", "Not assisted"
        PEER = "peer", "By a peer"
        STAFF = "staff", "By staff"

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="visits")
    participant = models.ForeignKey(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    booth = models.ForeignKey(
        "sites.Booth", null=True, blank=True, on_delete=models.PROTECT, related_name="visits"
    )
    checked_in_at = models.DateTimeField()
    checked_out_at = models.DateTimeField(null=True, blank=True)
    did_not_consume_reason = models.CharField(
        max_length=16, choices=DidNotConsume.choices, blank=True
    )
    # Who helped the person use, where the site's exemption allows it.
    assisted = models.CharField(max_length=5, choices=Assisted.choices, default=Assisted.NONE)
    # The person split or shared their supply.
    shared_supply = models.BooleanField(default=False)

    class Meta:
        ordering = ["-checked_in_at"]
        indexes = [
            models.Index(fields=["site", "checked_in_at"], name="visit_site_day_idx"),
            models.Index(fields=["participant", "checked_in_at"], name="visit_participant_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "participant"],
                condition=Q(checked_out_at__isnull=True, voided=False, participant__isnull=False),
                name="one_open_visit_per_participant_site",
            ),
            models.UniqueConstraint(
                fields=["booth"],
                condition=Q(checked_out_at__isnull=True, voided=False, booth__isnull=False),
                name="one_open_visit_per_booth",
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_out_at__gte=F("checked_in_at")),
                name="visit_checked_out_after_in",
            ),
            models.CheckConstraint(
                condition=Q(kind="service_only", booth__isnull=True) | Q(kind="consumption"),
                name="visit_service_only_has_no_booth",
            ),
        ]

    def __str__(self) -> str:
        return f"visit {str(self.id)[:8]} at {self.site_id}"


class VisitSubstance(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="substance_rows")
    substance = models.CharField(max_length=20, choices=Substance.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "substance"], name="visit_substance_unique"),
        ]

    def __str__(self) -> str:
        return str(self.substance)


class VisitRoute(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="route_rows")
    route = models.CharField(max_length=12, choices=Route.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["visit", "route"], name="visit_route_unique"),
        ]

    def __str__(self) -> str:
        return str(self.route)
