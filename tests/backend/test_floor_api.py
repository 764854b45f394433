"""The live floor, GET /api/v1/sites/{slug}/floor: booths, open visits, long stays, query count."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.backend.conftest import ago, booth_of, check_in, iso
from tests.conftest import TabletClient, World
from vigil.sites.models import Booth
from vigil.visits.models import Visit

Clients = Callable[[str], TabletClient]
FLOOR = "/api/v1/sites/harbour/floor"


def _booth(floor: dict[str, Any], label: str) -> dict[str, Any]:
    return next(booth for booth in floor["booths"] if booth["label"] == label)


def test_the_floor_shows_every_active_booth_in_order_with_its_open_visit(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    Booth.objects.filter(site=world.site_a, label="12").update(active=False)
    inside = check_in(alice, booth=booth_of(world.site_a, "3"), code="MAKO1993").json()
    left = check_in(alice, booth=booth_of(world.site_a, "4")).json()
    alice.post(f"/api/v1/visits/{left['id']}/check-out", {})
    voided = check_in(alice, booth=booth_of(world.site_a, "5")).json()
    alice.post(f"/api/v1/visits/{voided['id']}/void", {"reason": "wrong booth"})
    service = check_in(alice, kind="service_only").json()

    response = alice.get(FLOOR)

    assert response.status_code == 200
    floor = response.json()
    assert floor["site"] == "harbour"
    assert [b["label"] for b in floor["booths"]] == [str(n) for n in range(1, 12)]
    assert _booth(floor, "11")["kind"] == "inhalation"
    occupied = {b["label"]: b["visit"]["id"] for b in floor["booths"] if b["visit"]}
    assert occupied == {"3": inside["id"]}
    assert [v["id"] for v in floor["service_visits"]] == [service["id"]]
    assert floor["open_visits"] == 2
    assert floor["incidents"] == []
    assert floor["alerts"] == []


def test_an_open_visit_shows_minutes_in_and_the_persons_visit_count(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    for hours in (6, 4):
        earlier = check_in(
            alice, kind="service_only", code="MAKO1993", checked_in_at=iso(ago(hours=hours))
        ).json()
        alice.post(f"/api/v1/visits/{earlier['id']}/check-out", {})
    not_counted = check_in(alice, kind="service_only", code="MAKO1993").json()
    alice.post(f"/api/v1/visits/{not_counted['id']}/void", {"reason": "entered twice"})
    check_in(client_for("charlie"), site="eastside", kind="service_only", code="MAKO1993")
    check_in(
        alice,
        booth=booth_of(world.site_a, "2"),
        code="MAKO1993",
        checked_in_at=iso(ago(minutes=42, seconds=5)),
        substances=["fentanyl"],
    )
    check_in(alice, booth=booth_of(world.site_a, "6"))

    floor = alice.get(FLOOR).json()

    visit = _booth(floor, "2")["visit"]
    assert visit["minutes_in"] == 42
    assert visit["participant_visits"] == 3, "this site's visits, the voided one left out"
    assert visit["overdose_last_7_days"] is False
    assert visit["long_open"] is False
    assert visit["substances"] == ["fentanyl"]
    assert "code" not in visit
    anonymous = _booth(floor, "6")["visit"]
    assert (anonymous["participant"], anonymous["participant_visits"]) == (None, 0)


def test_a_visit_open_longer_than_3_hours_is_flagged_and_stays_open(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    long_stay = check_in(alice, booth=booth_of(world.site_a, "1"), code="MAKO1993").json()
    recent = check_in(alice, booth=booth_of(world.site_a, "2")).json()
    # Time passes: the first visit was checked in 3 h 1 min ago, the second 2 h 59 min ago.
    Visit.objects.filter(pk=long_stay["id"]).update(checked_in_at=ago(hours=3, minutes=1))
    Visit.objects.filter(pk=recent["id"]).update(checked_in_at=ago(hours=2, minutes=59))

    floor = alice.get(FLOOR).json()

    assert _booth(floor, "1")["visit"]["long_open"] is True
    assert _booth(floor, "1")["visit"]["minutes_in"] == 181
    assert _booth(floor, "2")["visit"]["long_open"] is False
    stored = alice.get(f"/api/v1/visits/{long_stay['id']}").json()
    assert (stored["checked_out_at"], stored["version"]) == (None, 1), "never closed silently"
    assert floor["open_visits"] == 2


def test_a_long_service_visit_is_flagged_too(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    check_in(alice, kind="service_only", checked_in_at=iso(ago(hours=4)))

    floor = alice.get(FLOOR).json()

    assert floor["service_visits"][0]["long_open"] is True


def test_the_long_visit_limit_comes_from_the_settings(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    check_in(alice, booth=booth_of(world.site_a, "1"), checked_in_at=iso(ago(minutes=31)))

    with override_settings(VIGIL_LONG_VISIT_MINUTES=30):
        flagged = alice.get(FLOOR).json()
    unflagged = alice.get(FLOOR).json()

    assert _booth(flagged, "1")["visit"]["long_open"] is True
    assert _booth(unflagged, "1")["visit"]["long_open"] is False


def test_each_site_sees_only_its_own_floor(world: World, client_for: Clients) -> None:
    check_in(client_for("alice"), booth=booth_of(world.site_a, "1"))
    charlie = client_for("charlie")
    theirs = check_in(charlie, site="eastside", booth=booth_of(world.site_b, "1")).json()

    floor = charlie.get("/api/v1/sites/eastside/floor").json()

    assert [b["label"] for b in floor["booths"]] == ["1", "2", "3", "4", "5", "6"]
    assert floor["booths"][0]["visit"]["id"] == theirs["id"]
    assert floor["open_visits"] == 1


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("bob", 200), ("erin", 200), ("dana", 403), ("charlie", 404)],
)
def test_who_sees_the_harbour_floor(
    world: World, client_for: Clients, persona: str, expected: int
) -> None:
    assert client_for(persona).get(FLOOR).status_code == expected


def test_the_floor_costs_the_same_queries_with_1_or_12_open_visits(
    world: World, client_for: Clients, django_assert_num_queries: Any
) -> None:
    alice = client_for("alice")
    check_in(alice, booth=booth_of(world.site_a, "1"), code="FLOOR01", substances=["fentanyl"])
    with CaptureQueriesContext(connection) as one_visit:
        assert alice.get(FLOOR).json()["open_visits"] == 1
    queries = len(one_visit.captured_queries)  # read now: the next requests reset the log

    for label in range(2, 13):
        code = f"FLOOR{label:02d}" if label % 3 else None
        earlier = check_in(
            alice,
            kind="service_only",
            code=code,
            checked_in_at=iso(timezone.now() - timedelta(hours=label % 5 + 1)),
        ).json()
        alice.post(f"/api/v1/visits/{earlier['id']}/check-out", {})
        check_in(
            alice,
            booth=booth_of(world.site_a, str(label)),
            code=code,
            substances=["crack", "fentanyl"][: label % 3],
            routes=["inhalation"],
        )
    for _ in range(3):
        check_in(alice, kind="service_only", substances=["other"])

    with django_assert_num_queries(queries):
        floor = alice.get(FLOOR).json()
    assert floor["open_visits"] == 15
    assert all(booth["visit"] for booth in floor["booths"])
