"""Floor safety: restrictions and the check-in override, the waiting list and turn-aways,
visit flags, and complaints."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from tests.backend.conftest import ago, booth_of, check_in, iso, lookup, run_recomputes
from tests.backend.incidents_support import assert_documented
from tests.conftest import TabletClient, World
from vigil.audit.models import AuditEvent
from vigil.safety.models import Restriction, RestrictionOverride, TurnAway, WaitlistEntry
from vigil.visits.models import Visit

Clients = Callable[[str], TabletClient]
FLOOR = "/api/v1/sites/harbour/floor"
HARBOUR_ZONE = ZoneInfo("America/Toronto")
NOTE = "Pushed a staff member at the door on Tuesday"


def _restrict(client: TabletClient, **fields: Any) -> Any:
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "code": "MAKO1993",
        "scope": "all_services",
        "reason": "violence",
        "ends_at": iso(timezone.now() + timedelta(days=7)),
        "note": NOTE,
        **fields,
    }
    return client.post("/api/v1/restrictions/", body)


def test_a_supervisor_restricts_and_staff_or_other_sites_cannot(
    world: World, client_for: Clients
) -> None:
    bob = client_for("bob")

    created = _restrict(bob)
    again = bob.post("/api/v1/restrictions/", {**_restrict_body(created)})

    assert created.status_code == 201, created.content
    assert (created.json()["scope"], created.json()["active"]) == ("all_services", True)
    assert again.status_code == 200  # a resend: the same record
    assert _restrict(client_for("alice")).status_code == 403
    assert _restrict(client_for("charlie")).status_code == 404
    assert client_for("alice").get("/api/v1/restrictions/?site=harbour").status_code == 403
    assert client_for("charlie").get("/api/v1/restrictions/?site=harbour").status_code == 404
    restriction = created.json()["id"]
    not_yours = client_for("charlie").post(
        f"/api/v1/restrictions/{restriction}/end", {"reason": "x"}
    )
    assert not_yours.status_code == 404
    assert (
        not_yours.json()
        == client_for("charlie")
        .post(f"/api/v1/restrictions/{uuid.uuid4()}/end", {"reason": "x"})
        .json()
    )
    assert AuditEvent.objects.filter(object_type="safety.restriction", action="create").count() == 1
    assert_documented(bob, "POST", "/api/v1/restrictions/", created)


def _restrict_body(created: Any) -> dict[str, Any]:
    stored = created.json()
    return {
        "id": stored["id"],
        "site": "harbour",
        "code": "MAKO1993",
        "scope": stored["scope"],
        "reason": stored["reason"],
        "ends_at": stored["ends_at"],
        "note": NOTE,
    }


def test_a_restriction_needs_an_end_or_a_review_date(client_for: Clients) -> None:
    response = _restrict(client_for("bob"), ends_at=None)

    assert response.status_code == 400
    assert "ends_at" in response.json()["fields"]


def test_the_lookup_shows_scope_and_until_never_the_reason_or_note(
    world: World, client_for: Clients
) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    check_in(alice, kind="service_only", code="MAKO1993")
    review = timezone.now() + timedelta(days=3)
    _restrict(bob, scope="consumption_only", ends_at=None, review_at=iso(review))

    found = lookup(alice, "MAKO1993")
    elsewhere = lookup(client_for("charlie"), "MAKO1993", site="eastside")

    assert found.status_code == 200
    restriction = found.json()["restriction"]
    assert restriction["scope"] == "consumption_only"
    assert restriction["until"] == iso(review).replace("+00:00", "Z")
    assert NOTE not in found.content.decode()
    assert "violence" not in found.content.decode()
    assert elsewhere.json()["restriction"] is None  # restrictions are per site
    assert lookup(alice, "NEVER000").json()["restriction"] is None
    assert_documented(alice, "POST", "/api/v1/participants/lookup", found)


def test_a_restricted_check_in_is_refused_unless_overridden_and_the_override_is_audited(
    world: World, client_for: Clients
) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    restriction = _restrict(bob).json()
    booth = booth_of(world.site_a, "2")

    refused = check_in(alice, booth=booth, code="MAKO1993")
    overridden = check_in(
        alice, booth=booth, code="MAKO1993", override_reason="Calm now; manager agreed"
    )

    assert refused.status_code == 409
    assert "restricted" in refused.json()["detail"]
    assert "override_reason" in refused.json()["fields"]
    assert overridden.status_code == 201, overridden.content
    override = RestrictionOverride.objects.get()
    assert (str(override.visit_id), override.reason) == (
        overridden.json()["id"],
        "Calm now; manager agreed",
    )
    event = AuditEvent.objects.get(object_type="safety.restrictionoverride")
    assert (event.actor.username, event.reason) == ("alice", "Calm now; manager agreed")
    seen = bob.get("/api/v1/restrictions/?site=harbour&active=true").json()["results"]
    assert [o["reason"] for o in seen[0]["overrides"]] == ["Calm now; manager agreed"]
    assert seen[0]["id"] == restriction["id"]


def test_scope_and_ending_decide_who_is_refused(world: World, client_for: Clients) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    restriction = _restrict(bob, scope="consumption_only").json()

    service = check_in(alice, kind="service_only", code="MAKO1993")
    alice.post(f"/api/v1/visits/{service.json()['id']}/check-out", {})
    booth = booth_of(world.site_a, "3")
    refused = check_in(alice, booth=booth, code="MAKO1993")
    no_reason = bob.post(f"/api/v1/restrictions/{restriction['id']}/end", {"reason": " "})
    by_staff = alice.post(f"/api/v1/restrictions/{restriction['id']}/end", {"reason": "x"})
    ended = bob.post(f"/api/v1/restrictions/{restriction['id']}/end", {"reason": "Apologised"})
    allowed = check_in(alice, booth=booth, code="MAKO1993")

    assert service.status_code == 201
    assert refused.status_code == 409
    assert no_reason.status_code == 400
    assert by_staff.status_code == 403
    assert ended.status_code == 200
    assert (ended.json()["active"], ended.json()["end_reason"]) == (False, "Apologised")
    assert allowed.status_code == 201
    assert lookup(alice, "MAKO1993").json()["restriction"] is None


def test_a_restriction_comes_due_for_review(world: World, client_for: Clients) -> None:
    bob = client_for("bob")
    due = _restrict(bob, ends_at=None, review_at=iso(timezone.now() + timedelta(days=1))).json()
    _restrict(bob, code="OTTER77", ends_at=None, review_at=iso(timezone.now() + timedelta(days=5)))
    Restriction.objects.filter(pk=due["id"]).update(review_at=ago(minutes=1))

    listed = bob.get("/api/v1/restrictions/?site=harbour&review_due=true").json()

    assert [r["id"] for r in listed["results"]] == [due["id"]]
    assert listed["results"][0]["review_due"] is True


def _due_restriction(client: TabletClient, **fields: Any) -> dict[str, Any]:
    """A restriction of MAKO1993 whose review date came yesterday."""
    body = {"ends_at": None, "review_at": iso(timezone.now() + timedelta(days=1)), **fields}
    created = _restrict(client, **body).json()
    Restriction.objects.filter(pk=created["id"]).update(review_at=ago(days=1))
    listed = client.get("/api/v1/restrictions/?site=harbour&review_due=true").json()
    [due] = [r for r in listed["results"] if r["id"] == created["id"]]
    return dict(due)


def _review(client: TabletClient, restriction: dict[str, Any], **body: Any) -> Any:
    return client.post(
        f"/api/v1/restrictions/{restriction['id']}/review",
        {"version": restriction["version"], **body},
    )


def _day(days: int) -> str:
    """A date of the harbour site's calendar, `days` from today."""
    return (timezone.localdate(timezone=HARBOUR_ZONE) + timedelta(days=days)).isoformat()


