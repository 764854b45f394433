"""Pseudonymous participants: codes, lookup, details, first sighting, merge.

A participant is known only by the HMAC-SHA256 of their normalised visit code under a pepper
from the settings; the code itself is never stored, echoed or put in a URL.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone

from tests.backend.conftest import ago, booth_of, check_in, iso, lookup
from tests.conftest import TabletClient, World
from vigil.audit.models import AuditEvent
from vigil.participants.codes import code_digest, normalise
from vigil.participants.models import Participant, ParticipantSite
from vigil.visits.models import Visit

Clients = Callable[[str], TabletClient]


def _participant_of(client: TabletClient, code: str, **visit: object) -> str:
    """Check in a service-only visit with `code` and return the participant's id."""
    fields = {"kind": "service_only", **visit}
    response = check_in(client, code=code, **fields)
    assert response.status_code == 201, response.json()
    participant: str = response.json()["participant"]
    return participant


# --- Codes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("MAKO1993", "MAKO1993"),
        ("mako1993", "MAKO1993"),
        ("ma-ko 1993", "MAKO1993"),
        ("  Ma Ko-19 93 ", "MAKO1993"),
        ("ma\tko\u00a01993", "MAKO1993"),
    ],
)
def test_a_code_is_upper_cased_with_spaces_and_hyphens_removed(typed: str, normalised: str) -> None:
    assert normalise(typed) == normalised


