"""One worked example per counting rule of docs/domain.md, small enough to check by hand.

Each test records a handful of records on past days through the API, as a supervisor of the
site would (the days are past, so every record is backdated), then reads the figures through
`/api/v1/reports/daily/` or `/api/v1/reports/period/`. Beside it,
`test_reports_generated_month.py` checks every rule at once against a generated month.

The site `harbour` keeps Toronto time; `eastside` Vancouver time (see tests/conftest.py). Bob is
a supervisor at harbour, Dana an analyst there; Nora, made here, is a supervisor at both.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from tests.backend.conftest import booth_of, check_in, run_recomputes
from tests.backend.incidents_support import complete, detail, open_incident, tap
from tests.conftest import TabletClient, World, make_user
from vigil.accounts.models import Membership, Role
from vigil.reports.services import local_today
from vigil.sites.models import Site

Clients = Callable[[str], TabletClient]
DAY = date(2026, 11, 10)
NEXT_DAY = DAY + timedelta(days=1)


# --- Writing a few records, reading the figures ----------------------------------------------


def local(hour: int, minute: int = 0, *, day: date = DAY, site: str = "harbour") -> datetime:
    """A local time of a site's day."""
    return datetime.combine(day, time(hour, minute), tzinfo=Site.objects.get(slug=site).zone)


def visit(
    client: TabletClient,
    start: datetime,
    *,
    code: str | None = None,
    booth: str | None = "1",
    minutes: int | None = 20,
    substances: Iterable[str] = (),
    routes: Iterable[str] = (),
    site: str = "harbour",
) -> dict[str, Any]:
    """A visit checked in at `start` (consumption in `booth`, or service-only without one) and
    checked out `minutes` later (None: left open). No code: anonymous."""
    fields: dict[str, Any] = {
        "site": site,
        "kind": "consumption" if booth else "service_only",
        "checked_in_at": start.isoformat(),
        "substances": list(substances),
        "routes": list(routes),
    }
    if booth:
        fields["booth"] = booth_of(Site.objects.get(slug=site), booth)
    if code:
        fields["code"] = code
    response = check_in(client, **fields)
    assert response.status_code == 201, response.content
    created: dict[str, Any] = response.json()
    if minutes is not None:
        out = client.post(
            f"/api/v1/visits/{created['id']}/check-out",
            {"checked_out_at": (start + timedelta(minutes=minutes)).isoformat()},
        )
        assert out.status_code == 200, out.content
    return created


def void(client: TabletClient, path: str) -> None:
    response = client.post(f"{path}/void", {"reason": "entered by mistake"})
    assert response.status_code == 200, response.content


def incident(
    client: TabletClient,
    start: datetime,
    *,
    kind: str = "opioid_overdose",
    actions: Iterable[str] = (),
    outcome: str | None = None,
) -> dict[str, Any]:
    """An incident started at `start`, its actions a minute apart, then its outcome."""
    opened = open_incident(
        client, id=str(uuid.uuid4()), kind=kind, location="booth", started_at=start.isoformat()
    )
    for n, action in enumerate(actions, start=1):
        dose = {"dose_mg": "0.4", "route": "IM"} if action == "naloxone" else {}
        tap(client, opened["id"], action, at=(start + timedelta(minutes=n)).isoformat(), **dose)
    if outcome is not None:
        ended = (start + timedelta(minutes=30)).isoformat()
        complete(client, detail(client, opened["id"]), outcome=outcome, ended_at=ended)
    return opened


def service(client: TabletClient, at: datetime, kind: str, **fields: Any) -> dict[str, Any]:
    body = {"id": str(uuid.uuid4()), "site": "harbour", "kind": kind, "at": at.isoformat()}
    response = client.post("/api/v1/services/", {**body, **fields})
    assert response.status_code == 201, response.content
    created: dict[str, Any] = response.json()
    return created


