"""Prepared statements: a queryset compiled once, its values bound at each run, read back as
the ORM reads it (related rows, annotations, prefetches)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, QuerySet, Value
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from tests.conftest import World
from vigil.core.prepared import Param, Prepared
from vigil.sites.models import Booth, Site
from vigil.visits.models import Visit, VisitRoute, VisitSubstance

pytestmark = pytest.mark.django_db


def _visit(world: World, booth: Booth | None, *substances: str) -> Visit:
    visit = Visit.objects.create(
        site=world.site_a,
        booth=booth,
        kind=Visit.Kind.CONSUMPTION,
        checked_in_at=timezone.now(),
        created_by=world.users["alice"],
        create_fingerprint="",
    )
    VisitSubstance.objects.bulk_create(
        [VisitSubstance(visit=visit, substance=s) for s in substances]
    )
    return visit


def _visits() -> QuerySet[Visit]:
    return (
        Visit.objects.select_related("site", "booth")
        .annotate(substances=Count("substance_rows"))
        .filter(pk=Param("visit", Visit._meta.pk), site__slug=Param("site", CharField()))
    )


def test_each_run_binds_its_values_and_reads_as_the_orm_does(world: World) -> None:
    booth = world.site_a.booths.order_by("position").first()
    first = _visit(world, booth, "fentanyl", "crack")
    second = _visit(world, None, "fentanyl")
    read = Prepared(_visits)

    (found,) = read.records(visit=first.pk, site="harbour")
    assert (found.pk, found.site.slug, found.booth, found.substances) == (
        first.pk,
        "harbour",
        booth,
        2,
    )
    (found,) = read.records(visit=second.pk, site="harbour")
    assert (found.pk, found.booth, found.substances) == (second.pk, None, 1)
    assert found == Visit.objects.get(pk=second.pk)
    assert not found._state.adding
    # Another site's slug: the same statement finds nothing.
    assert read.records(visit=first.pk, site=world.site_b.slug) == []


def test_the_statement_is_compiled_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    visits = [_visit(world, None, "fentanyl") for _ in range(3)]
    compiled: list[Any] = []
    as_sql = SQLCompiler.as_sql

    def counting(self: SQLCompiler, *args: Any, **kwargs: Any) -> Any:
        compiled.append(self)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    read = Prepared(_visits)
    for visit in visits:
        assert [v.pk for v in read.records(visit=visit.pk, site="harbour")] == [visit.pk]
    assert len(compiled) == 1


def test_values_are_checked_by_their_field(world: World) -> None:
    read = Prepared(_visits)
    with pytest.raises(ValidationError):
        read.records(visit="not-an-id", site="harbour")
    with pytest.raises(TypeError, match="takes"):
        read.records(visit=uuid.uuid4())
    with pytest.raises(TypeError, match="takes"):
        read.records(visit=uuid.uuid4(), site="harbour", booth=None)


def test_prefetches_are_followed_and_rows_read_as_tuples(world: World) -> None:
    visit = _visit(world, None, "fentanyl", "crack")
    VisitRoute.objects.create(visit=visit, route="inhalation")
    with_rows = Prepared(
        lambda: Site.objects.prefetch_related("booths").filter(pk=Param("site", Site._meta.pk))
    )
    (site,) = with_rows.records(site=world.site_a.pk)
    assert "booths" in site._prefetched_objects_cache
    assert len(site.booths.all()) == world.site_a.booths.count()

    def choices() -> QuerySet[Any]:
        visit = Param("visit", Visit._meta.pk)
        kind = CharField()
        substances = VisitSubstance.objects.filter(visit_id=visit).values_list(
            "substance", Value("substance", output_field=kind)
        )
        routes = VisitRoute.objects.filter(visit_id=visit).values_list(
            "route", Value("route", output_field=kind)
        )
        return substances.union(routes, all=True)

    rows = Prepared(choices).rows(visit=visit.pk)
    assert sorted(map(tuple, rows)) == [
        ("crack", "substance"),
        ("fentanyl", "substance"),
        ("inhalation", "route"),
    ]
    with pytest.raises(TypeError, match="rows"):
        Prepared(choices).records(visit=visit.pk)
