from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied

from vigil.accounts.models import Membership, Role, User
from vigil.alerts.selectors import alerts_on_floor
from vigil.core.records import local_day_bounds
from vigil.incidents.selectors import incidents_on_floor, recent_overdose
from vigil.reports.selectors import today_on_floor
from vigil.safety.selectors import waitlist_of_site
from vigil.sites.models import Booth, Site
from vigil.visits.models import Visit


def visits_with_details() -> QuerySet[Visit]:
    return Visit.objects.select_related("site", "booth", "created_by").prefetch_related(
        "substance_rows", "route_rows"
    )


def visit_for_user(*, user: User, visit_id: Any, roles: frozenset[Role]) -> tuple[Visit, Role]:
    """A visit at one of the user's sites, and the user's role there; else 404 (or 403)."""
    visit = visits_with_details().filter(pk=visit_id).first()
    membership = (
        Membership.objects.filter(user=user, site_id=visit.site_id).first() if visit else None
    )
    if visit is None or membership is None:
        raise NotFound("Not found.")
    if membership.role not in roles:
        raise PermissionDenied("Your role at this site does not allow this.")
    return visit, Role(membership.role)


def visits_of_site(
    *,
    site: Site,
    day: date | None = None,
    open_only: bool = False,
    participant_id: uuid.UUID | None = None,
) -> QuerySet[Visit]:
    """A site's visits, optionally those checked in on one local day, only the open ones, or
    only one participant's (their visits at other sites are not this site's to show)."""
    visits = visits_with_details().filter(site=site)
    if participant_id is not None:
        visits = visits.filter(participant_id=participant_id)
    if day is not None:
        start, end = local_day_bounds(day, site.zone)
        visits = visits.filter(checked_in_at__gte=start, checked_in_at__lt=end)
    if open_only:
        visits = visits.filter(checked_out_at=None, voided=False)
    return visits.order_by("-checked_in_at")


def floor_of_site(*, site: Site) -> dict[str, Any]:
    """The live floor: every active booth with its open visit, service visits, counts, the
    incidents being handled, the active alerts and today's figures.

    A constant number of queries whatever the number of open visits or records of the day
    (booths, open visits with their participants' visit counts and recent overdoses,
    substances, routes, incidents, alerts, the waiting list, today's figures).
    """
    visits_here = (
        Visit.objects.filter(site=site, participant=OuterRef("participant"), voided=False)
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    open_visits = list(
        visits_of_site(site=site, open_only=True).annotate(
            participant_visits=Coalesce(Subquery(visits_here, output_field=IntegerField()), 0),
            overdose_last_7_days=recent_overdose(OuterRef("participant")),
        )
    )
    booths = list(Booth.objects.filter(site=site, active=True).order_by("position", "label"))
    by_booth = {visit.booth_id: visit for visit in open_visits if visit.booth_id}
    long_after = timezone.now() - timedelta(minutes=settings.VIGIL_LONG_VISIT_MINUTES)
    for visit in open_visits:
        visit.long_open = visit.checked_in_at < long_after  # type: ignore[attr-defined]
    return {
        "site": site,
        "booths": [{"booth": booth, "visit": by_booth.get(booth.pk)} for booth in booths],
        "service_visits": [v for v in open_visits if v.booth_id is None],
        "open_visits": len(open_visits),
        "incidents": list(incidents_on_floor(site=site)),
        "alerts": list(alerts_on_floor(site=site)),
        "waitlist": list(waitlist_of_site(site=site)),
        "today": today_on_floor(site=site),
    }