def test_a_code_typed_differently_finds_the_same_person(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    participant = _participant_of(alice, "ma-ko 1993")

    answers = [lookup(alice, typed).json() for typed in ("MAKO1993", "mako-1993", "Ma Ko 1993")]

    assert {answer["id"] for answer in answers} == {participant}
    assert Participant.objects.count() == 1


@pytest.mark.parametrize(
    "code",
    ["AB", "A" * 17, "MAKO!993", "MAKÖ1993", "---", "", "   "],
    ids=["too short", "too long", "symbol", "accent", "only hyphens", "empty", "blank"],
)
def test_a_code_outside_the_pattern_is_refused_without_echoing_it(
    world: World, client_for: Clients, code: str
) -> None:
    response = lookup(client_for("alice"), code)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["code"]
    if code.strip("- "):
        assert code not in response.content.decode()


def test_the_code_pattern_comes_from_the_settings(world: World, client_for: Clients) -> None:
    alice = client_for("alice")

    with override_settings(VIGIL_CODE_PATTERN=r"^[A-Z]{4}[0-9]{4}$"):
        initials_and_year = lookup(alice, "mako-1993")
        alias = lookup(alice, "QUILLWREN")

    assert initials_and_year.status_code == 200
    assert alias.status_code == 400
    assert lookup(alice, "QUILLWREN").status_code == 200


def test_only_the_hmac_of_the_normalised_code_under_the_pepper_is_stored(
    world: World, client_for: Clients
) -> None:
    participant_id = _participant_of(client_for("alice"), "ma-ko 1993")

    stored = Participant.objects.get(pk=participant_id).code_digest

    pepper = settings.VIGIL_CODE_PEPPER.encode()
    assert pepper
    expected = hmac.new(pepper, b"MAKO1993", hashlib.sha256).hexdigest()
    assert stored == expected
    assert stored != hashlib.sha256(b"MAKO1993").hexdigest(), "a plain hash is reversible"
    stored_row = Participant.objects.filter(pk=participant_id).values().get()
    assert not any("MAKO" in str(value).upper() for value in stored_row.values())


def test_another_pepper_gives_another_digest_and_finds_nobody(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    _participant_of(alice, "MAKO1993")

    with override_settings(VIGIL_CODE_PEPPER="another-pepper"):
        other_digest = code_digest("MAKO1993")
        answer = lookup(alice, "MAKO1993").json()

    assert other_digest != code_digest("MAKO1993")
    assert answer["known"] is False


# --- Lookup --------------------------------------------------------------------------------------


def test_a_code_never_seen_is_unknown_and_has_no_id(world: World, client_for: Clients) -> None:
    response = lookup(client_for("alice"), "NEVERSEEN1")

    assert response.status_code == 200
    assert response.json() == {
        "known": False,
        "visits_count": 0,
        "last_visit_at": None,
        "birth_year": None,
        "gender": None,
        "open_referrals": [],
        "recent_overdose": False,
        "restriction": None,
        "inside": None,
    }
    assert not Participant.objects.exists(), "a lookup creates nobody"


def test_a_known_code_shows_the_visits_at_this_site_and_the_details(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    first_at = ago(hours=5)
    last_at = ago(hours=1)
    first = check_in(alice, kind="service_only", code="MAKO1993", checked_in_at=iso(first_at))
    alice.post(f"/api/v1/visits/{first.json()['id']}/check-out", {})
    participant = _participant_of(alice, "MAKO1993", checked_in_at=iso(last_at))
    alice.patch(f"/api/v1/participants/{participant}", {"birth_year": 1993, "version": 1})

    response = lookup(alice, "mako 1993")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == participant
    assert body["known"] is True
    assert body["visits_count"] == 2
    assert datetime.fromisoformat(body["last_visit_at"]) == last_at
    assert body["recent_overdose"] is False
    assert (body["birth_year"], body["gender"]) == (1993, "unknown")


def test_a_lookup_at_another_site_shows_none_of_the_first_sites_visits(
    world: World, client_for: Clients
) -> None:
    _participant_of(client_for("alice"), "MAKO1993")

    response = lookup(client_for("charlie"), "MAKO1993", site="eastside")

    assert response.status_code == 200
    # Nothing of the person crosses over: not their id, details, visits or referrals.
    assert response.json() == {
        "known": False,
        "visits_count": 0,
        "last_visit_at": None,
        "birth_year": None,
        "gender": None,
        "open_referrals": [],
        "recent_overdose": False,
        "restriction": None,
        "inside": None,
    }


def test_a_lookup_says_the_person_is_already_inside_this_site_and_in_which_booth(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    inside = check_in(alice, code="MAKO1993", booth=booth_of(world.site_a, "8"))
    assert inside.status_code == 201, inside.json()
    _participant_of(alice, "QUILLWREN")

    assert lookup(alice, "mako 1993").json()["inside"] == {"booth_label": "8"}
    assert lookup(alice, "QUILLWREN").json()["inside"] == {"booth_label": None}

    alice.post(f"/api/v1/visits/{inside.json()['id']}/check-out", {})
    assert lookup(alice, "MAKO1993").json()["inside"] is None


def test_a_lookup_never_says_inside_for_another_sites_booth(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    here = _participant_of(alice, "MAKO1993")
    visit = Visit.objects.get(participant_id=here)
    alice.post(f"/api/v1/visits/{visit.pk}/check-out", {})
    elsewhere = check_in(
        client_for("charlie"), site="eastside", code="MAKO1993", booth=booth_of(world.site_b, "2")
    )
    assert elsewhere.status_code == 201, elsewhere.json()

    answer = lookup(alice, "MAKO1993").json()

    assert answer["known"] is True
    assert answer["inside"] is None


def test_a_lookup_is_a_post_so_the_code_never_reaches_a_url(
    world: World, client_for: Clients
) -> None:
    response = client_for("alice").get("/api/v1/participants/lookup?site=harbour&code=MAKO1993")

    assert response.status_code == 405


@pytest.mark.parametrize(
    ("persona", "site", "expected"),
    [
        ("alice", "harbour", 200),
        ("bob", "harbour", 200),
        ("erin", "harbour", 200),
        ("dana", "harbour", 403),
        ("charlie", "harbour", 404),
        ("charlie", "eastside", 200),
    ],
)
def test_who_may_look_up_a_code_where(
    world: World, client_for: Clients, persona: str, site: str, expected: int
) -> None:
    assert lookup(client_for(persona), "MAKO1993", site=site).status_code == expected


# --- Details: birth year and gender --------------------------------------------------------------


def test_birth_year_and_gender_are_set_naming_the_version_read(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    participant = _participant_of(alice, "MAKO1993")

    response = alice.patch(
        f"/api/v1/participants/{participant}",
        {"birth_year": 1993, "gender": "non_binary", "version": 1},
    )

    assert response.status_code == 200
    assert response.json()["birth_year"] == 1993
    assert response.json()["gender"] == "non_binary"
    assert response.json()["version"] == 2
    assert set(response.json()) == {"id", "birth_year", "gender", "first_seen_at", "version"}
    event = AuditEvent.objects.get(action="update", object_type="participants.participant")
    assert event.actor == world.users["alice"]
    assert event.changes == {"birth_year": [None, 1993], "gender": ["unknown", "non_binary"]}


def test_birth_year_can_be_set_back_to_unknown(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    participant = _participant_of(alice, "MAKO1993")
    alice.patch(f"/api/v1/participants/{participant}", {"birth_year": 1993, "version": 1})

    response = alice.patch(
        f"/api/v1/participants/{participant}", {"birth_year": None, "version": 2}
    )

    assert response.json()["birth_year"] is None


def test_a_stale_version_of_a_participant_is_412_and_changes_nothing(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    participant = _participant_of(alice, "MAKO1993")
    url = f"/api/v1/participants/{participant}"
    alice.patch(url, {"gender": "woman", "version": 1})

    stale = client_for("bob").patch(url, {"gender": "man", "version": 1})

    assert stale.status_code == 412
    assert Participant.objects.get(pk=participant).gender == "woman"


def test_a_resent_correction_of_a_participant_answers_the_stored_one(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    participant = _participant_of(alice, "MAKO1993")
    url = f"/api/v1/participants/{participant}"
    alice.patch(url, {"gender": "woman", "version": 1})

    resent = alice.patch(url, {"gender": "woman", "version": 1})

    assert resent.status_code == 200
    assert resent.json()["version"] == 2
    assert Participant.objects.get(pk=participant).version == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"birth_year": 1850, "version": 1}, "birth_year"),
        ({"birth_year": "nineteen", "version": 1}, "birth_year"),
        ({"gender": "female", "version": 1}, "gender"),
        ({"gender": "woman"}, "version"),
    ],
)
def test_bad_details_are_refused_naming_the_field(
    world: World, client_for: Clients, body: dict[str, object], field: str
) -> None:
    alice = client_for("alice")
    participant = _participant_of(alice, "MAKO1993")

    response = alice.patch(f"/api/v1/participants/{participant}", body)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert Participant.objects.get(pk=participant).version == 1


def test_a_participant_seen_only_at_another_site_answers_like_one_that_does_not_exist(
    world: World, client_for: Clients
) -> None:
    participant = _participant_of(client_for("alice"), "MAKO1993")
    charlie = client_for("charlie")

    seen_elsewhere = charlie.patch(f"/api/v1/participants/{participant}", {"version": 1})
    missing = charlie.patch(f"/api/v1/participants/{uuid.uuid4()}", {"version": 1})

    assert seen_elsewhere.status_code == missing.status_code == 404
    assert seen_elsewhere.json() == missing.json()


def test_once_seen_at_their_site_another_sites_staff_may_update_the_participant(
    world: World, client_for: Clients
) -> None:
    participant = _participant_of(client_for("alice"), "MAKO1993")
    charlie = client_for("charlie")
    _participant_of(charlie, "MAKO1993", site="eastside")

    response = charlie.patch(f"/api/v1/participants/{participant}", {"gender": "man", "version": 1})

    assert response.status_code == 200


# --- First seen ----------------------------------------------------------------------------------


def test_the_first_sighting_site_and_time_are_kept(world: World, client_for: Clients) -> None:
    first_at = ago(hours=2)
    participant = _participant_of(
        client_for("charlie"), "MAKO1993", site="eastside", checked_in_at=iso(first_at)
    )
    _participant_of(client_for("alice"), "MAKO1993")

    stored = Participant.objects.get(pk=participant)

    assert (stored.first_seen_site, stored.first_seen_at) == (world.site_b, first_at)
    sightings = dict(
        ParticipantSite.objects.filter(participant=stored).values_list(
            "site__slug", "first_seen_at"
        )
    )
    assert sightings["eastside"] == first_at
    assert sightings["harbour"] > first_at


def test_an_earlier_visit_entered_late_moves_the_first_sighting_back(
    world: World, client_for: Clients
) -> None:
    participant = _participant_of(client_for("alice"), "MAKO1993")
    yesterday = ago(hours=26)

    _participant_of(
        client_for("charlie"), "MAKO1993", site="eastside", checked_in_at=iso(ago(hours=1))
    )
    Visit.objects.filter(participant=participant).update(checked_out_at=timezone.now())
    _participant_of(client_for("bob"), "MAKO1993", checked_in_at=iso(yesterday))

    stored = Participant.objects.get(pk=participant)
    assert (stored.first_seen_site, stored.first_seen_at) == (world.site_a, yesterday)


def test_a_refused_visit_leaves_no_participant_behind(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    check_in(alice, booth=booth_of(world.site_a, "1"))

    response = check_in(alice, booth=booth_of(world.site_a, "1"), code="NEWPERSON")

    assert response.status_code == 409
    assert not Participant.objects.exists()
    assert lookup(alice, "NEWPERSON").json()["known"] is False


# --- Merge ---------------------------------------------------------------------------------------


def _merge(client: TabletClient, source: str, into: str, reason: str = "mistyped code") -> Any:
    return client.post(f"/api/v1/participants/{source}/merge", {"into": into, "reason": reason})


def test_a_supervisor_merges_a_mistyped_code_and_every_visit_moves(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    right = _participant_of(alice, "MAKO1993")
    Visit.objects.update(checked_out_at=timezone.now())
    mistyped = _participant_of(alice, "MAKO1933")
    Visit.objects.filter(participant=mistyped).update(checked_out_at=timezone.now())
    _participant_of(alice, "MAKO1933")

    response = _merge(client_for("bob"), mistyped, right)

    assert response.status_code == 200
    assert response.json()["id"] == right
    assert Visit.objects.filter(participant=right).count() == 3
    assert not Visit.objects.filter(participant=mistyped).exists()
    assert lookup(alice, "MAKO1933").json()["id"] == right
    assert lookup(alice, "MAKO1993").json()["visits_count"] == 3
    merged = Participant.objects.get(pk=mistyped)
    assert (str(merged.merged_into_id), merged.merged_at is not None) == (right, True)


def test_a_merge_is_audited_with_who_the_reason_and_what_moved(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    right = _participant_of(alice, "MAKO1993")
    mistyped = _participant_of(alice, "MAKO1933")
    Visit.objects.filter(participant=mistyped).update(checked_out_at=timezone.now())

    _merge(client_for("bob"), mistyped, right, reason="read 1993 as 1933")

    event = AuditEvent.objects.get(action="merge")
    assert (event.actor, event.site, event.reason) == (
        world.users["bob"],
        world.site_a,
        "read 1993 as 1933",
    )
    assert (event.object_type, event.object_id) == ("participants.participant", mistyped)
    assert event.changes == {"merged_into": [None, right], "moved": {"visits.visit": 1}}
    assert "MAKO" not in str(event.changes).upper()


def test_a_merge_keeps_the_earliest_first_sighting_and_fills_unknown_details(
    world: World, client_for: Clients
) -> None:
    earliest = ago(hours=3)
    mistyped = _participant_of(
        client_for("charlie"), "MAKO1933", site="eastside", checked_in_at=iso(earliest)
    )
    alice = client_for("alice")
    _participant_of(alice, "MAKO1933")
    Visit.objects.update(checked_out_at=timezone.now())
    right = _participant_of(alice, "MAKO1993")
    alice.patch(f"/api/v1/participants/{mistyped}", {"birth_year": 1993, "version": 1})

    response = _merge(client_for("bob"), mistyped, right)

    assert response.status_code == 200
    stored = Participant.objects.get(pk=right)
    assert (stored.first_seen_site, stored.first_seen_at) == (world.site_b, earliest)
    assert stored.birth_year == 1993
    assert set(
        ParticipantSite.objects.filter(participant=stored).values_list("site__slug", flat=True)
    ) == {"harbour", "eastside"}
    charlie = client_for("charlie")
    assert charlie.patch(f"/api/v1/participants/{right}", {"version": 2}).status_code == 200


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_merge_needs_a_reason(world: World, client_for: Clients, reason: str) -> None:
    alice = client_for("alice")
    right = _participant_of(alice, "MAKO1993")
    mistyped = _participant_of(alice, "MAKO1933")

    response = _merge(client_for("bob"), mistyped, right, reason=reason)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reason"]
    assert Participant.objects.get(pk=mistyped).merged_into is None


def test_a_participant_cannot_be_merged_into_itself(world: World, client_for: Clients) -> None:
    participant = _participant_of(client_for("alice"), "MAKO1993")

    response = _merge(client_for("bob"), participant, participant)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["into"]


def test_two_people_both_inside_cannot_be_merged_until_one_is_checked_out(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    right = _participant_of(alice, "MAKO1993")
    mistyped = _participant_of(alice, "MAKO1933")

    response = _merge(client_for("bob"), mistyped, right)

    assert response.status_code == 409
    assert Visit.objects.filter(participant=mistyped).count() == 1
    assert Participant.objects.get(pk=mistyped).merged_into is None
    assert not AuditEvent.objects.filter(action="merge").exists()


def test_a_merged_participant_is_gone_from_the_api(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    right = _participant_of(alice, "MAKO1993")
    mistyped = _participant_of(alice, "MAKO1933")
    Visit.objects.filter(participant=mistyped).update(checked_out_at=timezone.now())
    bob = client_for("bob")
    _merge(bob, mistyped, right)

    assert alice.patch(f"/api/v1/participants/{mistyped}", {"version": 2}).status_code == 404
    assert _merge(bob, mistyped, right).status_code == 404


def test_a_new_visit_with_the_mistyped_code_goes_to_the_merged_participant(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    right = _participant_of(alice, "MAKO1993")
    mistyped = _participant_of(alice, "MAKO1933")
    Visit.objects.update(checked_out_at=timezone.now())
    _merge(client_for("bob"), mistyped, right)

    assert _participant_of(alice, "MAKO1933") == right


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("alice", 403), ("bob", 200), ("erin", 200), ("dana", 403), ("charlie", 404)],
)
def test_who_may_merge(world: World, client_for: Clients, persona: str, expected: int) -> None:
    alice = client_for("alice")
    right = _participant_of(alice, "MAKO1993")
    mistyped = _participant_of(alice, "MAKO1933")
    Visit.objects.update(checked_out_at=timezone.now())

    response = _merge(client_for(persona), mistyped, right)

    assert response.status_code == expected
    assert (Participant.objects.get(pk=mistyped).merged_into is not None) == (expected == 200)


def test_a_supervisor_cannot_merge_into_someone_never_seen_at_their_sites(
    world: World, client_for: Clients
) -> None:
    elsewhere = _participant_of(client_for("charlie"), "EASTONLY1", site="eastside")
    here = _participant_of(client_for("alice"), "MAKO1993")
    Visit.objects.update(checked_out_at=timezone.now())

    response = _merge(client_for("bob"), here, elsewhere)

    assert response.status_code == 404
    assert Participant.objects.get(pk=here).merged_into is None
