"""The review loop: open, submitted, returned or approved; who may review, and amendments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings

from tests.backend.incidents_support import assert_documented, complete, open_incident, post
from tests.conftest import TabletClient, World, make_user
from vigil.accounts.models import Membership, Role
from vigil.audit.models import AuditEvent
from vigil.sites.services import site_upsert

Clients = Callable[[str], TabletClient]
REVIEW = "/api/v1/incidents/{incident_id}/review"


def _submitted(client: TabletClient, **fields: Any) -> dict[str, Any]:
    incident = open_incident(client, **fields)
    complete(client, incident)
    result: dict[str, Any] = post(client, f"/api/v1/incidents/{incident['id']}/submit")
    return result


def _review(client: TabletClient, incident: str, **body: Any) -> Any:
    return client.post(f"/api/v1/incidents/{incident}/review", body)


def test_staff_cannot_review(client_for: Clients) -> None:
    alice = client_for("alice")
    incident = _submitted(alice)

    response = _review(alice, incident["id"], decision="approve")

    assert response.status_code == 403
    assert_documented(alice, "POST", REVIEW, response)


def test_a_return_needs_a_comment(client_for: Clients) -> None:
    incident = _submitted(client_for("alice"))

    response = _review(client_for("bob"), incident["id"], decision="return", comment=" ")

    assert response.status_code == 400
    assert "comment" in response.json()["fields"]


def test_only_a_submitted_incident_is_reviewed(client_for: Clients) -> None:
    incident = open_incident(client_for("alice"))

    response = _review(client_for("bob"), incident["id"], decision="approve")

    assert response.status_code == 409
    assert "not waiting for review" in response.json()["detail"]


def test_a_resent_decision_answers_the_same(client_for: Clients) -> None:
    incident = _submitted(client_for("alice"))
    bob = client_for("bob")

    first = _review(bob, incident["id"], decision="approve", comment="Good record.")
    again = _review(bob, incident["id"], decision="approve", comment="Good record.")
    other = _review(bob, incident["id"], decision="return", comment="Actually, fix it.")

    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 409)
    assert again.json()["version"] == first.json()["version"]
    assert AuditEvent.objects.filter(action="review").count() == 1


def test_a_resent_submission_answers_the_same(client_for: Clients) -> None:
    alice = client_for("alice")
    incident = _submitted(alice)

    again = post(alice, f"/api/v1/incidents/{incident['id']}/submit")

    assert (again["status"], again["version"]) == ("submitted", incident["version"])
    assert AuditEvent.objects.filter(action="submit").count() == 1


def test_an_approved_incident_cannot_be_submitted_again(client_for: Clients) -> None:
    alice = client_for("alice")
    incident = _submitted(alice)
    _review(client_for("bob"), incident["id"], decision="approve")

    assert alice.post(f"/api/v1/incidents/{incident['id']}/submit").status_code == 409


def test_a_non_medical_incident_is_submitted_without_an_outcome(client_for: Clients) -> None:
    alice = client_for("alice")
    incident = open_incident(alice, kind="privacy_breach", location="other")

    assert post(alice, f"/api/v1/incidents/{incident['id']}/submit")["status"] == "submitted"


def test_a_stimulant_overdose_needs_its_outcome_and_end_time(client_for: Clients) -> None:
    alice = client_for("alice")
    incident = open_incident(alice, kind="stimulant_overdose")

    response = alice.post(f"/api/v1/incidents/{incident['id']}/submit")

    assert response.status_code == 400
    assert response.json()["detail"] == "Complete the record before submitting it."
    assert set(response.json()["fields"]) == {"outcome", "ended_at"}


def test_staff_who_did_not_respond_cannot_submit(world: World, client_for: Clients) -> None:
    make_user("fran", site=world.site_a, role=Role.STAFF)
    incident = open_incident(client_for("alice"), kind="violence", location="outside")

    assert client_for("fran").post(f"/api/v1/incidents/{incident['id']}/submit").status_code == 403


def test_a_supervisor_does_not_review_their_own_incident_when_another_can(
    client_for: Clients,
) -> None:
    bob, erin = client_for("bob"), client_for("erin")
    logged_by_bob = _submitted(bob)
    responded_by_bob = open_incident(client_for("alice"))
    complete(client_for("alice"), responded_by_bob, responders=["alice", "bob"])
    post(client_for("alice"), f"/api/v1/incidents/{responded_by_bob['id']}/submit")

    own = _review(bob, logged_by_bob["id"], decision="approve")
    responded = _review(bob, responded_by_bob["id"], decision="approve")

    assert own.status_code == 403
    assert "another supervisor" in own.json()["detail"]
    assert responded.status_code == 403
    assert _review(erin, logged_by_bob["id"], decision="approve").status_code == 200


@pytest.fixture
def lone_supervisor(db: None) -> TabletClient:
    """Harbour's only supervisor: the night shift at a small site."""
    site, _ = site_upsert(slug="night", name="Night", timezone="America/Toronto", booths=2)
    make_user("nico", site=site, role=Role.SUPERVISOR)
    make_user("sam", site=site, role=Role.STAFF)
    client = TabletClient()
    client.sign_in("nico")
    return client


