"""The period's unique and new participants, counted in one aggregate, follow docs/domain.md's rules
exactly as the per-visit definitions do: a person counts once over the period and the sites;
new when their first non-voided visit anywhere in the network (earliest check-in, then id)
falls in the period at one of the sites; anonymous visits never count.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta

from django.db.models import Count

from tests.conftest import World
from vigil.participants.models import Participant
from vigil.reports import metrics
from vigil.reports.scope import Scope
from vigil.reports.selectors import period_metrics
from vigil.reports.services import local_today
from vigil.sites.models import Site
from vigil.visits.models import Visit


def _visit(
    world: World,
    site: Site,
    at: datetime,
    who: Participant | None,
    *,
    voided: bool = False,
    pk: uuid.UUID | None = None,
) -> Visit:
    return Visit.objects.create(
        id=pk or uuid.uuid4(),
        site=site,
        participant=who,
        kind=Visit.Kind.SERVICE_ONLY,
        checked_in_at=at,
        checked_out_at=at + timedelta(minutes=10),
        voided=voided,
        created_by=world.users["alice"],
    )


def _person(n: int) -> Participant:
    return Participant.objects.create(code_digest=f"{n:064d}")


def _per_visit(scope: Scope) -> dict[str, int]:
    """The definitions the aggregate replaces (visit_counts' distinct, new_participants)."""
    unique = Visit.objects.filter(scope.q(time="checked_in_at"), voided=False).aggregate(
        n=Count("participant", distinct=True)
    )["n"]
    return {"unique_participants": unique, "new_participants": metrics.new_participants(scope)}


def test_one_aggregate_counts_as_the_per_visit_rules(world: World) -> None:
    a, b = world.site_a, world.site_b
    last = local_today(a) - timedelta(days=1)
    first = last - timedelta(days=6)
    in_period = datetime.combine(first + timedelta(days=2), time(12), tzinfo=a.zone)
    before = in_period - timedelta(days=20)
    after = in_period + timedelta(days=30)
    people = [_person(n) for n in range(9)]
    # 0: seen before the period, then twice in it: unique, not new.
    _visit(world, a, before, people[0])
    _visit(world, a, in_period, people[0])
    _visit(world, b, in_period + timedelta(hours=1), people[0])
    # 1: first visit in the period, twice, at both sites: unique once, new once.
    _visit(world, a, in_period, people[1])
    _visit(world, b, in_period + timedelta(hours=2), people[1])
    # 2: the visit before the period is voided: new in the period.
    _visit(world, a, before, people[2], voided=True)
    _visit(world, a, in_period, people[2])
    # 3: only a voided visit in the period: neither.
    _visit(world, a, in_period, people[3], voided=True)
    # 4: only seen after the period: neither.
    _visit(world, a, after, people[4])
    # 5 and 6: two visits at the same instant, one at site a, one at site b: the first is the
    # one with the smaller id (5: the one at a; 6: the one at b).
    tie = in_period + timedelta(hours=3)
    low, high = uuid.UUID(int=1), uuid.UUID(int=2**128 - 1)
    _visit(world, a, tie, people[5], pk=low)
    _visit(world, b, tie, people[5], pk=uuid.UUID(int=2**128 - 2))
    _visit(world, a, tie, people[6], pk=high)
    _visit(world, b, tie, people[6], pk=uuid.UUID(int=2))
    # 7: first seen at site b in the period, then at site a in it.
    _visit(world, b, in_period, people[7])
    _visit(world, a, in_period + timedelta(hours=4), people[7])
    # Anonymous visits: visits, never participants.
    _visit(world, a, in_period, None)
    _visit(world, a, in_period + timedelta(hours=5), None)

    only_a = Scope.of([a], first, last)
    both = Scope.of([a, b], first, last)
    assert metrics.participant_counts(only_a) == _per_visit(only_a)
    assert metrics.participant_counts(both) == _per_visit(both)
    # Spelled out at site a: 0, 1, 2, 5, 6, 7 have a visit; 1, 2 and 5 are new there (6 was
    # first seen at b, by id; 7 at b, earlier).
    assert metrics.participant_counts(only_a) == {"unique_participants": 6, "new_participants": 3}
    # Over both sites: 6 and 7 are new too.
    assert metrics.participant_counts(both) == {"unique_participants": 6, "new_participants": 5}
    assert Visit.objects.filter(site=a, participant=None).count() == 2
    figures = period_metrics(sites=[a, b], first=first, last=last)
    assert figures["unique_participants"] == 6
    assert figures["new_participants"] == 5
