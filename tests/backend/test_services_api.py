"""Services through the HTTP API: every kind, each validation, replays, edits, voids, lists, and
isolation by site and role. Personas: alice staff A, bob supervisor A, dana analyst A, charlie
staff B (see tests/conftest.py)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import TabletClient, World
from vigil.accounts.models import Role
from vigil.audit.models import AuditEvent
from vigil.care.models import DrugCheck, Service, ServiceKind, SupplyLine
from vigil.visits.models import Visit
from vigil.visits.services import CheckIn, visit_check_in

Clients = Callable[[str], TabletClient]
URL = "/api/v1/services/"
PLAIN_KINDS = [k for k in ServiceKind.values if k not in ("drug_checking", "supplies")]


def ago(**delta: float) -> str:
    return (timezone.now() - timedelta(**delta)).isoformat()


def a_visit(world: World, *, code: str | None = "KIWI77", site: str = "a") -> Visit:
    where = world.site_a if site == "a" else world.site_b
    user = world.users["alice" if site == "a" else "charlie"]
    visit, _ = visit_check_in(
        request=CheckIn(site=where, kind="service_only", code=code), by=user, role=Role.STAFF
    )
    return visit


def drug_check(**overrides: Any) -> dict[str, Any]:
    return {
        "expected_substance": "fentanyl",
        "method": "ftir",
        "fentanyl": "positive",
        "benzodiazepine": "positive",
        "xylazine": "negative",
        "nitazene": "not_tested",
        "client_action": "reduced_dose",
        **overrides,
    }


def post(client: TabletClient, **body: Any) -> Any:
    return client.post(URL, {"site": "harbour", **body})


# --- Each kind -------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PLAIN_KINDS)
def test_each_kind_without_details_is_recorded(client_for: Clients, kind: str) -> None:
    response = post(client_for("alice"), kind=kind)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == kind
    assert body["site"] == "harbour"
    assert body["drug_check"] is None
    assert body["supplies"] == []
    assert body["participant"] is None
    assert body["version"] == 1
    assert body["backdated"] is False
    assert body["created_by"] == "alice"


def test_a_naloxone_kit_is_a_service_by_itself(client_for: Clients) -> None:
    response = post(client_for("alice"), kind="naloxone_kit", code="kiwi-77")

    assert response.status_code == 201, response.content
    assert response.json()["supplies"] == []


def test_a_drug_check_records_what_was_expected_found_and_chosen(client_for: Clients) -> None:
    response = post(client_for("alice"), kind="drug_checking", drug_check=drug_check())

    assert response.status_code == 201, response.content
    assert response.json()["drug_check"] == drug_check()
    stored = DrugCheck.objects.get(service_id=response.json()["id"])
    assert (stored.fentanyl, stored.benzodiazepine, stored.xylazine) == (
        "positive",
        "positive",
        "negative",
    )


def test_drug_check_targets_default_to_not_tested(client_for: Clients) -> None:
    response = post(
        client_for("alice"),
        kind="drug_checking",
        drug_check={"expected_substance": "crack", "method": "fentanyl_strip"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["drug_check"] == {
        "expected_substance": "crack",
        "method": "fentanyl_strip",
        "fentanyl": "not_tested",
        "benzodiazepine": "not_tested",
        "xylazine": "not_tested",
        "nitazene": "not_tested",
        "client_action": "undecided",
    }


def test_supplies_record_each_item_with_its_quantity(client_for: Clients) -> None:
    lines = [
        {"item": "syringe", "quantity": 20},
        {"item": "cooker", "quantity": 5},
        {"item": "naloxone_kit", "quantity": 1},
        {"item": "sharps_container", "quantity": 1},
    ]
    response = post(client_for("alice"), kind="supplies", supplies=lines)

    assert response.status_code == 201, response.content
    assert response.json()["supplies"] == sorted(lines, key=lambda line: line["item"])
    assert SupplyLine.objects.filter(service_id=response.json()["id"]).count() == 4


@pytest.mark.parametrize("quantity", [1, 1000])
def test_a_quantity_from_1_to_1000_is_accepted(client_for: Clients, quantity: int) -> None:
    response = post(
        client_for("alice"), kind="supplies", supplies=[{"item": "pipe", "quantity": quantity}]
    )

    assert response.status_code == 201, response.content


# --- Validation ------------------------------------------------------------------------------


def assert_bad(response: Any, field: str) -> list[str]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["detail"]
    assert field in body["fields"], body
    return list(body["fields"][field])


@pytest.mark.parametrize(
    ("quantity", "words"),
    [(0, "at least 1"), (-3, "at least 1"), (1001, "At most 1000"), ("lots", "whole number")],
)
def test_a_quantity_out_of_bounds_is_refused_in_plain_words(
    client_for: Clients, quantity: Any, words: str
) -> None:
    response = post(
        client_for("alice"), kind="supplies", supplies=[{"item": "water", "quantity": quantity}]
    )

    messages = assert_bad(response, "supplies")
    assert messages[0].startswith("line 1: quantity: ")
    assert words in messages[0]
    assert not Service.objects.exists()


def test_supplies_need_at_least_one_line(client_for: Clients) -> None:
    client = client_for("alice")

    assert "List at least one item" in assert_bad(post(client, kind="supplies"), "supplies")[0]
    assert (
        "List at least one item"
        in assert_bad(post(client, kind="supplies", supplies=[]), "supplies")[0]
    )


def test_an_item_listed_twice_is_refused(client_for: Clients) -> None:
    lines = [{"item": "filter", "quantity": 2}, {"item": "filter", "quantity": 3}]

    messages = assert_bad(post(client_for("alice"), kind="supplies", supplies=lines), "supplies")

    assert "filter is listed twice" in messages[0]


def test_an_unknown_item_is_refused(client_for: Clients) -> None:
    response = post(
        client_for("alice"), kind="supplies", supplies=[{"item": "balloon", "quantity": 1}]
    )

    assert_bad(response, "supplies")


def test_item_lines_on_another_kind_are_refused(client_for: Clients) -> None:
    response = post(
        client_for("alice"), kind="wound_care", supplies=[{"item": "syringe", "quantity": 1}]
    )

    assert "Only a supplies service lists items" in assert_bad(response, "supplies")[0]


def test_drug_checking_needs_its_results(client_for: Clients) -> None:
    client = client_for("alice")

    assert_bad(post(client, kind="drug_checking"), "drug_check")
    assert_bad(post(client, kind="drug_checking", drug_check=None), "drug_check")


def test_results_on_another_kind_are_refused(client_for: Clients) -> None:
    response = post(client_for("alice"), kind="education", drug_check=drug_check())

    assert "Only a drug-checking service" in assert_bad(response, "drug_check")[0]


@pytest.mark.parametrize(
    "field", ["expected_substance", "method", "fentanyl", "nitazene", "client_action"]
)
def test_a_drug_check_value_outside_its_list_is_refused(client_for: Clients, field: str) -> None:
    response = post(
        client_for("alice"), kind="drug_checking", drug_check=drug_check(**{field: "maybe"})
    )

    assert field in assert_bad(response, "drug_check")[0]


def test_a_drug_check_needs_the_expected_substance_and_the_method(client_for: Clients) -> None:
    response = post(client_for("alice"), kind="drug_checking", drug_check={"fentanyl": "positive"})

    messages = assert_bad(response, "drug_check")
    assert any(m.startswith("expected_substance") for m in messages)
    assert any(m.startswith("method") for m in messages)


def test_a_test_strip_only_answers_for_its_own_target(client_for: Clients) -> None:
    check = drug_check(method="fentanyl_strip", fentanyl="positive", benzodiazepine="positive")

    messages = assert_bad(
        post(client_for("alice"), kind="drug_checking", drug_check=check), "drug_check"
    )

    assert "only tests for fentanyl" in messages[0]
    assert len(messages) == 2  # benzodiazepine and xylazine were both filled in


def test_an_unknown_kind_is_refused(client_for: Clients) -> None:
    assert_bad(post(client_for("alice"), kind="massage"), "kind")


def test_a_site_is_required(client_for: Clients) -> None:
    assert_bad(client_for("alice").post(URL, {"kind": "first_aid"}), "site")


def test_a_time_without_its_offset_is_refused(client_for: Clients) -> None:
    response = post(client_for("alice"), kind="first_aid", at="2026-03-08T01:30:00")

    assert "UTC offset" in assert_bad(response, "at")[0]


def test_a_time_in_the_future_is_refused(client_for: Clients) -> None:
    later = (timezone.now() + timedelta(minutes=30)).isoformat()

    assert "future" in assert_bad(post(client_for("alice"), kind="first_aid", at=later), "at")[0]


def test_staff_cannot_backdate_beyond_12_hours(client_for: Clients) -> None:
    response = post(client_for("alice"), kind="first_aid", at=ago(hours=13))

    assert response.status_code == 403, response.content
    assert "supervisor" in response.json()["fields"]["at"][0]
    assert not Service.objects.exists()


def test_a_supervisor_backdates_and_the_service_is_flagged(client_for: Clients) -> None:
    response = post(client_for("bob"), kind="first_aid", at=ago(days=3))

    assert response.status_code == 201, response.content
    assert response.json()["backdated"] is True


def test_a_bad_code_is_refused_without_being_echoed(client_for: Clients) -> None:
    response = post(client_for("alice"), kind="first_aid", code="NO!")

    assert "3 to 16 letters" in assert_bad(response, "code")[0]
    assert "NO!" not in response.content.decode()


# --- Who the service is about -----------------------------------------------------------------


def test_a_service_on_a_visit_is_about_the_visits_person(world: World, client_for: Clients) -> None:
    visit = a_visit(world)

    response = post(client_for("alice"), kind="wound_care", visit=str(visit.pk))

    assert response.status_code == 201, response.content
    assert response.json()["visit"] == str(visit.pk)
    assert response.json()["participant"] == str(visit.participant_id)


def test_a_code_resolves_to_its_participant_and_is_never_kept(
    world: World, client_for: Clients
) -> None:
    visit = a_visit(world, code="KIWI77")

    response = post(client_for("alice"), kind="hcv_test", code="kiwi 77")

    assert response.status_code == 201, response.content
    assert response.json()["participant"] == str(visit.participant_id)
    assert response.json()["visit"] is None
    assert "KIWI77" not in response.content.decode().upper()
    audit = json.dumps(list(AuditEvent.objects.values("changes", "reason", "object_id")))
    assert "KIWI77" not in audit.upper()


def test_a_visit_and_a_matching_code_are_accepted_together(
    world: World, client_for: Clients
) -> None:
    visit = a_visit(world, code="KIWI77")

    response = post(client_for("alice"), kind="wound_care", visit=str(visit.pk), code="KIWI77")

    assert response.status_code == 201, response.content


def test_a_code_that_is_not_the_visits_person_is_refused(world: World, client_for: Clients) -> None:
    visit = a_visit(world, code="KIWI77")

    response = post(client_for("alice"), kind="wound_care", visit=str(visit.pk), code="OTHER1")

    assert "not the code of the visit's person" in assert_bad(response, "code")[0]


def test_a_voided_visit_cannot_take_a_service(world: World, client_for: Clients) -> None:
    client = client_for("alice")
    visit = a_visit(world)
    client.post(f"/api/v1/visits/{visit.pk}/void", {"reason": "wrong person"})

    response = post(client, kind="wound_care", visit=str(visit.pk))

    assert "voided" in assert_bad(response, "visit")[0]


def test_another_sites_visit_is_refused_like_a_missing_one(
    world: World, client_for: Clients
) -> None:
    theirs = a_visit(world, site="b")
    client = client_for("alice")

    foreign = post(client, kind="wound_care", visit=str(theirs.pk))
    missing = post(client, kind="wound_care", visit=str(uuid.uuid4()))

    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()


# --- Replays ---------------------------------------------------------------------------------


def test_a_resend_with_the_same_content_answers_the_stored_service(client_for: Clients) -> None:
    client = client_for("alice")
    body = {
        "id": str(uuid.uuid4()),
        "kind": "supplies",
        "code": "KIWI77",
        "supplies": [{"item": "syringe", "quantity": 10}, {"item": "water", "quantity": 10}],
    }

    first = post(client, **body)
    again = post(client, **{**body, "supplies": list(reversed(body["supplies"]))})

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert again.json() == first.json()
    assert Service.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="care.service").count() == 1


def test_a_resend_with_other_content_is_a_conflict_showing_the_stored_one(
    client_for: Clients,
) -> None:
    client = client_for("alice")
    service_id = str(uuid.uuid4())
    post(client, id=service_id, kind="first_aid")

    response = post(client, id=service_id, kind="wound_care")

    assert response.status_code == 409, response.content
    assert response.json()["current"]["kind"] == "first_aid"
    assert Service.objects.get().kind == "first_aid"


def test_a_resend_after_an_edit_still_answers_the_stored_service(client_for: Clients) -> None:
    client = client_for("alice")
    service_id = str(uuid.uuid4())
    post(client, id=service_id, kind="first_aid")
    client.patch(f"{URL}{service_id}", {"kind": "wound_care", "version": 1})

    again = post(client, id=service_id, kind="first_aid")

    assert again.status_code == 200, again.content
    assert again.json()["kind"] == "wound_care"
    assert again.json()["version"] == 2


def test_a_resend_arriving_after_the_backdating_window_is_still_answered(
    client_for: Clients, settings: Any
) -> None:
    client = client_for("alice")
    body = {"id": str(uuid.uuid4()), "kind": "first_aid", "at": ago(hours=2)}
    assert post(client, **body).status_code == 201

    settings.VIGIL_BACKDATE_HOURS = 1  # as if the tablet resent it hours later
    again = post(client, **body)
    fresh = post(client, **{**body, "id": str(uuid.uuid4())})

    assert again.status_code == 200, again.content
    assert fresh.status_code == 403


def test_an_id_used_at_another_site_is_refused_without_showing_it(
    client_for: Clients,
) -> None:
    service_id = str(uuid.uuid4())
    post(client_for("alice"), id=service_id, kind="first_aid")

    response = client_for("charlie").post(
        URL, {"id": service_id, "site": "eastside", "kind": "first_aid"}
    )

    assert response.status_code == 409, response.content
    assert "current" not in response.json()


# --- Edits and voids -------------------------------------------------------------------------


def create(client: TabletClient, **body: Any) -> dict[str, Any]:
    response = post(client, **body)
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


def test_an_edit_names_the_version_it_read(client_for: Clients) -> None:
    client = client_for("alice")
    service = create(client, kind="first_aid")

    edited = client.patch(f"{URL}{service['id']}", {"kind": "wound_care", "version": 1})
    stale = client.patch(f"{URL}{service['id']}", {"kind": "vein_care", "version": 1})
    missing = client.patch(f"{URL}{service['id']}", {"kind": "vein_care"})

    assert edited.status_code == 200, edited.content
    assert edited.json()["version"] == 2
    assert stale.status_code == 412, stale.content
    assert missing.status_code == 400
    assert "version" in missing.json()["fields"]
    update = AuditEvent.objects.get(action="update", object_id=service["id"])
    assert update.changes == {"kind": ["first_aid", "wound_care"]}


def test_becoming_drug_checking_needs_results_and_leaving_it_drops_them(
    client_for: Clients,
) -> None:
    client = client_for("alice")
    service = create(client, kind="first_aid")
    url = f"{URL}{service['id']}"

    refused = client.patch(url, {"kind": "drug_checking", "version": 1})
    checked = client.patch(url, {"kind": "drug_checking", "drug_check": drug_check(), "version": 1})
    back = client.patch(url, {"kind": "first_aid", "version": 2})

    assert refused.status_code == 400
    assert checked.status_code == 200, checked.content
    assert checked.json()["drug_check"]["fentanyl"] == "positive"
    assert back.status_code == 200, back.content
    assert back.json()["drug_check"] is None
    assert not DrugCheck.objects.exists()


def test_an_edit_sends_the_whole_drug_check_or_item_line(client_for: Clients) -> None:
    client = client_for("alice")
    checked = create(client, kind="drug_checking", drug_check=drug_check())
    supplied = create(client, kind="supplies", supplies=[{"item": "pipe", "quantity": 2}])

    partial_check = client.patch(
        f"{URL}{checked['id']}", {"drug_check": {"fentanyl": "negative"}, "version": 1}
    )
    partial_line = client.patch(
        f"{URL}{supplied['id']}", {"supplies": [{"item": "pipe"}], "version": 1}
    )

    messages = assert_bad(partial_check, "drug_check")
    assert "expected_substance: This field is required." in messages
    assert "method: This field is required." in messages
    assert assert_bad(partial_line, "supplies") == ["line 1: quantity: This field is required."]
    assert DrugCheck.objects.get().fentanyl == "positive"


def test_supply_lines_can_be_corrected(client_for: Clients) -> None:
    client = client_for("alice")
    service = create(client, kind="supplies", supplies=[{"item": "syringe", "quantity": 100}])

    response = client.patch(
        f"{URL}{service['id']}",
        {"supplies": [{"item": "syringe", "quantity": 10}], "version": 1},
    )

    assert response.status_code == 200, response.content
    assert response.json()["supplies"] == [{"item": "syringe", "quantity": 10}]
    update = AuditEvent.objects.get(action="update", object_id=service["id"])
    assert update.changes == {"supplies": [{"syringe": 100}, {"syringe": 10}]}


def test_staff_cannot_edit_someone_elses_service(client_for: Clients) -> None:
    service = create(client_for("bob"), kind="first_aid")

    response = client_for("alice").patch(
        f"{URL}{service['id']}", {"kind": "wound_care", "version": 1}
    )

    assert response.status_code == 403, response.content


def test_a_supervisor_edits_staff_records_with_a_reason(client_for: Clients) -> None:
    service = create(client_for("alice"), kind="first_aid")
    bob = client_for("bob")
    url = f"{URL}{service['id']}"

    without = bob.patch(url, {"kind": "wound_care", "version": 1})
    with_reason = bob.patch(url, {"kind": "wound_care", "version": 1, "reason": "misclicked"})

    assert without.status_code == 400
    assert "reason" in without.json()["fields"]
    assert with_reason.status_code == 200, with_reason.content
    assert AuditEvent.objects.get(action="update", object_id=service["id"]).reason == ("misclicked")


def test_a_void_needs_a_reason_keeps_the_record_and_cannot_be_edited(
    client_for: Clients,
) -> None:
    client = client_for("alice")
    service = create(client, kind="first_aid")
    url = f"{URL}{service['id']}"

    no_reason = client.post(f"{url}/void", {"reason": ""})
    voided = client.post(f"{url}/void", {"reason": "entered twice"})
    again = client.post(f"{url}/void", {"reason": "entered twice"})
    edit = client.patch(url, {"kind": "wound_care", "version": 2})

    assert no_reason.status_code == 400
    assert voided.status_code == 200, voided.content
    assert voided.json()["voided"] is True
    assert voided.json()["void_reason"] == "entered twice"
    assert again.status_code == 200
    assert again.json()["version"] == voided.json()["version"]
    assert edit.status_code == 409
    assert AuditEvent.objects.filter(action="void", object_id=service["id"]).count() == 1


# --- Lists -----------------------------------------------------------------------------------


def test_a_site_day_is_the_sites_local_day(world: World, client_for: Clients) -> None:
    bob = client_for("bob")
    toronto = ZoneInfo("America/Toronto")
    day = (timezone.now().astimezone(toronto) - timedelta(days=10)).date()
    late = datetime.combine(day, time(23, 30), tzinfo=toronto)
    create(bob, kind="first_aid", at=late.isoformat())
    create(bob, kind="wound_care", at=(late + timedelta(hours=1)).isoformat())

    first = bob.get(f"{URL}?site=harbour&date={day}").json()
    second = bob.get(f"{URL}?site=harbour&date={day + timedelta(days=1)}").json()

    assert [s["kind"] for s in first["results"]] == ["first_aid"]
    assert [s["kind"] for s in second["results"]] == ["wound_care"]
    assert second["count"] == 1


def test_services_of_a_visit_and_of_a_person(world: World, client_for: Clients) -> None:
    client = client_for("alice")
    visit = a_visit(world, code="KIWI77")
    create(client, kind="wound_care", visit=str(visit.pk))
    create(client, kind="naloxone_kit", code="KIWI77")
    create(client, kind="first_aid")

    of_visit = client.get(f"{URL}?visit={visit.pk}").json()
    of_person = client.get(f"{URL}?participant={visit.participant_id}").json()

    assert [s["kind"] for s in of_visit["results"]] == ["wound_care"]
    assert sorted(s["kind"] for s in of_person["results"]) == ["naloxone_kit", "wound_care"]


def test_a_list_names_what_to_list(client_for: Clients) -> None:
    client = client_for("alice")

    assert_bad(client.get(URL), "site")
    assert_bad(client.get(f"{URL}?date=2026-03-08&visit={uuid.uuid4()}"), "date")


def test_a_voided_service_stays_listed_and_says_so(client_for: Clients) -> None:
    client = client_for("alice")
    service = create(client, kind="first_aid")
    client.post(f"{URL}{service['id']}/void", {"reason": "wrong kind"})

    listed = client.get(f"{URL}?site=harbour").json()["results"]

    assert [(s["id"], s["voided"]) for s in listed] == [(service["id"], True)]


def test_a_list_costs_the_same_queries_for_1_or_many_services(
    world: World, client_for: Clients
) -> None:
    client = client_for("alice")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{URL}?site=harbour")
        assert response.status_code == 200
        return len(captured)

    create(client, kind="drug_checking", drug_check=drug_check())
    one = queries()
    for _ in range(4):
        create(client, kind="supplies", supplies=[{"item": "foil", "quantity": 5}])
        create(client, kind="drug_checking", drug_check=drug_check(), code="KIWI77")

    assert queries() == one


# --- Isolation by site and role --------------------------------------------------------------


def test_another_sites_staff_see_nothing_of_it(world: World, client_for: Clients) -> None:
    visit = a_visit(world)
    service = create(client_for("alice"), kind="wound_care", visit=str(visit.pk))
    charlie = client_for("charlie")
    url = f"{URL}{service['id']}"

    answers = [
        charlie.get(url),
        charlie.patch(url, {"kind": "first_aid", "version": 1}),
        charlie.post(f"{url}/void", {"reason": "mine now"}),
        charlie.get(f"{URL}?site=harbour"),
        charlie.get(f"{URL}?visit={visit.pk}"),
        charlie.get(f"{URL}?participant={visit.participant_id}"),
        charlie.post(URL, {"site": "harbour", "kind": "first_aid"}),
        charlie.get(f"{URL}{uuid.uuid4()}"),
    ]

    assert [a.status_code for a in answers] == [404] * len(answers)
    assert answers[0].json() == answers[-1].json()
    assert Service.objects.get().kind == "wound_care"


def test_a_malformed_id_is_not_found(client_for: Clients) -> None:
    response = client_for("alice").get(f"{URL}not-a-uuid")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "fields": {}}


def test_analysts_never_see_or_write_services(client_for: Clients) -> None:
    service = create(client_for("alice"), kind="first_aid")
    dana = client_for("dana")

    answers = [
        dana.get(f"{URL}{service['id']}"),
        dana.get(f"{URL}?site=harbour"),
        dana.post(URL, {"site": "harbour", "kind": "first_aid"}),
    ]

    assert [a.status_code for a in answers] == [403, 403, 403]


def test_signed_out_callers_get_401(anonymous: TabletClient) -> None:
    assert anonymous.get(f"{URL}?site=harbour").status_code == 401
    assert anonymous.post(URL, {"site": "harbour", "kind": "first_aid"}).status_code == 401


def test_a_merge_moves_visits_services_and_referrals_to_the_right_person(
    world: World, client_for: Clients
) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    a_visit(world, code="KIWI7")
    typo = create(alice, kind="naloxone_kit", code="KIWI7")
    right = create(alice, kind="wound_care", code="KIWI77")
    referral = alice.post(
        "/api/v1/referrals/",
        {
            "site": "harbour",
            "code": "KIWI7",
            "category": "oat",
            "destination": "offsite",
            "accompanied": False,
            "status": "accepted",
        },
    ).json()

    merged = bob.post(
        f"/api/v1/participants/{typo['participant']}/merge",
        {"into": right["participant"], "reason": "mistyped code"},
    )
    lookup = alice.post("/api/v1/participants/lookup", {"site": "harbour", "code": "KIWI77"})
    listed = alice.get(f"{URL}?participant={right['participant']}").json()

    assert merged.status_code == 200, merged.content
    assert lookup.json()["visits_count"] == 1
    assert {s["id"] for s in listed["results"]} == {typo["id"], right["id"]}
    assert [r["id"] for r in lookup.json()["open_referrals"]] == [referral["id"]]
