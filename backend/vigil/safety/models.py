"""Floor safety operations: service restrictions, people turned away, the waiting list, and
the complaints register.

A restriction's reason and note are for supervisors only; the door sees "restricted (scope)
until DATE". A person who leaves the waiting list is a turn-away (capacity).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from vigil.records.models import VoidableRecord


class Restriction(VoidableRecord):
    """A participant may not use the site (or its booths) from `starts_at` until `ends_at`, or
    until a supervisor reviews it at `review_at`. Per site. A review (keep, extend or end) sets
    `reviewed_at`: the restriction leaves the review queue until its next review date."""

    REPORT_TIME_FIELD = "starts_at"

    class Scope(models.TextChoices):
        ALL_SERVICES = "all_services", "All services"
        CONSUMPTION_ONLY = "consumption_only", "Consumption only"

    class Reason(models.TextChoices):
        VIOLENCE = "violence", "Violence"
        THREATS = "threats", "Threats"
        DEALING = "dealing", "Dealing"
        PROPERTY = "property", "Property damage"
        OTHER = "other", "Other"

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="restrictions")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.PROTECT, related_name="restrictions"
    )
    scope = models.CharField(max_length=16, choices=Scope.choices)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    review_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.TextField(blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at"]
        indexes = [
            models.Index(fields=["site", "participant"], name="restriction_person_idx"),
            models.Index(fields=["site", "review_at"], name="restriction_review_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=False) | Q(review_at__isnull=False),
                name="restriction_has_end_or_review",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="restriction_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"restriction {str(self.id)[:8]} at {self.site_id}"


class RestrictionReviewOutcome(models.TextChoices):
    """What a supervisor decides when a restriction comes due for review."""

    KEEP = "keep", "Keep"
    EXTEND = "extend", "Extend"
    END = "end", "End"


class RestrictionOverride(models.Model):
    """A check-in a worker let through despite a restriction, and why (audited as well)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    restriction = models.ForeignKey(Restriction, on_delete=models.PROTECT, related_name="overrides")
    visit = models.OneToOneField(
        "visits.Visit", on_delete=models.PROTECT, related_name="restriction_override"
    )
    reason = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"override of {self.restriction_id}"


class TurnAwayReason(models.TextChoices):
    CAPACITY = "capacity", "Capacity"
    RESTRICTION = "restriction", "Restriction"
    INTOXICATION = "intoxication", "Intoxication"
    ELIGIBILITY = "eligibility", "Eligibility"
    CLOSED = "closed", "Closed"
    OTHER = "other", "Other"


class WaitlistEntry(VoidableRecord):
    """A person waiting for a booth: checked in from the list, or left (a turn-away)."""

    REPORT_TIME_FIELD = "added_at"

    class Status(models.TextChoices):
        WAITING = "waiting"
        CHECKED_IN = "checked_in"
        LEFT = "left"

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="waitlist")
    participant = models.ForeignKey(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="waitlist_entries",
    )
    added_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    ended_at = models.DateTimeField(null=True, blank=True)
    visit = models.OneToOneField(
        "visits.Visit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="waitlist_entry",
    )

    class Meta:
        ordering = ["added_at"]
        verbose_name_plural = "waiting list entries"
        indexes = [models.Index(fields=["site", "status"], name="waitlist_site_status_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "participant"],
                condition=Q(status="waiting", voided=False, participant__isnull=False),
                name="one_waiting_entry_per_participant_site",
            ),
        ]

    def __str__(self) -> str:
        return f"waiting {str(self.id)[:8]} at {self.site_id}"


class TurnAway(VoidableRecord):
    """A person who wanted to use the site and could not."""

    REPORT_TIME_FIELD = "at"

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="turnaways")
    participant = models.ForeignKey(
        "participants.Participant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="turnaways",
    )
    reason = models.CharField(max_length=12, choices=TurnAwayReason.choices)
    at = models.DateTimeField()
    waitlist_entry = models.OneToOneField(
        WaitlistEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="turnaway",
    )

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["site", "at"], name="turnaway_site_day_idx")]

    def __str__(self) -> str:
        return f"turn-away {str(self.id)[:8]} at {self.site_id}"


class Complaint(VoidableRecord):
    """A complaint received by a site; supervisors only. The summary never names anyone."""

    REPORT_TIME_FIELD = "received_at"

    class Category(models.TextChoices):
        SERVICE = "service", "Service"
        STAFF_CONDUCT = "staff_conduct", "Staff conduct"
        SAFETY = "safety", "Safety"
        PRIVACY = "privacy", "Privacy"
        ACCESSIBILITY = "accessibility", "Accessibility"
        RESTRICTION = "restriction", "A restriction"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open"
        RESPONDED = "responded"
        CLOSED = "closed"

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="complaints")
    received_at = models.DateTimeField()
    category = models.CharField(max_length=16, choices=Category.choices)
    summary = models.TextField()
    response_due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    response = models.TextField(blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["site", "received_at"], name="complaint_site_day_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("received_at")),
                name="complaint_closed_after_received",
            ),
        ]

    def __str__(self) -> str:
        return f"complaint {str(self.id)[:8]} at {self.site_id}"
