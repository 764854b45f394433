from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.db.models import CharField, QuerySet, Value

from vigil.accounts.models import Role, User
from vigil.core.calendar import local_day_bounds
from vigil.records.kit import keep_written
from vigil.records.selectors import record_for_user
from vigil.sites.models import Booth, Site
from vigil.visits.models import Visit, VisitRoute, VisitSubstance


def visits_with_details() -> QuerySet[Visit]:
    return Visit.objects.select_related("site", "booth", "created_by").prefetch_related(
        "substance_rows", "route_rows"
    )


def _with_choices(visit: Visit) -> Visit:
    """The visit's substances and routes, read together (one UNION ALL of both tables) and
    kept as its rows, as `prefetch_related` would leave them."""
    kind = Value("", output_field=CharField())
    substances = VisitSubstance.objects.filter(visit=visit).values_list("substance", kind)
    routes = VisitRoute.objects.filter(visit=visit).values_list(
        "route", Value("route", output_field=CharField())
    )
    chosen = list(substances.union(routes, all=True))
    keep_written(
        visit,
        substance_rows=[VisitSubstance(visit=visit, substance=v) for v, k in chosen if not k],
        route_rows=[VisitRoute(visit=visit, route=v) for v, k in chosen if k],
    )
    return visit


def visit_for_user(*, user: User, visit_id: Any, roles: frozenset[Role]) -> tuple[Visit, Role]:
    """A visit at one of the user's sites, and the user's role there; else 404 (or 403)."""
    visits = Visit.objects.select_related("site", "booth", "created_by")
    visit, role = record_for_user(visits, user=user, pk=visit_id, roles=roles)
    return _with_choices(visit), role


def booth_for_user(
    *, user: User, site_slug: str, booth_id: Any, roles: frozenset[Role]
) -> tuple[Booth, Role]:
    """The booth `booth_id` of the site `site_slug` with its site, and the user's role there, in
    one query (a check-in's membership read). No such booth at a site of the user's: 404."""
    booths = Booth.objects.select_related("site").filter(site__slug=site_slug)
    return record_for_user(booths, user=user, pk=booth_id, roles=roles)


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