def referral(
    client: TabletClient, at: datetime, category: str, destination: str, *then: str
) -> dict[str, Any]:
    """A referral offered at `at`, then moved through the statuses `then`."""
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "category": category,
        "destination": destination,
        "accompanied": False,
        "status": "offered",
        "at": at.isoformat(),
    }
    response = client.post("/api/v1/referrals/", body)
    assert response.status_code == 201, response.content
    created: dict[str, Any] = response.json()
    for status in then:
        moved = client.post(f"/api/v1/referrals/{created['id']}/status", {"status": status})
        assert moved.status_code == 200, moved.content
    return created


def daily(client: TabletClient, day: date = DAY, *, site: str = "harbour") -> dict[str, Any]:
    """The figures of one site-day, as the reports API gives them to this user."""
    response = client.get(f"/api/v1/reports/daily/?site={site}&from={day}&to={day}")
    assert response.status_code == 200, response.content
    [report] = response.json()
    metrics: dict[str, Any] = report["metrics"]
    return metrics


def period(client: TabletClient, first: date, last: date, *sites: str) -> dict[str, Any]:
    """The figures of a period; no site: every site whose reports the user reads."""
    query = "".join(f"site={site}&" for site in sites)
    response = client.get(f"/api/v1/reports/period/?{query}from={first}&to={last}")
    assert response.status_code == 200, response.content
    metrics: dict[str, Any] = response.json()["metrics"]
    return metrics


@pytest.fixture
def bob(client_for: Clients) -> TabletClient:
    return client_for("bob")


@pytest.fixture
def nora(world: World, client_for: Clients) -> TabletClient:
    """A supervisor of both sites: she records at either and reads the network's total."""
    user = make_user("nora", site=world.site_a, role=Role.SUPERVISOR)
    Membership.objects.create(user=user, site=world.site_b, role=Role.SUPERVISOR)
    return client_for("nora")


# --- The site-day ------------------------------------------------------------------------------


def test_a_site_day_is_the_calendar_day_of_the_site_time_zone(bob: TabletClient) -> None:
    # 23:30 in Toronto is already 04:30 the next day in UTC: it still counts on DAY.
    visit(bob, local(23, 30), minutes=None)
    visit(bob, local(0, 15, day=NEXT_DAY), booth="2", minutes=None)

    assert daily(bob)["visits"] == 1
    assert daily(bob, NEXT_DAY)["visits"] == 1


def test_a_site_day_lasts_23_hours_on_the_spring_change(bob: TabletClient) -> None:
    # 2026-03-08 in Toronto runs from 05:00 UTC to 04:00 UTC the next day: 23 real hours. A
    # visit 22 h 59 min after midnight is still on it; one 23 h 1 min after is on the next day.
    spring = date(2026, 3, 8)
    midnight = local(0, day=spring).astimezone(UTC)
    visit(bob, midnight + timedelta(hours=22, minutes=59), minutes=None)
    visit(bob, midnight + timedelta(hours=23, minutes=1), booth="2", minutes=None)

    assert daily(bob, spring)["visits"] == 1
    assert daily(bob, spring + timedelta(days=1))["visits"] == 1


def test_a_visit_counts_on_the_day_it_was_checked_in(bob: TabletClient) -> None:
    visit(bob, local(23, 50), minutes=30)  # checked out at 00:20 the next day

    assert (daily(bob)["visits"], daily(bob, NEXT_DAY)["visits"]) == (1, 0)


def test_voided_records_never_count(bob: TabletClient) -> None:
    visit(bob, local(9))
    mistaken = visit(bob, local(10), booth="2")
    void(bob, f"/api/v1/visits/{mistaken['id']}")
    overdose = incident(bob, local(11))
    void(bob, f"/api/v1/incidents/{overdose['id']}")
    handed = service(bob, local(12), "wound_care")
    void(bob, f"/api/v1/services/{handed['id']}")

    metrics = daily(bob)

    assert (metrics["visits"], metrics["overdoses"], metrics["services_by_kind"]["wound_care"]) == (
        1,
        0,
        0,
    )


