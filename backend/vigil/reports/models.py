from __future__ import annotations

from django.db import models


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
