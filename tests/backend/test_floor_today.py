"""Today's figures on the floor: live, by the report's counting rules, over the local day."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from tests.backend.conftest import check_in, iso
from tests.backend.incidents_support import open_incident, tap
from tests.conftest import TabletClient, World

Clients = Callable[[str], TabletClient]
FLOOR = "/api/v1/sites/harbour/floor"


def _local_midnight(world: World) -> datetime:
    """When today began at harbour (America/Toronto), as an aware time."""
    zone = world.site_a.zone
    today = timezone.localtime(timezone.now(), zone).date()
    return datetime.combine(today, time.min, tzinfo=zone)


def _ok(response: Any, expected: int = 201) -> dict[str, Any]:
    assert response.status_code == expected, response.content
    body: dict[str, Any] = response.json()
    return body


def _service(client: TabletClient, **fields: Any) -> dict[str, Any]:
    body = {"id": str(uuid.uuid4()), "site": "harbour", "kind": "wound_care", **fields}
    return _ok(client.post("/api/v1/services/", body))


def _referral(client: TabletClient, **fields: Any) -> dict[str, Any]:
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "category": "housing",
        "destination": "offsite",
        "accompanied": False,
        "status": "offered",
        **fields,
    }
    return _ok(client.post("/api/v1/referrals/", body))


def _void(client: TabletClient, path: str) -> None:
    _ok(client.post(f"{path}/void", {"reason": "Entered twice"}), 200)


def test_the_floor_shows_todays_figures_counted_like_the_report(
    world: World, client_for: Clients
) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    # Visits: a person twice, an anonymous visit, and a voided one (which never counts).
    first = _ok(check_in(alice, kind="service_only", code="TODAY01"))
    _ok(alice.post(f"/api/v1/visits/{first['id']}/check-out", {}), 200)
    _ok(check_in(alice, booth=str(world.site_a.booths.get(label="1").pk), code="TODAY01"))
    _ok(check_in(alice, kind="service_only"))
    voided = _ok(check_in(alice, kind="service_only", code="TODAY02"))
    _void(bob, f"/api/v1/visits/{voided['id']}")
    # Incidents: an overdose with two doses and EMS, another emergency with EMS, and a voided
    # overdose whose naloxone never counts.
    overdose = open_incident(alice)
    tap(alice, overdose["id"], "naloxone", dose_mg=0.4, route="IM")
    tap(alice, overdose["id"], "naloxone", dose_mg=0.4, route="IM")
    tap(alice, overdose["id"], "ems_called")
    fall = open_incident(alice, kind="other_medical", location="washroom")
    tap(alice, fall["id"], "ems_called")
    twice = open_incident(alice, kind="stimulant_overdose")
    tap(alice, twice["id"], "naloxone", dose_mg=0.4, route="IN")
    _void(bob, f"/api/v1/incidents/{twice['id']}")
    # Services and referrals, one of each voided.
    _service(alice)
    _service(alice, kind="education")
    _void(bob, f"/api/v1/services/{_service(alice)['id']}")
    _referral(alice)
    _void(bob, f"/api/v1/referrals/{_referral(alice)['id']}")

    today = _ok(alice.get(FLOOR), 200)["today"]

    assert today == {
        "date": timezone.localtime(timezone.now(), world.site_a.zone).date().isoformat(),
        "visits": 3,
        "unique_participants": 1,
        "overdoses": 1,
        "naloxone_doses": 2,
        "ems_calls": 2,
        "services": 2,
        "referrals": 1,
    }


def test_todays_figures_follow_the_sites_local_day_and_leave_other_sites_out(
    world: World, client_for: Clients
) -> None:
    bob = client_for("bob")
    midnight = _local_midnight(world)
    # Half an hour before local midnight: yesterday at harbour (whatever the UTC date says).
    late = iso(midnight - timedelta(minutes=30))
    _ok(check_in(bob, kind="service_only", code="LATE01", checked_in_at=late))
    overdose = open_incident(bob, started_at=late)
    tap(bob, overdose["id"], "naloxone", dose_mg=0.4, route="IM", at=late)
    _service(bob, at=late)
    _referral(bob, at=late)
    # On the stroke of midnight: today.
    _ok(check_in(bob, kind="service_only", checked_in_at=iso(midnight)))
    # Another site's records are that site's.
    charlie = client_for("charlie")
    _ok(check_in(charlie, site="eastside", kind="service_only", code="EAST01"))
    open_incident(charlie, site="eastside")

    today = _ok(client_for("alice").get(FLOOR), 200)["today"]

    assert {key: value for key, value in today.items() if key != "date"} == {
        "visits": 1,
        "unique_participants": 0,
        "overdoses": 0,
        "naloxone_doses": 0,
        "ems_calls": 0,
        "services": 0,
        "referrals": 0,
    }


def test_staff_see_todays_figures_on_the_floor_but_still_read_no_report(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    _ok(check_in(alice, kind="service_only", code="TODAY03"))
    day = timezone.localtime(timezone.now(), world.site_a.zone).date()

    assert _ok(alice.get(FLOOR), 200)["today"]["visits"] == 1
    for path in (
        f"/api/v1/reports/daily/?site=harbour&from={day}&to={day}",
        f"/api/v1/reports/period/?site=harbour&from={day}&to={day}",
        f"/api/v1/reports/daily.csv?site=harbour&from={day}&to={day}",
    ):
        assert alice.get(path).status_code == 403, path