def _local_day(moment: str) -> str:
    return datetime.fromisoformat(moment).astimezone(HARBOUR_ZONE).date().isoformat()


def test_keeping_a_due_restriction_takes_it_off_the_queue_until_its_next_review(
    world: World, client_for: Clients
) -> None:
    bob = client_for("bob")
    due = _due_restriction(bob)

    no_date = _review(bob, due, outcome="keep")
    kept = _review(bob, due, outcome="keep", review_on=_day(30), note="Still making threats")
    stale = _review(bob, due, outcome="keep", review_on=_day(30))
    queue = bob.get("/api/v1/restrictions/?site=harbour&review_due=true").json()

    assert no_date.status_code == 400
    assert "review_on" in no_date.json()["fields"]  # no end date: it must come back
    assert kept.status_code == 200, kept.content
    assert (kept.json()["review_due"], kept.json()["active"]) == (False, True)
    assert _local_day(kept.json()["review_at"]) == _day(30)
    assert stale.status_code == 412
    assert queue["count"] == 0
    event = AuditEvent.objects.filter(object_type="safety.restriction", action="update").get()
    assert (event.actor.username, event.reason) == ("bob", "Still making threats")
    assert NOTE not in str(event.changes)
    assert_documented(bob, "POST", "/api/v1/restrictions/{restriction_id}/review", kept)