# --- Visits and people -----------------------------------------------------------------------


def test_visits_counts_every_visit_checked_in_that_day(bob: TabletClient) -> None:
    visit(bob, local(9), code="AAA111")
    visit(bob, local(10), code="BBB222", booth=None)
    visit(bob, local(11))
    visit(bob, local(9, day=NEXT_DAY), code="AAA111")

    assert daily(bob)["visits"] == 3


def test_consumption_and_service_only_visits_split_the_visits(bob: TabletClient) -> None:
    visit(bob, local(9), booth="1")
    visit(bob, local(9, 5), booth="2")
    visit(bob, local(10), booth=None)

    metrics = daily(bob)

    assert (metrics["visits"], metrics["consumption_visits"], metrics["service_only_visits"]) == (
        3,
        2,
        1,
    )


def test_anonymous_visits_counts_visits_without_a_code(bob: TabletClient) -> None:
    visit(bob, local(9), code="AAA111")
    visit(bob, local(10))
    visit(bob, local(11), booth=None)

    assert daily(bob)["anonymous_visits"] == 2


def test_unique_participants_counts_a_person_once_a_day(bob: TabletClient) -> None:
    # AAA111 comes three times, BBB222 once, and two people decline to give a code.
    for hour in (9, 12, 15):
        visit(bob, local(hour), code="AAA111")
    visit(bob, local(10), code="BBB222", booth="2")
    visit(bob, local(11), booth="3")
    visit(bob, local(13), booth=None)

    metrics = daily(bob)

    assert (metrics["visits"], metrics["unique_participants"]) == (6, 2)


def test_new_participants_counts_the_first_visit_at_any_site_of_the_network(
    nora: TabletClient,
) -> None:
    # CCC333 was first seen at eastside two days before: not new at harbour. DDD444 is new
    # on DAY, at their first visit of the day only; DDD444's later visit that day adds nothing.
    visit(nora, local(14, day=DAY - timedelta(days=2), site="eastside"), code="CCC333")
    visit(nora, local(9), code="CCC333")
    visit(nora, local(10), code="DDD444", booth="2")
    visit(nora, local(16), code="DDD444", booth="2")
    visit(nora, local(9, day=NEXT_DAY), code="DDD444")

    metrics = daily(nora)

    assert (metrics["unique_participants"], metrics["new_participants"]) == (2, 1)
    assert daily(nora, NEXT_DAY)["new_participants"] == 0


def test_visits_by_substance_counts_a_visit_once_under_each_substance_it_lists(
    bob: TabletClient,
) -> None:
    visit(bob, local(9), substances=["fentanyl", "crack"])
    visit(bob, local(10), booth="2", substances=["fentanyl"])
    visit(bob, local(11), booth="3")

    by_substance = daily(bob)["visits_by_substance"]

    assert (by_substance["fentanyl"], by_substance["crack"], by_substance["heroin"]) == (2, 1, 0)


def test_visits_by_route_counts_a_visit_once_under_each_route_it_lists(bob: TabletClient) -> None:
    visit(bob, local(9), routes=["injection", "inhalation"])
    visit(bob, local(10), booth="2", routes=["inhalation"])

    assert daily(bob)["visits_by_route"] == {
        "injection": 1,
        "inhalation": 2,
        "intranasal": 0,
        "oral": 0,
    }


# --- Overdoses and emergencies ---------------------------------------------------------------


def test_overdoses_counts_opioid_and_stimulant_overdoses_started_that_day(
    bob: TabletClient,
) -> None:
    incident(bob, local(9), kind="opioid_overdose")
    incident(bob, local(10), kind="stimulant_overdose")
    incident(bob, local(11), kind="other_medical")
    incident(bob, local(12), kind="violence")
    incident(bob, local(9, day=NEXT_DAY), kind="opioid_overdose")

    assert daily(bob)["overdoses"] == 2


