"""The drug-alert loop: suggestions from overdose clusters and drug checks, posting one, and a
network alert on several sites' floors."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.test import override_settings
from django.utils import timezone

from tests.backend.conftest import iso
from tests.backend.incidents_support import assert_documented
from tests.conftest import TabletClient, World
from vigil.accounts.models import Membership, Role

Clients = Callable[[str], TabletClient]
SUGGESTIONS = "/api/v1/alerts/suggestions/?site=harbour"


# One reference time for a test's overdoses, so that "60 minutes apart" is exact.
NOW = timezone.now()


def _overdose(client: TabletClient, minutes_ago: float, **fields: Any) -> Any:
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "kind": "opioid_overdose",
        "location": "booth",
        "started_at": iso(NOW - timedelta(minutes=minutes_ago)),
        "signs": ["unresponsive"],
        "suspected_substances": ["fentanyl"],
        **fields,
    }
    response = client.post("/api/v1/incidents/", body)
    assert response.status_code == 201, response.content
    return response


def _alert(**fields: Any) -> dict[str, Any]:
    return {
        "site": "harbour",
        "message": "Strong down going around: don't use alone.",
        "level": "danger",
        "expires_at": iso(timezone.now() + timedelta(hours=12)),
        **fields,
    }


@override_settings(VIGIL_OVERDOSE_CLUSTER_COUNT=3, VIGIL_OVERDOSE_CLUSTER_MINUTES=60)
def test_a_cluster_is_suggested_exactly_at_the_threshold_and_not_below(
    client_for: Clients,
) -> None:
    bob = client_for("bob")
    _overdose(bob, 130)
    _overdose(bob, 70)  # an hour after it: two, below the threshold

    below = bob.get(SUGGESTIONS)
    _overdose(bob, 10)  # exactly 60 minutes after the second: still two within an hour
    still_below = bob.get(SUGGESTIONS)
    _overdose(bob, 40)  # 70, 40 and 10 minutes ago: three within 60 minutes, both ends in
    at_threshold = bob.get(SUGGESTIONS)

    assert below.status_code == 200
    assert below.json() == []
    assert still_below.json() == []
    [suggestion] = at_threshold.json()
    assert suggestion["source"] == "overdose_cluster"
    assert suggestion["evidence"]["overdoses"] == 3
    assert suggestion["evidence"]["suspected_substances"] == {"fentanyl": 3}
    assert "participant" not in str(suggestion)
    assert "code" not in suggestion["evidence"]
    assert_documented(bob, "GET", "/api/v1/alerts/suggestions/", at_threshold)


def test_a_drug_check_finding_suggests_an_alert(world: World, client_for: Clients) -> None:
    alice, bob = client_for("alice"), client_for("bob")

    def check(**results: str) -> None:
        drug_check = {"expected_substance": "heroin", "method": "ftir", **results}
        body = {"site": "harbour", "kind": "drug_checking", "drug_check": drug_check}
        assert alice.post("/api/v1/services/", body).status_code == 201

    check(fentanyl="negative", xylazine="negative")
    assert bob.get(SUGGESTIONS).json() == []
    check(fentanyl="positive")  # fentanyl in something sold as heroin
    check(xylazine="positive")

    suggestions = bob.get(SUGGESTIONS).json()

    assert [(s["source"], s["evidence"]["substance"]) for s in suggestions] == [
        ("drug_check", "fentanyl"),
        ("drug_check", "xylazine"),
    ]
    assert suggestions[0]["evidence"]["expected_substances"] == ["heroin"]
    assert alice.get(SUGGESTIONS).status_code == 403
    assert client_for("charlie").get(SUGGESTIONS).status_code == 404


def test_posting_a_suggestion_makes_an_alert_with_its_source_and_closes_it(
    client_for: Clients,
) -> None:
    bob, alice = client_for("bob"), client_for("alice")
    for minutes in (30, 20, 10):
        _overdose(bob, minutes)
    [suggestion] = bob.get(SUGGESTIONS).json()

    posted = bob.post(
        "/api/v1/alerts/",
        _alert(message=suggestion["suggested_message"], suggestion=suggestion["id"]),
    )
    again = bob.post("/api/v1/alerts/", _alert(suggestion=suggestion["id"]))
    floor = alice.get("/api/v1/sites/harbour/floor").json()

    assert posted.status_code == 201, posted.content
    assert posted.json()["source"] == "overdose_cluster"
    assert posted.json()["evidence"]["overdoses"] == 3
    assert bob.get(SUGGESTIONS).json() == []
    assert again.status_code == 400
    assert "suggestion" in again.json()["fields"]
    assert [a["id"] for a in floor["alerts"]] == [posted.json()["id"]]


def test_a_network_alert_shows_on_both_sites_floors(world: World, client_for: Clients) -> None:
    Membership.objects.create(user=world.users["bob"], site=world.site_b, role=Role.SUPERVISOR)
    bob = client_for("bob")

    posted = bob.post("/api/v1/alerts/", _alert(id=str(uuid.uuid4()), sites=["eastside"]))
    harbour = client_for("alice").get("/api/v1/sites/harbour/floor").json()["alerts"]
    eastside = client_for("charlie").get("/api/v1/sites/eastside/floor").json()["alerts"]

    assert posted.status_code == 201, posted.content
    assert posted.json()["network_sites"] == ["eastside", "harbour"]
    assert [a["message"] for a in harbour] == [_alert()["message"]]
    assert [a["message"] for a in eastside] == [_alert()["message"]]
    assert harbour[0]["network"] == eastside[0]["network"] == posted.json()["id"]


def test_a_network_alert_needs_a_supervisor_of_every_site(client_for: Clients) -> None:
    response = client_for("bob").post("/api/v1/alerts/", _alert(sites=["eastside"]))

    assert response.status_code == 404
    assert client_for("charlie").get("/api/v1/sites/eastside/floor").json()["alerts"] == []
