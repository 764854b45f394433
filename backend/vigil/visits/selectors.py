from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.db.models import CharField, QuerySet, Value

from vigil.accounts.models import Role, User
from vigil.core.calendar import local_day_bounds
from vigil.core.prepared import Param, Prepared
from vigil.records.kit import keep_written
from vigil.records.selectors import RecordRead, record_for_user
from vigil.sites.models import Booth, Site
from vigil.visits.models import Visit, VisitRoute, VisitSubstance


def visits_with_details() -> QuerySet[Visit]:
    return Visit.objects.select_related("site", "booth", "created_by").prefetch_related(
        "substance_rows", "route_rows"
    )


def _choices() -> QuerySet[Any]:
    visit = Param("visit", Visit._meta.pk)
    substances = VisitSubstance.objects.filter(visit_id=visit).values_list(
        "substance", Value("", output_field=CharField())
    )
    routes = VisitRoute.objects.filter(visit_id=visit).values_list(
        "route", Value("route", output_field=CharField())
    )
    return substances.union(routes, all=True)


_CHOICES = Prepared(_choices)


def _with_choices(visit: Visit) -> Visit:
    """The visit's substances and routes, read together (one UNION ALL of both tables) and
    kept as its rows, as `prefetch_related` would leave them."""
    chosen = _CHOICES.rows(visit=visit.pk)
    keep_written(
        visit,
        substance_rows=[VisitSubstance(visit=visit, substance=v) for v, k in chosen if not k],
        route_rows=[VisitRoute(visit=visit, route=v) for v, k in chosen if k],
    )
    return visit


_VISIT = RecordRead(lambda: Visit.objects.select_related("site", "booth", "created_by"))
_BOOTH = RecordRead(
    lambda: Booth.objects.select_related("site").filter(
        site__slug=Param("site_slug", Site._meta.get_field("slug"))
    )
)


def visit_for_user(*, user: User, visit_id: Any, roles: frozenset[Role]) -> tuple[Visit, Role]:
    """A visit at one of the user's sites, and the user's role there; else 404 (or 403)."""
    visit, role = record_for_user(_VISIT, user=user, pk=visit_id, roles=roles)
    return _with_choices(visit), role


def booth_for_user(
    *, user: User, site_slug: str, booth_id: Any, roles: frozenset[Role]
) -> tuple[Booth, Role]:
    """The booth `booth_id` of the site `site_slug` with its site, and the user's role there, in
    one query (a check-in's membership read). No such booth at a site of the user's: 404."""
    return record_for_user(_BOOTH, user=user, pk=booth_id, roles=roles, site_slug=site_slug)


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
