"""Thin tasks: ids and ISO dates in, one service call, idempotent (safe to redeliver)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.db import OperationalError

from vigil.records.recompute import sweep_pending_recomputes
from vigil.reports.services import recompute_pending, run_nightly
from vigil.reports.submissions import prepare_monthly_drafts
from vigil.sites.models import Site


@shared_task(
    name="vigil.reports.compute_site_day",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def compute_site_day_task(site_id: str, day: str) -> str:
    site = Site.objects.get(pk=site_id)
    report = recompute_pending(site=site, day=date.fromisoformat(day))
    return report.status


@shared_task(
    name="vigil.reports.nightly",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def nightly_task(site_id: str) -> int:
    site = Site.objects.get(pk=site_id)
    return len(run_nightly(site=site))


@shared_task(
    name="vigil.reports.prepare_monthly_drafts",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def prepare_monthly_drafts_task() -> int:
    return len(prepare_monthly_drafts())


@shared_task(name="vigil.reports.sweep_pending")
def sweep_pending_task() -> int:
    """Every VIGIL_RECOMPUTE_SWEEP_SECONDS (beat): send the recomputes a broker outage lost."""
    return sweep_pending_recomputes()
