"""What each create through the API costs in database queries.

Counted is every query of the request as a tablet sends it: the session with the user it
names (1), and the SAVEPOINT and RELEASE of the create's transaction (2), which stand for the
BEGIN and COMMIT the same request sends outside a test. The rest is the create's own work:
one read of the site (or the booth, or the record written to) with the user's role there, the
code's participant as one upsert (and, for a code first seen at the site, its sighting there),
then the record with its rows and its audit event: on PostgreSQL one statement for the record
types written that way (check-ins, incidents, actions, alerts, restrictions, turn-aways, the
waiting list), one insert a table elsewhere. Nothing is read back for the answer.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from tests.backend.conftest import booth_of, check_in
from tests.backend.incidents_support import ago, complete, detail, iso, open_incident, tap
from tests.conftest import TabletClient, World
from vigil.participants.models import Participant

Clients = Any


def by_database(*, postgresql: int, sqlite: int) -> int:
    """On PostgreSQL a new record, its rows and its audit event go in one statement
    (`insert_together`); SQLite, in the process and without round trips, takes one a table."""
    return postgresql if connection.vendor == "postgresql" else sqlite


pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(client_for: Clients) -> TabletClient:
    client: TabletClient = client_for("alice")
    return client


def _visit(alice: TabletClient, **fields: Any) -> dict[str, Any]:
    response = check_in(alice, **fields)
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


def _posted(response: Any, expect: int = 201) -> dict[str, Any]:
    assert response.status_code == expect, response.content
    result: dict[str, Any] = response.json()
    return result


def _an_incident(alice: TabletClient) -> dict[str, Any]:
    body = {"site": "harbour", "kind": "opioid_overdose", "location": "booth"}
    return _posted(alice.post("/api/v1/incidents/", body))


def _a_check_in(world: World, code: str | None, booth: str = "1") -> dict[str, Any]:
    body: dict[str, Any] = {
        "booth": booth_of(world.site_a, booth),
        "substances": ["fentanyl"],
        "routes": ["injection"],
    }
    if code is not None:
        body["code"] = code
    return body


def test_a_check_in_with_a_new_code(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    body = _a_check_in(world, "NEWCODE1")
    with django_assert_num_queries(by_database(postgresql=7, sqlite=10)):
        _visit(alice, **body)
    assert Participant.objects.count() == 1


def test_a_check_in_with_a_returning_code(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    earlier = _visit(alice, **_a_check_in(world, "BACK42", booth="2"))
    _posted(alice.post(f"/api/v1/visits/{earlier['id']}/check-out", {}), 200)

    body = _a_check_in(world, "BACK42")
    with django_assert_num_queries(by_database(postgresql=6, sqlite=9)):
        _visit(alice, **body)


def test_an_anonymous_check_in(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    body = _a_check_in(world, None)
    with django_assert_num_queries(by_database(postgresql=5, sqlite=8)):
        _visit(alice, **body)


def test_a_check_out(world: World, alice: TabletClient, django_assert_num_queries: Any) -> None:
    visit = _visit(alice, **_a_check_in(world, "OUT77"))

    with django_assert_num_queries(7):
        _posted(alice.post(f"/api/v1/visits/{visit['id']}/check-out", {}), 200)


def test_a_service(world: World, alice: TabletClient, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(6):
        _posted(
            alice.post(
                "/api/v1/services/",
                {"id": str(uuid.uuid4()), "site": "harbour", "kind": "first_aid"},
            )
        )


def test_a_service_with_a_code(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    _visit(alice, **_a_check_in(world, "KIWI77"))

    with django_assert_num_queries(7):
        _posted(
            alice.post(
                "/api/v1/services/",
                {"id": str(uuid.uuid4()), "site": "harbour", "kind": "first_aid", "code": "KIWI77"},
            )
        )


def test_a_referral(world: World, alice: TabletClient, django_assert_num_queries: Any) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "category": "housing",
        "destination": "offsite",
        "agency": "Coordinated access",
        "accompanied": False,
        "status": "offered",
    }
    with django_assert_num_queries(7):
        _posted(alice.post("/api/v1/referrals/", body))


def test_an_incident(world: World, alice: TabletClient, django_assert_num_queries: Any) -> None:
    visit = _visit(alice, **_a_check_in(world, "OD2024"))
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "kind": "opioid_overdose",
        "location": "booth",
        "visit": visit["id"],
    }
    with django_assert_num_queries(by_database(postgresql=6, sqlite=7)):
        _posted(alice.post("/api/v1/incidents/", body))


def test_an_incident_action(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    incident = _an_incident(alice)
    body = {"id": str(uuid.uuid4()), "kind": "naloxone", "dose_mg": "0.4", "route": "IM"}
    with django_assert_num_queries(by_database(postgresql=8, sqlite=9)):
        _posted(alice.post(f"/api/v1/incidents/{incident['id']}/actions/", body))


def test_an_alert(world: World, client_for: Clients, django_assert_num_queries: Any) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "message": "Benzo-positive 'down' circulating: expect heavy sedation.",
        "level": "danger",
        "expires_at": (timezone.now() + timedelta(hours=12)).isoformat(),
    }
    bob = client_for("bob")
    with django_assert_num_queries(by_database(postgresql=5, sqlite=6)):
        _posted(bob.post("/api/v1/alerts/", body))


def test_an_incident_action_taking_naloxone_from_stock(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    expiry = (timezone.localdate() + timedelta(days=300)).isoformat()
    stocked = {
        "site": "harbour",
        "item": "naloxone",
        "quantity": 5,
        "lot": "A1",
        "expires_on": expiry,
    }
    _posted(alice.post("/api/v1/stock/receipts", stocked))
    incident = _an_incident(alice)
    body = {"id": str(uuid.uuid4()), "kind": "naloxone", "dose_mg": "0.4", "route": "IM"}
    # The dose is taken from the lot in the statement that chooses and locks it.
    with django_assert_num_queries(by_database(postgresql=8, sqlite=9)):
        _posted(alice.post(f"/api/v1/incidents/{incident['id']}/actions/", body))
    items = alice.get("/api/v1/stock/?site=harbour").json()["items"]
    naloxone = next(row for row in items if row["item"] == "naloxone")
    assert naloxone["on_hand"] == 4


def test_another_incident_action(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    incident = _an_incident(alice)
    body = {"id": str(uuid.uuid4()), "kind": "stimulation"}
    with django_assert_num_queries(by_database(postgresql=6, sqlite=7)):
        _posted(alice.post(f"/api/v1/incidents/{incident['id']}/actions/", body))


def test_a_restriction(world: World, client_for: Clients, django_assert_num_queries: Any) -> None:
    bob = client_for("bob")
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "code": "MAKO1993",
        "scope": "all_services",
        "reason": "violence",
        "ends_at": (timezone.now() + timedelta(days=7)).isoformat(),
        "note": "Pushed a staff member at the door",
    }
    with django_assert_num_queries(by_database(postgresql=7, sqlite=8)):
        _posted(bob.post("/api/v1/restrictions/", body))


def test_a_turn_away(world: World, alice: TabletClient, django_assert_num_queries: Any) -> None:
    body = {"id": str(uuid.uuid4()), "site": "harbour", "reason": "intoxication", "code": "TURN1"}
    with django_assert_num_queries(by_database(postgresql=7, sqlite=8)):
        _posted(alice.post("/api/v1/turnaways/", body))


def test_a_waiting_list_entry(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    body = {"id": str(uuid.uuid4()), "site": "harbour", "code": "WAIT1"}
    with django_assert_num_queries(by_database(postgresql=7, sqlite=8)):
        _posted(alice.post("/api/v1/waitlist/", body))


def test_a_complaint(world: World, client_for: Clients, django_assert_num_queries: Any) -> None:
    bob = client_for("bob")
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "category": "service",
        "summary": "Waited long",
        "received_at": timezone.now().isoformat(),
    }
    with django_assert_num_queries(6):
        _posted(bob.post("/api/v1/complaints/", body))


def test_a_stock_receipt(world: World, alice: TabletClient, django_assert_num_queries: Any) -> None:
    expiry = (timezone.localdate() + timedelta(days=300)).isoformat()
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "item": "naloxone",
        "quantity": 5,
        "lot": "A1",
        "expires_on": expiry,
    }
    with django_assert_num_queries(7):
        _posted(alice.post("/api/v1/stock/receipts", body))


def test_a_debrief(world: World, client_for: Clients, django_assert_num_queries: Any) -> None:
    alice = client_for("alice")
    incident = open_incident(alice, started_at=iso(ago(30)))
    tap(alice, incident["id"], "naloxone", dose_mg=0.4, route="IM")
    tap(alice, incident["id"], "ems_called")
    complete(alice, detail(alice, incident["id"]), responders=["alice", "bob"])
    body = {"status": "held", "held_at": iso(ago(5)), "attendees": 3, "supports": []}
    bob = client_for("bob")
    # The incident read with the user's role, then locked with its debrief; the debrief and its
    # audit event. The answer is the debrief, from what was written.
    with django_assert_num_queries(by_database(postgresql=6, sqlite=7)):
        _posted(bob.post(f"/api/v1/incidents/{incident['id']}/debrief", body), 200)
