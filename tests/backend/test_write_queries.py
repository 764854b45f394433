"""What each create through the API costs in database queries.

Counted is every query of the request as a tablet sends it: the session and the user it
names (2), and the SAVEPOINT and RELEASE of the create's transaction (2), which stand for the
BEGIN and COMMIT the same request sends outside a test. The rest is the create's own work.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.backend.conftest import booth_of, check_in
from tests.conftest import TabletClient, World
from vigil.participants.models import Participant

Clients = Any

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
    with django_assert_num_queries(15):
        _visit(alice, **body)
    assert Participant.objects.count() == 1


def test_a_check_in_with_a_returning_code(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    earlier = _visit(alice, **_a_check_in(world, "BACK42", booth="2"))
    _posted(alice.post(f"/api/v1/visits/{earlier['id']}/check-out", {}), 200)

    body = _a_check_in(world, "BACK42")
    with django_assert_num_queries(11):
        _visit(alice, **body)


def test_an_anonymous_check_in(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    body = _a_check_in(world, None)
    with django_assert_num_queries(9):
        _visit(alice, **body)


def test_a_check_out(world: World, alice: TabletClient, django_assert_num_queries: Any) -> None:
    visit = _visit(alice, **_a_check_in(world, "OUT77"))

    with django_assert_num_queries(9):
        _posted(alice.post(f"/api/v1/visits/{visit['id']}/check-out", {}), 200)


def test_a_service(world: World, alice: TabletClient, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(9):
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

    with django_assert_num_queries(10):
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
    with django_assert_num_queries(9):
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
    with django_assert_num_queries(15):
        _posted(alice.post("/api/v1/incidents/", body))


def test_an_incident_action(
    world: World, alice: TabletClient, django_assert_num_queries: Any
) -> None:
    incident = _posted(
        alice.post(
            "/api/v1/incidents/",
            {"site": "harbour", "kind": "opioid_overdose", "location": "booth"},
        )
    )
    body = {"id": str(uuid.uuid4()), "kind": "naloxone", "dose_mg": "0.4", "route": "IM"}
    with django_assert_num_queries(14):
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
    with django_assert_num_queries(7):
        _posted(bob.post("/api/v1/alerts/", body))
