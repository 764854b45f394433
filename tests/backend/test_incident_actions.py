"""The response timeline: one tap per action, each bound, resends, mis-taps and the figures."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tests.backend.incidents_support import (
    ago,
    assert_documented,
    complete,
    detail,
    iso,
    open_incident,
    post,
    tap,
)
from tests.conftest import TabletClient, World
from vigil.audit.models import AuditEvent
from vigil.incidents.models import Incident, IncidentAction
from vigil.incidents.rules import figures_of

Clients = Callable[[str], TabletClient]
ACTIONS = "/api/v1/incidents/{incident_id}/actions/"


@pytest.fixture
def alice(client_for: Clients) -> TabletClient:
    return client_for("alice")


@pytest.fixture
def incident(alice: TabletClient) -> str:
    return str(open_incident(alice, started_at=iso(ago(20)))["id"])


def _refused(client: TabletClient, incident: str, **body: object) -> dict[str, list[str]]:
    response = client.post(f"/api/v1/incidents/{incident}/actions/", body)
    assert response.status_code == 400, response.content
    fields: dict[str, list[str]] = response.json()["fields"]
    return fields


@pytest.mark.parametrize(
    "kind",
    [
        "stimulation",
        "recovery_position",
        "oxygen",
        "rescue_breathing",
        "bag_valve_mask",
        "cpr",
        "aed",
        "ems_called",
        "ems_arrived",
        "transported",
        "monitoring",
        "other",
    ],
)
def test_each_plain_action_is_one_tap(alice: TabletClient, incident: str, kind: str) -> None:
    action = tap(alice, incident, kind)

    assert (action["kind"], action["dose_mg"], action["route"]) == (kind, None, "")
    assert action["created_by"] == "alice"


@pytest.mark.parametrize(("dose", "route"), [("0.04", "IV"), (0.4, "IM"), (4, "IN"), ("10", "IN")])
def test_a_naloxone_dose_within_bounds_is_kept(
    alice: TabletClient, incident: str, dose: object, route: str
) -> None:
    action = tap(alice, incident, "naloxone", dose_mg=dose, route=route)

    assert Decimal(str(action["dose_mg"])) == Decimal(str(dose))
    assert action["route"] == route


@pytest.mark.parametrize("dose", ["0.03", "0", "-1", "10.01", "40", "0.125"])
def test_an_implausible_naloxone_dose_is_refused(
    alice: TabletClient, incident: str, dose: str
) -> None:
    fields = _refused(alice, incident, kind="naloxone", dose_mg=dose, route="IN")

    assert fields == {"dose_mg": ["A naloxone dose is between 0.04 and 10 mg, to two decimals."]}


def test_naloxone_needs_its_dose_and_route(alice: TabletClient, incident: str) -> None:
    assert set(_refused(alice, incident, kind="naloxone")) == {"dose_mg", "route"}
    assert set(_refused(alice, incident, kind="naloxone", dose_mg=4, route="SC")) == {"route"}


def test_only_naloxone_has_a_dose_and_a_route(alice: TabletClient, incident: str) -> None:
    fields = _refused(alice, incident, kind="oxygen", dose_mg=4, route="IN")

    assert fields == {
        "dose_mg": ["Only naloxone has a dose."],
        "route": ["Only naloxone has a route."],
    }


@pytest.mark.parametrize(("spo2", "resp_rate"), [(30, None), (100, None), (None, 0), (88, 60)])
def test_vitals_within_physiological_bounds_are_kept(
    alice: TabletClient, incident: str, spo2: int | None, resp_rate: int | None
) -> None:
    action = tap(alice, incident, "vitals", spo2=spo2, resp_rate=resp_rate)

    assert (action["spo2"], action["resp_rate"]) == (spo2, resp_rate)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"spo2": 29}, "spo2"),
        ({"spo2": 101}, "spo2"),
        ({"resp_rate": -1}, "resp_rate"),
        ({"resp_rate": 61}, "resp_rate"),
        ({}, "spo2"),
    ],
)
def test_vitals_outside_physiological_bounds_are_refused(
    alice: TabletClient, incident: str, body: dict[str, int], field: str
) -> None:
    assert set(_refused(alice, incident, kind="vitals", **body)) == {field}


def test_only_vitals_have_readings(alice: TabletClient, incident: str) -> None:
    assert set(_refused(alice, incident, kind="monitoring", spo2=95, resp_rate=12)) == {
        "spo2",
        "resp_rate",
    }


def test_an_action_may_precede_the_onset_by_five_minutes_and_no_more(
    alice: TabletClient,
) -> None:
    start = ago(30)
    incident = open_incident(alice, started_at=iso(start))["id"]

    tap(alice, incident, "stimulation", at=iso(start - timedelta(minutes=4, seconds=59)))
    fields = _refused(alice, incident, kind="stimulation", at=iso(start - timedelta(minutes=6)))

    assert list(fields) == ["at"]
    assert "before the incident started" in fields["at"][0]


def test_an_action_in_the_future_is_refused(alice: TabletClient, incident: str) -> None:
    assert list(_refused(alice, incident, kind="oxygen", at=iso(ago(-6)))) == ["at"]
    tap(alice, incident, "oxygen", at=iso(ago(-4)))  # a tablet's clock a little ahead


def test_a_time_without_offset_is_refused(alice: TabletClient, incident: str) -> None:
    fields = _refused(alice, incident, kind="oxygen", at="2026-03-08T01:30:00")

    assert "UTC offset" in fields["at"][0]


def test_a_resent_action_is_recognised_even_after_approval(
    client_for: Clients, alice: TabletClient
) -> None:
    incident = open_incident(alice, started_at=iso(ago(20)))
    body = {"id": str(uuid.uuid4()), "kind": "naloxone", "dose_mg": 4, "route": "IN"}
    path = f"/api/v1/incidents/{incident['id']}/actions/"
    first = alice.post(path, body)
    again = alice.post(path, {**body, "dose_mg": "4.00"})
    complete(alice, incident)
    post(alice, f"/api/v1/incidents/{incident['id']}/submit")
    post(client_for("bob"), f"/api/v1/incidents/{incident['id']}/review", {"decision": "approve"})
    after_approval = alice.post(path, body)

    assert first.status_code == 201
    assert again.status_code == 200
    assert after_approval.status_code == 200
    assert again.json()["id"] == after_approval.json()["id"] == first.json()["id"]
    assert IncidentAction.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="incidents.incidentaction").count() == 1


def test_a_resent_action_with_other_content_shows_the_stored_one(
    alice: TabletClient, incident: str
) -> None:
    body = {"id": str(uuid.uuid4()), "kind": "naloxone", "dose_mg": 4, "route": "IN"}
    path = f"/api/v1/incidents/{incident}/actions/"
    alice.post(path, body)

    conflict = alice.post(path, {**body, "dose_mg": 8})

    assert conflict.status_code == 409
    assert conflict.json()["current"]["dose_mg"] == 4
    assert_documented(alice, "POST", ACTIONS, conflict)


def test_an_action_id_cannot_be_reused_on_another_incident(alice: TabletClient) -> None:
    first, second = open_incident(alice)["id"], open_incident(alice)["id"]
    action_id = str(uuid.uuid4())
    tap(alice, first, "oxygen", id=action_id)

    reused = alice.post(f"/api/v1/incidents/{second}/actions/", {"id": action_id, "kind": "oxygen"})

    assert reused.status_code == 409
    assert "current" not in reused.json()


def test_the_database_refuses_an_implausible_action_whatever_the_caller(
    world: World, alice: TabletClient, incident: str
) -> None:
    row = IncidentAction(
        incident_id=incident,
        kind="naloxone",
        at=timezone.now(),
        dose_mg=Decimal("40"),
        route="IN",
        created_by=world.users["alice"],
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_a_voided_mis_tap_leaves_every_figure(alice: TabletClient, client_for: Clients) -> None:
    start = ago(20)
    incident = open_incident(alice, started_at=iso(start))["id"]
    tap(alice, incident, "naloxone", at=iso(start + timedelta(minutes=3)), dose_mg=4, route="IN")
    mistap = tap(
        alice, incident, "naloxone", at=iso(start + timedelta(minutes=1)), dose_mg=4, route="IN"
    )
    ems = tap(alice, incident, "ems_called", at=iso(start + timedelta(minutes=4)))
    assert detail(alice, incident)["critical"] is True

    void = f"/api/v1/incidents/{incident}/actions/{mistap['id']}/void"
    assert alice.post(void, {}).status_code == 400
    voided = post(alice, void, {"reason": "Tapped twice by mistake."})
    post(alice, f"/api/v1/incidents/{incident}/actions/{ems['id']}/void", {"reason": "Not called."})
    shown = detail(alice, incident)

    assert (voided["voided"], voided["void_reason"]) == (True, "Tapped twice by mistake.")
    assert len(shown["actions"]) == 3
    assert shown["naloxone_doses"] == 1
    assert shown["naloxone_total_mg"] == 4
    assert shown["minutes_to_first_naloxone"] == pytest.approx(3.0)
    assert shown["ems_called"] is False
    assert shown["critical"] is False
    assert client_for("charlie").post(void, {"reason": "x"}).status_code == 404
    assert post(alice, void, {"reason": "again"})["void_reason"] == "Tapped twice by mistake."


def test_staff_cannot_tap_a_submitted_incident_but_a_supervisor_can(
    alice: TabletClient, client_for: Clients
) -> None:
    incident = open_incident(alice)
    complete(alice, incident)
    post(alice, f"/api/v1/incidents/{incident['id']}/submit")

    tap(alice, incident["id"], "monitoring", expect=409)
    tap(client_for("bob"), incident["id"], "monitoring")


def test_figures_are_derived_from_the_timeline() -> None:
    start = timezone.now() - timedelta(minutes=30)

    class Tap:
        def __init__(self, kind: str, minute: float, dose: str | None = None) -> None:
            self.kind, self.at = kind, start + timedelta(minutes=minute)
            self.dose_mg, self.voided = (Decimal(dose) if dose else None), False

    figures = figures_of(
        started_at=start,
        ended_at=start + timedelta(minutes=42),
        actions=[
            Tap("ems_arrived", 1),  # before the call: not a response time
            Tap("naloxone", -2, "0.4"),  # just before the recorded onset: 0 minutes
            Tap("ems_called", 2.5),
            Tap("naloxone", 5, "0.4"),
            Tap("ems_arrived", 11),
        ],
    )

    assert figures.naloxone_doses == 2
    assert figures.naloxone_total_mg == Decimal("0.8")
    assert figures.minutes_to_first_naloxone == 0.0
    assert figures.ems_called is True
    assert figures.ems_response_minutes == 8.5
    assert figures.duration_minutes == 42.0


def test_the_spo2_bound_is_said_in_plain_words(alice: TabletClient, incident: str) -> None:
    assert _refused(alice, incident, kind="vitals", spo2=12) == {
        "spo2": ["SpO2 is between 30 and 100 %."]
    }


def test_a_returned_incident_is_completed_days_later_without_a_supervisor(
    world: World, alice: TabletClient
) -> None:
    """Late is measured from when the incident was first received, not from now: the worker
    fixing a returned incident two days later enters times of the response itself."""
    incident = open_incident(alice, started_at=iso(ago(5)))
    two_days = timedelta(days=2)
    Incident.objects.filter(pk=incident["id"]).update(
        started_at=F("started_at") - two_days, received_at=F("received_at") - two_days
    )
    start = Incident.objects.get(pk=incident["id"]).started_at

    action = tap(
        alice,
        incident["id"],
        "naloxone",
        at=iso(start + timedelta(minutes=3)),
        dose_mg=4,
        route="IN",
    )
    completed = complete(alice, incident, ended_at=iso(start + timedelta(minutes=30)))

    assert action["backdated"] is False
    assert completed["duration_minutes"] == 30.0


def test_the_timeline_of_a_late_entered_incident_is_a_supervisors(
    alice: TabletClient, client_for: Clients
) -> None:
    bob = client_for("bob")
    start = ago(14 * 60)
    incident = open_incident(bob, started_at=iso(start))["id"]

    by_staff = alice.post(
        f"/api/v1/incidents/{incident}/actions/",
        {"kind": "oxygen", "at": iso(start + timedelta(minutes=2))},
    )
    by_supervisor = tap(bob, incident, "oxygen", at=iso(start + timedelta(minutes=2)))

    assert by_staff.status_code == 403
    assert by_supervisor["backdated"] is True
