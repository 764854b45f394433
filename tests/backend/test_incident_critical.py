"""Critical incidents: each rule of docs/domain.md, the review due time, and overdue marking."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from tests.backend.incidents_support import ago, complete, detail, iso, open_incident, tap
from tests.conftest import TabletClient
from vigil.incidents.rules import review_of

Clients = Callable[[str], TabletClient]


def _due_hours(incident: dict[str, Any]) -> float:
    due = parse_datetime(incident["review_due_at"])
    start = parse_datetime(incident["started_at"])
    assert due is not None
    assert start is not None
    return (due - start).total_seconds() / 3600


@pytest.fixture
def alice(client_for: Clients) -> TabletClient:
    return client_for("alice")


def test_an_overdose_with_none_of_the_rules_is_reviewed_within_a_week(
    alice: TabletClient,
) -> None:
    incident = open_incident(alice)
    tap(alice, incident["id"], "naloxone", dose_mg=0.4, route="IM")
    tap(alice, incident["id"], "oxygen")
    shown = detail(alice, incident["id"])

    assert (shown["critical"], shown["critical_reasons"]) == (False, [])
    assert _due_hours(shown) == 7 * 24


def test_a_death_is_critical_and_due_within_24_hours(alice: TabletClient) -> None:
    shown = complete(alice, open_incident(alice), outcome="deceased")

    assert shown["critical_reasons"] == ["deceased"]
    assert _due_hours(shown) == 24


@pytest.mark.parametrize(("action", "reason"), [("cpr", "cpr"), ("aed", "aed")])
def test_cpr_or_an_aed_is_critical(alice: TabletClient, action: str, reason: str) -> None:
    incident = open_incident(alice)
    tap(alice, incident["id"], action)
    shown = detail(alice, incident["id"])

    assert shown["critical_reasons"] == [reason]
    assert _due_hours(shown) == 48


def test_a_transport_is_critical_whether_outcome_or_action(alice: TabletClient) -> None:
    by_outcome = complete(alice, open_incident(alice), outcome="transported")
    by_action = open_incident(alice)
    tap(alice, by_action["id"], "transported")

    assert by_outcome["critical_reasons"] == ["transported"]
    assert detail(alice, by_action["id"])["critical_reasons"] == ["transported"]


def test_naloxone_and_a_call_to_ems_together_are_critical(alice: TabletClient) -> None:
    only_call = open_incident(alice)
    tap(alice, only_call["id"], "ems_called")
    both = open_incident(alice)
    tap(alice, both["id"], "naloxone", dose_mg=4, route="IN")
    tap(alice, both["id"], "ems_called")

    assert detail(alice, only_call["id"])["critical"] is False
    assert detail(alice, both["id"])["critical_reasons"] == ["naloxone_and_ems_called"]


def test_police_attending_is_critical(alice: TabletClient) -> None:
    shown = complete(alice, open_incident(alice, kind="other_medical"), police_attended=True)

    assert shown["critical_reasons"] == ["police_attended"]
    assert _due_hours(shown) == 48


@pytest.mark.parametrize(
    "kind", ["violence", "needlestick", "substance_found", "privacy_breach", "other"]
)
def test_every_non_medical_incident_is_critical(alice: TabletClient, kind: str) -> None:
    shown = open_incident(alice, kind=kind, location="other")

    assert shown["critical_reasons"] == ["non_medical_kind"]
    assert _due_hours(shown) == 48


@pytest.mark.parametrize("kind", ["opioid_overdose", "stimulant_overdose", "other_medical"])
def test_a_medical_incident_is_not_critical_by_its_kind(alice: TabletClient, kind: str) -> None:
    assert open_incident(alice, kind=kind)["critical"] is False


def test_a_death_keeps_the_24_hour_due_time_among_other_reasons() -> None:
    start = timezone.now()

    review = review_of(
        kind="violence",
        outcome="deceased",
        police_attended=True,
        started_at=start,
        action_kinds=["cpr", "aed", "naloxone", "ems_called", "transported"],
    )

    assert review.reasons == [
        "deceased",
        "cpr",
        "aed",
        "transported",
        "naloxone_and_ems_called",
        "police_attended",
        "non_medical_kind",
    ]
    assert review.due_at == start + timedelta(hours=24)


def test_correcting_the_record_recomputes_critical(alice: TabletClient) -> None:
    shown = complete(alice, open_incident(alice), police_attended=True)
    assert shown["critical"] is True

    corrected = complete(alice, shown, police_attended=False)

    assert (corrected["critical"], _due_hours(corrected)) == (False, 7 * 24)


@override_settings(
    VIGIL_INCIDENT_DEATH_REVIEW_HOURS=12,
    VIGIL_INCIDENT_CRITICAL_REVIEW_HOURS=36,
    VIGIL_INCIDENT_ROUTINE_REVIEW_DAYS=3,
)
def test_the_due_times_are_settings(alice: TabletClient) -> None:
    assert _due_hours(open_incident(alice)) == 72
    assert _due_hours(open_incident(alice, kind="violence", location="outside")) == 36
    assert _due_hours(complete(alice, open_incident(alice), outcome="deceased")) == 12


def test_an_unreviewed_incident_past_its_due_time_is_marked_overdue(
    client_for: Clients,
) -> None:
    bob = client_for("bob")
    late = open_incident(bob, kind="needlestick", location="other", started_at=iso(ago(49 * 60)))
    in_time = open_incident(bob, kind="needlestick", location="other", started_at=iso(ago(47 * 60)))

    assert late["overdue"] is True
    assert in_time["overdue"] is False
    listed = bob.get("/api/v1/incidents/?site=harbour&overdue=true").json()["results"]
    assert [(i["id"], i["overdue"]) for i in listed] == [(late["id"], True)]


def test_an_approved_incident_is_never_overdue(client_for: Clients) -> None:
    bob, erin = client_for("bob"), client_for("erin")
    late = open_incident(bob, kind="violence", location="outside", started_at=iso(ago(49 * 60)))
    bob.post(f"/api/v1/incidents/{late['id']}/submit")

    approved = erin.post(f"/api/v1/incidents/{late['id']}/review", {"decision": "approve"})

    assert approved.json()["overdue"] is False
    assert bob.get("/api/v1/incidents/?site=harbour&overdue=true").json()["count"] == 0
