"""Asking for the reports of the site-days a write touched to be recomputed.

Domain writes depend only on this module, never on the report code: the task is enqueued by
its stable name (`vigil.reports.compute_site_day`, defined in `vigil.reports.tasks`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from functools import partial
from typing import Any

from celery import current_app
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from vigil.core.calendar import local_today
from vigil.records.models import PendingRecompute
from vigil.sites.models import Site

COMPUTE_SITE_DAY_TASK = "vigil.reports.compute_site_day"


def request_recompute(*, site: Site, moments: Iterable[datetime | None]) -> None:
    """After the current transaction commits, recompute the past site-days these times fall on.

    Today is left to the nightly run and to live reads; each past day is enqueued once however
    many writes touch it (see PendingRecompute).
    """
    today = local_today(site)
    days = {timezone.localtime(m, site.zone).date() for m in moments if m is not None}
    for day in sorted(d for d in days if d < today):
        transaction.on_commit(partial(_enqueue_once, site_id=site.pk, day=day))


def enqueue_recompute(*, site_id: Any, day: date, countdown: float | None = None) -> None:
    """Publish the recompute task of one site-day (on the reports queue, by its routes)."""
    task = current_app.signature(COMPUTE_SITE_DAY_TASK, args=(str(site_id), day.isoformat()))
    if countdown is None:
        task.apply_async()
    else:
        task.apply_async(countdown=countdown)


def _enqueue_once(*, site_id: Any, day: date) -> None:
    try:
        with transaction.atomic():
            PendingRecompute.objects.create(site_id=site_id, date=day)
    except IntegrityError:
        return  # already pending: the queued task will see this write too
    enqueue_recompute(site_id=site_id, day=day, countdown=settings.VIGIL_RECOMPUTE_DELAY_SECONDS)