def test_fatal_overdoses_counts_overdoses_whose_outcome_is_deceased(bob: TabletClient) -> None:
    incident(bob, local(9), outcome="deceased")
    incident(bob, local(10), outcome="recovered_on_site")
    incident(bob, local(11), kind="other_medical", outcome="deceased")

    assert daily(bob)["fatal_overdoses"] == 1


def test_overdoses_with_naloxone_counts_overdoses_given_at_least_one_dose(
    bob: TabletClient,
) -> None:
    incident(bob, local(9), actions=["naloxone", "naloxone"])
    incident(bob, local(10), actions=["oxygen", "naloxone"])
    incident(bob, local(11), actions=["oxygen", "rescue_breathing"])

    assert daily(bob)["overdoses_with_naloxone"] == 2


def test_naloxone_doses_counts_every_dose_of_the_days_overdoses(bob: TabletClient) -> None:
    incident(bob, local(9), actions=["naloxone", "naloxone", "naloxone"])
    tapped = incident(bob, local(10), actions=["naloxone"])
    # A mis-tap, voided: not a dose given.
    action = tap(
        bob, tapped["id"], "naloxone", at=local(10, 5).isoformat(), dose_mg="0.4", route="IN"
    )
    void(bob, f"/api/v1/incidents/{tapped['id']}/actions/{action['id']}")

    assert daily(bob)["naloxone_doses"] == 4


def test_ems_calls_counts_incidents_of_any_kind_with_ems_called(bob: TabletClient) -> None:
    incident(bob, local(9), actions=["naloxone", "ems_called"])
    incident(bob, local(10), kind="other_medical", actions=["ems_called"])
    incident(bob, local(11), actions=["naloxone"])

    assert daily(bob)["ems_calls"] == 2


def test_transports_counts_incidents_whose_outcome_is_transported(bob: TabletClient) -> None:
    incident(bob, local(9), outcome="transported")
    incident(bob, local(10), kind="other_medical", outcome="transported")
    incident(bob, local(11), outcome="declined_transport")

    assert daily(bob)["transports"] == 2


def test_other_medical_emergencies_counts_incidents_of_kind_other_medical(
    bob: TabletClient,
) -> None:
    incident(bob, local(9), kind="other_medical")
    incident(bob, local(10), kind="opioid_overdose")
    incident(bob, local(11), kind="needlestick")

    assert daily(bob)["other_medical_emergencies"] == 1


# --- Services and referrals ------------------------------------------------------------------


def test_services_by_kind_counts_the_services_of_each_kind(bob: TabletClient) -> None:
    service(bob, local(9), "wound_care")
    service(bob, local(10), "wound_care")
    service(bob, local(11), "hiv_test")

    by_kind = daily(bob)["services_by_kind"]

    assert (by_kind["wound_care"], by_kind["hiv_test"], by_kind["vaccination"]) == (2, 1, 0)


def test_drug_checks_counts_each_check_and_its_positives_by_target(bob: TabletClient) -> None:
    results = [
        {"fentanyl": "positive", "benzodiazepine": "positive", "xylazine": "negative"},
        {"fentanyl": "positive", "benzodiazepine": "negative", "xylazine": "not_tested"},
        {"fentanyl": "negative", "benzodiazepine": "negative", "xylazine": "negative"},
    ]
    for n, found in enumerate(results):
        check = {"expected_substance": "heroin", "method": "ftir", "nitazene": "negative", **found}
        service(bob, local(9 + n), "drug_checking", drug_check=check)

    metrics = daily(bob)

    assert (
        metrics["drug_checks"],
        metrics["drug_checks_fentanyl_positive"],
        metrics["drug_checks_benzodiazepine_positive"],
        metrics["drug_checks_xylazine_positive"],
        metrics["drug_checks_nitazene_positive"],
    ) == (3, 2, 1, 0, 0)


