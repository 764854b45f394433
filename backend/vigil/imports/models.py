"""An import of a site's past records: its progress and errors, and its file until it is read."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Import(models.Model):
    """One uploaded file of past records, checked (dry run) or written by a Celery task.

    `rows_done` counts the file's rows handled so far (written or already stored); it moves
    with each batch written, in the batch's transaction, so a task run again after a worker
    restart continues after it. `recompute` keeps the site-days the written rows touched,
    recomputed once when the run ends.
    """

    class Kind(models.TextChoices):
        VISITS = "visits"
        SERVICES = "services"
        REFERRALS = "referrals"
        INCIDENTS = "incidents"
        INCIDENT_ACTIONS = "incident_actions"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    site = models.ForeignKey("sites.Site", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    dry_run = models.BooleanField(default=False)
    file_name = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    rows_done = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    recompute = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {str(self.id)[:8]} of {self.kind}"


class ImportFile(models.Model):
    """The uploaded file, kept only until its import ends (done or failed), then deleted.

    In the database rather than on a disk, so any worker reads it and one transaction sees it.
    """

    upload = models.OneToOneField(
        Import, primary_key=True, on_delete=models.CASCADE, related_name="file"
    )
    content = models.BinaryField()

    def __str__(self) -> str:
        return f"file of {self.upload}"