def test_extending_or_ending_a_due_restriction(world: World, client_for: Clients) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    due = _due_restriction(bob)
    other = _due_restriction(bob, code="OTTER77")

    nothing = _review(bob, due, outcome="extend")
    past = _review(bob, due, outcome="extend", ends_on=_day(-1))
    extended = _review(bob, due, outcome="extend", ends_on=_day(14))
    no_reason = _review(bob, other, outcome="end")
    ended = _review(bob, other, outcome="end", note="Reviewed with the person")

    assert (nothing.status_code, past.status_code) == (400, 400)
    assert "ends_on" in nothing.json()["fields"]
    assert "ends_on" in past.json()["fields"]
    assert extended.status_code == 200, extended.content
    assert _local_day(extended.json()["until"]) == _day(14)
    assert extended.json()["review_due"] is False
    assert "note" in no_reason.json()["fields"]
    assert (ended.json()["active"], ended.json()["end_reason"]) == (
        False,
        "Reviewed with the person",
    )
    assert _review(bob, ended.json(), outcome="keep").status_code == 409
    assert check_in(alice, kind="service_only", code="OTTER77").status_code == 201


def test_only_a_supervisor_of_the_site_reviews_a_restriction(client_for: Clients) -> None:
    due = _due_restriction(client_for("bob"))
    body = {"outcome": "end", "note": "x"}

    assert _review(client_for("alice"), due, **body).status_code == 403
    not_yours = _review(client_for("charlie"), due, **body)
    unknown = _review(client_for("charlie"), {"id": uuid.uuid4(), "version": 1}, **body)
    assert not_yours.status_code == 404
    assert not_yours.json() == unknown.json()
    assert (
        client_for("alice").get("/api/v1/restrictions/?site=harbour&review_due=true").status_code
        == 403
    )


