from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class Alert(models.Model):
    """A notice on every tablet of a site until it expires: a drug alert, a floor notice."""

    class Level(models.TextChoices):
        INFO = "info"
        WARNING = "warning"
        DANGER = "danger"

    class Source(models.TextChoices):
        MANUAL = "manual"
        OVERDOSE_CLUSTER = "overdose_cluster"
        DRUG_CHECK = "drug_check"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="alerts")
    message = models.CharField(max_length=500)
    level = models.CharField(max_length=8, choices=Level.choices)
    expires_at = models.DateTimeField()
    # Ended early by a supervisor; the planned expiry stays on record.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    # The suggestion it was posted from, and what that suggestion had seen (never a person).
    suggestion = models.UUIDField(null=True, blank=True)
    suggestion_key = models.CharField(max_length=40, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    # One alert posted to several sites: each site's copy carries the same network id.
    network = models.UUIDField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Edits name the version they read: a stale one is refused (412), never overwritten.
    version = models.PositiveIntegerField(default=1)
    create_fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["site", "expires_at"], name="alert_site_expiry_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="alert_expires_after_creation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.level} alert at {self.site_id}"