def test_supplies_by_item_sums_the_quantities_handed_out(bob: TabletClient) -> None:
    lines = [{"item": "syringe", "quantity": 10}, {"item": "water", "quantity": 5}]
    service(bob, local(9), "supplies", supplies=lines)
    service(bob, local(10), "supplies", supplies=[{"item": "syringe", "quantity": 4}])

    by_item = daily(bob)["supplies_by_item"]

    assert (by_item["syringe"], by_item["water"], by_item["pipe"]) == (14, 5, 0)


def test_referrals_counts_referrals_made_by_category_and_destination(bob: TabletClient) -> None:
    referral(bob, local(9), "housing", "offsite")
    referral(bob, local(10), "housing", "onsite_connected")
    referral(bob, local(11), "oat", "offsite")

    metrics = daily(bob)

    assert (metrics["referrals"], metrics["referrals_onsite"], metrics["referrals_offsite"]) == (
        3,
        1,
        2,
    )
    by_category = metrics["referrals_by_category"]
    assert (by_category["housing"], by_category["oat"], by_category["legal"]) == (2, 1, 0)


def test_referrals_accepted_counts_referrals_ever_accepted(bob: TabletClient) -> None:
    referral(bob, local(9), "housing", "offsite", "accepted")
    referral(bob, local(10), "oat", "offsite", "accepted", "attended")
    referral(bob, local(11), "legal", "offsite", "declined")
    referral(bob, local(12), "primary_care", "offsite")

    assert daily(bob)["referrals_accepted"] == 2


# --- Stays and rates -------------------------------------------------------------------------


def test_median_visit_minutes_is_the_middle_stay_of_consumption_visits_checked_out(
    bob: TabletClient,
) -> None:
    # Stays of 10, 20, 30 and 50 minutes: the middle two are 20 and 30, so 25.0. A visit still
    # open and a service-only visit have no stay in a booth.
    for n, minutes in enumerate([10, 50, 30, 20]):
        visit(bob, local(9 + n), booth=str(n + 1), minutes=minutes)
    visit(bob, local(15), booth="5", minutes=None)
    visit(bob, local(16), booth=None, minutes=90)

    assert daily(bob)["median_visit_minutes"] == 25.0


def test_peak_occupancy_counts_the_most_visits_open_at_once(bob: TabletClient) -> None:
    # Open at 00:10: two visits carried over from the night before and a third: 3. Booth 4 is
    # taken at 14:20, the instant booth 3's visit ends: a stay ends before the next begins.
    visit(bob, local(23, 50, day=DAY - timedelta(days=1)), booth="1", minutes=40)
    visit(bob, local(23, 55, day=DAY - timedelta(days=1)), booth="2", minutes=40)
    visit(bob, local(0, 10), booth="3", minutes=10)
    visit(bob, local(14), booth="3", minutes=20)
    visit(bob, local(14, 20), booth="4", minutes=20)
    visit(bob, local(14, 10), booth=None, minutes=30)

    assert daily(bob)["peak_occupancy"] == 3


def test_overdoses_per_1000_visits_is_1000_times_overdoses_over_visits(bob: TabletClient) -> None:
    for n in range(8):
        visit(bob, local(9 + n), booth=str(n + 1))
    incident(bob, local(10))

    assert daily(bob)["overdoses_per_1000_visits"] == 125.0  # 1000 x 1 / 8


# --- Periods and network totals --------------------------------------------------------------


def test_a_period_adds_up_the_counts_of_its_days(bob: TabletClient) -> None:
    visit(bob, local(9), substances=["fentanyl"])
    visit(bob, local(9, day=NEXT_DAY), substances=["fentanyl"])
    visit(bob, local(10, day=NEXT_DAY), booth="2", substances=["crack"])
    incident(bob, local(11, day=NEXT_DAY), actions=["naloxone", "naloxone"])

    metrics = period(bob, DAY, NEXT_DAY, "harbour")

    assert (metrics["visits"], metrics["naloxone_doses"]) == (3, 2)
    assert metrics["visits_by_substance"]["fentanyl"] == 2