def test_the_waiting_list_takes_a_freed_booth_and_leaving_is_a_turn_away(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    waiting = alice.post(
        "/api/v1/waitlist/", {"id": str(uuid.uuid4()), "site": "harbour", "code": "MAKO1993"}
    )
    anonymous = alice.post("/api/v1/waitlist/", {"site": "harbour"})
    twice = alice.post("/api/v1/waitlist/", {"site": "harbour", "code": "mako-1993"})

    floor = alice.get(FLOOR).json()
    taken = check_in(alice, booth=booth_of(world.site_a, "4"), waitlist=waiting.json()["id"])
    left = alice.post(f"/api/v1/waitlist/{anonymous.json()['id']}/leave", {})
    left_again = alice.post(f"/api/v1/waitlist/{anonymous.json()['id']}/leave", {})
    after = alice.get(FLOOR).json()

    assert (waiting.status_code, anonymous.status_code, twice.status_code) == (201, 201, 409)
    assert [(e["id"], e["known"]) for e in floor["waitlist"]] == [
        (waiting.json()["id"], True),
        (anonymous.json()["id"], False),
    ]
    assert "MAKO" not in str(floor["waitlist"])
    assert taken.status_code == 201, taken.content
    visit = Visit.objects.get(pk=taken.json()["id"])
    assert visit.participant_id == WaitlistEntry.objects.get(pk=waiting.json()["id"]).participant_id
    assert (left.status_code, left.json()["status"], left_again.status_code) == (200, "left", 200)
    assert list(TurnAway.objects.values_list("reason", flat=True)) == ["capacity"]
    assert after["waitlist"] == []
    again = check_in(alice, kind="service_only", waitlist=waiting.json()["id"])
    assert again.status_code == 409  # no longer waiting
    assert (
        client_for("charlie").post(f"/api/v1/waitlist/{waiting.json()['id']}/leave", {}).status_code
        == 404
    )
    assert_documented(alice, "GET", "/api/v1/sites/{slug}/floor", alice.get(FLOOR))


def test_a_turn_away_is_recorded_with_its_reason(client_for: Clients) -> None:
    alice = client_for("alice")
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "reason": "intoxication",
        "code": "MAKO1993",
    }

    first = alice.post("/api/v1/turnaways/", body)
    resent = alice.post("/api/v1/turnaways/", body)
    bad = alice.post("/api/v1/turnaways/", {"site": "harbour", "reason": "weather"})

    assert (first.status_code, resent.status_code, bad.status_code) == (201, 200, 400)
    assert "reason" in bad.json()["fields"]
    assert client_for("charlie").post("/api/v1/turnaways/", body).status_code == 404
    assert TurnAway.objects.count() == 1


def test_visit_flags_are_set_at_check_in_and_shown(world: World, client_for: Clients) -> None:
    alice = client_for("alice")

    visit = check_in(alice, booth=booth_of(world.site_a, "1"), assisted="peer", shared_supply=True)
    plain = check_in(alice, booth=booth_of(world.site_a, "2"))
    bad = check_in(alice, booth=booth_of(world.site_a, "3"), assisted="nurse")

    assert visit.status_code == 201
    assert (visit.json()["assisted"], visit.json()["shared_supply"]) == ("peer", True)
    assert (plain.json()["assisted"], plain.json()["shared_supply"]) == ("none", False)
    assert bad.status_code == 400
    assert "assisted" in bad.json()["fields"]


def test_complaints_are_for_supervisors_with_a_response_due_date(
    world: World, client_for: Clients
) -> None:
    bob = client_for("bob")
    body = {"site": "harbour", "category": "staff_conduct", "summary": "Felt rushed at check-in"}

    created = bob.post("/api/v1/complaints/", body)
    complaint = created.json()
    responded = bob.post(
        f"/api/v1/complaints/{complaint['id']}/respond",
        {"response": "Apologised; talked with the team", "close": True},
    )

    assert created.status_code == 201, created.content
    received = timezone.localtime(timezone.now(), world.site_a.zone).date()
    assert complaint["response_due_on"] == (received + timedelta(days=30)).isoformat()
    assert (responded.json()["status"], responded.json()["closed_at"] is not None) == (
        "closed",
        True,
    )
    assert client_for("alice").post("/api/v1/complaints/", body).status_code == 403
    assert client_for("dana").get("/api/v1/complaints/?site=harbour").status_code == 403
    assert (
        client_for("charlie")
        .post(f"/api/v1/complaints/{complaint['id']}/respond", {"response": "x"})
        .status_code
        == 404
    )
    assert bob.get("/api/v1/complaints/?site=harbour&open=true").json()["count"] == 0


