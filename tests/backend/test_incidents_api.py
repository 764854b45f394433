"""Incidents through the HTTP API: the whole lifecycle, resends, links to a person, isolation,
the supervisor queue and its query count."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

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
from vigil.accounts.models import Role
from vigil.audit.models import AuditEvent
from vigil.incidents.models import Incident
from vigil.visits.services import CheckIn, visit_check_in

Clients = Callable[[str], TabletClient]


def test_an_overdose_goes_from_first_tap_to_an_amended_approval(client_for: Clients) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    start = ago(40)

    # Open: a worker taps "overdose" at booth 3 and then one button per action.
    opened = open_incident(
        alice,
        id=str(uuid.uuid4()),
        started_at=iso(start),
        signs=["unresponsive", "slow_or_no_breathing", "cyanosis"],
        suspected_substances=["fentanyl"],
    )
    incident = opened["id"]
    assert (opened["status"], opened["critical"], opened["critical_reasons"]) == ("open", False, [])
    tap(alice, incident, "stimulation", at=iso(start + timedelta(minutes=1)))
    tap(alice, incident, "naloxone", at=iso(start + timedelta(minutes=2)), dose_mg=0.4, route="IM")
    tap(alice, incident, "oxygen", at=iso(start + timedelta(minutes=3)))
    tap(alice, incident, "ems_called", at=iso(start + timedelta(minutes=4)))
    tap(alice, incident, "naloxone", at=iso(start + timedelta(minutes=6)), dose_mg="4", route="IN")

    shown = detail(alice, incident)
    assert [a["kind"] for a in shown["actions"]] == [
        "stimulation",
        "naloxone",
        "oxygen",
        "ems_called",
        "naloxone",
    ]
    assert shown["naloxone_doses"] == 2
    assert shown["naloxone_total_mg"] == pytest.approx(4.4)
    assert shown["minutes_to_first_naloxone"] == pytest.approx(2.0)
    assert shown["ems_called"] is True
    assert shown["ems_response_minutes"] is None
    assert shown["critical"] is True
    assert shown["critical_reasons"] == ["naloxone_and_ems_called"]
    assert shown["review_due_at"] == iso(start + timedelta(hours=48)).replace("+00:00", "Z")

    # Submit: an overdose needs its outcome and end time first.
    refused = alice.post(f"/api/v1/incidents/{incident}/submit")
    assert refused.status_code == 400
    assert set(refused.json()["fields"]) == {"outcome", "ended_at"}
    shown = complete(
        alice,
        shown,
        ended_at=iso(start + timedelta(minutes=25)),
        narrative="Participant found unresponsive in booth 3; responded to the second dose.",
        responders=["alice"],
    )
    assert shown["duration_minutes"] == pytest.approx(25.0)
    submitted = post(alice, f"/api/v1/incidents/{incident}/submit")
    assert submitted["status"] == "submitted"
    waiting = alice.patch(f"/api/v1/incidents/{incident}", {"police_attended": False, "version": 3})
    assert waiting.status_code == 409

    # Return: back in alice's list, with the comment.
    returned = post(
        bob,
        f"/api/v1/incidents/{incident}/review",
        {"decision": "return", "comment": "Add the time EMS arrived."},
    )
    assert (returned["status"], returned["review_comment"]) == (
        "returned",
        "Add the time EMS arrived.",
    )
    mine = alice.get("/api/v1/incidents/?site=harbour&mine=true&status=returned").json()
    assert [(i["id"], i["review_comment"]) for i in mine["results"]] == [
        (incident, "Add the time EMS arrived.")
    ]

    # Fix and resubmit.
    tap(alice, incident, "ems_arrived", at=iso(start + timedelta(minutes=12)))
    assert detail(alice, incident)["ems_response_minutes"] == pytest.approx(8.0)
    assert post(alice, f"/api/v1/incidents/{incident}/submit")["status"] == "submitted"

    # Approve: locked for staff.
    approved = post(bob, f"/api/v1/incidents/{incident}/review", {"decision": "approve"})
    assert approved["status"] == "approved"
    assert approved["reviewed_by"] == "bob"
    assert (
        alice.patch(
            f"/api/v1/incidents/{incident}", {"narrative": "x", "version": approved["version"]}
        ).status_code
        == 409
    )
    tap(alice, incident, "monitoring", expect=409)

    # Amend: a supervisor, with a reason; the approved version stays readable.
    no_reason = bob.patch(
        f"/api/v1/incidents/{incident}",
        {"outcome": "transported", "version": approved["version"]},
    )
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["fields"]
    amended = bob.patch(
        f"/api/v1/incidents/{incident}",
        {
            "outcome": "transported",
            "version": approved["version"],
            "reason": "EMS took the participant to hospital after all (call log).",
        },
    )
    assert amended.status_code == 200, amended.content
    after = amended.json()
    assert after["status"] == "approved"
    assert after["outcome"] == "transported"
    assert after["critical_reasons"] == ["transported", "naloxone_and_ems_called"]
    assert [h["reason"] for h in after["history"]] == [
        "EMS took the participant to hospital after all (call log)."
    ]
    earlier = after["history"][0]
    assert earlier["amended_by"] == "bob"
    assert earlier["version"] == approved["version"]
    assert earlier["snapshot"]["outcome"] == "recovered_on_site"
    assert earlier["snapshot"]["status"] == "approved"
    assert len(earlier["snapshot"]["actions"]) == 6
    assert earlier["snapshot"]["figures"]["naloxone_doses"] == 2
    assert [(r["decision"], r["reviewed_by"]) for r in after["reviews"]] == [
        ("return", "bob"),
        ("approve", "bob"),
    ]
    assert_documented(
        bob, "GET", "/api/v1/incidents/{incident_id}", bob.get(f"/api/v1/incidents/{incident}")
    )

    # Everything is in the audit log; the narrative's words are not.
    events = AuditEvent.objects.filter(site__slug="harbour")
    actions = list(events.values_list("action", flat=True))
    assert actions.count("submit") == 2
    assert actions.count("review") == 2
    assert events.filter(object_type="incidents.incidentaction", action="create").count() == 6
    assert events.filter(action="update", reason__startswith="EMS took").exists()
    assert not any("booth 3" in str(e.changes) for e in events)


def test_a_resent_incident_is_recognised_and_a_different_one_refused(
    client_for: Clients,
) -> None:
    alice = client_for("alice")
    body = {"id": str(uuid.uuid4()), "started_at": iso(ago(5)), "code": "mako 1993"}
    first = open_incident(alice, **body)

    again = open_incident(alice, expect=200, **{**body, "code": "MAKO-1993"})
    other = alice.post(
        "/api/v1/incidents/", {"site": "harbour", "kind": "violence", "location": "outside", **body}
    )

    assert again["id"] == first["id"]
    assert other.status_code == 409
    assert other.json()["current"]["id"] == first["id"]
    assert Incident.objects.count() == 1


def test_a_resend_is_recognised_after_the_incident_was_completed(client_for: Clients) -> None:
    alice = client_for("alice")
    body = {"id": str(uuid.uuid4()), "started_at": iso(ago(5))}
    first = open_incident(alice, **body)
    complete(alice, first)

    assert open_incident(alice, expect=200, **body)["version"] == 2


def test_an_incident_id_of_another_site_is_not_shown(client_for: Clients) -> None:
    incident = open_incident(client_for("alice"), id=str(uuid.uuid4()))

    reused = client_for("charlie").post(
        "/api/v1/incidents/",
        {"id": incident["id"], "site": "eastside", "kind": "other", "location": "outside"},
    )

    assert reused.status_code == 409
    assert "current" not in reused.json()


def test_the_code_links_the_person_and_is_never_shown_or_audited(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    response = alice.post(
        "/api/v1/incidents/",
        {"site": "harbour", "kind": "opioid_overdose", "location": "washroom", "code": "ZAZU77"},
    )

    assert response.status_code == 201
    assert response.json()["participant"]
    assert "ZAZU77" not in response.content.decode()
    assert not any("ZAZU77" in str(e.changes) for e in AuditEvent.objects.all())
    bad = alice.post(
        "/api/v1/incidents/",
        {"site": "harbour", "kind": "opioid_overdose", "location": "booth", "code": "!!"},
    )
    assert bad.status_code == 400
    assert "code" in bad.json()["fields"]


def test_a_visit_links_its_participant_and_must_be_of_the_same_site(
    world: World, client_for: Clients
) -> None:
    visit, _ = visit_check_in(
        request=CheckIn(
            site=world.site_a,
            kind="consumption",
            booth=world.site_a.booths.get(label="3"),
            code="KIKI88",
        ),
        by=world.users["alice"],
        role=Role.STAFF,
    )
    elsewhere, _ = visit_check_in(
        request=CheckIn(site=world.site_b, kind="service_only", code="KIKI88"),
        by=world.users["charlie"],
        role=Role.STAFF,
    )
    alice = client_for("alice")

    linked = open_incident(alice, visit=str(visit.pk))
    foreign = alice.post(
        "/api/v1/incidents/",
        {
            "site": "harbour",
            "kind": "opioid_overdose",
            "location": "booth",
            "visit": str(elsewhere.pk),
        },
    )
    both = alice.post(
        "/api/v1/incidents/",
        {
            "site": "harbour",
            "kind": "opioid_overdose",
            "location": "booth",
            "visit": str(visit.pk),
            "code": "KIKI88",
        },
    )

    assert linked["participant"] == str(visit.participant_id)
    assert linked["booth_label"] == "3"
    assert foreign.status_code == 400
    assert "visit" in foreign.json()["fields"]
    assert both.status_code == 400


def test_an_incident_can_be_about_nobody_known(client_for: Clients) -> None:
    outside = open_incident(client_for("alice"), kind="violence", location="outside")

    assert (outside["participant"], outside["visit"], outside["booth_label"]) == (None, None, None)


def test_bad_input_names_each_field(client_for: Clients) -> None:
    response = client_for("alice").post(
        "/api/v1/incidents/",
        {"site": "harbour", "kind": "fall", "location": "roof", "signs": ["sleepy"]},
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"kind", "location", "signs"}
    assert Incident.objects.count() == 0


def test_an_onset_in_the_future_is_refused_and_an_old_one_needs_a_supervisor(
    client_for: Clients,
) -> None:
    future = client_for("alice").post(
        "/api/v1/incidents/",
        {"site": "harbour", "kind": "other", "location": "other", "started_at": iso(ago(-10))},
    )
    old_by_staff = client_for("alice").post(
        "/api/v1/incidents/",
        {"site": "harbour", "kind": "other", "location": "other", "started_at": iso(ago(13 * 60))},
    )
    old_by_supervisor = open_incident(
        client_for("bob"), kind="other", location="other", started_at=iso(ago(13 * 60))
    )

    assert future.status_code == 400
    assert "started_at" in future.json()["fields"]
    assert old_by_staff.status_code == 403
    assert old_by_supervisor["backdated"] is True


def test_staff_complete_only_incidents_they_logged_or_responded_to(
    world: World, client_for: Clients
) -> None:
    from tests.conftest import make_user

    make_user("fran", site=world.site_a, role=Role.STAFF)
    alice, fran = client_for("alice"), client_for("fran")
    incident = open_incident(alice)

    assert complete(fran, incident, expect=403)
    tap(fran, incident["id"], "oxygen")  # any worker may tap during the response
    completed = complete(alice, incident, responders=["alice", "fran"])
    assert completed["responders"] == ["alice", "fran"]
    assert complete(fran, completed, narrative="Second responder's note.")["version"] == 3


def test_responders_must_be_staff_of_the_site(client_for: Clients) -> None:
    alice = client_for("alice")
    incident = open_incident(alice)

    refused = complete(alice, incident, expect=400, responders=["charlie", "dana"])

    assert refused["fields"]["responders"] == ["Not staff of this site: charlie, dana."]


def test_a_stale_version_is_refused(client_for: Clients) -> None:
    alice = client_for("alice")
    incident = open_incident(alice)
    complete(alice, incident)

    stale = complete(alice, incident, expect=412)

    assert "Reload" in stale["detail"]


def test_a_supervisor_changing_someone_elses_incident_says_why(client_for: Clients) -> None:
    incident = open_incident(client_for("alice"))
    bob = client_for("bob")

    assert "reason" in complete(bob, incident, expect=400)["fields"]
    assert complete(bob, incident, reason="Completing it for the night shift.")["version"] == 2


def test_an_end_before_the_start_is_refused(client_for: Clients) -> None:
    alice = client_for("alice")
    incident = open_incident(alice, started_at=iso(ago(10)))

    refused = complete(alice, incident, expect=400, ended_at=iso(ago(20)))

    assert "ended_at" in refused["fields"]


def test_moving_the_onset_after_recorded_actions_is_refused(client_for: Clients) -> None:
    alice = client_for("alice")
    incident = open_incident(alice, started_at=iso(ago(30)))
    tap(alice, incident["id"], "stimulation", at=iso(ago(29)))

    refused = alice.patch(
        f"/api/v1/incidents/{incident['id']}", {"started_at": iso(ago(10)), "version": 1}
    )

    assert refused.status_code == 400
    assert "started_at" in refused.json()["fields"]


def test_a_voided_incident_leaves_the_queue_and_cannot_change(client_for: Clients) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    incident = open_incident(alice)

    assert (
        alice.post(f"/api/v1/incidents/{incident['id']}/void", {"reason": "x"}).status_code == 403
    )
    assert bob.post(f"/api/v1/incidents/{incident['id']}/void", {}).status_code == 400
    voided = post(bob, f"/api/v1/incidents/{incident['id']}/void", {"reason": "Opened twice."})
    again = post(bob, f"/api/v1/incidents/{incident['id']}/void", {"reason": "Opened twice."})

    assert (voided["voided"], voided["void_reason"]) == (True, "Opened twice.")
    assert again["version"] == voided["version"]
    assert bob.get("/api/v1/incidents/?site=harbour").json()["count"] == 0
    assert complete(alice, voided, expect=409)
    tap(alice, incident["id"], "oxygen", expect=409)
    assert AuditEvent.objects.filter(action="void", reason="Opened twice.").count() == 1


def test_other_sites_and_analysts_see_nothing(client_for: Clients) -> None:
    incident = open_incident(client_for("alice"))
    charlie, dana = client_for("charlie"), client_for("dana")

    assert charlie.get(f"/api/v1/incidents/{incident['id']}").status_code == 404
    assert charlie.get("/api/v1/incidents/?site=harbour").status_code == 404
    assert charlie.get("/api/v1/incidents/?site=eastside").json()["count"] == 0
    assert (
        charlie.post(f"/api/v1/incidents/{incident['id']}/actions/", {"kind": "oxygen"}).status_code
        == 404
    )
    assert dana.get(f"/api/v1/incidents/{incident['id']}").status_code == 403
    assert dana.get("/api/v1/incidents/?site=harbour").status_code == 403


def _queue_item(world: World, n: int) -> None:
    """An incident with actions, signs, substances and responders: all the queue shows."""
    from vigil.incidents.services import IncidentOpen, incident_open, incident_update
    from vigil.incidents.timeline import ActionTap, incident_action_record

    alice = world.users["alice"]
    incident, _ = incident_open(
        request=IncidentOpen(
            site=world.site_a,
            kind="opioid_overdose" if n % 2 else "violence",
            location="booth",
            started_at=timezone.now() - timedelta(minutes=50 - n),
            signs=["unresponsive"],
            suspected_substances=["fentanyl", "benzodiazepine"],
        ),
        by=alice,
        role=Role.STAFF,
    )
    for kind in ("stimulation", "ems_called"):
        incident_action_record(
            incident=incident, tap=ActionTap(kind=kind), by=alice, role=Role.STAFF
        )
    incident_update(
        incident=incident, by=alice, role=Role.STAFF, version=1, responders=["alice", "bob"]
    )


def test_the_queue_costs_the_same_queries_for_one_incident_or_twenty(
    world: World,
    client_for: Clients,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    bob = client_for("bob")
    _queue_item(world, 0)
    with django_assert_max_num_queries(40) as one:
        assert bob.get("/api/v1/incidents/?site=harbour").json()["count"] == 1
    # Counted now: a later request resets the connection's query log.
    expected = len(one.captured_queries)
    for n in range(1, 20):
        _queue_item(world, n)

    with django_assert_num_queries(expected):
        response = bob.get("/api/v1/incidents/?site=harbour")

    assert response.json()["count"] == 20
    assert_documented(bob, "GET", "/api/v1/incidents/", response)


def test_the_queue_filters_and_puts_critical_first_then_by_due_time(
    world: World, client_for: Clients
) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    routine = open_incident(alice, started_at=iso(ago(60)))
    violence = open_incident(alice, kind="violence", location="outside", started_at=iso(ago(10)))
    death = open_incident(alice, started_at=iso(ago(5)))
    complete(alice, death, outcome="deceased")
    overdue = open_incident(bob, kind="needlestick", location="other", started_at=iso(ago(50 * 60)))

    def ids(query: str) -> list[str]:
        response = bob.get(f"/api/v1/incidents/?site=harbour{query}")
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["results"]]

    everything = ids("")
    assert everything == [overdue["id"], death["id"], violence["id"], routine["id"]]
    assert ids("&critical=true") == [overdue["id"], death["id"], violence["id"]]
    assert ids("&critical=false") == [routine["id"]]
    assert ids("&kind=violence") == [violence["id"]]
    assert ids("&overdue=true") == [overdue["id"]]
    assert ids("&overdue=false") == everything[1:]
    assert ids("&status=submitted") == []
    assert bob.get("/api/v1/incidents/?site=harbour&status=lost").status_code == 400

    started = {i["id"]: i["started_at"] for i in (routine, violence, death, overdue)}
    day = timezone.localtime(timezone.now() - timedelta(minutes=5), world.site_a.zone).date()
    on_day = [
        pk
        for pk in everything
        if timezone.localtime(parse_datetime(started[pk]), world.site_a.zone).date() == day
    ]
    assert ids(f"&date={day.isoformat()}") == on_day
    assert death["id"] in on_day
    assert overdue["id"] not in on_day


def test_the_queue_filters_one_participants_incidents_at_the_named_site(
    world: World, client_for: Clients
) -> None:
    alice, bob, charlie = client_for("alice"), client_for("bob"), client_for("charlie")
    first = open_incident(alice, code="ZAZU77", started_at=iso(ago(90)))
    later = open_incident(alice, kind="violence", location="outside", code="zazu-77")
    open_incident(alice, code="KIKI88")
    open_incident(alice)
    theirs = open_incident(charlie, site="eastside", location="outside", code="ZAZU77")
    person = first["participant"]
    assert later["participant"] == person == theirs["participant"]

    def ids(client: TabletClient, query: str) -> list[str]:
        response = client.get(f"/api/v1/incidents/?{query}")
        assert response.status_code == 200, response.content
        return [i["id"] for i in response.json()["results"]]

    assert ids(bob, f"site=harbour&participant={person}") == [later["id"], first["id"]]
    assert ids(bob, f"site=harbour&participant={person}&kind=opioid_overdose") == [first["id"]]
    assert ids(charlie, f"site=eastside&participant={person}") == [theirs["id"]]
    assert ids(bob, f"site=harbour&participant={uuid.uuid4()}") == []
    assert charlie.get(f"/api/v1/incidents/?site=harbour&participant={person}").status_code == 404
    bad = bob.get("/api/v1/incidents/?site=harbour&participant=ZAZU77")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["participant"])


def test_a_malformed_id_answers_404_in_the_error_shape(client_for: Clients) -> None:
    response = client_for("alice").get("/api/v1/incidents/not-an-id/submit")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "fields": {}}


def test_a_voided_visit_cannot_be_linked_but_a_resend_is_still_recognised(
    world: World, client_for: Clients
) -> None:
    from vigil.visits.services import visit_void

    visit, _ = visit_check_in(
        request=CheckIn(site=world.site_a, kind="service_only", code="VOID42"),
        by=world.users["alice"],
        role=Role.STAFF,
    )
    alice = client_for("alice")
    body = {"id": str(uuid.uuid4()), "visit": str(visit.pk)}
    open_incident(alice, **body)
    visit_void(visit=visit, by=world.users["bob"], role=Role.SUPERVISOR, reason="Wrong person.")

    assert open_incident(alice, expect=200, **body)["visit"] == str(visit.pk)
    refused = alice.post(
        "/api/v1/incidents/",
        {"site": "harbour", "kind": "other_medical", "location": "booth", "visit": str(visit.pk)},
    )
    assert refused.status_code == 400
    assert "visit" in refused.json()["fields"]
