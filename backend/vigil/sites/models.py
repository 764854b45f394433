from __future__ import annotations

import uuid
import zoneinfo
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value} is not an IANA time zone (for example America/Toronto).")


class Site(models.Model):
    class Kind(models.TextChoices):
        FIXED = "fixed", "Fixed"
        MOBILE = "mobile", "Mobile"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    opening_hours = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.FIXED)
    # The floor board turns a booth amber, then red, after this many minutes without a check.
    observe_amber_minutes = models.PositiveSmallIntegerField(default=10)
    observe_red_minutes = models.PositiveSmallIntegerField(default=20)
    # Preselected in the overdose recorder, so a usual dose is one tap.
    naloxone_usual_dose_mg = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("0.40")
    )
    naloxone_usual_route = models.CharField(
        max_length=2, choices=[("IM", "IM"), ("IN", "IN"), ("IV", "IV")], default="IM"
    )
    # A complaint's response is due this many days after it was received.
    complaint_response_days = models.PositiveSmallIntegerField(default=30)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(observe_red_minutes__gt=models.F("observe_amber_minutes")),
                name="site_observe_red_after_amber",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    naloxone_usual_dose_mg__gte=Decimal("0.04"),
                    naloxone_usual_dose_mg__lte=Decimal("10"),
                ),
                name="site_naloxone_usual_dose_plausible",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Booth(models.Model):
    class Kind(models.TextChoices):
        INJECTION = "injection", "Injection"
        INHALATION = "inhalation", "Inhalation"
        MIXED = "mixed", "Mixed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="booths")
    label = models.CharField(max_length=20)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INJECTION)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["site", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["site", "label"], name="booth_label_unique_per_site"),
        ]

    def __str__(self) -> str:
        return f"{self.site.slug} booth {self.label}"