def test_voiding_a_turn_away_or_a_complaint_takes_it_out_of_the_day_counts(
    world: World,
    client_for: Clients,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    day = timezone.localdate(timezone=HARBOUR_ZONE) - timedelta(days=1)  # a past day: stored
    noon = iso(datetime.combine(day, time(12), tzinfo=HARBOUR_ZONE))
    with django_capture_on_commit_callbacks(execute=True):
        turnaway = bob.post(
            "/api/v1/turnaways/", {"site": "harbour", "reason": "closed", "at": noon}
        ).json()
        complaint = bob.post(
            "/api/v1/complaints/",
            {
                "site": "harbour",
                "category": "privacy",
                "summary": "Name heard at the desk",
                "received_at": noon,
            },
        ).json()
    run_recomputes(celery_messages)
    before = _daily(bob, day)

    no_reason = bob.post(f"/api/v1/turnaways/{turnaway['id']}/void", {"reason": " "})
    staff_on_complaint = alice.post(f"/api/v1/complaints/{complaint['id']}/void", {"reason": "x"})
    with django_capture_on_commit_callbacks(execute=True):
        voided = bob.post(f"/api/v1/turnaways/{turnaway['id']}/void", {"reason": "Twice"})
        closed = bob.post(f"/api/v1/complaints/{complaint['id']}/void", {"reason": "Duplicate"})
    recomputed = run_recomputes(celery_messages)
    after = _daily(bob, day)

    assert (
        before["turnaways_by_reason"]["closed"],
        before["complaints_by_category"]["privacy"],
    ) == (
        1,
        1,
    )
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()["fields"]
    assert staff_on_complaint.status_code == 403
    assert (voided.status_code, voided.json()["voided"]) == (200, True)
    assert (closed.status_code, closed.json()["voided"]) == (200, True)
    assert recomputed == {day}
    assert (after["turnaways_by_reason"]["closed"], after["complaints_by_category"]["privacy"]) == (
        0,
        0,
    )
    assert TurnAway.objects.filter(pk=turnaway["id"], voided=True).exists()  # never deleted
    events = AuditEvent.objects.filter(action="void").values_list("object_type", "reason")
    assert sorted(events) == [("safety.complaint", "Duplicate"), ("safety.turnaway", "Twice")]
    assert bob.get("/api/v1/complaints/?site=harbour").json()["count"] == 0
    not_yours = client_for("charlie").post(
        f"/api/v1/turnaways/{turnaway['id']}/void", {"reason": "x"}
    )
    assert not_yours.status_code == 404


def test_voiding_a_waiting_list_entry_voids_the_turn_away_of_its_leaving(
    client_for: Clients,
) -> None:
    alice = client_for("alice")
    entry = alice.post("/api/v1/waitlist/", {"site": "harbour"}).json()
    alice.post(f"/api/v1/waitlist/{entry['id']}/leave", {})

    voided = alice.post(f"/api/v1/waitlist/{entry['id']}/void", {"reason": "Added by mistake"})

    assert (voided.status_code, voided.json()["voided"]) == (200, True)
    left = TurnAway.objects.get(waitlist_entry_id=entry["id"])
    assert (left.voided, left.void_reason) == (True, "Added by mistake")
    assert (
        client_for("charlie")
        .post(f"/api/v1/waitlist/{entry['id']}/void", {"reason": "x"})
        .status_code
        == 404
    )


def _daily(client: TabletClient, day: Any) -> dict[str, Any]:
    response = client.get(f"/api/v1/reports/daily/?site=harbour&from={day}&to={day}")
    assert response.status_code == 200, response.content
    metrics: dict[str, Any] = response.json()[0]["metrics"]
    return metrics


def test_the_floor_lists_todays_turn_aways_newest_first(client_for: Clients) -> None:
    alice = client_for("alice")
    alice.post(
        "/api/v1/turnaways/", {"site": "harbour", "reason": "closed", "at": iso(ago(days=2))}
    )
    first = alice.post(
        "/api/v1/turnaways/", {"site": "harbour", "reason": "capacity", "at": iso(ago(minutes=9))}
    ).json()
    last = alice.post("/api/v1/turnaways/", {"site": "harbour", "reason": "intoxication"}).json()
    voided = alice.post("/api/v1/turnaways/", {"site": "harbour", "reason": "other"}).json()
    alice.post(f"/api/v1/turnaways/{voided['id']}/void", {"reason": "Wrong button"})

    listed = alice.get("/api/v1/turnaways/?site=harbour")

    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()["results"]] == [last["id"], first["id"]]
    assert client_for("charlie").get("/api/v1/turnaways/?site=harbour").status_code == 404
    assert client_for("dana").get("/api/v1/turnaways/?site=harbour").status_code == 403
