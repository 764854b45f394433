"""Visits through the HTTP API: check-in, resends, floor rules, times, check-out, edit, void, list.

Personas (tests/conftest.py): alice staff A, bob supervisor A, dana analyst A, erin admin A,
charlie staff B. Site A is `harbour` (America/Toronto, booths 1-12), site B `eastside`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.backend.conftest import ago, booth_of, check_in, iso, lookup
from tests.conftest import TabletClient, World
from vigil.audit.models import AuditEvent
from vigil.participants.models import Participant
from vigil.sites.models import Booth
from vigil.visits.models import Route, Substance, Visit

Clients = Callable[[str], TabletClient]


# --- Check-in ------------------------------------------------------------------------------------


def test_a_check_in_with_a_code_opens_a_visit_in_the_booth(
    world: World, client_for: Clients
) -> None:
    visit_id = str(uuid.uuid4())
    booth = booth_of(world.site_a, "3")

    response = check_in(
        client_for("alice"),
        id=visit_id,
        code="MAKO1993",
        booth=booth,
        substances=["fentanyl", "crack"],
        routes=["injection"],
    )

    assert response.status_code == 201, response.json()
    visit = response.json()
    assert visit["id"] == visit_id
    assert visit["site"] == "harbour"
    assert visit["kind"] == "consumption"
    assert (visit["booth"], visit["booth_label"]) == (booth, "3")
    assert visit["checked_out_at"] is None
    assert visit["substances"] == ["crack", "fentanyl"]
    assert visit["routes"] == ["injection"]
    assert (visit["backdated"], visit["voided"], visit["version"]) == (False, False, 1)
    assert visit["created_by"] == "alice"
    participant = Participant.objects.get()
    assert visit["participant"] == str(participant.pk)
    assert "code" not in visit


def test_a_check_in_without_a_time_is_checked_in_now(world: World, client_for: Clients) -> None:
    before = timezone.now()

    response = check_in(client_for("alice"), booth=booth_of(world.site_a, "1"))

    checked_in_at = datetime.fromisoformat(response.json()["checked_in_at"])
    assert before <= checked_in_at <= timezone.now()


def test_a_visit_without_a_code_is_anonymous(world: World, client_for: Clients) -> None:
    response = check_in(client_for("alice"), booth=booth_of(world.site_a, "2"))

    assert response.status_code == 201
    assert response.json()["participant"] is None
    assert not Participant.objects.exists()


def test_an_empty_code_is_an_anonymous_visit_too(world: World, client_for: Clients) -> None:
    response = check_in(client_for("alice"), booth=booth_of(world.site_a, "2"), code="")

    assert response.status_code == 201
    assert response.json()["participant"] is None


def test_service_only_visits_need_no_booth_and_several_may_be_open_at_once(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")

    first = check_in(alice, kind="service_only")
    second = check_in(alice, kind="service_only")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["booth"] is None
    assert Visit.objects.filter(kind="service_only", checked_out_at=None).count() == 2


def test_a_service_only_visit_with_a_booth_is_refused_naming_the_booth(
    world: World, client_for: Clients
) -> None:
    response = check_in(client_for("alice"), kind="service_only", booth=booth_of(world.site_a, "1"))

    assert response.status_code == 400
    assert response.json()["fields"] == {"booth": ["A service-only visit has no booth."]}
    assert not Visit.objects.exists()


def test_a_consumption_visit_needs_a_booth(world: World, client_for: Clients) -> None:
    response = check_in(client_for("alice"))

    assert response.status_code == 400
    assert response.json()["fields"] == {"booth": ["Choose a booth for a consumption visit."]}


@pytest.mark.parametrize("where", ["another site", "inactive", "unknown"])
def test_a_booth_not_in_use_at_the_site_is_refused(
    world: World, client_for: Clients, where: str
) -> None:
    if where == "another site":
        booth = booth_of(world.site_b, "1")
    elif where == "inactive":
        Booth.objects.filter(site=world.site_a, label="5").update(active=False)
        booth = booth_of(world.site_a, "5")
    else:
        booth = str(uuid.uuid4())

    response = check_in(client_for("alice"), booth=booth)

    assert response.status_code == 400
    assert response.json()["fields"] == {"booth": ["This booth is not in use at this site."]}
    assert not Visit.objects.exists()


def test_every_substance_and_route_of_the_domain_is_accepted(
    world: World, client_for: Clients
) -> None:
    substances = [
        "fentanyl",
        "heroin",
        "unspecified_opioid",
        "hydromorphone",
        "oxycodone",
        "morphine",
        "methadone",
        "cocaine",
        "crack",
        "methamphetamine",
        "amphetamine",
        "speedball",
        "benzodiazepine",
        "other",
        "unknown",
    ]
    routes = ["injection", "inhalation", "intranasal", "oral"]
    assert {s.value for s in Substance} == set(substances)
    assert {r.value for r in Route} == set(routes)

    response = check_in(
        client_for("alice"), kind="service_only", substances=substances, routes=routes
    )

    assert response.status_code == 201
    assert response.json()["substances"] == sorted(substances)
    assert response.json()["routes"] == sorted(routes)


def test_a_substance_or_route_off_the_list_is_refused_naming_the_field(
    world: World, client_for: Clients
) -> None:
    response = check_in(
        client_for("alice"),
        kind="service_only",
        substances=["fentanyl", "ketamine"],
        routes=["smoking"],
    )

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"substances", "routes"}
    # The allowed values are named; the value sent is never echoed (it may be a code).
    assert "fentanyl" in response.json()["fields"]["substances"][0]
    assert "ketamine" not in response.content.decode()
    assert not Visit.objects.exists()


def test_a_substance_listed_twice_is_kept_once(world: World, client_for: Clients) -> None:
    response = check_in(
        client_for("alice"), kind="service_only", substances=["crack", "fentanyl", "crack"]
    )

    assert response.json()["substances"] == ["crack", "fentanyl"]


def test_a_check_in_without_site_or_kind_names_each_missing_field(
    world: World, client_for: Clients
) -> None:
    response = client_for("alice").post("/api/v1/visits/", {})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"site", "kind"}


def test_a_bad_code_is_refused_without_echoing_it_and_nothing_is_stored(
    world: World, client_for: Clients
) -> None:
    response = check_in(client_for("alice"), booth=booth_of(world.site_a, "1"), code="MA!KO#42")

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["code"]
    assert "MA!KO#42" not in response.content.decode()
    assert not Visit.objects.exists()
    assert not Participant.objects.exists()


# --- Resends: same id ----------------------------------------------------------------------------


def test_the_same_id_and_content_again_answers_200_with_the_stored_record(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    body = {
        "id": str(uuid.uuid4()),
        "code": "MAKO1993",
        "booth": booth_of(world.site_a, "4"),
        "checked_in_at": iso(ago(minutes=3)),
        "substances": ["fentanyl"],
        "routes": ["injection"],
    }
    first = check_in(alice, **body)

    again = check_in(alice, **body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == {**first.json(), "minutes_in": again.json()["minutes_in"]}
    assert Visit.objects.count() == 1
    assert AuditEvent.objects.filter(object_type="visits.visit", action="create").count() == 1


def test_the_same_id_with_other_content_answers_409_with_the_stored_record(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    visit_id = str(uuid.uuid4())
    stored = check_in(alice, id=visit_id, kind="service_only", substances=["crack"]).json()

    response = check_in(alice, id=visit_id, kind="service_only", substances=["heroin"])

    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "This record was already sent with other content."
    assert body["current"]["id"] == visit_id
    assert body["current"]["substances"] == ["crack"] == stored["substances"]
    assert Visit.objects.get().substance_rows.get().substance == "crack"


def test_a_resend_with_the_code_typed_differently_is_the_same_content(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    visit_id = str(uuid.uuid4())
    check_in(alice, id=visit_id, kind="service_only", code="ma-ko 1993")

    again = check_in(alice, id=visit_id, kind="service_only", code="MAKO1993")

    assert again.status_code == 200


def test_a_resend_with_the_same_instant_in_another_offset_is_the_same_content(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    visit_id = str(uuid.uuid4())
    moment = ago(minutes=10).replace(microsecond=0)
    toronto = moment.astimezone(world.site_a.zone)
    check_in(alice, id=visit_id, kind="service_only", checked_in_at=iso(toronto))

    again = check_in(
        alice, id=visit_id, kind="service_only", checked_in_at=iso(moment.astimezone(UTC))
    )

    assert again.status_code == 200


def test_a_resend_after_check_out_still_answers_200_with_the_stored_visit(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    body = {"id": str(uuid.uuid4()), "booth": booth_of(world.site_a, "6"), "code": "ZULU7788"}
    check_in(alice, **body)
    alice.post(f"/api/v1/visits/{body['id']}/check-out", {})
    check_in(alice, booth=body["booth"])  # the next person is in the booth now

    again = check_in(alice, **body)

    assert again.status_code == 200
    assert again.json()["checked_out_at"] is not None


def test_a_resend_is_recognised_even_once_its_time_is_past_the_backdating_limit(
    world: World, client_for: Clients
) -> None:
    """The first answer was lost; by the time the tablet resends, the visit is 'old'."""
    alice = client_for("alice")
    body = {"id": str(uuid.uuid4()), "kind": "service_only", "checked_in_at": iso(ago(hours=2))}
    assert check_in(alice, **body).status_code == 201

    with override_settings(VIGIL_BACKDATE_HOURS=1):
        again = check_in(alice, **body)

    assert again.status_code == 200
    assert again.json()["backdated"] is False


def test_a_resend_is_recognised_even_once_its_booth_was_retired(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    body = {"id": str(uuid.uuid4()), "booth": booth_of(world.site_a, "10")}
    assert check_in(alice, **body).status_code == 201
    Booth.objects.filter(pk=body["booth"]).update(active=False)

    again = check_in(alice, **body)
    other = check_in(alice, **body, routes=["oral"])
    fresh = check_in(alice, booth=body["booth"])

    assert (again.status_code, other.status_code, fresh.status_code) == (200, 409, 400)
    assert other.json()["current"]["id"] == body["id"]


def test_an_id_used_at_another_site_is_a_conflict_that_shows_nothing_of_it(
    world: World, client_for: Clients
) -> None:
    visit_id = str(uuid.uuid4())
    check_in(client_for("alice"), id=visit_id, kind="service_only", substances=["crack"])

    response = check_in(client_for("charlie"), id=visit_id, site="eastside", kind="service_only")

    assert response.status_code == 409
    assert "current" not in response.json()
    assert "crack" not in response.content.decode()
    assert Visit.objects.get().site == world.site_a


# --- Floor rules ---------------------------------------------------------------------------------


def test_a_booth_holds_one_open_visit_and_the_409_says_which_and_for_how_long(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    booth = booth_of(world.site_a, "3")
    inside = check_in(alice, booth=booth, checked_in_at=iso(ago(minutes=25, seconds=10))).json()
    refused_id = str(uuid.uuid4())

    response = check_in(alice, id=refused_id, booth=booth, code="NEWC0DE")

    assert response.status_code == 409
    body = response.json()
    assert "Booth 3" in body["detail"]
    assert "25 min" in body["detail"]
    assert body["fields"] == {"booth": ["Booth 3 has been occupied for 25 min."]}
    assert body["visit"] == inside["id"]
    assert body["occupied_minutes"] == 25
    assert not Visit.objects.filter(pk=refused_id).exists()
    assert not Participant.objects.exists(), "nothing half-written is left behind"


def test_a_person_has_one_open_visit_per_site(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    check_in(alice, booth=booth_of(world.site_a, "1"), code="MAKO1993")

    response = check_in(alice, booth=booth_of(world.site_a, "2"), code="mako-1993")

    assert response.status_code == 409
    assert "already has an open visit (booth 1" in response.json()["detail"]
    assert response.json()["fields"] == {
        "code": ["This person already has an open visit at this site."]
    }
    assert "MAKO" not in response.content.decode().upper()
    assert Visit.objects.count() == 1


def test_a_person_with_an_open_service_visit_cannot_also_take_a_booth(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    check_in(alice, kind="service_only", code="MAKO1993")

    response = check_in(alice, booth=booth_of(world.site_a, "2"), code="MAKO1993")

    assert response.status_code == 409
    assert "a service visit" in response.json()["detail"]


def test_a_person_may_have_an_open_visit_at_another_site(world: World, client_for: Clients) -> None:
    check_in(client_for("alice"), booth=booth_of(world.site_a, "1"), code="MAKO1993")

    response = check_in(
        client_for("charlie"), site="eastside", booth=booth_of(world.site_b, "1"), code="MAKO1993"
    )

    assert response.status_code == 201
    assert Participant.objects.count() == 1


def test_after_check_out_the_booth_and_the_person_are_free_again(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    booth = booth_of(world.site_a, "7")
    first = check_in(alice, booth=booth, code="MAKO1993").json()
    alice.post(f"/api/v1/visits/{first['id']}/check-out", {})

    again = check_in(alice, booth=booth, code="MAKO1993")

    assert again.status_code == 201
    assert again.json()["participant"] == first["participant"]


def test_voiding_an_open_visit_frees_its_booth(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    booth = booth_of(world.site_a, "8")
    first = check_in(alice, booth=booth).json()
    alice.post(f"/api/v1/visits/{first['id']}/void", {"reason": "wrong booth tapped"})

    assert check_in(alice, booth=booth).status_code == 201


# --- Time rules ----------------------------------------------------------------------------------


def test_a_check_in_more_than_5_minutes_ahead_is_refused(world: World, client_for: Clients) -> None:
    alice = client_for("alice")

    ahead = check_in(alice, kind="service_only", checked_in_at=iso(ago(minutes=-6)))
    slightly_ahead = check_in(alice, kind="service_only", checked_in_at=iso(ago(minutes=-4)))

    assert ahead.status_code == 400
    assert ahead.json()["fields"] == {
        "checked_in_at": ["This time is in the future. Check the tablet's clock."]
    }
    assert slightly_ahead.status_code == 201
    assert Visit.objects.count() == 1


def test_a_time_without_its_offset_is_refused(world: World, client_for: Clients) -> None:
    naive = ago(minutes=5).astimezone(UTC).replace(tzinfo=None).isoformat()

    response = check_in(client_for("alice"), kind="service_only", checked_in_at=naive)

    assert response.status_code == 400
    assert "UTC offset" in response.json()["fields"]["checked_in_at"][0]
    assert not Visit.objects.exists()


def test_staff_may_enter_a_visit_up_to_12_hours_old_unflagged(
    world: World, client_for: Clients
) -> None:
    response = check_in(
        client_for("alice"), kind="service_only", checked_in_at=iso(ago(hours=11, minutes=50))
    )

    assert response.status_code == 201
    assert response.json()["backdated"] is False


def test_staff_may_not_enter_a_visit_more_than_12_hours_old(
    world: World, client_for: Clients
) -> None:
    response = check_in(
        client_for("alice"), kind="service_only", checked_in_at=iso(ago(hours=12, minutes=10))
    )

    assert response.status_code == 403
    assert "supervisor" in response.json()["detail"]
    assert list(response.json()["fields"]) == ["checked_in_at"]
    assert not Visit.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "erin"])
def test_a_supervisor_or_admin_may_backdate_and_the_visit_is_flagged(
    world: World, client_for: Clients, persona: str
) -> None:
    yesterday = ago(hours=30)

    response = check_in(
        client_for(persona),
        booth=booth_of(world.site_a, "9"),
        checked_in_at=iso(yesterday),
        code="ZULU7788",
    )

    assert response.status_code == 201
    visit = response.json()
    assert visit["backdated"] is True
    assert datetime.fromisoformat(visit["checked_in_at"]) == yesterday
    assert datetime.fromisoformat(visit["received_at"]) > ago(minutes=1)


def test_the_server_keeps_the_time_it_received_each_record(
    world: World, client_for: Clients
) -> None:
    before = timezone.now()

    response = check_in(client_for("alice"), kind="service_only", checked_in_at=iso(ago(hours=3)))

    visit = Visit.objects.get(pk=response.json()["id"])
    assert before <= visit.received_at <= timezone.now()
    assert visit.checked_in_at < before - (visit.received_at - before)


@pytest.mark.parametrize(
    ("persona", "site", "expected"),
    [
        ("alice", "harbour", 403),
        ("bob", "harbour", 201),
        ("erin", "harbour", 201),
        ("dana", "harbour", 403),
        ("charlie", "harbour", 404),
        ("charlie", "eastside", 403),
    ],
)
def test_who_may_backdate_where(
    world: World, client_for: Clients, persona: str, site: str, expected: int
) -> None:
    response = check_in(
        client_for(persona), site=site, kind="service_only", checked_in_at=iso(ago(hours=13))
    )

    assert response.status_code == expected


# --- Check-out -----------------------------------------------------------------------------------


def test_check_out_closes_the_visit_at_the_time_given(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1"), checked_in_at=iso(ago(minutes=30)))
    out_at = ago(minutes=2)

    response = alice.post(
        f"/api/v1/visits/{visit.json()['id']}/check-out", {"checked_out_at": iso(out_at)}
    )

    assert response.status_code == 200
    body = response.json()
    assert datetime.fromisoformat(body["checked_out_at"]) == out_at
    assert body["did_not_consume_reason"] == ""
    assert body["minutes_in"] == 28
    assert body["version"] == 2


def test_check_out_without_use_keeps_the_reason(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1")).json()

    response = alice.post(
        f"/api/v1/visits/{visit['id']}/check-out", {"did_not_consume_reason": "changed_mind"}
    )

    assert response.status_code == 200
    assert response.json()["did_not_consume_reason"] == "changed_mind"
    assert response.json()["checked_out_at"] is not None


def test_an_unknown_did_not_consume_reason_is_refused(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1")).json()

    response = alice.post(
        f"/api/v1/visits/{visit['id']}/check-out", {"did_not_consume_reason": "bored"}
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["did_not_consume_reason"]
    assert Visit.objects.get().checked_out_at is None


def test_a_service_only_visit_cannot_end_without_use(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, kind="service_only").json()

    response = alice.post(
        f"/api/v1/visits/{visit['id']}/check-out", {"did_not_consume_reason": "left"}
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["did_not_consume_reason"]


def test_check_out_before_check_in_is_refused(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1"), checked_in_at=iso(ago(minutes=10)))

    response = alice.post(
        f"/api/v1/visits/{visit.json()['id']}/check-out", {"checked_out_at": iso(ago(minutes=20))}
    )

    assert response.status_code == 400
    assert "before check-in" in response.json()["fields"]["checked_out_at"][0]
    assert Visit.objects.get().checked_out_at is None


def test_a_check_out_in_the_future_is_refused(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1")).json()

    response = alice.post(
        f"/api/v1/visits/{visit['id']}/check-out", {"checked_out_at": iso(ago(minutes=-30))}
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["checked_out_at"]


def test_checking_out_again_answers_the_stored_visit_but_another_time_is_409(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1"), checked_in_at=iso(ago(minutes=40)))
    url = f"/api/v1/visits/{visit.json()['id']}/check-out"
    out_at = iso(ago(minutes=5))
    first = alice.post(url, {"checked_out_at": out_at})

    again = alice.post(url, {"checked_out_at": out_at})
    other = alice.post(url, {"checked_out_at": iso(ago(minutes=1))})

    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 409)
    assert again.json()["version"] == first.json()["version"]
    assert "already checked out" in other.json()["detail"]


def test_a_voided_visit_cannot_be_checked_out(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1")).json()
    alice.post(f"/api/v1/visits/{visit['id']}/void", {"reason": "entered twice"})

    response = alice.post(f"/api/v1/visits/{visit['id']}/check-out", {})

    assert response.status_code == 409
    assert Visit.objects.get().checked_out_at is None


# --- Edit ----------------------------------------------------------------------------------------


def test_an_edit_naming_the_current_version_applies_and_bumps_the_version(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1"), substances=["fentanyl"]).json()

    response = alice.patch(
        f"/api/v1/visits/{visit['id']}",
        {"substances": ["fentanyl", "benzodiazepine"], "routes": ["inhalation"], "version": 1},
    )

    assert response.status_code == 200
    assert response.json()["substances"] == ["benzodiazepine", "fentanyl"]
    assert response.json()["routes"] == ["inhalation"]
    assert response.json()["version"] == 2


def test_an_edit_naming_a_stale_version_is_412_and_changes_nothing(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1"), substances=["fentanyl"]).json()
    url = f"/api/v1/visits/{visit['id']}"
    alice.patch(url, {"routes": ["injection"], "version": 1})

    stale = alice.patch(url, {"substances": ["heroin"], "version": 1})

    assert stale.status_code == 412
    assert "Reload" in stale.json()["detail"]
    stored = alice.get(url).json()
    assert (stored["substances"], stored["version"]) == (["fentanyl"], 2)


def test_an_edit_without_a_version_is_refused_naming_it(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1")).json()

    response = alice.patch(f"/api/v1/visits/{visit['id']}", {"routes": ["oral"]})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["version"]


def test_staff_may_not_edit_a_visit_someone_else_logged(world: World, client_for: Clients) -> None:
    visit = check_in(client_for("bob"), booth=booth_of(world.site_a, "1")).json()

    response = client_for("alice").patch(
        f"/api/v1/visits/{visit['id']}", {"routes": ["oral"], "version": 1}
    )

    assert response.status_code == 403
    assert Visit.objects.get().version == 1


def test_a_supervisor_edits_someone_elses_visit_only_with_a_reason(
    world: World, client_for: Clients
) -> None:
    visit = check_in(client_for("alice"), booth=booth_of(world.site_a, "1")).json()
    bob = client_for("bob")
    url = f"/api/v1/visits/{visit['id']}"

    without = bob.patch(url, {"routes": ["oral"], "version": 1})
    with_reason = bob.patch(url, {"routes": ["oral"], "version": 1, "reason": "asked again"})

    assert without.status_code == 400
    assert list(without.json()["fields"]) == ["reason"]
    assert with_reason.status_code == 200
    event = AuditEvent.objects.get(action="update", object_id=visit["id"])
    assert (event.actor, event.reason) == (world.users["bob"], "asked again")
    assert event.changes == {"routes": [[], ["oral"]]}


def test_moving_a_visit_into_an_occupied_booth_is_409_naming_the_booth(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    check_in(alice, booth=booth_of(world.site_a, "2"))
    visit = check_in(alice, booth=booth_of(world.site_a, "1")).json()

    response = alice.patch(
        f"/api/v1/visits/{visit['id']}", {"booth": booth_of(world.site_a, "2"), "version": 1}
    )

    assert response.status_code == 409
    assert "Booth 2" in response.json()["detail"]
    assert Visit.objects.get(pk=visit["id"]).booth.label == "1"


def test_moving_a_visit_to_a_free_booth_is_allowed(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1")).json()

    response = alice.patch(
        f"/api/v1/visits/{visit['id']}", {"booth": booth_of(world.site_a, "2"), "version": 1}
    )

    assert response.status_code == 200
    assert response.json()["booth_label"] == "2"
    assert check_in(alice, booth=booth_of(world.site_a, "1")).status_code == 201


def test_an_edit_moving_check_in_back_more_than_12_hours_needs_a_supervisor_and_flags_it(
    world: World, client_for: Clients
) -> None:
    visit = check_in(client_for("alice"), kind="service_only").json()
    url = f"/api/v1/visits/{visit['id']}"
    old = iso(ago(hours=14))

    by_staff = client_for("alice").patch(url, {"checked_in_at": old, "version": 1})
    by_supervisor = client_for("bob").patch(
        url, {"checked_in_at": old, "version": 1, "reason": "tablet was offline"}
    )

    assert by_staff.status_code == 403
    assert by_supervisor.status_code == 200
    assert by_supervisor.json()["backdated"] is True


def test_an_edit_moving_check_in_into_the_future_is_refused(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    visit = check_in(alice, kind="service_only").json()

    response = alice.patch(
        f"/api/v1/visits/{visit['id']}", {"checked_in_at": iso(ago(minutes=-10)), "version": 1}
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["checked_in_at"]


def test_an_edit_giving_the_visit_a_code_links_the_participant(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    visit = check_in(alice, kind="service_only").json()

    response = alice.patch(f"/api/v1/visits/{visit['id']}", {"code": "zulu-7788", "version": 1})

    assert response.status_code == 200
    assert response.json()["participant"] == lookup(alice, "ZULU7788").json()["id"]


def test_an_edit_cannot_give_a_service_only_visit_a_did_not_consume_reason(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    service = check_in(alice, kind="service_only").json()
    alice.post(f"/api/v1/visits/{service['id']}/check-out", {})
    booth_visit = check_in(alice, booth=booth_of(world.site_a, "1")).json()
    alice.post(
        f"/api/v1/visits/{booth_visit['id']}/check-out", {"did_not_consume_reason": "unwell"}
    )

    reason_added = alice.patch(
        f"/api/v1/visits/{service['id']}", {"did_not_consume_reason": "left", "version": 2}
    )
    kind_changed = alice.patch(
        f"/api/v1/visits/{booth_visit['id']}", {"kind": "service_only", "version": 2}
    )

    assert (reason_added.status_code, kind_changed.status_code) == (400, 400)
    assert list(reason_added.json()["fields"]) == ["did_not_consume_reason"]
    assert list(kind_changed.json()["fields"]) == ["did_not_consume_reason"]
    assert Visit.objects.get(pk=service["id"]).did_not_consume_reason == ""
    assert Visit.objects.get(pk=booth_visit["id"]).kind == "consumption"


def test_a_voided_visit_cannot_be_edited(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, kind="service_only").json()
    alice.post(f"/api/v1/visits/{visit['id']}/void", {"reason": "duplicate"})

    response = alice.patch(f"/api/v1/visits/{visit['id']}", {"routes": ["oral"], "version": 2})

    assert response.status_code == 409


# --- Void ----------------------------------------------------------------------------------------


def test_voiding_needs_a_reason(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, kind="service_only").json()
    url = f"/api/v1/visits/{visit['id']}/void"

    missing = alice.post(url, {})
    blank = alice.post(url, {"reason": "   "})

    assert (missing.status_code, blank.status_code) == (400, 400)
    assert list(missing.json()["fields"]) == ["reason"]
    assert list(blank.json()["fields"]) == ["reason"]
    assert Visit.objects.get().voided is False


def test_a_voided_visit_stays_on_record_and_leaves_every_count(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    kept = check_in(alice, kind="service_only", code="MAKO1993").json()
    alice.post(f"/api/v1/visits/{kept['id']}/check-out", {})
    voided = check_in(alice, booth=booth_of(world.site_a, "1"), code="MAKO1993").json()
    assert lookup(alice, "MAKO1993").json()["visits_count"] == 2

    response = alice.post(f"/api/v1/visits/{voided['id']}/void", {"reason": "entered twice"})

    assert response.status_code == 200
    assert (response.json()["voided"], response.json()["void_reason"]) == (True, "entered twice")
    assert lookup(alice, "MAKO1993").json()["visits_count"] == 1
    open_ids = [
        v["id"] for v in alice.get("/api/v1/visits/?site=harbour&open=true").json()["results"]
    ]
    assert voided["id"] not in open_ids
    floor = alice.get("/api/v1/sites/harbour/floor").json()
    assert floor["open_visits"] == 0
    assert alice.get(f"/api/v1/visits/{voided['id']}").json()["voided"] is True


def test_voiding_again_answers_the_voided_visit(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    visit = check_in(alice, kind="service_only").json()
    url = f"/api/v1/visits/{visit['id']}/void"
    first = alice.post(url, {"reason": "duplicate"})

    again = alice.post(url, {"reason": "duplicate"})

    assert again.status_code == 200
    assert again.json()["version"] == first.json()["version"]
    assert AuditEvent.objects.filter(action="void").count() == 1


def test_staff_may_not_void_a_visit_someone_else_logged(world: World, client_for: Clients) -> None:
    visit = check_in(client_for("bob"), kind="service_only").json()

    response = client_for("alice").post(f"/api/v1/visits/{visit['id']}/void", {"reason": "dup"})

    assert response.status_code == 403
    assert Visit.objects.get().voided is False


def test_a_supervisor_voids_someone_elses_visit_with_the_reason_audited(
    world: World, client_for: Clients
) -> None:
    visit = check_in(client_for("alice"), kind="service_only").json()

    response = client_for("bob").post(
        f"/api/v1/visits/{visit['id']}/void", {"reason": "test entry"}
    )

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="void")
    assert (event.actor, event.reason, event.object_id) == (
        world.users["bob"],
        "test entry",
        visit["id"],
    )


# --- List by site, local date, open --------------------------------------------------------------


def _ids(response: object) -> set[str]:
    return {v["id"] for v in response.json()["results"]}  # type: ignore[attr-defined]


def test_the_date_filter_is_the_sites_local_day(world: World, client_for: Clients) -> None:
    bob = client_for("bob")  # the times are more than 12 h old
    # Harbour is America/Toronto, UTC-5 in January: local midnight is 05:00 UTC.
    before_midnight = check_in(
        bob, kind="service_only", checked_in_at="2025-01-14T23:59:00-05:00"
    ).json()
    after_midnight = check_in(
        bob, kind="service_only", checked_in_at="2025-01-15T05:00:00+00:00"
    ).json()
    last_minute = check_in(
        bob, kind="service_only", checked_in_at="2025-01-16T04:59:59+00:00"
    ).json()

    day_14 = bob.get("/api/v1/visits/?site=harbour&date=2025-01-14")
    day_15 = bob.get("/api/v1/visits/?site=harbour&date=2025-01-15")

    assert _ids(day_14) == {before_midnight["id"]}
    assert _ids(day_15) == {after_midnight["id"], last_minute["id"]}


def test_the_date_filter_follows_a_23_hour_daylight_saving_day(
    world: World, client_for: Clients
) -> None:
    bob = client_for("bob")
    # 2025-03-09 in Toronto starts at 05:00 UTC (EST) and ends at 04:00 UTC (EDT).
    times = {
        "before": "2025-03-09T04:59:00+00:00",
        "first": "2025-03-09T05:00:00+00:00",
        "last": "2025-03-10T03:59:00+00:00",
        "after": "2025-03-10T04:00:00+00:00",
    }
    ids = {
        name: check_in(bob, kind="service_only", checked_in_at=at).json()["id"]
        for name, at in times.items()
    }

    response = bob.get("/api/v1/visits/?site=harbour&date=2025-03-09")

    assert _ids(response) == {ids["first"], ids["last"]}


def test_open_only_lists_the_visits_not_checked_out_nor_voided(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    still_open = check_in(alice, booth=booth_of(world.site_a, "1")).json()
    checked_out = check_in(alice, booth=booth_of(world.site_a, "2")).json()
    voided = check_in(alice, booth=booth_of(world.site_a, "3")).json()
    alice.post(f"/api/v1/visits/{checked_out['id']}/check-out", {})
    alice.post(f"/api/v1/visits/{voided['id']}/void", {"reason": "duplicate"})

    everything = alice.get("/api/v1/visits/?site=harbour")
    open_only = alice.get("/api/v1/visits/?site=harbour&open=true")

    assert _ids(everything) == {still_open["id"], checked_out["id"], voided["id"]}
    assert _ids(open_only) == {still_open["id"]}


def test_the_list_shows_only_the_named_sites_visits(world: World, client_for: Clients) -> None:
    check_in(client_for("alice"), kind="service_only")
    eastside = check_in(client_for("charlie"), site="eastside", kind="service_only").json()

    response = client_for("charlie").get("/api/v1/visits/?site=eastside")

    assert _ids(response) == {eastside["id"]}


def test_the_list_filters_one_participants_visits_at_the_named_site(
    world: World, client_for: Clients
) -> None:
    alice, charlie = client_for("alice"), client_for("charlie")
    earlier = check_in(
        alice, kind="service_only", code="MAKO1993", checked_in_at=iso(ago(hours=3))
    ).json()
    alice.post(f"/api/v1/visits/{earlier['id']}/check-out", {})
    now = check_in(alice, booth=booth_of(world.site_a, "1"), code="mako-1993").json()
    check_in(alice, booth=booth_of(world.site_a, "2"), code="QUILL42")
    check_in(alice, kind="service_only")
    theirs = check_in(charlie, site="eastside", kind="service_only", code="MAKO1993").json()
    person = now["participant"]
    assert earlier["participant"] == person == theirs["participant"]

    here = alice.get(f"/api/v1/visits/?site=harbour&participant={person}")
    there = charlie.get(f"/api/v1/visits/?site=eastside&participant={person}")
    open_here = alice.get(f"/api/v1/visits/?site=harbour&participant={person}&open=true")
    nobody = alice.get(f"/api/v1/visits/?site=harbour&participant={uuid.uuid4()}")

    assert [v["id"] for v in here.json()["results"]] == [now["id"], earlier["id"]]
    assert _ids(there) == {theirs["id"]}, "another site's visits stay at that site"
    assert _ids(open_here) == {now["id"]}
    assert (nobody.status_code, nobody.json()["count"]) == (200, 0)
    assert charlie.get(f"/api/v1/visits/?site=harbour&participant={person}").status_code == 404
    bad = alice.get("/api/v1/visits/?site=harbour&participant=MAKO1993")
    assert (bad.status_code, list(bad.json()["fields"])) == (400, ["participant"])
    assert "MAKO1993" not in bad.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 200), ("bob", 200), ("erin", 200), ("dana", 403), ("charlie", 404)],
)
def test_who_may_list_a_sites_visits(
    world: World, client_for: Clients, persona: str, expected: int
) -> None:
    assert client_for(persona).get("/api/v1/visits/?site=harbour").status_code == expected


def test_a_list_without_a_site_or_with_a_bad_date_names_the_field(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")

    no_site = alice.get("/api/v1/visits/")
    bad_date = alice.get("/api/v1/visits/?site=harbour&date=15/01/2025")

    assert list(no_site.json()["fields"]) == ["site"]
    assert list(bad_date.json()["fields"]) == ["date"]


# --- Another site's staff ------------------------------------------------------------------------


def test_another_sites_staff_get_the_same_404_as_for_a_visit_that_does_not_exist(
    world: World, client_for: Clients
) -> None:
    visit = check_in(client_for("alice"), booth=booth_of(world.site_a, "1")).json()
    charlie = client_for("charlie")

    for visit_id in (visit["id"], str(uuid.uuid4())):
        url = f"/api/v1/visits/{visit_id}"
        answers = [
            charlie.get(url),
            charlie.patch(url, {"routes": ["oral"], "version": 1}),
            charlie.post(f"{url}/check-out", {}),
            charlie.post(f"{url}/void", {"reason": "x"}),
        ]
        assert [(a.status_code, a.json()) for a in answers] == [
            (404, {"detail": "Not found.", "fields": {}})
        ] * 4
    stored = Visit.objects.get()
    assert (stored.version, stored.checked_out_at, stored.voided) == (1, None, False)


def test_another_sites_staff_cannot_check_in_at_it(world: World, client_for: Clients) -> None:
    response = check_in(client_for("charlie"), kind="service_only")

    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_an_analyst_never_sees_a_visit(world: World, client_for: Clients) -> None:
    visit = check_in(client_for("alice"), kind="service_only").json()

    assert client_for("dana").get(f"/api/v1/visits/{visit['id']}").status_code == 403


# --- Audit ---------------------------------------------------------------------------------------


def test_every_visit_write_is_audited_with_who_and_what_changed_and_never_a_code(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    visit = check_in(alice, booth=booth_of(world.site_a, "1"), code="QUILLWREN").json()
    url = f"/api/v1/visits/{visit['id']}"
    alice.patch(url, {"substances": ["crack"], "version": 1})
    alice.post(f"{url}/check-out", {"did_not_consume_reason": "left"})
    alice.post(f"{url}/void", {"reason": "entered at the wrong site"})

    events = list(
        AuditEvent.objects.filter(object_type="visits.visit", object_id=visit["id"]).order_by("at")
    )

    assert [e.action for e in events] == ["create", "update", "update", "void"]
    assert all(e.actor == world.users["alice"] and e.site == world.site_a for e in events)
    create, edit, check_out, void = events
    assert create.changes["participant"] == [None, visit["participant"]]
    assert create.changes["booth"] == [None, visit["booth"]]
    assert edit.changes == {"substances": [[], ["crack"]]}
    assert set(check_out.changes) == {"checked_out_at", "did_not_consume_reason"}
    assert check_out.changes["did_not_consume_reason"] == ["", "left"]
    assert (void.changes, void.reason) == ({"voided": [False, True]}, "entered at the wrong site")
    participant_created = AuditEvent.objects.get(object_type="participants.participant")
    assert participant_created.object_id == visit["participant"]
    everything = " ".join(f"{e.changes} {e.reason}" for e in AuditEvent.objects.all()).upper()
    assert "QUILLWREN" not in everything