def test_a_period_counts_a_person_once_however_many_days_they_came(bob: TabletClient) -> None:
    for offset in range(3):
        visit(bob, local(9, day=DAY + timedelta(days=offset)), code="AAA111")
    visit(bob, local(10), code="BBB222", booth="2")

    days = [daily(bob, DAY + timedelta(days=n))["unique_participants"] for n in range(3)]

    assert days == [2, 1, 1]
    assert period(bob, DAY, DAY + timedelta(days=2), "harbour")["unique_participants"] == 2


def test_a_period_counts_as_new_those_whose_first_visit_falls_within_it(bob: TabletClient) -> None:
    visit(bob, local(9, day=DAY - timedelta(days=5)), code="OLD001")
    visit(bob, local(9), code="OLD001")
    visit(bob, local(10), code="NEW001", booth="2")
    visit(bob, local(10, day=NEXT_DAY), code="NEW001", booth="2")
    visit(bob, local(11, day=NEXT_DAY), code="NEW002", booth="3")

    metrics = period(bob, DAY, NEXT_DAY, "harbour")

    assert (metrics["unique_participants"], metrics["new_participants"]) == (3, 2)


def test_a_period_recomputes_the_median_and_the_peak_rather_than_adding_them(
    bob: TabletClient,
) -> None:
    # DAY: stays of 10 and 20 (median 15, peak 2 at once). NEXT_DAY: one stay of 60 (median
    # 60, peak 1). Over both days: stays 10, 20, 60, median 20; the peak stays 2.
    visit(bob, local(9), booth="1", minutes=10)
    visit(bob, local(9, 5), booth="2", minutes=20)
    visit(bob, local(9, day=NEXT_DAY), booth="1", minutes=60)

    assert (daily(bob)["median_visit_minutes"], daily(bob)["peak_occupancy"]) == (15.0, 2)
    metrics = period(bob, DAY, NEXT_DAY, "harbour")
    assert (metrics["median_visit_minutes"], metrics["peak_occupancy"]) == (20.0, 2)


def test_a_period_recomputes_its_rate_from_its_totals(bob: TabletClient) -> None:
    # DAY: 1 overdose in 2 visits (500.0); NEXT_DAY: none in 8 (0.0). The period: 1 in 10.
    for n in range(2):
        visit(bob, local(9 + n), booth=str(n + 1))
    for n in range(8):
        visit(bob, local(9 + n, day=NEXT_DAY), booth=str(n + 1))
    incident(bob, local(10))

    assert daily(bob)["overdoses_per_1000_visits"] == 500.0
    assert period(bob, DAY, NEXT_DAY, "harbour")["overdoses_per_1000_visits"] == 100.0


def test_a_network_total_counts_a_person_once_across_sites(nora: TabletClient) -> None:
    # EEE555 visits both sites on DAY; FFF666 only eastside. Each site counts EEE555; the
    # network, once.
    visit(nora, local(9), code="EEE555")
    visit(nora, local(15, site="eastside"), code="EEE555", site="eastside")
    visit(nora, local(16, site="eastside"), code="FFF666", booth="2", site="eastside")

    harbour = period(nora, DAY, DAY, "harbour")
    eastside = period(nora, DAY, DAY, "eastside")
    network = period(nora, DAY, DAY)

    assert (harbour["unique_participants"], eastside["unique_participants"]) == (1, 2)
    assert (network["visits"], network["unique_participants"], network["new_participants"]) == (
        3,
        2,
        2,
    )


def test_a_network_peak_counts_the_visits_open_at_once_across_its_sites(
    nora: TabletClient,
) -> None:
    # 14:00 in Toronto is 11:00 in Vancouver: one visit open at each site at that instant.
    visit(nora, local(14), minutes=30)
    visit(nora, local(11, 10, site="eastside"), minutes=30, site="eastside")

    assert period(nora, DAY, DAY, "harbour")["peak_occupancy"] == 1
    assert period(nora, DAY, DAY, "harbour", "eastside")["peak_occupancy"] == 2


