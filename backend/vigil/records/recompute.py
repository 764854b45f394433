"""Asking for the reports of the site-days a write touched to be recomputed.

Domain writes depend only on this module, never on the report code: the task is enqueued by
its stable name (`vigil.reports.compute_site_day`, defined in `vigil.reports.tasks`).

The broker may be away: a write is stored and answered all the same, its site-day stays
pending (PendingRecompute), and the sweep (`sweep_pending_recomputes`, run by beat) sends it
again once the broker is back, however the outage ended.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
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

logger = logging.getLogger(__name__)


def request_recompute(*, site: Site, moments: Iterable[datetime | None]) -> None:
    """After the current transaction commits, recompute the past site-days these times fall on.

    Today is left to the nightly run and to live reads; each past day is enqueued once however
    many writes touch it (see PendingRecompute).
    """
    today = local_today(site)
    days = {timezone.localtime(m, site.zone).date() for m in moments if m is not None}
    for day in sorted(d for d in days if d < today):
        transaction.on_commit(partial(_enqueue_once, site_id=site.pk, day=day))


def request_recompute_many(*, days: Mapping[Any, Iterable[date]]) -> None:
    """`request_recompute` for many site-days at once (the end of an import): after the current
    transaction commits, each past day of each site (by id) not already pending is marked
    pending in one statement and enqueued once."""
    sites = {site.pk: site for site in Site.objects.filter(pk__in=list(days))}
    wanted = {
        (site_id, day)
        for site_id, site_days in days.items()
        if site_id in sites
        for day in site_days
        if day < local_today(sites[site_id])
    }
    if wanted:
        transaction.on_commit(partial(_enqueue_many, wanted=wanted))


def _enqueue_many(*, wanted: set[tuple[Any, date]]) -> None:
    pending = set(
        PendingRecompute.objects.filter(
            site_id__in={site_id for site_id, _ in wanted},
            date__in={day for _, day in wanted},
        ).values_list("site_id", "date")
    )
    fresh = sorted(wanted - pending, key=lambda pair: (str(pair[0]), pair[1]))
    PendingRecompute.objects.bulk_create(
        [PendingRecompute(site_id=site_id, date=day) for site_id, day in fresh],
        ignore_conflicts=True,  # pending since the look: its task, or the sweep, sees it
    )
    for site_id, day in fresh:
        enqueue_recompute(
            site_id=site_id, day=day, countdown=settings.VIGIL_RECOMPUTE_DELAY_SECONDS
        )


def enqueue_recompute(*, site_id: Any, day: date, countdown: float | None = None) -> None:
    """Publish the recompute task of one site-day (on the reports queue, by its routes).

    Runs after the write committed: a broker that is away must not turn a stored record into an
    error, so a failure is logged (ids and the date only) and the day stays pending for the
    sweep.
    """
    task = current_app.signature(COMPUTE_SITE_DAY_TASK, args=(str(site_id), day.isoformat()))
    try:
        if countdown is None:
            task.apply_async()
        else:
            task.apply_async(countdown=countdown)
    except Exception as exc:  # whatever the broker raised, the write is stored
        logger.warning(
            "Recompute of site %s day %s not sent (%s); the sweep will send it.",
            site_id,
            day.isoformat(),
            type(exc).__name__,
        )


def _enqueue_once(*, site_id: Any, day: date) -> None:
    try:
        with transaction.atomic():
            PendingRecompute.objects.create(site_id=site_id, date=day)
    except IntegrityError:
        return  # already pending: its task, or else the sweep, will see this write too
    enqueue_recompute(site_id=site_id, day=day, countdown=settings.VIGIL_RECOMPUTE_DELAY_SECONDS)


def sweep_pending_recomputes() -> int:
    """Send again every recompute pending longer than its delay plus a sweep interval: its task
    never reached the broker (away at the time) or was lost with the broker's data. Each row is
    stamped when sent, so a slow queue gets it again only after another interval. Returns how
    many were sent."""
    now = timezone.now()
    cutoff = now - timedelta(
        seconds=settings.VIGIL_RECOMPUTE_DELAY_SECONDS + settings.VIGIL_RECOMPUTE_SWEEP_SECONDS
    )
    stale = list(PendingRecompute.objects.filter(requested_at__lt=cutoff))
    PendingRecompute.objects.filter(pk__in=[row.pk for row in stale]).update(requested_at=now)
    for row in stale:
        enqueue_recompute(site_id=row.site_id, day=row.date)
    return len(stale)
