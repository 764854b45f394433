"""Shapes shared by every record: UUID ids chosen by the tablet, and a version for edits."""

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
