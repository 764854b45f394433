"""Computing and scheduling the daily reports."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from vigil.core.records import local_day_bounds
from vigil.reports import metrics
from vigil.reports.models import DailyReport, PendingRecompute
from vigil.reports.scope import Scope
from vigil.sites.models import Site
from vigil.visits.models import Visit

NIGHTLY_TASK = "vigil.reports.nightly"


def compute_metrics(scope: Scope) -> dict[str, Any]:
    """Every indicator of DOMAIN.md over a scope, in a fixed number of queries."""
    result: dict[str, Any] = metrics.visit_counts(scope)
    result["new_participants"] = metrics.new_participants(scope)
    result.update(metrics.participant_demographics(scope))
    result.update(metrics.visits_by_choice(scope))
    result["visits_by_time_band"] = metrics.visits_by_time_band(scope)
    result["median_visit_minutes"] = metrics.median_visit_minutes(scope)
    result["peak_occupancy"] = metrics.peak_occupancy(scope)
    result.update(metrics.incident_counts(scope))
    result.update(metrics.care_counts(scope))
    return with_rates(result)


def with_rates(values: dict[str, Any]) -> dict[str, Any]:
    """Rates derived from counts (recomputed, never summed, over a period)."""
    values["overdoses_per_1000_visits"] = metrics.per_thousand(
        values.get("overdoses", 0), values.get("visits", 0)
    )
    return values


def local_today(site: Site) -> date:
    return timezone.localtime(timezone.now(), site.zone).date()


def closes_at(site: Site, day: date) -> datetime:
    _, end = local_day_bounds(day, site.zone)
    return end + timedelta(hours=settings.VIGIL_REPORT_CLOSE_HOURS)


@transaction.atomic
def compute_site_day(*, site: Site, day: date) -> DailyReport:
    """Compute one site-day and upsert its DailyReport. Running it twice gives the same row.

    Status: provisional until the day closes (48 h after its local end), then final; a later
    computation that changes the figures of a closed day marks it revised.
    """
    values = compute_metrics(Scope.of([site], day, day))
    closed = timezone.now() >= closes_at(site, day)
    report = DailyReport.objects.select_for_update().filter(site=site, date=day).first()
    if report is None:
        status = DailyReport.Status.FINAL if closed else DailyReport.Status.PROVISIONAL
        try:
            with transaction.atomic():
                return DailyReport.objects.create(
                    site=site, date=day, status=status, computed_at=timezone.now(), metrics=values
                )
        except IntegrityError:
            report = DailyReport.objects.select_for_update().get(site=site, date=day)
    if not closed:
        status = DailyReport.Status.PROVISIONAL
    elif report.status == DailyReport.Status.PROVISIONAL:
        status = DailyReport.Status.FINAL
    elif report.metrics != values:
        status = DailyReport.Status.REVISED
    else:
        status = DailyReport.Status(report.status)
    if report.metrics != values or report.status != status:
        report.metrics = values
        report.status = status
        report.computed_at = timezone.now()
        report.save(update_fields=["metrics", "status", "computed_at"])
    return report


def recompute_pending(*, site: Site, day: date) -> DailyReport:
    """Clear the pending mark first, so a write during the computation asks for another."""
    PendingRecompute.objects.filter(site=site, date=day).delete()
    return compute_site_day(site=site, day=day)


def request_recompute(*, site: Site, moments: Iterable[datetime | None]) -> None:
    """After the current transaction commits, recompute the past site-days these times fall on.

    Today is left to the nightly run and to live reads; each past day is enqueued once however
    many writes touch it (see PendingRecompute).
    """
    today = local_today(site)
    days = {timezone.localtime(m, site.zone).date() for m in moments if m is not None}
    for day in sorted(d for d in days if d < today):
        transaction.on_commit(partial(_enqueue_once, site_id=site.pk, day=day))


# Where and when each participant's first live visit of the network was (None: no visit).
FirstVisits = dict[Any, tuple[Site, datetime] | None]


def first_visits(*, participant_ids: Iterable[Any]) -> FirstVisits:
    """Each participant's first live visit: the site-day that counts them as new (1 query each;
    a write names one or two participants)."""
    found: FirstVisits = {}
    for participant_id in {pk for pk in participant_ids if pk is not None}:
        first = (
            Visit.objects.select_related("site")
            .filter(participant_id=participant_id, voided=False)
            .order_by("checked_in_at", "pk")
            .first()
        )
        found[participant_id] = (first.site, first.checked_in_at) if first else None
    return found


def request_recompute_of_moved_first_visits(*, before: FirstVisits) -> None:
    """Recompute the site-days a participant's first visit left and landed on.

    Who is new on a day depends on records of other days: an earlier visit entered late, the
    first visit voided or moved, or a merge makes someone new on another day, maybe at another
    site. `before` is `first_visits` read before the write, in the same transaction.
    """
    after = first_visits(participant_ids=before)
    for participant_id, was in before.items():
        now = after[participant_id]
        if was == now:
            continue
        for place in (was, now):
            if place is not None:
                request_recompute(site=place[0], moments=[place[1]])


def _enqueue_once(*, site_id: Any, day: date) -> None:
    from vigil.reports.tasks import compute_site_day_task

    try:
        with transaction.atomic():
            PendingRecompute.objects.create(site_id=site_id, date=day)
    except IntegrityError:
        return  # already pending: the queued task will see this write too
    compute_site_day_task.apply_async(
        args=(str(site_id), day.isoformat()), countdown=settings.VIGIL_RECOMPUTE_DELAY_SECONDS
    )


def run_nightly(*, site: Site) -> list[DailyReport]:
    """Yesterday, every day still provisional, and any recompute left pending for an hour."""
    yesterday = local_today(site) - timedelta(days=1)
    stale = timezone.now() - timedelta(hours=1)
    days = {yesterday}
    days.update(
        DailyReport.objects.filter(
            site=site, status=DailyReport.Status.PROVISIONAL, date__lt=yesterday
        ).values_list("date", flat=True)
    )
    days.update(
        PendingRecompute.objects.filter(site=site, requested_at__lt=stale).values_list(
            "date", flat=True
        )
    )
    return [recompute_pending(site=site, day=day) for day in sorted(days)]


# When the nightly run starts, in the site's own time zone: 02:30, every day.
NIGHTLY_AT = {
    "minute": "30",
    "hour": "2",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
}


def _crontab(*, zone: str, when: dict[str, str]) -> CrontabSchedule:
    crontab, _ = CrontabSchedule.objects.get_or_create(timezone=zone, **when)
    return crontab


@transaction.atomic
def schedule_nightly(*, site: Site) -> PeriodicTask:
    """A beat entry per site at its local 02:30, editable in the admin afterwards.

    1. A site without an entry gets one at 02:30 in its time zone.
    2. An entry edited in the admin (disabled, another hour) keeps its edits when the site is
       saved again.
    3. When the site's time zone has changed, the entry moves to a crontab of the new zone at
       the same local time (02:30 unless edited): beat would otherwise run it at 02:30 of the
       old zone. Crontabs are shared between entries, so the entry is re-pointed; the old
       crontab is left as it is.
    """
    task, _ = PeriodicTask.objects.select_related("crontab").get_or_create(
        name=f"Nightly reports: {site.slug}",
        defaults={
            "task": NIGHTLY_TASK,
            "crontab": _crontab(zone=site.timezone, when=NIGHTLY_AT),
            "kwargs": json.dumps({"site_id": str(site.pk)}),
            "queue": "reports",
        },
    )
    current = task.crontab
    if current is not None and str(current.timezone) != site.timezone:
        task.crontab = _crontab(
            zone=site.timezone, when={field: getattr(current, field) for field in NIGHTLY_AT}
        )
        task.save(update_fields=["crontab", "date_changed"])
    return task


def request_recompute_now(*, site: Site, day: date) -> datetime:
    """A supervisor's recompute: enqueued at once (after any pending one), on the reports queue."""
    from vigil.reports.tasks import compute_site_day_task

    requested_at = timezone.now()
    transaction.on_commit(
        lambda: compute_site_day_task.apply_async(args=(str(site.pk), day.isoformat()))
    )
    return requested_at
