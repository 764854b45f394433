"""Referrals through the HTTP API: creation and validation, the whole status machine (every
allowed and every refused move), follow-ups and their times, replays, edits, voids, lists, the
participant lookup's open referrals, and isolation by site and role. Personas: alice staff A,
bob supervisor A, dana analyst A, charlie staff B (see tests/conftest.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import TabletClient, World
from vigil.accounts.models import Role
from vigil.audit.models import AuditEvent
from vigil.care.models import (
    REFERRAL_TRANSITIONS,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from vigil.care.services import referral_status_change
from vigil.visits.services import CheckIn, visit_check_in

Clients = Callable[[str], TabletClient]
URL = "/api/v1/referrals/"
STATUSES = ReferralStatus.values
# How to bring a new (offered) referral to each status.
PATH_TO = {
    "offered": [],
    "accepted": ["accepted"],
    "declined": ["declined"],
    "attended": ["accepted", "attended"],
    "not_attended": ["accepted", "not_attended"],
    "unknown": ["accepted", "unknown"],
}


def ago(**delta: float) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "site": "harbour",
        "category": "housing",
        "destination": "offsite",
        "agency": "Coordinated access",
        "accompanied": False,
        "status": "offered",
        **overrides,
    }


def create(client: TabletClient, **overrides: Any) -> dict[str, Any]:
    response = client.post(URL, body(**overrides))
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


def move(client: TabletClient, referral_id: str, status: str, **extra: Any) -> Any:
    return client.post(f"{URL}{referral_id}/status", {"status": status, **extra})


def referral_at(client: TabletClient, status: str, **overrides: Any) -> dict[str, Any]:
    referral = create(client, **overrides)
    for step in PATH_TO[status]:
        response = move(client, referral["id"], step)
        assert response.status_code == 200, response.content
        referral = response.json()
    assert referral["status"] == status
    return referral


def assert_bad(response: Any, field: str) -> list[str]:
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    return list(response.json()["fields"][field])


# --- Creation --------------------------------------------------------------------------------


def test_a_referral_starts_offered_with_its_history(client_for: Clients) -> None:
    response = client_for("alice").post(URL, body(accompanied=True))

    assert response.status_code == 201, response.content
    referral = response.json()
    assert referral["status"] == "offered"
    assert referral["open"] is True
    assert referral["next_statuses"] == ["accepted", "declined"]
    assert referral["accompanied"] is True
    assert referral["agency"] == "Coordinated access"
    assert [step["status"] for step in referral["history"]] == ["offered"]
    assert referral["history"][0]["at"] == referral["at"] == referral["status_at"]
    assert referral["history"][0]["created_by"] == "alice"


@pytest.mark.parametrize("answer", ["accepted", "declined"])
def test_an_offer_answered_at_once_records_the_implied_history(
    client_for: Clients, answer: str
) -> None:
    referral = create(client_for("alice"), status=answer, destination="onsite_connected")

    assert referral["status"] == answer
    assert [step["status"] for step in referral["history"]] == ["offered", answer]
    assert {step["at"] for step in referral["history"]} == {referral["at"]}
    assert referral["open"] is (answer == "accepted")


@pytest.mark.parametrize("status", ["attended", "not_attended", "unknown"])
def test_an_outcome_cannot_be_the_first_status(client_for: Clients, status: str) -> None:
    response = client_for("alice").post(URL, body(status=status))

    assert "later, as a follow-up" in assert_bad(response, "status")[0]
    assert not Referral.objects.exists()


@pytest.mark.parametrize("category", ["oat", "hiv_hcv_care", "identification", "other"])
def test_categories_are_recorded(client_for: Clients, category: str) -> None:
    assert create(client_for("alice"), category=category)["category"] == category


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("category", "astrology"),
        ("destination", "elsewhere"),
        ("accompanied", "perhaps"),
        ("status", "maybe"),
        ("agency", "x" * 121),
        ("at", "2026-03-08T10:00:00"),
        ("visit", "not-a-visit"),
    ],
)
def test_a_bad_value_is_named(client_for: Clients, field: str, value: Any) -> None:
    assert_bad(client_for("alice").post(URL, body(**{field: value})), field)


@pytest.mark.parametrize("field", ["category", "destination", "accompanied", "status", "site"])
def test_a_missing_field_is_named(client_for: Clients, field: str) -> None:
    incomplete = body()
    del incomplete[field]

    assert_bad(client_for("alice").post(URL, incomplete), field)


def test_a_referral_on_a_visit_is_about_the_visits_person(
    world: World, client_for: Clients
) -> None:
    visit, _ = visit_check_in(
        request=CheckIn(site=world.site_a, kind="service_only", code="KIWI77"),
        by=world.users["alice"],
        role=Role.STAFF,
    )

    referral = create(client_for("alice"), visit=str(visit.pk))

    assert referral["visit"] == str(visit.pk)
    assert referral["participant"] == str(visit.participant_id)


def test_a_code_is_resolved_and_never_kept_or_shown(client_for: Clients) -> None:
    referral = create(client_for("alice"), code="kiwi-77", category="oat")

    assert referral["participant"]
    stored = json.dumps(list(AuditEvent.objects.values("changes", "reason")))
    assert "KIWI77" not in (stored + json.dumps(referral)).upper()


def test_another_sites_visit_is_refused(world: World, client_for: Clients) -> None:
    theirs, _ = visit_check_in(
        request=CheckIn(site=world.site_b, kind="service_only"),
        by=world.users["charlie"],
        role=Role.STAFF,
    )

    response = client_for("alice").post(URL, body(visit=str(theirs.pk)))

    assert "not at this site" in assert_bad(response, "visit")[0]


def test_time_rules_apply_to_the_offer(client_for: Clients) -> None:
    future = (timezone.now() + timedelta(hours=1)).isoformat()

    assert "future" in assert_bad(client_for("alice").post(URL, body(at=future)), "at")[0]
    assert client_for("alice").post(URL, body(at=ago(hours=13))).status_code == 403
    assert create(client_for("bob"), at=ago(days=2))["backdated"] is True


# --- The status machine ----------------------------------------------------------------------

TABLE = [(current, wanted) for current in STATUSES for wanted in STATUSES]


def expected(current: str, wanted: str) -> str:
    if wanted in REFERRAL_TRANSITIONS[current]:
        return "moved"
    if wanted == current and current != "offered":
        return "resent"
    return "refused"


def test_the_table_has_5_moves_5_resends_and_26_refusals() -> None:
    outcomes = [expected(current, wanted) for current, wanted in TABLE]

    assert (outcomes.count("moved"), outcomes.count("resent"), outcomes.count("refused")) == (
        5,
        5,
        26,
    )


@pytest.mark.parametrize(
    ("current", "wanted"), TABLE, ids=[f"{current}->{wanted}" for current, wanted in TABLE]
)
def test_every_status_move(client_for: Clients, current: str, wanted: str) -> None:
    client = client_for("alice")
    referral = referral_at(client, current)
    steps_before = ReferralStatusChange.objects.count()

    response = move(client, referral["id"], wanted)

    outcome = expected(current, wanted)
    stored = Referral.objects.get(pk=referral["id"])
    if outcome == "moved":
        assert response.status_code == 200, response.content
        assert response.json()["status"] == wanted == stored.status
        assert response.json()["history"][-1]["status"] == wanted
        assert response.json()["version"] == referral["version"] + 1
        assert ReferralStatusChange.objects.count() == steps_before + 1
    elif outcome == "resent":
        assert response.status_code == 200, response.content
        assert response.json() == referral
        assert ReferralStatusChange.objects.count() == steps_before
    else:
        assert response.status_code == 409, response.content
        answer = response.json()
        allowed = list(REFERRAL_TRANSITIONS[current])
        assert answer["status"] == current
        assert answer["allowed"] == allowed
        assert answer["current"]["status"] == current
        assert answer["fields"]["status"] == [answer["detail"]]
        label = ReferralStatus(current).label
        assert f"status is {label}" in answer["detail"]
        assert ReferralStatus(wanted).label in answer["detail"]
        for option in allowed:
            assert ReferralStatus(option).label in answer["detail"]
        if not allowed:
            assert "final" in answer["detail"]
        assert stored.status == current
        assert ReferralStatusChange.objects.count() == steps_before


def test_a_refusal_reads_as_plain_words(client_for: Clients) -> None:
    client = client_for("alice")
    accepted = referral_at(client, "accepted")
    declined = referral_at(client, "declined")

    assert move(client, accepted["id"], "declined").json()["detail"] == (
        "This referral's status is accepted, so it cannot be marked declined. "
        "Next it can be marked attended or not attended or unknown."
    )
    assert move(client, declined["id"], "attended").json()["detail"] == (
        "This referral's status is declined, which is final: it cannot be marked attended."
    )


def test_a_move_records_who_and_when_and_is_audited(client_for: Clients) -> None:
    referral = create(client_for("alice"))

    response = move(client_for("bob"), referral["id"], "accepted")

    step = response.json()["history"][-1]
    assert step["created_by"] == "bob"
    assert step["backdated"] is False
    assert response.json()["status_at"] == step["at"]
    audit = AuditEvent.objects.get(action="update", object_id=referral["id"])
    assert audit.actor.username == "bob"
    assert audit.changes["status"] == ["offered", "accepted"]


# --- Follow-ups and their times --------------------------------------------------------------


def test_a_follow_up_recorded_now_about_an_old_referral_is_not_backdated(
    client_for: Clients,
) -> None:
    old = create(client_for("bob"), at=ago(days=5), status="accepted")

    response = move(client_for("alice"), old["id"], "attended")

    assert response.status_code == 200, response.content
    assert response.json()["history"][-1]["backdated"] is False


def test_a_supervisor_dates_a_follow_up_days_back_and_it_is_flagged(
    client_for: Clients,
) -> None:
    old = create(client_for("bob"), at=ago(days=5), status="accepted")
    when = ago(days=3)

    response = move(client_for("bob"), old["id"], "attended", at=when)

    assert response.status_code == 200, response.content
    step = response.json()["history"][-1]
    assert step["backdated"] is True
    assert step["status"] == "attended"


def test_staff_cannot_date_a_follow_up_more_than_12_hours_back(client_for: Clients) -> None:
    old = create(client_for("bob"), at=ago(days=5), status="accepted")

    response = move(client_for("alice"), old["id"], "attended", at=ago(days=3))

    assert response.status_code == 403, response.content
    assert "supervisor" in response.json()["fields"]["at"][0]
    assert Referral.objects.get(pk=old["id"]).status == "accepted"


def test_a_follow_up_cannot_be_in_the_future_or_before_the_last_status(
    client_for: Clients,
) -> None:
    client = client_for("alice")
    referral = create(client, at=ago(hours=2))

    future = move(client, referral["id"], "accepted", at=ago(minutes=-30))
    before = move(client, referral["id"], "accepted", at=ago(hours=3))
    naive = move(client, referral["id"], "accepted", at="2026-03-08T10:00:00")

    assert "future" in assert_bad(future, "at")[0]
    assert "before the referral was offered" in assert_bad(before, "at")[0]
    assert "UTC offset" in assert_bad(naive, "at")[0]


def test_a_voided_referral_takes_no_follow_up(client_for: Clients) -> None:
    client = client_for("alice")
    referral = create(client)
    client.post(f"{URL}{referral['id']}/void", {"reason": "wrong person"})

    response = move(client, referral["id"], "accepted")

    assert response.status_code == 409
    assert "voided" in response.json()["detail"]


# --- Replays ---------------------------------------------------------------------------------


def test_a_resent_referral_answers_the_stored_one(client_for: Clients) -> None:
    client = client_for("alice")
    referral_id = str(uuid.uuid4())

    first = client.post(URL, body(id=referral_id, status="accepted"))
    again = client.post(URL, body(id=referral_id, status="accepted"))
    other = client.post(URL, body(id=referral_id, status="declined"))

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert other.status_code == 409
    assert other.json()["current"]["status"] == "accepted"
    assert Referral.objects.count() == 1
    assert ReferralStatusChange.objects.count() == 2


def test_a_resent_status_change_is_applied_once(client_for: Clients) -> None:
    client = client_for("alice")
    referral = create(client, at=ago(hours=1))
    change = {"id": str(uuid.uuid4()), "at": ago(minutes=5)}

    first = move(client, referral["id"], "accepted", **change)
    again = move(client, referral["id"], "accepted", **change)
    moved_on = move(client, referral["id"], "attended")
    late_resend = move(client, referral["id"], "accepted", **change)

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert moved_on.status_code == 200
    assert late_resend.status_code == 200, late_resend.content
    assert late_resend.json()["status"] == "attended"
    assert ReferralStatusChange.objects.filter(referral_id=referral["id"]).count() == 3
    assert AuditEvent.objects.filter(action="update", object_id=referral["id"]).count() == 2


def test_a_status_change_id_reused_for_another_status_is_a_conflict(client_for: Clients) -> None:
    client = client_for("alice")
    referral = create(client)
    change_id = str(uuid.uuid4())
    move(client, referral["id"], "accepted", id=change_id)

    response = move(client, referral["id"], "attended", id=change_id)

    assert response.status_code == 409
    assert response.json()["current"]["status"] == "accepted"


def test_the_same_status_at_another_time_is_a_conflict_saying_when(client_for: Clients) -> None:
    client = client_for("alice")
    referral = create(client, at=ago(hours=3))
    move(client, referral["id"], "accepted", at=ago(hours=2))

    response = move(client, referral["id"], "accepted", at=ago(hours=1))

    assert response.status_code == 409
    assert "already marked accepted at" in response.json()["detail"]


def test_two_workers_recording_the_same_answer_at_once_make_one_step(
    world: World, client_for: Clients
) -> None:
    referral = create(client_for("alice"))
    read_by_alice = Referral.objects.get(pk=referral["id"])
    read_by_bob = Referral.objects.get(pk=referral["id"])

    _, changed = referral_status_change(
        referral=read_by_alice, status="accepted", by=world.users["alice"], role=Role.STAFF
    )
    _, changed_again = referral_status_change(
        referral=read_by_bob, status="accepted", by=world.users["bob"], role=Role.SUPERVISOR
    )

    assert (changed, changed_again) == (True, False)
    assert ReferralStatusChange.objects.filter(referral_id=referral["id"]).count() == 2
    assert AuditEvent.objects.filter(action="update", object_id=referral["id"]).count() == 1


def test_a_move_read_before_another_workers_move_is_judged_against_the_stored_status(
    client_for: Clients, world: World
) -> None:
    referral = create(client_for("alice"))
    stale = Referral.objects.get(pk=referral["id"])
    move(client_for("alice"), referral["id"], "accepted")

    with pytest.raises(Exception, match="status is accepted") as refused:
        referral_status_change(
            referral=stale, status="declined", by=world.users["bob"], role=Role.SUPERVISOR
        )

    assert getattr(refused.value, "status_code", None) == 409
    assert ReferralStatusChange.objects.filter(referral_id=referral["id"]).count() == 2


# --- Edits and voids -------------------------------------------------------------------------


def test_details_are_corrected_at_the_version_read(client_for: Clients) -> None:
    client = client_for("alice")
    referral = create(client)
    url = f"{URL}{referral['id']}"

    edited = client.patch(url, {"agency": "Shelter intake", "accompanied": True, "version": 1})
    stale = client.patch(url, {"agency": "Other", "version": 1})

    assert edited.status_code == 200, edited.content
    assert (edited.json()["agency"], edited.json()["accompanied"]) == ("Shelter intake", True)
    assert edited.json()["version"] == 2
    assert stale.status_code == 412


def test_the_status_is_not_edited_but_followed_up(client_for: Clients) -> None:
    client = client_for("alice")
    referral = create(client)

    response = client.patch(f"{URL}{referral['id']}", {"status": "attended", "version": 1})

    assert "follow-up" in assert_bad(response, "status")[0]


def test_moving_the_offer_time_moves_its_step_but_not_past_the_answer(
    client_for: Clients,
) -> None:
    client = client_for("alice")
    referral = create(client, at=ago(hours=3))
    url = f"{URL}{referral['id']}"
    move(client, referral["id"], "accepted", at=ago(hours=2))

    earlier = client.patch(url, {"at": ago(hours=4), "version": 2})
    too_late = client.patch(url, {"at": ago(hours=1), "version": 3})

    assert earlier.status_code == 200, earlier.content
    assert earlier.json()["history"][0]["at"] == earlier.json()["at"]
    assert "accepted at" in assert_bad(too_late, "at")[0]


def test_staff_cannot_edit_someone_elses_referral(client_for: Clients) -> None:
    referral = create(client_for("bob"))

    response = client_for("alice").patch(f"{URL}{referral['id']}", {"agency": "x", "version": 1})

    assert response.status_code == 403


def test_a_void_needs_a_reason_and_leaves_the_follow_up_list(client_for: Clients) -> None:
    client = client_for("alice")
    referral = create(client)
    url = f"{URL}{referral['id']}"

    no_reason = client.post(f"{url}/void", {})
    voided = client.post(f"{url}/void", {"reason": "entered twice"})
    open_list = client.get(f"{URL}?site=harbour&open=true").json()

    assert no_reason.status_code == 400
    assert voided.status_code == 200, voided.content
    assert voided.json()["voided"] is True
    assert voided.json()["open"] is False
    assert voided.json()["next_statuses"] == []
    assert open_list["count"] == 0


# --- Lists and the participant lookup ---------------------------------------------------------


def test_the_follow_up_list_holds_offered_and_accepted_referrals(client_for: Clients) -> None:
    client = client_for("alice")
    waiting = {referral_at(client, status)["id"] for status in ("offered", "accepted")}
    for status in ("declined", "attended", "not_attended", "unknown"):
        referral_at(client, status)

    open_list = client.get(f"{URL}?site=harbour&open=true").json()
    everything = client.get(f"{URL}?site=harbour").json()

    assert {r["id"] for r in open_list["results"]} == waiting
    assert everything["count"] == 6


def test_referrals_of_a_site_day_a_visit_and_a_person(world: World, client_for: Clients) -> None:
    client = client_for("bob")
    visit, _ = visit_check_in(
        request=CheckIn(site=world.site_a, kind="service_only", code="KIWI77"),
        by=world.users["alice"],
        role=Role.STAFF,
    )
    on_visit = create(client, visit=str(visit.pk))
    by_code = create(client, code="KIWI77", at=ago(days=3))
    create(client)
    day = timezone.localtime(timezone.now() - timedelta(days=3), world.site_a.zone).date()

    of_visit = client.get(f"{URL}?visit={visit.pk}").json()
    of_person = client.get(f"{URL}?participant={visit.participant_id}").json()
    of_day = client.get(f"{URL}?site=harbour&date={day}").json()

    assert [r["id"] for r in of_visit["results"]] == [on_visit["id"]]
    assert [r["id"] for r in of_person["results"]] == [on_visit["id"], by_code["id"]]
    assert [r["id"] for r in of_day["results"]] == [by_code["id"]]


def test_the_lookup_shows_a_persons_open_referrals_at_this_site(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    offered = create(alice, code="KIWI77", category="housing")
    accepted = create(alice, code="KIWI77", category="oat", status="accepted")
    create(alice, code="KIWI77", status="declined")
    voided = create(alice, code="KIWI77")
    alice.post(f"{URL}{voided['id']}/void", {"reason": "entered twice"})
    create(alice, code="OTHER1")
    charlie = client_for("charlie")
    charlie.post(URL, body(site="eastside", code="KIWI77"))

    here = alice.post("/api/v1/participants/lookup", {"site": "harbour", "code": "KIWI77"})
    there = charlie.post("/api/v1/participants/lookup", {"site": "eastside", "code": "KIWI77"})
    unknown = alice.post("/api/v1/participants/lookup", {"site": "harbour", "code": "NEVER1"})

    assert here.status_code == 200, here.content
    listed = here.json()["open_referrals"]
    assert [r["id"] for r in listed] == [accepted["id"], offered["id"]]
    assert listed[0] == {
        "id": accepted["id"],
        "category": "oat",
        "destination": "offsite",
        "status": "accepted",
        "at": accepted["at"],
    }
    assert len(there.json()["open_referrals"]) == 1
    assert unknown.json()["open_referrals"] == []


def test_a_list_costs_the_same_queries_for_1_or_many_referrals(client_for: Clients) -> None:
    client = client_for("alice")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{URL}?site=harbour").status_code == 200
        return len(captured)

    referral_at(client, "attended")
    one = queries()
    for status in ("offered", "accepted", "declined", "unknown"):
        referral_at(client, status, code="KIWI77")

    assert queries() == one


# --- Isolation by site and role --------------------------------------------------------------


def test_another_sites_staff_see_nothing_of_it(world: World, client_for: Clients) -> None:
    referral = create(client_for("alice"), code="KIWI77")
    charlie = client_for("charlie")
    url = f"{URL}{referral['id']}"

    answers = [
        charlie.get(url),
        charlie.patch(url, {"agency": "x", "version": 1}),
        move(charlie, referral["id"], "accepted"),
        charlie.post(f"{url}/void", {"reason": "mine now"}),
        charlie.get(f"{URL}?site=harbour&open=true"),
        charlie.get(f"{URL}?participant={referral['participant']}"),
        charlie.post(URL, body()),
        charlie.get(f"{URL}{uuid.uuid4()}"),
        charlie.get(f"{URL}not-a-uuid"),
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert all(a.json() == {"detail": "Not found.", "fields": {}} for a in answers)
    assert Referral.objects.get().status == "offered"


def test_analysts_never_see_or_write_referrals(client_for: Clients) -> None:
    referral = create(client_for("alice"))
    dana = client_for("dana")

    answers = [
        dana.get(f"{URL}{referral['id']}"),
        dana.get(f"{URL}?site=harbour"),
        dana.post(URL, body()),
        move(dana, referral["id"], "accepted"),
    ]

    assert [a.status_code for a in answers] == [403] * len(answers)


def test_any_worker_of_the_site_records_a_follow_up(client_for: Clients) -> None:
    referral = create(client_for("bob"))

    response = move(client_for("alice"), referral["id"], "accepted")

    assert response.status_code == 200, response.content
