from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.db.models import QuerySet

from vigil.accounts.models import Role, User
from vigil.core.calendar import local_day_bounds
from vigil.records.selectors import record_for_user
from vigil.sites.models import Site
from vigil.visits.models import Visit


def visits_with_details() -> QuerySet[Visit]:
    return Visit.objects.select_related("site", "booth", "created_by").prefetch_related(
        "substance_rows", "route_rows"
    )


def visit_for_user(*, user: User, visit_id: Any, roles: frozenset[Role]) -> tuple[Visit, Role]:
    """A visit at one of the user's sites, and the user's role there; else 404 (or 403)."""
    return record_for_user(visits_with_details(), user=user, pk=visit_id, roles=roles)


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