# --- Small-cell suppression ------------------------------------------------------------------


def test_suppression_shows_a_count_from_1_to_9_as_under_10(
    bob: TabletClient, client_for: Clients
) -> None:
    for n in range(3):
        visit(bob, local(9 + n), booth=str(n + 1))

    assert daily(bob)["visits"] == 3
    assert daily(client_for("dana"))["visits"] == "<10"


def test_suppression_leaves_zero_as_zero(bob: TabletClient, client_for: Clients) -> None:
    visit(bob, local(9))

    assert daily(client_for("dana"))["overdoses"] == 0


def test_complementary_suppression_hides_the_smallest_other_cell_of_a_total_as_x(
    bob: TabletClient, client_for: Clients
) -> None:
    # 12 visits = 10 consumption + 2 service-only. The 2 is small; with 12 shown, the 10 would
    # give it back by subtraction, so the 10 is hidden too, as "x" (it is not a small cell).
    for n in range(10):
        visit(bob, local(8 + n), booth=str(n + 1), minutes=5)
    for n in range(2):
        visit(bob, local(20 + n), booth=None, minutes=5)

    metrics = daily(client_for("dana"))

    assert (metrics["visits"], metrics["consumption_visits"], metrics["service_only_visits"]) == (
        12,
        "x",
        "<10",
    )


def test_suppression_withholds_a_rate_computed_from_a_hidden_count(
    bob: TabletClient, client_for: Clients
) -> None:
    # 1 overdose in 10 visits: 100.0 per 1,000 next to the 10 visits would tell the 1.
    for n in range(10):
        visit(bob, local(8 + n), booth=str(n + 1), minutes=5)
    incident(bob, local(9))

    assert daily(bob)["overdoses_per_1000_visits"] == 100.0
    metrics = daily(client_for("dana"))
    assert (metrics["visits"], metrics["overdoses"]) == (10, "<10")
    assert metrics["overdoses_per_1000_visits"] is None


def test_suppression_is_applied_on_request_and_always_for_analysts(
    bob: TabletClient, client_for: Clients
) -> None:
    visit(bob, local(9))
    query = f"site=harbour&from={DAY}&to={DAY}"

    asked = bob.get(f"/api/v1/reports/daily/?{query}&suppress=true").json()[0]["metrics"]
    analyst = client_for("dana").get(f"/api/v1/reports/daily/?{query}&suppress=false").json()

    assert asked["visits"] == "<10"
    assert analyst[0]["metrics"]["visits"] == "<10"


# --- Freshness -------------------------------------------------------------------------------


def _status(client: TabletClient, day: date) -> str:
    response = client.get(f"/api/v1/reports/daily/?site=harbour&from={day}&to={day}")
    assert response.status_code == 200, response.content
    return str(response.json()[0]["status"])


def test_a_day_is_provisional_until_48_hours_after_its_end_then_final(
    world: World, bob: TabletClient
) -> None:
    today = local_today(world.site_a)
    yesterday, closed = today - timedelta(days=1), today - timedelta(days=3)

    assert (_status(bob, today), _status(bob, yesterday)) == ("provisional", "provisional")
    assert _status(bob, closed) == "final"


def test_a_change_to_a_closed_day_marks_it_revised(
    world: World,
    bob: TabletClient,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    closed = local_today(world.site_a) - timedelta(days=5)
    visit(bob, local(9, day=closed))
    assert (_status(bob, closed), daily(bob, closed)["visits"]) == ("final", 1)

    # A late sync from a tablet: the day is recomputed after the write commits.
    with django_capture_on_commit_callbacks(execute=True):
        visit(bob, local(10, day=closed), booth="2")
    assert run_recomputes(celery_messages) == {closed}

    assert (_status(bob, closed), daily(bob, closed)["visits"]) == ("revised", 2)
