"""A participant's details at a site (GET /participants/{id}?site=) and the lookup's version.

What a supervisor reads before correcting a birth year or merging two codes: the details, the
version to name in the PATCH, and how many records of each kind the person has at the site.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone

from tests.backend.conftest import ago, check_in, iso, lookup
from tests.backend.incidents_support import assert_documented
from tests.conftest import TabletClient, World
from vigil.visits.models import Visit

Clients = Callable[[str], TabletClient]


def _participant_of(client: TabletClient, code: str, **visit: Any) -> str:
    response = check_in(client, code=code, kind="service_only", **visit)
    assert response.status_code == 201, response.content
    Visit.objects.filter(pk=response.json()["id"]).update(checked_out_at=timezone.now())
    participant: str = response.json()["participant"]
    return participant


def _detail(client: TabletClient, participant: str, site: str = "harbour") -> Any:
    return client.get(f"/api/v1/participants/{participant}?site={site}")


def test_a_lookup_gives_the_version_to_name_in_a_correction(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    _participant_of(alice, "MAKO1993")

    found = lookup(alice, "MAKO1993").json()
    corrected = alice.patch(
        f"/api/v1/participants/{found['id']}", {"birth_year": 1993, "version": found["version"]}
    )

    assert found["version"] == 1
    assert corrected.status_code == 200
    assert lookup(alice, "MAKO1993").json()["version"] == 2


def test_the_detail_counts_what_the_person_has_at_this_site(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    first_at = ago(hours=6)
    participant = _participant_of(alice, "MAKO1993", checked_in_at=iso(first_at))
    visit = check_in(alice, code="MAKO1993", kind="service_only").json()
    alice.post(
        "/api/v1/services/",
        {"id": str(uuid.uuid4()), "site": "harbour", "kind": "wound_care", "visit": visit["id"]},
    )
    for status in ("offered", "declined"):
        alice.post(
            "/api/v1/referrals/",
            {
                "id": str(uuid.uuid4()),
                "site": "harbour",
                "category": "housing",
                "destination": "offsite",
                "accompanied": False,
                "status": status,
                "visit": visit["id"],
            },
        )
    alice.post(
        "/api/v1/incidents/",
        {
            "id": str(uuid.uuid4()),
            "site": "harbour",
            "kind": "opioid_overdose",
            "location": "booth",
            "visit": visit["id"],
        },
    )
    Visit.objects.filter(pk=visit["id"]).update(checked_out_at=timezone.now())
    voided = check_in(alice, kind="service_only", code="MAKO1993", checked_in_at=iso(ago(hours=2)))
    assert voided.status_code == 201, voided.content
    alice.post(f"/api/v1/visits/{voided.json()['id']}/void", {"reason": "entered twice"})

    response = _detail(client_for("bob"), participant)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == participant
    assert body["site"] == "harbour"
    assert (body["birth_year"], body["gender"], body["version"]) == (None, "unknown", 1)
    assert datetime.fromisoformat(body["first_seen_at"]) == first_at
    counts = {
        name: body[name]
        for name in (
            "visits_count",
            "incidents_count",
            "services_count",
            "referrals_count",
            "open_referrals_count",
            "seen_at_other_sites",
        )
    }
    assert counts == {
        "visits_count": 2,
        "incidents_count": 1,
        "services_count": 1,
        "referrals_count": 2,
        "open_referrals_count": 1,
        "seen_at_other_sites": 0,
    }
    assert body["last_overdose_at"] is not None
    assert "MAKO" not in response.content.decode().upper()
    assert_documented(client_for("bob"), "GET", "/api/v1/participants/{participant_id}", response)


def test_records_at_another_site_are_not_counted_only_the_site_is(
    world: World, client_for: Clients
) -> None:
    participant = _participant_of(client_for("alice"), "MAKO1993")
    _participant_of(client_for("charlie"), "MAKO1993", site="eastside")
    _participant_of(client_for("charlie"), "MAKO1993", site="eastside")

    body = _detail(client_for("bob"), participant).json()

    assert (body["visits_count"], body["seen_at_other_sites"]) == (1, 1)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("bob", 200), ("erin", 200), ("alice", 200), ("dana", 403), ("charlie", 404)],
)
def test_who_may_read_a_participants_detail(
    world: World, client_for: Clients, persona: str, expected: int
) -> None:
    participant = _participant_of(client_for("alice"), "MAKO1993")

    assert _detail(client_for(persona), participant).status_code == expected


def test_a_person_never_seen_at_the_site_answers_like_one_that_does_not_exist(
    world: World, client_for: Clients
) -> None:
    elsewhere = _participant_of(client_for("charlie"), "EAST42", site="eastside")
    bob = client_for("bob")

    never_here = _detail(bob, elsewhere)
    missing = _detail(bob, str(uuid.uuid4()))
    not_his_site = _detail(bob, elsewhere, site="eastside")

    assert never_here.status_code == missing.status_code == not_his_site.status_code == 404
    assert never_here.json() == missing.json()


def test_a_merged_code_has_no_detail_any_more(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    right = _participant_of(alice, "MAKO1993")
    mistyped = _participant_of(alice, "MAKO1933")
    bob = client_for("bob")
    bob.post(f"/api/v1/participants/{mistyped}/merge", {"into": right, "reason": "typo"})

    assert _detail(bob, mistyped).status_code == 404
    assert _detail(bob, right).json()["visits_count"] == 2


def test_the_site_is_required(world: World, client_for: Clients) -> None:
    participant = _participant_of(client_for("alice"), "MAKO1993")

    response = client_for("bob").get(f"/api/v1/participants/{participant}")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["site"]
