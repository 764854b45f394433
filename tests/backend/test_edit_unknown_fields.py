"""An edit (PATCH) refuses the fields it does not take, naming them; an edit that changes
nothing answers the record as it is: no new version, no audit event. Otherwise another tablet
holding the record would get 412 for an edit that did nothing.

Same rule for every record's PATCH: visits, services, referrals, incidents, alerts, people.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.backend.conftest import booth_of, check_in
from tests.backend.incidents_support import open_incident
from tests.conftest import TabletClient, World
from vigil.audit.models import AuditEvent

Clients = Callable[[str], TabletClient]


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def _visit(world: World, client: TabletClient) -> str:
    body = _created(check_in(client, booth=booth_of(world.site_a, "1"), code="EDITS001"))
    return f"/api/v1/visits/{body['id']}"


def _service(world: World, client: TabletClient) -> str:
    body = _created(client.post("/api/v1/services/", {"site": "harbour", "kind": "education"}))
    return f"/api/v1/services/{body['id']}"


def _referral(world: World, client: TabletClient) -> str:
    body = _created(
        client.post(
            "/api/v1/referrals/",
            {
                "site": "harbour",
                "category": "oat",
                "destination": "offsite",
                "agency": "Clinic",
                "accompanied": False,
                "status": "offered",
            },
        )
    )
    return f"/api/v1/referrals/{body['id']}"


def _incident(world: World, client: TabletClient) -> str:
    return f"/api/v1/incidents/{open_incident(client)['id']}"


def _alert(world: World, client: TabletClient) -> str:
    expires = (timezone.now() + timedelta(hours=4)).isoformat()
    body = _created(
        client.post(
            "/api/v1/alerts/",
            {
                "site": "harbour",
                "message": "Strong batch",
                "level": "warning",
                "expires_at": expires,
            },
        )
    )
    return f"/api/v1/alerts/{body['id']}"


def _person(world: World, client: TabletClient) -> str:
    visit = _created(check_in(client, kind="service_only", code="EDITS002"))
    return f"/api/v1/participants/{visit['participant']}"


# (record, who edits it, a real change)
RECORDS = [
    pytest.param(_visit, "alice", {"kind": "service_only"}, id="visit"),
    pytest.param(_service, "alice", {"kind": "first_aid"}, id="service"),
    pytest.param(_referral, "alice", {"accompanied": True}, id="referral"),
    pytest.param(_incident, "alice", {"location": "washroom"}, id="incident"),
    pytest.param(_alert, "bob", {"level": "danger"}, id="alert"),
    pytest.param(_person, "alice", {"gender": "woman"}, id="person"),
]


def _read(client: TabletClient, url: str) -> dict[str, Any]:
    if "/participants/" in url:
        url = f"{url}?site=harbour"
    if "/alerts/" in url:
        alerts = client.get("/api/v1/alerts/?site=harbour").json()["results"]
        found: dict[str, Any] = next(a for a in alerts if url.endswith(a["id"]))
        return found
    body: dict[str, Any] = client.get(url).json()
    return body


@pytest.mark.parametrize(("record", "who", "change"), RECORDS)
def test_an_edit_with_only_unknown_fields_is_refused_naming_them(
    world: World, client_for: Clients, record: Any, who: str, change: dict[str, Any]
) -> None:
    client = client_for(who)
    url = record(world, client)
    before = _read(client, url)
    events = AuditEvent.objects.count()

    response = client.patch(url, {"version": before["version"], "colour": "red", "id": "x"})

    assert response.status_code == 400, response.content
    assert set(response.json()["fields"]) == {"colour", "id"}
    assert _read(client, url)["version"] == before["version"]
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(("record", "who", "change"), RECORDS)
def test_an_edit_that_changes_nothing_keeps_the_version_and_writes_no_audit(
    world: World, client_for: Clients, record: Any, who: str, change: dict[str, Any]
) -> None:
    client = client_for(who)
    url = record(world, client)
    before = _read(client, url)
    events = AuditEvent.objects.count()

    nothing = client.patch(url, {"version": before["version"]})
    same = client.patch(url, {"version": before["version"], **{k: before[k] for k in change}})

    assert nothing.status_code == same.status_code == 200, (nothing.content, same.content)
    assert same.json()["version"] == before["version"]
    assert _read(client, url)["version"] == before["version"]
    assert AuditEvent.objects.count() == events, "an edit of nothing is not audited"
    # The next real edit at the version read still applies: no other tablet gets 412.
    real = client.patch(url, {"version": before["version"], **change})
    assert real.status_code == 200, real.content
    assert real.json()["version"] == before["version"] + 1
    assert AuditEvent.objects.count() == events + 1


def test_a_referral_status_sent_as_an_edit_still_says_where_it_belongs(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    url = _referral(world, alice)

    response = alice.patch(url, {"version": 1, "status": "accepted", "colour": "red"})

    assert response.status_code == 400
    assert response.json()["fields"] == {
        "status": ["Record a status change as a follow-up, not as an edit."]
    }


def test_an_unknown_record_id_stays_not_found(world: World, client_for: Clients) -> None:
    response = client_for("alice").patch(f"/api/v1/visits/{uuid.uuid4()}", {"colour": "red"})

    assert response.status_code == 404
