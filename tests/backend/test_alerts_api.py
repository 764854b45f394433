"""Alerts: supervisors post site notices with a level and an expiry; tablets show the active ones."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.backend.incidents_support import assert_documented, iso
from tests.conftest import TabletClient
from vigil.alerts.models import Alert
from vigil.audit.models import AuditEvent

Clients = Callable[[str], TabletClient]


def _alert(**fields: Any) -> dict[str, Any]:
    return {
        "site": "harbour",
        "message": "Benzo-positive 'down' circulating: expect heavy sedation.",
        "level": "danger",
        "expires_at": iso(timezone.now() + timedelta(hours=12)),
        **fields,
    }


def test_a_supervisor_posts_an_alert_that_every_tablet_shows(client_for: Clients) -> None:
    bob, alice = client_for("bob"), client_for("alice")

    posted = bob.post("/api/v1/alerts/", _alert())
    listed = alice.get("/api/v1/alerts/?site=harbour&active=true")

    assert posted.status_code == 201, posted.content
    assert (posted.json()["level"], posted.json()["active"]) == ("danger", True)
    assert posted.json()["created_by"] == "bob"
    assert [a["id"] for a in listed.json()["results"]] == [posted.json()["id"]]
    assert_documented(bob, "POST", "/api/v1/alerts/", posted)
    assert_documented(alice, "GET", "/api/v1/alerts/", listed)
    assert AuditEvent.objects.filter(object_type="alerts.alert", action="create").count() == 1


def test_staff_and_analysts_cannot_post_and_other_sites_see_nothing(client_for: Clients) -> None:
    client_for("bob").post("/api/v1/alerts/", _alert())

    assert client_for("alice").post("/api/v1/alerts/", _alert()).status_code == 403
    assert client_for("dana").get("/api/v1/alerts/?site=harbour").status_code == 403
    assert client_for("charlie").get("/api/v1/alerts/?site=harbour").status_code == 404
    assert client_for("charlie").post("/api/v1/alerts/", _alert()).status_code == 404
    assert client_for("charlie").get("/api/v1/alerts/?site=eastside").json()["count"] == 0


def test_an_expired_or_ended_alert_is_no_longer_active(client_for: Clients) -> None:
    bob = client_for("bob")
    ended = bob.post("/api/v1/alerts/", _alert(message="Wet floor in washroom")).json()
    kept = bob.post("/api/v1/alerts/", _alert(level="info", message="Nurse on site at 2 pm")).json()
    Alert.objects.filter(pk=kept["id"]).update(
        created_at=timezone.now() - timedelta(hours=2),
        expires_at=timezone.now() - timedelta(seconds=1),
    )

    expired = bob.post(f"/api/v1/alerts/{ended['id']}/expire")
    again = bob.post(f"/api/v1/alerts/{ended['id']}/expire")

    assert expired.status_code == 200
    assert expired.json()["active"] is False
    assert again.json()["ended_at"] == expired.json()["ended_at"]
    assert bob.get("/api/v1/alerts/?site=harbour&active=true").json()["count"] == 0
    assert bob.get("/api/v1/alerts/?site=harbour").json()["count"] == 2
    assert AuditEvent.objects.filter(object_type="alerts.alert", action="update").count() == 1


def test_only_a_supervisor_of_the_site_ends_an_alert(client_for: Clients) -> None:
    alert = client_for("bob").post("/api/v1/alerts/", _alert()).json()

    assert client_for("alice").post(f"/api/v1/alerts/{alert['id']}/expire").status_code == 403
    assert client_for("charlie").post(f"/api/v1/alerts/{alert['id']}/expire").status_code == 404


def test_an_alert_needs_a_message_a_known_level_and_a_future_expiry(client_for: Clients) -> None:
    bob = client_for("bob")

    bad = bob.post("/api/v1/alerts/", _alert(message="", level="panic", expires_at="tomorrow"))
    past = bob.post("/api/v1/alerts/", _alert(expires_at=iso(timezone.now() - timedelta(hours=1))))
    too_far = bob.post(
        "/api/v1/alerts/", _alert(expires_at=iso(timezone.now() + timedelta(days=91)))
    )
    blank = bob.post("/api/v1/alerts/", _alert(message="   "))

    assert set(bad.json()["fields"]) == {"message", "level", "expires_at"}
    assert past.json()["fields"] == {
        "expires_at": ["The expiry is already past. Choose a later time."]
    }
    assert too_far.status_code == 400
    assert blank.status_code == 400
    assert Alert.objects.count() == 0


def test_a_resent_alert_is_recognised(client_for: Clients) -> None:
    bob = client_for("bob")
    body = _alert(id=str(uuid.uuid4()))

    first = bob.post("/api/v1/alerts/", body)
    again = bob.post("/api/v1/alerts/", body)
    other = bob.post("/api/v1/alerts/", {**body, "level": "info"})

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert other.json()["current"]["level"] == "danger"
    assert Alert.objects.count() == 1
