"""Shapes shared by every record (UUID ids chosen by the tablet, a version for edits), and the
site-days waiting for a recompute."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class VersionedRecord(models.Model):
    """A record of the floor: client-chosen UUID, optimistic version, server receipt time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class FloorRecord(models.Model):
    """What every floor record keeps beside its content: who logged it, whether it was entered
    late, whether it was voided (records are never deleted), and the digest of its create
    request, so that a resend with the same content is recognised even after later edits."""

    backdated = models.BooleanField(default=False)
    voided = models.BooleanField(default=False)
    void_reason = models.TextField(blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    create_fingerprint = models.CharField(max_length=64)

    class Meta:
        abstract = True


class VoidableRecord(VersionedRecord, FloorRecord):
    """A versioned floor record of a site (visits, services, referrals, incidents)."""

    class Meta:
        abstract = True


class PendingRecompute(models.Model):
    """A site-day whose report must be recomputed; one row however many writes touch it.

    Inserting is the deduplication: a burst of writes to one past day inserts one row and
    enqueues one task; the task removes the row before computing, so a write that lands during
    the computation enqueues a fresh one. (Its table keeps the name it had in `reports`.)
    """

    site = models.ForeignKey("sites.Site", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    requested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "reports_pendingrecompute"
        constraints = [
            models.UniqueConstraint(fields=["site", "date"], name="one_pending_recompute"),
        ]

    def __str__(self) -> str:
        return f"recompute {self.site_id} {self.date}"
