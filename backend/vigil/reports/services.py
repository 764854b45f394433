"""Computing and scheduling the daily reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from vigil.accounts.models import User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.calendar import local_day_bounds, local_today
from vigil.records.models import PendingRecompute
from vigil.records.recompute import enqueue_recompute
from vigil.reports import metrics
from vigil.reports.models import DailyReport
from vigil.reports.scope import Scope
from vigil.sites.models import Site


def compute_metrics(scope: Scope) -> dict[str, Any]:
    """Every indicator of docs/domain.md over a scope, in a fixed number of queries (6 for a
    site-day: visits, the one-key tallies, stays (median and peak), incidents, services,
    referrals)."""
    result: dict[str, Any] = metrics.visit_figures(scope)
    result.update(metrics.tallies(scope))
    result.update(metrics.stay_figures(scope))
    result.update(metrics.incident_counts(scope))
    result.update(metrics.care_counts(scope))
    return with_rates(result)


def with_rates(values: dict[str, Any]) -> dict[str, Any]:
    """Rates derived from counts (recomputed, never summed, over a period)."""
    values["overdoses_per_1000_visits"] = metrics.per_thousand(
        values.get("overdoses", 0), values.get("visits", 0)
    )
    return values


def closes_at(site: Site, day: date) -> datetime:
    _, end = local_day_bounds(day, site.zone)
    return end + timedelta(hours=settings.VIGIL_REPORT_CLOSE_HOURS)


@transaction.atomic
def compute_site_day(*, site: Site, day: date) -> DailyReport:
    """Compute one site-day and upsert its DailyReport. Running it twice gives the same figures,
    status and `computed_at`; only `checked_at` (when it last ran) moves.

    Status: provisional until the day closes (48 h after its local end), then final; a later
    computation that changes the figures of a closed day marks it revised.
    """
    if connection.vendor == "postgresql":
        # A site-day is a few hundred rows of each table, read by index from pages in cache,
        # for this transaction only: no parallel workers (starting them for the union of the
        # tallies cost 8 ms and saved nothing), and an index probe priced as the cached read it
        # is (with random_page_cost at its default of 4, for spinning disks, the planner
        # scanned every drug check and supply line of the network, growing with the table,
        # rather than probe an index for the day's 150 services).
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('max_parallel_workers_per_gather', '0', true),"
                " set_config('random_page_cost', '1.1', true)"
            )
    values = compute_metrics(Scope.of([site], day, day))
    now = timezone.now()
    closed = now >= closes_at(site, day)
    # Without the model's ordering (by site): its join would lock the site's row as well.
    report = DailyReport.objects.select_for_update().filter(site=site, date=day).order_by().first()
    if report is None:
        status = DailyReport.Status.FINAL if closed else DailyReport.Status.PROVISIONAL
        try:
            with transaction.atomic():
                return DailyReport.objects.create(
                    site=site,
                    date=day,
                    status=status,
                    computed_at=now,
                    checked_at=now,
                    metrics=values,
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
    report.checked_at = now
    if report.metrics != values or report.status != status:
        report.metrics = values
        report.status = status
        report.computed_at = now
        report.save(update_fields=["metrics", "status", "computed_at", "checked_at"])
    else:
        report.save(update_fields=["checked_at"])
    return report


@transaction.atomic
def recompute_pending(*, site: Site, day: date) -> DailyReport:
    """Clear the pending mark first, so a write during the computation asks for another (its
    mark waits for this transaction). One transaction: a worker killed mid-run leaves the day
    pending, for the sweep."""
    PendingRecompute.objects.filter(site=site, date=day).delete()
    return compute_site_day(site=site, day=day)


def run_nightly(*, site: Site) -> list[DailyReport]:
    """Yesterday, every day still provisional, and every recompute still pending (closed days
    included: a pending day is wrong until recomputed, whatever its age or status)."""
    yesterday = local_today(site) - timedelta(days=1)
    days = {yesterday}
    days.update(
        DailyReport.objects.filter(
            site=site, status=DailyReport.Status.PROVISIONAL, date__lt=yesterday
        ).values_list("date", flat=True)
    )
    days.update(PendingRecompute.objects.filter(site=site).values_list("date", flat=True))
    return [recompute_pending(site=site, day=day) for day in sorted(days)]


def request_recompute_now(*, site: Site, day: date) -> datetime:
    """A supervisor's recompute: enqueued at once (after any pending one), on the reports queue."""
    requested_at = timezone.now()
    PendingRecompute.objects.get_or_create(site=site, date=day)  # for the sweep, if need be
    transaction.on_commit(partial(enqueue_recompute, site_id=site.pk, day=day))
    return requested_at


@transaction.atomic
def report_export_audit(
    *, by: User, sites: Sequence[Site], first: date, last: date, suppressed: bool, file_type: str
) -> None:
    """An export leaves the system: one audit event per site exported (dates, suppression,
    the file's type)."""
    for site in sites:
        audit_record(
            actor=by,
            action=AuditEvent.Action.EXPORT,
            site=site,
            changes={
                "from": first.isoformat(),
                "to": last.isoformat(),
                "suppressed": suppressed,
                "file_type": file_type,
            },
        )