def test_a_lone_supervisor_may_review_their_own_incident(lone_supervisor: TabletClient) -> None:
    incident = _submitted(lone_supervisor, site="night")

    assert _review(lone_supervisor, incident["id"], decision="approve").status_code == 200


@override_settings(VIGIL_REVIEW_OWN_INCIDENTS_WHEN_ALONE=False)
def test_a_site_can_forbid_reviewing_ones_own_incident_even_alone(
    lone_supervisor: TabletClient,
) -> None:
    incident = _submitted(lone_supervisor, site="night")

    assert _review(lone_supervisor, incident["id"], decision="approve").status_code == 403


def test_an_analyst_or_another_site_cannot_review(client_for: Clients) -> None:
    incident = _submitted(client_for("alice"))

    assert _review(client_for("dana"), incident["id"], decision="approve").status_code == 403
    assert _review(client_for("charlie"), incident["id"], decision="approve").status_code == 404


def test_a_former_supervisor_does_not_count_as_another_reviewer(
    world: World, client_for: Clients
) -> None:
    Membership.objects.filter(user=world.users["erin"]).delete()
    incident = _submitted(client_for("bob"))

    assert _review(client_for("bob"), incident["id"], decision="approve").status_code == 200


def test_a_returned_incident_goes_back_to_its_authors_with_the_comment(
    world: World, client_for: Clients
) -> None:
    make_user("fran", site=world.site_a, role=Role.STAFF)
    alice, bob, fran = client_for("alice"), client_for("bob"), client_for("fran")
    incident = _submitted(alice)
    _review(bob, incident["id"], decision="return", comment="Which route was the dose?")

    mine = alice.get("/api/v1/incidents/?site=harbour&mine=true").json()["results"]
    not_mine = fran.get("/api/v1/incidents/?site=harbour&mine=true").json()["results"]

    assert [(i["status"], i["review_comment"]) for i in mine] == [
        ("returned", "Which route was the dose?")
    ]
    assert not_mine == []
    assert complete(alice, mine[0], narrative="Dose given IM in the thigh.")["status"] == "returned"
    assert post(alice, f"/api/v1/incidents/{incident['id']}/submit")["status"] == "submitted"


def test_an_amendment_after_approval_keeps_every_earlier_version(client_for: Clients) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    incident = _submitted(alice)
    approved = _review(bob, incident["id"], decision="approve").json()

    first = complete(bob, approved, outcome="declined_transport", reason="Corrected on review.")
    second = complete(
        bob,
        first,
        outcome="declined_transport",
        police_attended=True,
        reason="Police report received.",
    )
    tapped = bob.post(
        f"/api/v1/incidents/{incident['id']}/actions/", {"kind": "oxygen", "reason": "Missed."}
    )
    no_reason = bob.post(f"/api/v1/incidents/{incident['id']}/actions/", {"kind": "oxygen"})
    shown = client_for("alice").get(f"/api/v1/incidents/{incident['id']}").json()

    assert tapped.status_code == 201
    assert no_reason.status_code == 400
    assert [h["reason"] for h in shown["history"]] == [
        "Corrected on review.",
        "Police report received.",
        "Missed.",
    ]
    assert [h["snapshot"]["outcome"] for h in shown["history"]] == [
        "recovered_on_site",
        "declined_transport",
        "declined_transport",
    ]
    assert [h["version"] for h in shown["history"]] == [
        approved["version"],
        first["version"],
        second["version"],
    ]
    assert shown["version"] == second["version"] + 1
    assert shown["status"] == "approved"
    assert len(shown["actions"]) == 1
