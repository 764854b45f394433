"""The regulator's indicators (docs/domain.md, "What regulators ask for besides") through the HTTP API.

Records are written as a supervisor's tablet writes them (backdated to a past day), and the
figures read from the daily and period reports: one worked example per rule.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.backend.conftest import run_recomputes
from tests.backend.incidents_support import complete, open_incident, tap
from tests.conftest import TabletClient, World
from vigil.accounts.models import Membership, Role
from vigil.core.calendar import local_today
from vigil.safety.models import Complaint, Restriction, TurnAwayReason

TORONTO = ZoneInfo("America/Toronto")
VANCOUVER = ZoneInfo("America/Vancouver")
DAY = date(2026, 11, 10)
EVE = date(2025, 12, 31)
Clients = Callable[[str], TabletClient]


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = TORONTO) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone).isoformat()


@pytest.fixture
def bob(client_for: Clients) -> TabletClient:
    """The supervisor of harbour: may backdate records to a past day."""
    return client_for("bob")


def visit(client: TabletClient, when: str, code: str | None = None, site: str = "harbour") -> Any:
    """A service-only visit at `when`, checked out five minutes later."""
    body = {
        "id": str(uuid.uuid4()),
        "site": site,
        "kind": "service_only",
        "checked_in_at": when,
    }
    if code:
        body["code"] = code
    created = client.post("/api/v1/visits/", body)
    assert created.status_code == 201, created.content
    out = datetime.fromisoformat(when) + timedelta(minutes=5)
    done = client.post(
        f"/api/v1/visits/{created.json()['id']}/check-out",
        {"checked_out_at": out.isoformat()},
    )
    assert done.status_code == 200, done.content
    return done.json()


def person(
    client: TabletClient,
    when: str,
    code: str,
    *,
    born: int | None,
    gender: str,
    site: str = "harbour",
) -> Any:
    """A first visit of someone who then gives their birth year and gender."""
    first = visit(client, when, code, site=site)
    response = client.patch(
        f"/api/v1/participants/{first['participant']}",
        {"birth_year": born, "gender": gender, "version": 1},
    )
    assert response.status_code == 200, response.content
    return first


def daily(client: TabletClient, day: date = DAY, site: str = "harbour") -> dict[str, Any]:
    response = client.get(f"/api/v1/reports/daily/?site={site}&from={day}&to={day}")
    assert response.status_code == 200, response.content
    metrics: dict[str, Any] = response.json()[0]["metrics"]
    return metrics


def period(client: TabletClient, first: date, last: date, sites: str = "") -> dict[str, Any]:
    response = client.get(f"/api/v1/reports/period/?{sites}from={first}&to={last}")
    assert response.status_code == 200, response.content
    metrics: dict[str, Any] = response.json()["metrics"]
    return metrics


def nonzero(table: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in table.items() if value}


def test_participants_by_age_band_use_the_age_at_the_first_visit_of_the_period(
    world: World, bob: TabletClient
) -> None:
    # Born 1996: 29 on New Year's Eve 2025, 30 the next day.
    person(bob, at(EVE, 20), "AGE1996", born=1996, gender="man")
    visit(bob, at(EVE + timedelta(days=1), 10), "AGE1996")
    person(bob, at(EVE, 21), "AGE2010", born=2010, gender="woman")
    person(bob, at(EVE, 22), "AGE1960", born=1960, gender="woman")
    person(bob, at(EVE, 23), "AGENONE", born=None, gender="unknown")
    visit(bob, at(EVE, 23, 30))  # anonymous: a visit, never a participant

    eve = daily(bob, EVE)
    new_year = daily(bob, EVE + timedelta(days=1))
    both = period(bob, EVE, EVE + timedelta(days=1), "site=harbour&")

    assert nonzero(eve["participants_by_age_band"]) == {
        "under_20": 1,
        "20_29": 1,
        "60_plus": 1,
        "unknown": 1,
    }
    assert sum(eve["participants_by_age_band"].values()) == eve["unique_participants"] == 4
    assert nonzero(new_year["participants_by_age_band"]) == {"30_39": 1}
    # Over both days each person counts once, at their age on their first visit of the period.
    assert both["participants_by_age_band"] == eve["participants_by_age_band"]
    assert both["unique_participants"] == 4


def test_participants_by_gender_count_each_person_once_across_the_network(
    world: World, bob: TabletClient
) -> None:
    Membership.objects.create(user=world.users["bob"], site=world.site_b, role=Role.SUPERVISOR)
    person(bob, at(DAY, 9), "GENW1", born=1990, gender="woman")
    person(bob, at(DAY, 10), "GENN1", born=1990, gender="non_binary")
    visit(bob, at(DAY, 9, 0, VANCOUVER), "GENW1", site="eastside")
    voided = visit(bob, at(DAY, 11), "GENM1")
    assert (
        bob.post(f"/api/v1/visits/{voided['id']}/void", {"reason": "wrong code"}).status_code == 200
    )

    harbour = daily(bob)
    network = period(bob, DAY, DAY)

    assert nonzero(harbour["participants_by_gender"]) == {"woman": 1, "non_binary": 1}
    assert nonzero(daily(bob, site="eastside")["participants_by_gender"]) == {"woman": 1}
    # The woman visited both sites: the network total counts her once. The voided visit of
    # GENM1 counts nowhere.
    assert nonzero(network["participants_by_gender"]) == {"woman": 1, "non_binary": 1}
    assert network["unique_participants"] == 2


def test_the_crossed_table_adds_up_to_both_margins(world: World, bob: TabletClient) -> None:
    person(bob, at(DAY, 9), "CROSS1", born=1995, gender="woman")
    person(bob, at(DAY, 10), "CROSS2", born=1995, gender="man")
    person(bob, at(DAY, 11), "CROSS3", born=1975, gender="man")

    metrics = daily(bob)

    table = metrics["participants_by_age_gender"]
    assert {band: nonzero(row) for band, row in table.items() if nonzero(row)} == {
        "30_39": {"woman": 1, "man": 1},
        "50_59": {"man": 1},
    }
    for band, row in table.items():
        assert sum(row.values()) == metrics["participants_by_age_band"][band]
    for gender, total in metrics["participants_by_gender"].items():
        assert sum(row[gender] for row in table.values()) == total


def test_the_crossed_table_is_suppressed_by_row_and_by_column(
    world: World, bob: TabletClient, client_for: Clients
) -> None:
    # 30-39: 12 women, 3 men; 40-49: 11 women, 14 men (40 people in all).
    people = [(1990, "woman")] * 12 + [(1990, "man")] * 3
    people += [(1980, "woman")] * 11 + [(1980, "man")] * 14
    for n, (born, gender) in enumerate(people):
        person(
            bob,
            at(DAY, 8 + n // 6, (n % 6) * 10),
            f"SUP{n:03d}",
            born=born,
            gender=gender,
        )

    full = daily(bob)
    shown = daily(client_for("dana"))  # the analyst: figures that leave the site
    period_shown = period(client_for("dana"), DAY, DAY, "site=harbour&")

    assert full["participants_by_age_gender"]["30_39"] == {
        "woman": 12,
        "man": 3,
        "non_binary": 0,
        "unknown": 0,
    }
    for metrics in (shown, period_shown):
        table = metrics["participants_by_age_gender"]
        # The 3 is small. Its row (30-39 = 15) would give it back from the 12, and its column
        # (men = 17) from the 14: both are hidden, and then the 11 that would give the 14
        # back from the 40-49 row. Nothing hidden can be worked out by subtraction.
        assert table["30_39"] == {
            "woman": "x",
            "man": "<10",
            "non_binary": 0,
            "unknown": 0,
        }
        assert table["40_49"] == {
            "woman": "x",
            "man": "x",
            "non_binary": 0,
            "unknown": 0,
        }
        assert metrics["participants_by_age_band"]["30_39"] == 15
        assert metrics["participants_by_gender"]["man"] == 17
        assert metrics["unique_participants"] == 40


def test_visits_by_time_band_use_the_local_check_in_time(world: World, bob: TabletClient) -> None:
    for hour, minute in [
        (7, 0),
        (11, 59),
        (12, 0),
        (21, 59),
        (22, 0),
        (23, 30),
        (2, 59),
        (3, 0),
    ]:
        visit(bob, at(DAY, hour, minute))
    Membership.objects.create(user=world.users["bob"], site=world.site_b, role=Role.SUPERVISOR)
    visit(bob, at(DAY, 7, 30, VANCOUVER), site="eastside")  # 10:30 in Toronto

    assert daily(bob)["visits_by_time_band"] == {
        "07_12": 2,
        "12_17": 1,
        "17_22": 1,
        "22_03": 3,
        "03_07": 1,
    }
    assert nonzero(daily(bob, site="eastside")["visits_by_time_band"]) == {"07_12": 1}
    assert period(bob, DAY, DAY)["visits_by_time_band"]["07_12"] == 3


def test_the_overdose_response_breakdown_follows_the_timeline(
    world: World, bob: TabletClient
) -> None:
    # 1. Staff alone: oxygen and stimulation, no naloxone, no EMS.
    first = open_incident(bob, started_at=at(DAY, 9))
    tap(bob, first["id"], "oxygen", at=at(DAY, 9, 1))
    tap(bob, first["id"], "stimulation", at=at(DAY, 9, 2))
    # 2. Naloxone by staff, then EMS called and arrived.
    second = open_incident(bob, started_at=at(DAY, 10))
    tap(bob, second["id"], "naloxone", at=at(DAY, 10, 2), dose_mg="0.4", route="IM")
    tap(bob, second["id"], "ems_called", at=at(DAY, 10, 3))
    tap(bob, second["id"], "ems_arrived", at=at(DAY, 10, 12))
    # 3. EMS arrived first and gave the naloxone.
    third = open_incident(bob, kind="stimulant_overdose", started_at=at(DAY, 11))
    tap(bob, third["id"], "ems_called", at=at(DAY, 11, 1))
    tap(bob, third["id"], "ems_arrived", at=at(DAY, 11, 9))
    tap(bob, third["id"], "naloxone", at=at(DAY, 11, 10), dose_mg="0.4", route="IM")
    # 4. A naloxone tapped by mistake and voided: monitoring only.
    fourth = open_incident(bob, started_at=at(DAY, 12))
    mistake = tap(bob, fourth["id"], "naloxone", at=at(DAY, 12, 1), dose_mg="0.4", route="IM")
    voided = bob.post(
        f"/api/v1/incidents/{fourth['id']}/actions/{mistake['id']}/void",
        {"reason": "mis-tap"},
    )
    assert voided.status_code == 200, voided.content
    tap(bob, fourth["id"], "monitoring", at=at(DAY, 12, 2))
    # Not an overdose: an EMS call that counts in ems_calls only.
    other = open_incident(bob, kind="other_medical", started_at=at(DAY, 13))
    tap(bob, other["id"], "ems_called", at=at(DAY, 13, 1))

    metrics = daily(bob)

    assert metrics["overdoses"] == 4
    assert metrics["overdoses_staff_only"] == 2  # 1 and 4
    assert metrics["overdoses_ems_treated"] == 2  # 2 and 3
    assert metrics["overdoses_naloxone_by_staff"] == 1  # 2
    assert metrics["overdoses_with_naloxone"] == 2  # 2 and 3
    assert metrics["overdoses_without_naloxone"] == 2  # 1 and 4
    assert metrics["overdoses_with_oxygen"] == 1  # 1
    assert metrics["overdose_ems_calls"] == 2  # 2 and 3
    assert metrics["ems_calls"] == 3  # and the other medical emergency


def test_police_attended_counts_incidents_of_every_kind_not_voided(
    world: World, bob: TabletClient
) -> None:
    fight = open_incident(bob, kind="violence", location="outside", started_at=at(DAY, 9))
    complete(bob, fight, police_attended=True, ended_at=at(DAY, 9, 30))
    overdose = open_incident(bob, started_at=at(DAY, 10))
    complete(bob, overdose, police_attended=True, ended_at=at(DAY, 10, 30))
    quiet = open_incident(bob, kind="other_medical", started_at=at(DAY, 11))
    complete(bob, quiet, ended_at=at(DAY, 11, 30))
    wrong = open_incident(bob, kind="violence", location="outside", started_at=at(DAY, 12))
    complete(bob, wrong, police_attended=True, ended_at=at(DAY, 12, 30))
    response = bob.post(f"/api/v1/incidents/{wrong['id']}/void", {"reason": "entered twice"})
    assert response.status_code == 200, response.content

    assert daily(bob)["police_attended"] == 2


def test_incidents_by_kind_count_every_kind(world: World, bob: TabletClient) -> None:
    for hour, kind in [
        (9, "opioid_overdose"),
        (10, "opioid_overdose"),
        (11, "needlestick"),
        (12, "privacy_breach"),
        (13, "substance_found"),
    ]:
        open_incident(bob, kind=kind, started_at=at(DAY, hour))

    metrics = daily(bob)
    week = period(bob, DAY - timedelta(days=3), DAY + timedelta(days=3), "site=harbour&")

    assert metrics["incidents_by_kind"] == {
        "opioid_overdose": 2,
        "stimulant_overdose": 0,
        "other_medical": 0,
        "violence": 0,
        "needlestick": 1,
        "substance_found": 1,
        "privacy_breach": 1,
        "other": 0,
    }
    assert week["incidents_by_kind"] == metrics["incidents_by_kind"]


def test_new_participants_are_broken_down_like_unique_ones(world: World, bob: TabletClient) -> None:
    person(bob, at(DAY - timedelta(days=2), 9), "OLDTIMER", born=1970, gender="man")
    visit(bob, at(DAY, 9), "OLDTIMER")
    person(bob, at(DAY, 10), "NEWCOMER", born=2001, gender="woman")

    metrics = daily(bob)

    assert metrics["unique_participants"] == 2
    assert metrics["new_participants"] == 1
    assert nonzero(metrics["new_participants_by_age_band"]) == {"20_29": 1}
    assert nonzero(metrics["new_participants_by_gender"]) == {"woman": 1}


def test_correcting_a_gender_recomputes_the_days_the_person_visited(
    world: World,
    bob: TabletClient,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = person(bob, at(DAY, 9), "FIXME1", born=1990, gender="man")
    visit(bob, at(DAY + timedelta(days=1), 9), "FIXME1")
    assert nonzero(daily(bob)["participants_by_gender"]) == {"man": 1}

    with django_capture_on_commit_callbacks(execute=True):
        response = bob.patch(
            f"/api/v1/participants/{first['participant']}",
            {"gender": "woman", "version": 2},
        )
    assert response.status_code == 200, response.content

    assert run_recomputes(celery_messages) == {DAY, DAY + timedelta(days=1)}
    assert nonzero(daily(bob)["participants_by_gender"]) == {"woman": 1}


# --- Floor safety operations (docs/domain.md, "The floor's safety operations") -------------------------


def turn_away(client: TabletClient, when: str, reason: str, site: str = "harbour") -> Any:
    created = client.post("/api/v1/turnaways/", {"site": site, "reason": reason, "at": when})
    assert created.status_code == 201, created.content
    return created.json()


def test_turnaways_by_reason_count_each_reason_on_the_local_day_and_a_left_wait_once(
    world: World, bob: TabletClient, client_for: Clients
) -> None:
    Membership.objects.create(user=world.users["bob"], site=world.site_b, role=Role.SUPERVISOR)
    turn_away(bob, at(DAY, 9), "intoxication")
    turn_away(bob, at(DAY, 23, 30), "closed")  # 04:30 UTC the next day: still DAY in Toronto
    turn_away(bob, at(DAY + timedelta(days=1), 0, 30), "closed")  # the next local day
    turn_away(
        bob,
        at(DAY, 10, zone=VANCOUVER),
        "eligibility",
        site="eastside",
    )
    voided = turn_away(bob, at(DAY, 11), "other")
    assert (
        bob.post(f"/api/v1/turnaways/{voided['id']}/void", {"reason": "Twice"}).status_code == 200
    )
    alice = client_for("alice")  # today: a person who left the waiting list
    waiting = alice.post("/api/v1/waitlist/", {"site": "harbour"})
    assert alice.post(f"/api/v1/waitlist/{waiting.json()['id']}/leave", {}).status_code == 200

    assert nonzero(daily(bob)["turnaways_by_reason"]) == {
        "intoxication": 1,
        "closed": 1,
    }
    assert set(daily(bob)["turnaways_by_reason"]) == set(TurnAwayReason.values)
    today = daily(bob, local_today(world.site_a))
    assert nonzero(today["turnaways_by_reason"]) == {"capacity": 1}
    assert nonzero(
        period(bob, DAY, DAY + timedelta(days=1), "site=harbour&")["turnaways_by_reason"]
    ) == {
        "intoxication": 1,
        "closed": 2,
    }


def test_assisted_visits_count_peer_and_staff_assistance(world: World, bob: TabletClient) -> None:
    for assisted in ("peer", "staff", "none"):
        created = bob.post(
            "/api/v1/visits/",
            {
                "site": "harbour",
                "kind": "service_only",
                "checked_in_at": at(DAY, 9),
                "assisted": assisted,
            },
        )
        assert created.status_code == 201, created.content
    voided = bob.post(
        "/api/v1/visits/",
        {
            "site": "harbour",
            "kind": "service_only",
            "checked_in_at": at(DAY, 10),
            "assisted": "staff",
        },
    ).json()
    bob.post(f"/api/v1/visits/{voided['id']}/void", {"reason": "entered twice"})

    figures = daily(bob)

    assert (figures["visits"], figures["assisted_visits"]) == (3, 2)


def test_shared_supply_visits_count_visits_flagged_at_check_in(
    world: World, bob: TabletClient
) -> None:
    for shared in (True, True, False):
        created = bob.post(
            "/api/v1/visits/",
            {
                "site": "harbour",
                "kind": "service_only",
                "checked_in_at": at(DAY, 9),
                "shared_supply": shared,
            },
        )
        assert created.status_code == 201, created.content
    bob.post(
        "/api/v1/visits/",
        {
            "site": "harbour",
            "kind": "service_only",
            "checked_in_at": at(DAY - timedelta(days=1), 23),
            "shared_supply": True,
        },
    )

    assert daily(bob)["shared_supply_visits"] == 2
    assert period(bob, DAY - timedelta(days=1), DAY)["shared_supply_visits"] == 3


def test_restrictions_started_count_by_their_local_start_day(
    world: World, bob: TabletClient
) -> None:
    def restrict(code: str, starts: str) -> Any:
        created = bob.post(
            "/api/v1/restrictions/",
            {
                "site": "harbour",
                "code": code,
                "scope": "all_services",
                "reason": "threats",
                "starts_at": starts,
                "review_at": at(DAY + timedelta(days=30), 9),
            },
        )
        assert created.status_code == 201, created.content
        return created.json()

    restrict("MAKO1993", at(DAY, 8))
    restrict("LUNA2001", at(DAY, 23, 45))
    restrict("OWEN1988", at(DAY + timedelta(days=1), 8))
    voided = restrict("RIKO1975", at(DAY, 12))
    Restriction.objects.filter(pk=voided["id"]).update(voided=True)  # no void endpoint yet

    assert daily(bob)["restrictions_started"] == 2
    assert "threats" not in str(daily(bob))  # a count, never a reason


def test_alerts_by_source_count_the_alerts_posted_that_day_at_each_site(
    world: World, bob: TabletClient, client_for: Clients
) -> None:
    Membership.objects.create(user=world.users["bob"], site=world.site_b, role=Role.SUPERVISOR)
    expires = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
    alert = {"site": "harbour", "message": "Xylazine in the down", "level": "danger"}
    for body in ({**alert, "sites": ["eastside"]}, {**alert, "level": "info"}):
        posted = bob.post(
            "/api/v1/alerts/", {**body, "id": str(uuid.uuid4()), "expires_at": expires}
        )
        assert posted.status_code == 201, posted.content

    harbour = daily(bob, local_today(world.site_a))["alerts_by_source"]
    eastside = daily(bob, local_today(world.site_b), site="eastside")["alerts_by_source"]

    assert harbour == {"manual": 2, "overdose_cluster": 0, "drug_check": 0}
    assert nonzero(eastside) == {"manual": 1}


def test_complaints_by_category_count_complaints_received_that_day(
    world: World, bob: TabletClient, client_for: Clients
) -> None:
    def complain(category: str, received: str) -> Any:
        created = bob.post(
            "/api/v1/complaints/",
            {
                "site": "harbour",
                "category": category,
                "summary": "Waited long",
                "received_at": received,
            },
        )
        assert created.status_code == 201, created.content
        return created.json()

    complain("service", at(DAY, 9))
    complain("service", at(DAY, 16))
    complain("privacy", at(DAY, 12))
    complain("safety", at(DAY - timedelta(days=1), 12))
    voided = complain("staff_conduct", at(DAY, 13))
    Complaint.objects.filter(pk=voided["id"]).update(voided=True)  # no void endpoint yet

    figures = daily(bob)

    assert nonzero(figures["complaints_by_category"]) == {"service": 2, "privacy": 1}
    assert "Waited" not in str(figures)
    # An analyst never sees a small cell.
    shown = daily(client_for("dana"))["complaints_by_category"]
    assert nonzero(shown) == {"service": "<10", "privacy": "<10"}
