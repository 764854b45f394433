"""Reads of services and referrals, each scoped to what the user may see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from vigil.accounts.models import Role, User
from vigil.care.models import OPEN_REFERRAL_STATUSES, Referral, ReferralStatusChange, Service
from vigil.core.calendar import local_day_bounds
from vigil.participants.models import Participant
from vigil.records.selectors import RecordRead, record_for_user
from vigil.sites.models import Site
from vigil.visits.models import Visit


def services_with_details() -> QuerySet[Service]:
    return Service.objects.select_related("site", "created_by", "drug_check").prefetch_related(
        "supply_lines"
    )


def with_service_details(service: Service) -> Service:
    """Load onto a service what the API shows of it. A write calls it inside its transaction,
    so the answer is built from what it wrote and needs no read after the commit."""
    prefetch_related_objects([service], "site", "created_by", "drug_check", "supply_lines")
    return service


_SERVICE = RecordRead(services_with_details)


def service_for_user(
    *, user: User, service_id: Any, roles: frozenset[Role]
) -> tuple[Service, Role]:
    """A service at one of the user's sites, and the user's role there; else 404 (or 403)."""
    return record_for_user(_SERVICE, user=user, pk=service_id, roles=roles)


def _on_day(records: QuerySet[Any], *, site: Site, day: date) -> QuerySet[Any]:
    start, end = local_day_bounds(day, site.zone)
    return records.filter(at__gte=start, at__lt=end)


def services_list(
    *,
    site: Site | None = None,
    day: date | None = None,
    visit: Visit | None = None,
    participant: Participant | None = None,
    participant_sites: Sequence[Site] = (),
) -> QuerySet[Service]:
    """Services of a site (optionally one local day), of a visit, or of a person at the sites
    where the user may see them. The caller has checked access to each filter it passes."""
    services = services_with_details()
    if site is not None:
        services = services.filter(site=site)
        if day is not None:
            services = _on_day(services, site=site, day=day)
    if visit is not None:
        services = services.filter(visit=visit)
    if participant is not None:
        services = services.filter(participant=participant, site__in=participant_sites)
    return services.order_by("-at", "pk")


def _referral_history() -> Prefetch[Any]:
    return Prefetch(
        "history",
        queryset=ReferralStatusChange.objects.select_related("created_by").order_by(
            "at", "received_at"
        ),
    )


def referrals_with_details() -> QuerySet[Referral]:
    return Referral.objects.select_related("site", "created_by").prefetch_related(
        _referral_history()
    )


def with_referral_details(referral: Referral) -> Referral:
    """Load onto a referral what the API shows of it (see `with_service_details`)."""
    prefetch_related_objects([referral], "site", "created_by", _referral_history())
    return referral


_REFERRAL = RecordRead(referrals_with_details)


def referral_for_user(
    *, user: User, referral_id: Any, roles: frozenset[Role]
) -> tuple[Referral, Role]:
    """A referral at one of the user's sites, and the user's role there; else 404 (or 403)."""
    return record_for_user(_REFERRAL, user=user, pk=referral_id, roles=roles)


def referrals_list(
    *,
    site: Site | None = None,
    day: date | None = None,
    open_only: bool = False,
    visit: Visit | None = None,
    participant: Participant | None = None,
    participant_sites: Sequence[Site] = (),
) -> QuerySet[Referral]:
    """Referrals of a site (optionally one local day), of a visit, or of a person; `open_only`
    keeps those still waiting for an answer or an outcome (the follow-up list)."""
    referrals = referrals_with_details()
    if site is not None:
        referrals = referrals.filter(site=site)
        if day is not None:
            referrals = _on_day(referrals, site=site, day=day)
    if visit is not None:
        referrals = referrals.filter(visit=visit)
    if participant is not None:
        referrals = referrals.filter(participant=participant, site__in=participant_sites)
    if open_only:
        referrals = referrals.filter(status__in=OPEN_REFERRAL_STATUSES, voided=False)
    return referrals.order_by("-at", "pk")


def open_referrals_of(*, participant: Participant, site: Site) -> list[dict[str, Any]]:
    """A person's referrals at a site still waiting for an answer or an outcome, newest first."""
    rows = (
        Referral.objects.filter(
            participant=participant,
            site=site,
            status__in=OPEN_REFERRAL_STATUSES,
            voided=False,
        )
        .order_by("-at", "pk")
        .values("id", "category", "destination", "status", "at")
    )
    return [dict(row) for row in rows]
