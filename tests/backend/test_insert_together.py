"""insert_together: the new rows of one write, of several tables, in one statement on
PostgreSQL (data-modifying WITH clauses), one insert a table elsewhere."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone

from tests.conftest import World
from vigil.core.bulk import insert_together
from vigil.visits.models import Visit, VisitRoute, VisitSubstance

pytestmark = pytest.mark.django_db


def _visit(world: World) -> Visit:
    return Visit(
        id=uuid.uuid4(),
        site=world.site_a,
        kind=Visit.Kind.SERVICE_ONLY,
        checked_in_at=timezone.now(),
        created_by=world.users["alice"],
        create_fingerprint="",
    )


def test_a_record_and_its_rows_go_in_one_statement_children_first_too(
    world: World, django_assert_num_queries: Any
) -> None:
    visit = _visit(world)
    substances = [VisitSubstance(visit=visit, substance=s) for s in ("fentanyl", "crack")]
    routes = [VisitRoute(visit=visit, route="inhalation")]
    statements = 1 if connection.vendor == "postgresql" else 3
    # The child rows before their visit: the foreign keys are checked at commit.
    with transaction.atomic(), django_assert_num_queries(statements):
        insert_together(substances, routes, [visit])
    assert not visit._state.adding
    assert visit.received_at is not None  # auto_now_add, set on the instance as written
    stored = Visit.objects.get(pk=visit.pk)
    assert sorted(stored.substance_rows.values_list("substance", flat=True)) == [
        "crack",
        "fentanyl",
    ]
    assert list(stored.route_rows.values_list("route", flat=True)) == ["inhalation"]


def test_a_group_mixing_rows_with_and_without_an_id_is_refused(world: World) -> None:
    visit = _visit(world)
    rows = [VisitSubstance(visit=visit, substance="fentanyl"), VisitSubstance(pk=10**9)]
    with pytest.raises(ValueError, match="all have an id, or none does"):
        insert_together([visit], rows)
    assert not Visit.objects.filter(pk=visit.pk).exists()
