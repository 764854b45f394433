"""Debriefs after critical incidents, and the supervisor's private view of responses per staff
member."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from tests.backend.incidents_support import (
    ago,
    complete,
    detail,
    iso,
    open_incident,
    tap,
)
from tests.conftest import TabletClient, World
from vigil.incidents.models import Incident

Clients = Callable[[str], TabletClient]


def critical_overdose(client: TabletClient, **fields: Any) -> dict[str, Any]:
    """An overdose made critical by naloxone with EMS called, completed by its responders."""
    incident = open_incident(client, started_at=iso(ago(30)), **fields)
    tap(client, incident["id"], "naloxone", dose_mg=0.4, route="IM")
    tap(client, incident["id"], "ems_called")
    return complete(client, detail(client, incident["id"]), responders=["alice", "bob"])


def due_ids(client: TabletClient, debrief: str = "due") -> set[str]:
    response = client.get(f"/api/v1/incidents/?site=harbour&debrief={debrief}")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def record(client: TabletClient, incident: str, body: dict[str, Any], expect: int = 200) -> Any:
    response = client.post(f"/api/v1/incidents/{incident}/debrief", body)
    assert response.status_code == expect, response.content
    return response.json()


def test_a_debrief_is_due_only_for_critical_incidents(client_for: Clients) -> None:
    alice = client_for("alice")
    critical = critical_overdose(alice)
    routine = complete(alice, open_incident(alice, started_at=iso(ago(20))))
    assert critical["critical"]
    assert not routine["critical"]
    assert critical["debrief"]["status"] == "due"
    ended = datetime.fromisoformat(critical["ended_at"])
    due = datetime.fromisoformat(critical["debrief"]["due_at"])
    assert due - ended == timedelta(hours=72)
    assert routine["debrief"] is None
    assert due_ids(client_for("bob")) == {critical["id"]}


def test_a_held_debrief_leaves_the_due_list(client_for: Clients) -> None:
    incident = critical_overdose(client_for("alice"))
    bob = client_for("bob")
    held = record(
        bob,
        incident["id"],
        {
            "status": "held",
            "held_at": iso(ago(5)),
            "attendees": 3,
            "supports": ["peer_support", "eap_referral"],
        },
    )
    assert held["status"] == "held"
    assert held["attendees"] == 3
    assert held["supports"] == ["eap_referral", "peer_support"]
    assert held["recorded_by"] == "bob"
    # The answer is the debrief as the incident shows it.
    assert detail(bob, incident["id"])["debrief"] == held
    assert due_ids(bob) == set()
    assert due_ids(bob, "held") == {incident["id"]}


def test_a_debrief_resent_unchanged_answers_with_what_is_recorded(client_for: Clients) -> None:
    incident = critical_overdose(client_for("alice"))
    body = {"status": "held", "held_at": iso(ago(5)), "attendees": 2, "supports": []}
    first = record(client_for("bob"), incident["id"], body)
    # Another supervisor's tablet sends the same debrief again (an outbox resend, a second
    # device): nothing changes, and the answer names who recorded it, and when.
    again = record(client_for("erin"), incident["id"], body)
    assert again == first
    assert again["recorded_by"] == "bob"
    assert detail(client_for("bob"), incident["id"])["debrief"] == first


def test_a_declined_debrief_has_no_time_or_attendees(client_for: Clients) -> None:
    incident = critical_overdose(client_for("alice"))
    bob = client_for("bob")
    refused = record(
        bob, incident["id"], {"status": "declined", "held_at": iso(ago(5))}, expect=400
    )
    assert "held_at" in refused["fields"]
    declined = record(bob, incident["id"], {"status": "declined", "supports": ["none"]})
    assert declined["status"] == "declined"
    assert due_ids(bob, "declined") == {incident["id"]}


def test_a_held_debrief_needs_when_and_how_many(client_for: Clients) -> None:
    incident = critical_overdose(client_for("alice"))
    refused = record(client_for("bob"), incident["id"], {"status": "held"}, expect=400)
    assert "held_at" in refused["fields"]


def test_a_debrief_past_72_hours_is_overdue(client_for: Clients) -> None:
    alice = client_for("alice")
    late = critical_overdose(alice)
    recent = critical_overdose(alice)
    Incident.objects.filter(pk=late["id"]).update(
        started_at=timezone.now() - timedelta(hours=80),
        ended_at=timezone.now() - timedelta(hours=79),
    )
    bob = client_for("bob")
    assert due_ids(bob) == {late["id"], recent["id"]}
    assert due_ids(bob, "overdue") == {late["id"]}
    assert detail(bob, late["id"])["debrief"]["overdue"] is True


def test_a_routine_incident_has_no_debrief_to_record(client_for: Clients) -> None:
    alice = client_for("alice")
    routine = complete(alice, open_incident(alice, started_at=iso(ago(20))))
    record(client_for("bob"), routine["id"], {"status": "declined"}, expect=409)


def test_only_a_supervisor_of_the_site_records_a_debrief(client_for: Clients) -> None:
    incident = critical_overdose(client_for("alice"))
    body = {"status": "declined"}
    record(client_for("alice"), incident["id"], body, expect=403)
    assert record(client_for("charlie"), incident["id"], body, expect=404) == {
        "detail": "Not found.",
        "fields": {},
    }


def test_the_responses_view_counts_each_staff_members_overdose_responses(
    client_for: Clients, world: World
) -> None:
    alice = client_for("alice")
    critical_overdose(alice)
    critical_overdose(alice)
    response = client_for("bob").get("/api/v1/incidents/responders?site=harbour")
    assert response.status_code == 200, response.content
    body = response.json()
    this_month = f"{timezone.localtime(timezone.now(), world.site_a.zone):%Y-%m}"
    assert len(body["months"]) == 4
    assert body["months"][-1] == this_month
    staff = {row["username"]: row["months"] for row in body["staff"]}
    assert staff["alice"][this_month] == 2
    assert staff["bob"][this_month] == 2
    assert body["debriefs"][-1] == {
        "month": this_month,
        "critical": 2,
        "held": 0,
        "declined": 0,
        "due": 2,
    }


def test_the_responses_view_is_for_supervisors_only(client_for: Clients) -> None:
    path = "/api/v1/incidents/responders?site=harbour"
    assert client_for("alice").get(path).status_code == 403
    assert client_for("dana").get(path).status_code == 403
    assert client_for("charlie").get(path).status_code == 404


def test_no_export_carries_the_responses_of_staff(client_for: Clients, world: World) -> None:
    critical_overdose(client_for("alice"))
    bob = client_for("bob")
    day = timezone.localtime(timezone.now(), world.site_a.zone).date()
    export = bob.get(f"/api/v1/reports/daily.csv?site=harbour&from={day}&to={day}")
    assert export.status_code == 200, export.content
    text = export.content.decode()
    assert "alice" not in text.lower()
    assert "responders" not in text.lower()
