"""Alerts: a supervisor corrects a notice still shown (PATCH), naming the version read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.backend.incidents_support import assert_documented, iso
from tests.conftest import TabletClient, World
from vigil.alerts.models import Alert
from vigil.audit.models import AuditEvent

Clients = Callable[[str], TabletClient]


def _posted(client: TabletClient, **fields: Any) -> dict[str, Any]:
    body = {
        "site": "harbour",
        "message": "Benzo-positive down circulating",
        "level": "warning",
        "expires_at": iso(timezone.now() + timedelta(hours=8)),
        **fields,
    }
    response = client.post("/api/v1/alerts/", body)
    assert response.status_code == 201, response.content
    alert: dict[str, Any] = response.json()
    return alert


def test_a_supervisor_corrects_the_message_level_and_expiry(
    world: World, client_for: Clients
) -> None:
    bob = client_for("bob")
    alert = _posted(bob)
    later = timezone.now() + timedelta(hours=24)

    response = bob.patch(
        f"/api/v1/alerts/{alert['id']}",
        {
            "message": "  Benzo-positive down AND xylazine  ",
            "level": "danger",
            "expires_at": iso(later),
            "version": alert["version"],
        },
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["message"] == "Benzo-positive down AND xylazine"
    assert body["level"] == "danger"
    assert datetime.fromisoformat(body["expires_at"]) == later
    assert (body["version"], body["active"]) == (2, True)
    assert_documented(bob, "PATCH", "/api/v1/alerts/{alert_id}", response)
    floor = client_for("alice").get("/api/v1/sites/harbour/floor").json()
    assert [a["message"] for a in floor["alerts"]] == ["Benzo-positive down AND xylazine"]


def test_an_edit_is_audited_with_the_old_and_new_values(world: World, client_for: Clients) -> None:
    bob = client_for("bob")
    alert = _posted(bob)

    bob.patch(f"/api/v1/alerts/{alert['id']}", {"level": "danger", "version": 1})

    event = AuditEvent.objects.get(object_type="alerts.alert", action="update")
    assert event.actor == world.users["bob"]
    assert event.site == world.site_a
    assert event.changes == {"level": ["warning", "danger"]}


def test_a_stale_version_is_412_and_changes_nothing(world: World, client_for: Clients) -> None:
    bob = client_for("bob")
    alert = _posted(bob)
    bob.patch(f"/api/v1/alerts/{alert['id']}", {"message": "First fix", "version": 1})

    stale = bob.patch(f"/api/v1/alerts/{alert['id']}", {"message": "Second fix", "version": 1})

    assert stale.status_code == 412
    assert set(stale.json()) >= {"detail", "fields"}
    assert Alert.objects.get().message == "First fix"
    assert_documented(bob, "PATCH", "/api/v1/alerts/{alert_id}", stale)


def test_a_resent_edit_answers_the_stored_alert_and_writes_nothing(
    world: World, client_for: Clients
) -> None:
    bob = client_for("bob")
    alert = _posted(bob)
    first = bob.patch(f"/api/v1/alerts/{alert['id']}", {"message": "First fix", "version": 1})

    resent = bob.patch(f"/api/v1/alerts/{alert['id']}", {"message": "First fix", "version": 1})

    assert resent.status_code == 200
    assert resent.json() == first.json()
    assert Alert.objects.get().version == 2
    assert AuditEvent.objects.filter(object_type="alerts.alert", action="update").count() == 1


def test_an_ended_alert_cannot_be_edited(world: World, client_for: Clients) -> None:
    bob = client_for("bob")
    alert = _posted(bob)
    ended = bob.post(f"/api/v1/alerts/{alert['id']}/expire").json()

    response = bob.patch(
        f"/api/v1/alerts/{alert['id']}", {"message": "Too late", "version": ended["version"]}
    )

    assert ended["version"] == 2, "ending an alert is a change: an edit made before it is stale"
    assert response.status_code == 409
    assert Alert.objects.get().message == "Benzo-positive down circulating"
    assert_documented(bob, "PATCH", "/api/v1/alerts/{alert_id}", response)


def test_an_expired_alert_cannot_be_edited(world: World, client_for: Clients) -> None:
    bob = client_for("bob")
    alert = _posted(bob)
    Alert.objects.filter(pk=alert["id"]).update(
        created_at=timezone.now() - timedelta(hours=3),
        expires_at=timezone.now() - timedelta(minutes=1),
    )

    response = bob.patch(f"/api/v1/alerts/{alert['id']}", {"level": "info", "version": 1})

    assert response.status_code == 409
    assert Alert.objects.get().level == "warning"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"message": "   "}, "message"),
        ({"level": "panic"}, "level"),
        ({"expires_at": "tonight"}, "expires_at"),
        ({"expires_at": "PAST"}, "expires_at"),
        ({"expires_at": "FAR"}, "expires_at"),
        ({}, "version"),
    ],
    ids=["blank message", "unknown level", "not a time", "past", "beyond 90 days", "no version"],
)
def test_bad_edits_are_refused_naming_the_field(
    world: World, client_for: Clients, change: dict[str, str], field: str
) -> None:
    bob = client_for("bob")
    alert = _posted(bob)
    moments = {
        "PAST": iso(timezone.now() - timedelta(hours=1)),
        "FAR": iso(timezone.now() + timedelta(days=91)),
    }
    body: dict[str, Any] = {k: moments.get(v, v) for k, v in change.items()}
    if field != "version":
        body["version"] = 1

    response = bob.patch(f"/api/v1/alerts/{alert['id']}", body)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert Alert.objects.get().version == 1


@pytest.mark.parametrize(
    ("persona", "expected"), [("alice", 403), ("dana", 403), ("charlie", 404), ("erin", 200)]
)
def test_only_a_supervisor_or_admin_of_the_site_edits_an_alert(
    world: World, client_for: Clients, persona: str, expected: int
) -> None:
    alert = _posted(client_for("bob"))

    response = client_for(persona).patch(
        f"/api/v1/alerts/{alert['id']}", {"message": "Changed", "version": 1}
    )

    assert response.status_code == expected
