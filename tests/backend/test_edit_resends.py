"""A PATCH sent again by the outbox (the first answer was lost) names a stale version.

When every field it sets already holds the value it sends, it is a resend: 200 with the stored
record, and nothing written (no new version, no audit event). A stale version with any other
content stays 412. Same rule for incidents, visits, services and referrals.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

from django.utils import timezone

from tests.backend.conftest import booth_of, check_in, iso
from tests.backend.incidents_support import open_incident
from tests.conftest import TabletClient, World
from vigil.audit.models import AuditEvent

Clients = Callable[[str], TabletClient]


def _created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def _assert_resend_answers_the_stored_record(
    client: TabletClient, url: str, edit: dict[str, Any], resend: dict[str, Any] | None = None
) -> dict[str, Any]:
    """PATCH `edit` at its version, then send it again (or `resend`, the same edit written
    another way): the second answer is the stored record and writes nothing."""
    first = client.patch(url, edit)
    assert first.status_code == 200, first.content
    stored = client.get(url).json()
    events = AuditEvent.objects.count()

    again = client.patch(url, resend or edit)

    assert again.status_code == 200, again.content
    assert again.json() == client.get(url).json() == stored
    assert stored["version"] == edit["version"] + 1
    assert AuditEvent.objects.count() == events, "a resend writes no audit event"
    return stored


def _assert_other_content_is_stale(client: TabletClient, url: str, edit: dict[str, Any]) -> None:
    before = client.get(url).json()
    events = AuditEvent.objects.count()

    stale = client.patch(url, edit)

    assert stale.status_code == 412, stale.content
    assert "Reload" in stale.json()["detail"]
    assert client.get(url).json() == before
    assert AuditEvent.objects.count() == events


# --- Visits ----------------------------------------------------------------------------------


def test_a_resent_visit_edit_answers_the_stored_visit(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = _created(check_in(alice, booth=booth_of(world.site_a, "1"), code="RESEND01"))
    url = f"/api/v1/visits/{visit['id']}"
    checked_in = timezone.now() - timedelta(minutes=40)
    edit = {
        "booth": booth_of(world.site_a, "2"),
        "checked_in_at": iso(checked_in),
        "substances": ["fentanyl", "crack"],
        "routes": ["inhalation"],
        "code": "RESEND02",
        "version": 1,
    }
    # The same edit as another tablet library would write it: UTC, choices in another order,
    # the code in lower case with a space.
    resend = {
        **edit,
        "checked_in_at": checked_in.astimezone(UTC).isoformat(),
        "substances": ["crack", "fentanyl"],
        "code": "resend 02",
    }

    stored = _assert_resend_answers_the_stored_record(alice, url, edit, resend)

    assert (stored["booth_label"], stored["substances"]) == ("2", ["crack", "fentanyl"])


def test_a_stale_visit_edit_with_other_content_is_412(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = _created(check_in(alice, booth=booth_of(world.site_a, "1"), code="RESEND03"))
    url = f"/api/v1/visits/{visit['id']}"
    assert alice.patch(url, {"substances": ["fentanyl"], "version": 1}).status_code == 200

    # One field as stored, one not: not a resend.
    _assert_other_content_is_stale(
        alice, url, {"substances": ["fentanyl"], "routes": ["oral"], "version": 1}
    )
    _assert_other_content_is_stale(alice, url, {"code": "RESEND04", "version": 1})
    # An edit that sets nothing has nothing to recognise it by.
    _assert_other_content_is_stale(alice, url, {"version": 1})


# --- Incidents -------------------------------------------------------------------------------


def test_a_resent_incident_edit_answers_the_stored_incident(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    incident = open_incident(alice)
    url = f"/api/v1/incidents/{incident['id']}"
    edit = {
        "outcome": "recovered_on_site",
        "ended_at": iso(timezone.now()),
        "police_attended": False,
        "narrative": "Responded in booth 3; recovered after two doses.",
        "signs": ["unresponsive", "slow_or_no_breathing"],
        "responders": ["alice", "bob"],
        "version": incident["version"],
    }
    resend = {
        **edit,
        "signs": ["slow_or_no_breathing", "unresponsive"],
        "responders": ["bob", "alice"],
    }

    stored = _assert_resend_answers_the_stored_record(alice, url, edit, resend)

    assert (stored["outcome"], stored["status"]) == ("recovered_on_site", "open")


def test_a_stale_incident_edit_with_other_content_is_412(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    incident = open_incident(alice)
    url = f"/api/v1/incidents/{incident['id']}"
    edit = {"outcome": "recovered_on_site", "version": incident["version"]}
    assert alice.patch(url, edit).status_code == 200

    _assert_other_content_is_stale(alice, url, {**edit, "outcome": "transported"})
    _assert_other_content_is_stale(alice, url, {**edit, "narrative": "Left by the back door."})


# --- Services --------------------------------------------------------------------------------


def test_a_resent_service_edit_answers_the_stored_service(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    service = _created(
        alice.post(
            "/api/v1/services/", {"id": str(uuid.uuid4()), "site": "harbour", "kind": "education"}
        )
    )
    url = f"/api/v1/services/{service['id']}"
    edit = {
        "kind": "supplies",
        "supplies": [{"item": "syringe", "quantity": 10}, {"item": "cooker", "quantity": 2}],
        "code": "RESEND05",
        "version": 1,
    }
    resend = {**edit, "supplies": list(reversed(edit["supplies"]))}

    stored = _assert_resend_answers_the_stored_record(alice, url, edit, resend)

    assert stored["kind"] == "supplies"


def test_a_resent_drug_check_edit_answers_the_stored_service(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    service = _created(alice.post("/api/v1/services/", {"site": "harbour", "kind": "education"}))
    url = f"/api/v1/services/{service['id']}"
    # Results left out are "not tested", as stored: the resend still matches.
    check = {"expected_substance": "heroin", "method": "fentanyl_strip", "fentanyl": "positive"}
    edit = {"kind": "drug_checking", "drug_check": check, "version": 1}

    _assert_resend_answers_the_stored_record(alice, url, edit)
    _assert_other_content_is_stale(
        alice, url, {**edit, "drug_check": {**check, "fentanyl": "negative"}}
    )


def test_a_stale_service_edit_with_other_content_is_412(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    service = _created(alice.post("/api/v1/services/", {"site": "harbour", "kind": "education"}))
    url = f"/api/v1/services/{service['id']}"
    assert alice.patch(url, {"kind": "wound_care", "version": 1}).status_code == 200

    _assert_other_content_is_stale(alice, url, {"kind": "vein_care", "version": 1})
    # A code never seen names a new person, never the stored anonymous one.
    _assert_other_content_is_stale(
        alice, url, {"kind": "wound_care", "code": "NEVER01", "version": 1}
    )


# --- Referrals -------------------------------------------------------------------------------


def _referral(client: TabletClient) -> dict[str, Any]:
    body = {
        "site": "harbour",
        "category": "housing",
        "destination": "offsite",
        "accompanied": False,
        "status": "offered",
    }
    return _created(client.post("/api/v1/referrals/", body))


def test_a_resent_referral_edit_answers_the_stored_referral(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    referral = _referral(alice)
    url = f"/api/v1/referrals/{referral['id']}"
    visit = _created(check_in(alice, kind="service_only", code="RESEND06"))
    edit = {
        "category": "oat",
        "destination": "onsite_connected",
        "agency": "  Clinic upstairs ",
        "accompanied": True,
        "visit": visit["id"],
        "version": 1,
    }

    stored = _assert_resend_answers_the_stored_record(alice, url, edit)

    assert (stored["agency"], stored["visit"]) == ("Clinic upstairs", visit["id"])


def test_a_stale_referral_edit_with_other_content_is_412(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    referral = _referral(alice)
    url = f"/api/v1/referrals/{referral['id']}"
    assert alice.patch(url, {"accompanied": True, "version": 1}).status_code == 200

    _assert_other_content_is_stale(alice, url, {"accompanied": False, "version": 1})
    _assert_other_content_is_stale(
        alice, url, {"accompanied": True, "category": "legal", "version": 1}
    )
