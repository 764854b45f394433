"""First-visit bookkeeping: who is new on a day depends on each participant's first visit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from vigil.records.recompute import request_recompute
from vigil.sites.models import Site
from vigil.visits.models import Visit

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
