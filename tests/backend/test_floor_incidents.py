"""The live floor's incidents and alerts, the recent-overdose flag, and the participant lookup."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tests.backend.incidents_support import assert_documented, complete, open_incident, post, tap
from tests.conftest import TabletClient, World
from vigil.accounts.models import Role
from vigil.alerts.services import AlertPost, alert_post
from vigil.incidents.services import IncidentOpen, incident_open, incident_void
from vigil.sites.models import Site
from vigil.visits.models import Visit
from vigil.visits.services import CheckIn, visit_check_in

Clients = Callable[[str], TabletClient]
FLOOR = "/api/v1/sites/harbour/floor"


def _visit(world: World, code: str, booth: str | None = None) -> Visit:
    site = world.site_a
    visit, _ = visit_check_in(
        request=CheckIn(
            site=site,
            kind="consumption" if booth else "service_only",
            booth=site.booths.get(label=booth) if booth else None,
            code=code,
        ),
        by=world.users["alice"],
        role=Role.STAFF,
    )
    return visit


def _overdose(
    world: World, *, site: Site, code: str, days_ago: float, kind: str = "opioid_overdose"
) -> Any:
    incident, _ = incident_open(
        request=IncidentOpen(
            site=site,
            kind=kind,
            location="booth",
            code=code,
            started_at=timezone.now() - timedelta(days=days_ago),
        ),
        by=world.users["bob"],
        role=Role.SUPERVISOR,
    )
    return incident


def _alert(world: World, level: str, message: str) -> None:
    alert_post(
        request=AlertPost(
            site=world.site_a,
            message=message,
            level=level,
            expires_at=timezone.now() + timedelta(hours=4),
        ),
        by=world.users["bob"],
    )


def test_the_floor_shows_incidents_being_handled_and_active_alerts(
    world: World, client_for: Clients
) -> None:
    alice, bob = client_for("alice"), client_for("bob")
    visit = _visit(world, "FLOOR1", booth="4")
    in_booth = open_incident(alice, visit=str(visit.pk))
    submitted = open_incident(alice, kind="violence", location="outside")
    post(alice, f"/api/v1/incidents/{submitted['id']}/submit")
    returned = open_incident(alice, kind="needlestick", location="other")
    post(alice, f"/api/v1/incidents/{returned['id']}/submit")
    post(
        bob,
        f"/api/v1/incidents/{returned['id']}/review",
        {"decision": "return", "comment": "Which hand?"},
    )
    voided = open_incident(alice)
    post(bob, f"/api/v1/incidents/{voided['id']}/void", {"reason": "Duplicate."})
    open_incident(client_for("charlie"), site="eastside")
    _alert(world, "info", "Nurse on site at 2 pm")
    _alert(world, "danger", "Carfentanil found in blue pills")

    response = alice.get(FLOOR)
    floor = response.json()

    assert [(i["id"], i["status"]) for i in floor["incidents"]] == [
        (in_booth["id"], "open"),
        (returned["id"], "returned"),
    ]
    first = floor["incidents"][0]
    assert (first["booth_label"], first["location"], first["kind"]) == (
        "4",
        "booth",
        "opioid_overdose",
    )
    assert first["minutes_since_onset"] == 0
    assert [a["level"] for a in floor["alerts"]] == ["danger", "info"]
    assert_documented(alice, "GET", "/api/v1/sites/{slug}/floor", response)


def test_a_visit_is_flagged_when_its_person_overdosed_in_the_last_7_days_anywhere(
    world: World, client_for: Clients
) -> None:
    _overdose(world, site=world.site_b, code="RECENT1", days_ago=3)
    _overdose(world, site=world.site_a, code="LONGAGO", days_ago=8)
    voided = _overdose(world, site=world.site_a, code="VOIDED1", days_ago=1)
    incident_void(
        incident=voided, by=world.users["bob"], role=Role.SUPERVISOR, reason="Wrong person."
    )
    _overdose(world, site=world.site_a, code="FIGHT01", days_ago=1, kind="violence")
    for n, code in enumerate(["RECENT1", "LONGAGO", "VOIDED1", "FIGHT01"], start=1):
        _visit(world, code, booth=str(n))
    _visit(world, "RECENT1X")

    floor = client_for("alice").get(FLOOR).json()
    flags = {b["label"]: b["visit"]["overdose_last_7_days"] for b in floor["booths"] if b["visit"]}

    assert flags == {"1": True, "2": False, "3": False, "4": False}
    assert [v["overdose_last_7_days"] for v in floor["service_visits"]] == [False]


def test_the_floor_costs_the_same_queries_however_busy(
    world: World,
    client_for: Clients,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
) -> None:
    alice = client_for("alice")
    _visit(world, "BUSY0", booth="1")
    open_incident(alice)
    _alert(world, "warning", "Short staffed until 6 pm")
    with django_assert_max_num_queries(40) as quiet:
        assert alice.get(FLOOR).status_code == 200
    # Counted now: a later request resets the connection's query log.
    expected = len(quiet.captured_queries)
    for n in range(1, 9):
        _overdose(world, site=world.site_b, code=f"BUSY{n}", days_ago=2)
        _visit(world, f"BUSY{n}", booth=str(n + 1))
        emergency = open_incident(alice, kind="other_medical", location="aftercare")
        tap(alice, emergency["id"], "ems_called")
        _alert(world, "info", f"Notice {n}")
        # Today's figures read every record of the day: their cost must not grow either.
        post(alice, "/api/v1/services/", {"site": "harbour", "kind": "education"}, expect=201)
        post(
            alice,
            "/api/v1/referrals/",
            {
                "site": "harbour",
                "category": "housing",
                "destination": "offsite",
                "accompanied": False,
                "status": "offered",
            },
            expect=201,
        )

    with django_assert_num_queries(expected):
        floor = alice.get(FLOOR).json()

    assert len(floor["incidents"]) == 9
    assert len(floor["alerts"]) == 9
    assert floor["open_visits"] == 9
    today = floor["today"]
    assert (today["visits"], today["ems_calls"], today["services"], today["referrals"]) == (
        9,
        8,
        8,
        8,
    )


def test_the_lookup_flags_a_recent_overdose_at_any_site_and_nothing_more(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    _overdose(world, site=world.site_b, code="LOOKUP1", days_ago=2)  # seen only at eastside
    _overdose(world, site=world.site_a, code="LOOKUP2", days_ago=20)  # too long ago
    _overdose(world, site=world.site_a, code="LOOKUP3", days_ago=1, kind="violence")

    def found(code: str) -> dict[str, Any]:
        return post(alice, "/api/v1/participants/lookup", {"site": "harbour", "code": code})

    elsewhere = found("LOOKUP1")
    assert elsewhere == {
        "known": False,
        "visits_count": 0,
        "last_visit_at": None,
        "birth_year": None,
        "gender": None,
        "open_referrals": [],
        "recent_overdose": True,
        "restriction": None,
        "inside": None,
    }
    assert found("LOOKUP2")["recent_overdose"] is False
    assert found("LOOKUP3")["recent_overdose"] is False
    assert found("NOBODY9")["recent_overdose"] is False


def test_a_completed_incident_still_shows_until_submitted(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    incident = open_incident(alice)
    complete(alice, incident)

    assert [i["id"] for i in alice.get(FLOOR).json()["incidents"]] == [incident["id"]]
