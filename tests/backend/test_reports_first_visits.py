"""Who is new on a day depends on records of other days; a write that moves someone's first
visit recomputes both the day it leaves and the day it lands on.

Each test records a person's visits on past days, reads the reports (stored, final), makes one
write through the API, then runs the recomputes it enqueued, as the worker would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from tests.backend.conftest import run_recomputes
from tests.conftest import TabletClient, World
from vigil.reports.models import DailyReport
from vigil.reports.services import local_today

Clients = Callable[[str], TabletClient]


def _days(world: World) -> tuple[date, date]:
    today = local_today(world.site_a)
    return today - timedelta(days=6), today - timedelta(days=3)


def _visit(client: TabletClient, world: World, day: date, code: str) -> dict[str, Any]:
    """A service-only visit at noon of a past day, checked out 20 minutes later."""
    start = datetime.combine(day, time(12), tzinfo=world.site_a.zone)
    response = client.post(
        "/api/v1/visits/",
        {
            "site": "harbour",
            "kind": "service_only",
            "code": code,
            "checked_in_at": start.isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    visit: dict[str, Any] = response.json()
    out = client.post(
        f"/api/v1/visits/{visit['id']}/check-out",
        {"checked_out_at": (start + timedelta(minutes=20)).isoformat()},
    )
    assert out.status_code == 200, out.content
    return visit


def _new_on(client: TabletClient, *days: date) -> list[int]:
    """The new participants of each day, as the stored reports say (computed if never were)."""
    first, last = min(days), max(days)
    response = client.get(f"/api/v1/reports/daily/?site=harbour&from={first}&to={last}")
    assert response.status_code == 200, response.content
    by_day = {report["date"]: report for report in response.json()}
    return [by_day[str(day)]["metrics"]["new_participants"] for day in days]


def _status(world: World, day: date) -> str:
    return str(DailyReport.objects.get(site=world.site_a, date=day).status)


def test_voiding_a_first_visit_makes_the_person_new_on_the_day_of_their_next(
    world: World,
    client_for: Clients,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    bob = client_for("bob")
    earlier, later = _days(world)
    mistaken = _visit(bob, world, earlier, "NEWFACE1")
    _visit(bob, world, later, "NEWFACE1")
    assert _new_on(bob, earlier, later) == [1, 0]

    with django_capture_on_commit_callbacks(execute=True):
        voided = bob.post(f"/api/v1/visits/{mistaken['id']}/void", {"reason": "not this person"})
    assert voided.status_code == 200, voided.content

    assert run_recomputes(celery_messages) == {earlier, later}
    assert _new_on(bob, earlier, later) == [0, 1]
    assert (_status(world, earlier), _status(world, later)) == ("revised", "revised")


def test_an_earlier_visit_entered_late_moves_the_person_new_to_its_day(
    world: World,
    client_for: Clients,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    bob = client_for("bob")
    earlier, later = _days(world)
    _visit(bob, world, later, "NEWFACE2")
    assert _new_on(bob, earlier, later) == [0, 1]

    with django_capture_on_commit_callbacks(execute=True):
        _visit(bob, world, earlier, "newface-2")

    assert run_recomputes(celery_messages) == {earlier, later}
    assert _new_on(bob, earlier, later) == [1, 0]


def test_a_merge_moves_the_person_new_to_the_first_day_of_either_code(
    world: World,
    client_for: Clients,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    bob = client_for("bob")
    earlier, later = _days(world)
    mistyped = _visit(bob, world, earlier, "MAKO1939")
    right = _visit(bob, world, later, "MAKO1993")
    assert _new_on(bob, earlier, later) == [1, 1]

    with django_capture_on_commit_callbacks(execute=True):
        merged = bob.post(
            f"/api/v1/participants/{mistyped['participant']}/merge",
            {"into": right["participant"], "reason": "1939 was a typo for 1993"},
        )
    assert merged.status_code == 200, merged.content

    assert run_recomputes(celery_messages) == {earlier, later}
    assert _new_on(bob, earlier, later) == [1, 0]


def test_a_visit_of_someone_seen_before_recomputes_no_other_day(
    world: World,
    client_for: Clients,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    bob = client_for("bob")
    earlier, later = _days(world)
    _visit(bob, world, earlier, "REGULAR1")

    with django_capture_on_commit_callbacks(execute=True):
        _visit(bob, world, later, "REGULAR1")

    assert run_recomputes(celery_messages) == {later}
