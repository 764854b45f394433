from __future__ import annotations

import uuid
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("%(value)s is not an IANA time zone (for example America/Toronto).")
            % {"value": value}
        )


class Site(models.Model):
    class Kind(models.TextChoices):
        FIXED = "fixed", "Fixed"
        MOBILE = "mobile", "Mobile"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    timezone = models.CharField(max_length=64, validators=[validate_timezone])
    # Shown to people as written; the reports count the structured WeeklyHours.
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
    # The booth's history, for the regulator's "booths in operation": in service from this
    # local day (blank: since the site opened) until this one (blank: still in service).
    in_service_from = models.DateField(null=True, blank=True)
    in_service_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["site", "position", "label"]
        constraints = [
            models.UniqueConstraint(fields=["site", "label"], name="booth_label_unique_per_site"),
        ]

    def __str__(self) -> str:
        return f"{self.site.slug} booth {self.label}"

    def in_service_on(self, day: date) -> bool:
        if self.in_service_from is not None and day < self.in_service_from:
            return False
        if self.in_service_until is not None:
            return day <= self.in_service_until
        return self.active


class WeeklyHours(models.Model):
    """When a site opens on a weekday, in its local time, from a date on (the schedule with
    the latest `valid_from` not after a day is the one in force that day). A weekday may have
    several openings; one that closes at or before it opens runs past midnight."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0
        TUESDAY = 1
        WEDNESDAY = 2
        THURSDAY = 3
        FRIDAY = 4
        SATURDAY = 5
        SUNDAY = 6

    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="weekly_hours")
    valid_from = models.DateField(default=date(2000, 1, 1))
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["site", "valid_from", "weekday", "opens"]
        verbose_name_plural = "weekly hours"
        constraints = [
            models.UniqueConstraint(
                fields=["site", "valid_from", "weekday", "opens"], name="weekly_hours_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"

    @property
    def hours(self) -> float:
        """Wall-clock hours open (24 when it closes when it opens)."""
        opens = datetime.combine(date.min, self.opens)
        closes = datetime.combine(date.min, self.closes)
        if closes <= opens:
            closes += timedelta(days=1)
        return (closes - opens).total_seconds() / 3600
