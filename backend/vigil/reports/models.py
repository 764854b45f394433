from __future__ import annotations

from django.conf import settings
from django.db import models

from vigil.records.models import VersionedRecord


class DailyReport(models.Model):
    """Every indicator of one site and local day, computed from the records (never typed in)."""

    class Status(models.TextChoices):
        PROVISIONAL = "provisional"  # the day is not closed yet: late records may still come
        FINAL = "final"  # computed after the day closed
        REVISED = "revised"  # a change after closing altered the figures

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="daily_reports")
    date = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices)
    # When the figures last changed (an unchanged recompute leaves it), and when the day was
    # last computed, changed or not: a supervisor's recompute is done once it passes the request.
    computed_at = models.DateTimeField()
    checked_at = models.DateTimeField(null=True)
    metrics = models.JSONField()

    class Meta:
        ordering = ["site", "date"]
        constraints = [
            models.UniqueConstraint(fields=["site", "date"], name="one_report_per_site_day"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.date} ({self.status})"


class Submission(VersionedRecord):
    """The figures of one regulator's form for one site-month, frozen when a supervisor sent
    them. Resubmitting adds the next version; every version is kept as it was sent."""

    class Profile(models.TextChoices):
        HEALTH_CANADA_MONTHLY = "health_canada_monthly"
        ONTARIO_CTS_MONTHLY = "ontario_cts_monthly"

    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="submissions")
    profile = models.CharField(max_length=32, choices=Profile.choices)
    month = models.DateField(help_text="The first day of the month reported.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    figures = models.JSONField(help_text="The figures as sent, by dotted indicator name.")

    class Meta:
        ordering = ["site", "-month", "profile", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "profile", "month", "version"], name="one_submission_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} {self.month:%Y-%m} v{self.version}"


class MonthlyDraft(models.Model):
    """A site-month whose forms were prepared after it ended (its dailies computed) and whose
    supervisors were told: "March is ready to review and submit"."""

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month prepared.")
    prepared_at = models.DateTimeField(auto_now_add=True)
    emailed = models.PositiveSmallIntegerField(
        default=0, help_text="How many supervisors were emailed."
    )

    class Meta:
        ordering = ["site", "-month"]
        constraints = [
            models.UniqueConstraint(fields=["site", "month"], name="one_draft_per_site_month"),
        ]

    def __str__(self) -> str:
        return f"{self.site_id} {self.month:%Y-%m} ready"
