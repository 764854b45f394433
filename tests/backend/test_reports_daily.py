from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import TabletClient, World
from vigil.accounts.models import Role
from vigil.care.services import NewReferral, NewService, referral_create, service_create
from vigil.core.calendar import local_day_bounds
from vigil.incidents.services import IncidentOpen, incident_open
from vigil.reports.metrics import time_band_intervals, time_band_of
from vigil.reports.models import DailyReport
from vigil.reports.scope import Scope, Span
from vigil.reports.services import compute_metrics, compute_site_day
from vigil.sites.models import Site
from vigil.visits.models import Visit
from vigil.visits.services import CheckIn, visit_check_in, visit_check_out, visit_void

TORONTO = ZoneInfo("America/Toronto")


def at(day: date, hour: int, minute: int = 0, zone: ZoneInfo = TORONTO) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def visit(
    world: World,
    when: datetime,
    *,
    code: str | None = None,
    booth: str | None = "1",
    minutes: int | None = 20,
    substances: tuple[str, ...] = (),
    routes: tuple[str, ...] = (),
    site: Any = None,
) -> Visit:
    site = site or world.site_a
    kind = "consumption" if booth else "service_only"
    created, _ = visit_check_in(
        request=CheckIn(
            site=site,
            kind=kind,
            booth=site.booths.get(label=booth) if booth else None,
            code=code,
            checked_in_at=when,
            substances=substances,
            routes=routes,
        ),
        by=world.users["bob"],
        role=Role.SUPERVISOR,
    )
    if minutes is not None:
        created = visit_check_out(
            visit=created,
            by=world.users["bob"],
            role=Role.SUPERVISOR,
            checked_out_at=when + timedelta(minutes=minutes),
        )
    return created


DAY = date(2026, 11, 10)


def test_a_site_day_counts_visits_people_substances_and_routes(world: World) -> None:
    visit(
        world,
        at(DAY, 9),
        code="AAA111",
        booth="1",
        minutes=15,
        substances=("fentanyl",),
        routes=("injection",),
    )
    visit(world, at(DAY, 9, 5), code="AAA111", booth=None, minutes=5)
    visit(
        world,
        at(DAY, 9, 10),
        code="BBB222",
        booth="2",
        minutes=30,
        substances=("fentanyl", "crack"),
        routes=("inhalation", "injection"),
    )
    visit(world, at(DAY, 10), booth="3", minutes=40, substances=("crack",))
    voided = visit(world, at(DAY, 11), code="CCC333", booth="4", substances=("heroin",))
    visit_void(visit=voided, by=world.users["bob"], role=Role.SUPERVISOR, reason="entered twice")
    visit(world, at(DAY - timedelta(days=1), 23, 50), code="DDD444", booth="5")

    metrics = compute_site_day(site=world.site_a, day=DAY).metrics

    assert metrics["visits"] == 4
    assert metrics["consumption_visits"] == 3
    assert metrics["service_only_visits"] == 1
    assert metrics["anonymous_visits"] == 1
    assert metrics["unique_participants"] == 2
    assert metrics["new_participants"] == 2
    assert metrics["visits_by_substance"]["fentanyl"] == 2
    assert metrics["visits_by_substance"]["crack"] == 2
    assert metrics["visits_by_substance"]["heroin"] == 0
    assert metrics["visits_by_route"] == {
        "injection": 2,
        "inhalation": 1,
        "intranasal": 0,
        "oral": 0,
    }
    assert metrics["median_visit_minutes"] == 30.0
    assert metrics["peak_occupancy"] == 2


def test_new_participants_counts_only_a_first_visit_anywhere_in_the_network(world: World) -> None:
    visit(world, at(DAY - timedelta(days=3), 12), code="EEE555", site=world.site_b, booth="1")
    visit(world, at(DAY, 12), code="EEE555")
    visit(world, at(DAY, 13), code="FFF666", booth="2")

    metrics = compute_site_day(site=world.site_a, day=DAY).metrics

    assert (metrics["unique_participants"], metrics["new_participants"]) == (2, 1)


def test_peak_occupancy_counts_visits_still_open_from_the_night_before(world: World) -> None:
    visit(world, at(DAY - timedelta(days=1), 23, 50), booth="1", minutes=30)
    visit(world, at(DAY - timedelta(days=1), 23, 55), booth="2", minutes=30)
    visit(world, at(DAY, 0, 10), booth="3", minutes=10)

    assert compute_site_day(site=world.site_a, day=DAY).metrics["peak_occupancy"] == 3


@pytest.mark.parametrize(
    ("day", "hours"), [(date(2026, 3, 8), 23), (date(2026, 11, 1), 25)], ids=["spring", "fall"]
)
def test_a_dst_day_holds_its_23_or_25_local_hours(world: World, day: date, hours: int) -> None:
    # Aware arithmetic in a zone is wall-clock arithmetic: count real hours in UTC.
    start = datetime(day.year, day.month, day.day, tzinfo=TORONTO).astimezone(ZoneInfo("UTC"))
    inside = [start + timedelta(minutes=1), start + timedelta(hours=hours, minutes=-1)]
    outside = [start - timedelta(minutes=1), start + timedelta(hours=hours, minutes=1)]
    for n, moment in enumerate(inside + outside):
        visit(world, moment, booth=str(n + 1), minutes=None)

    assert compute_site_day(site=world.site_a, day=day).metrics["visits"] == 2


def test_the_repeated_hour_of_the_fall_change_belongs_to_that_day(world: World) -> None:
    # 2026-11-01 01:30 happens twice in Toronto: at 05:30 UTC (EDT) and 06:30 UTC (EST).
    for n, utc_hour in enumerate([5, 6]):
        visit(world, datetime(2026, 11, 1, utc_hour, 30, tzinfo=ZoneInfo("UTC")), booth=str(n + 1))

    assert compute_site_day(site=world.site_a, day=date(2026, 11, 1)).metrics["visits"] == 2
    assert compute_site_day(site=world.site_a, day=date(2026, 10, 31)).metrics["visits"] == 0


def test_computing_twice_gives_the_same_row(world: World) -> None:
    visit(world, at(DAY, 9), code="AAA111")
    first = compute_site_day(site=world.site_a, day=DAY)

    second = compute_site_day(site=world.site_a, day=DAY)

    assert DailyReport.objects.count() == 1
    assert (second.metrics, second.status, second.computed_at) == (
        first.metrics,
        first.status,
        first.computed_at,
    )
    # The second run is on record though nothing changed: a recompute can say it is done.
    assert second.checked_at is not None
    assert first.checked_at is not None
    assert second.checked_at >= first.checked_at >= first.computed_at


def test_a_day_is_provisional_until_closed_then_final_then_revised_by_a_change(
    world: World, settings: Any
) -> None:
    today = timezone.localtime(timezone.now(), TORONTO).date()
    recent = today - timedelta(days=1)
    old = today - timedelta(days=5)
    visit(world, at(recent, 12), booth="1")
    visit(world, at(old, 12), booth="2")

    assert compute_site_day(site=world.site_a, day=recent).status == "provisional"
    assert compute_site_day(site=world.site_a, day=old).status == "final"

    visit(world, at(old, 13), booth="3")

    assert compute_site_day(site=world.site_a, day=old).status == "revised"


def test_computing_a_day_costs_the_same_queries_however_many_records(world: World) -> None:
    visit(world, at(DAY, 8), code="AAA000")
    compute_site_day(site=world.site_a, day=DAY)
    visit(world, at(DAY, 9), code="AAA111", substances=("fentanyl",))
    with CaptureQueriesContext(connection) as one:
        compute_site_day(site=world.site_a, day=DAY)
    for n in range(2, 12):
        visit(
            world,
            at(DAY, 9, n),
            code=f"P{n:05d}",
            booth=str(n),
            substances=("crack",),
            routes=("oral",),
        )

    bob = world.users["bob"]
    for n in range(5):
        incident_open(
            request=IncidentOpen(
                site=world.site_a,
                kind="opioid_overdose",
                location="booth",
                started_at=at(DAY, 10, n),
            ),
            by=bob,
            role=Role.SUPERVISOR,
        )
        service_create(
            request=NewService(
                site=world.site_a,
                kind="supplies",
                at=at(DAY, 11, n),
                supplies=[{"item": "syringe", "quantity": 10}],
            ),
            by=bob,
            role=Role.SUPERVISOR,
        )
        referral_create(
            request=NewReferral(
                site=world.site_a,
                category="housing",
                destination="offsite",
                accompanied=False,
                at=at(DAY, 12, n),
            ),
            by=bob,
            role=Role.SUPERVISOR,
        )

    with CaptureQueriesContext(connection) as many:
        report = compute_site_day(site=world.site_a, day=DAY)

    assert (report.metrics["visits"], report.metrics["overdoses"]) == (12, 5)
    assert (report.metrics["supplies_by_item"]["syringe"], report.metrics["referrals"]) == (50, 5)
    assert len(many.captured_queries) == len(one.captured_queries)


def test_a_site_day_is_computed_in_six_statements(
    world: World, django_assert_num_queries: Any
) -> None:
    """visits, the one-key tallies, stays (median and peak), incidents, services and
    referrals; then the report row: locked, and updated (inside the test's transaction, a
    savepoint around it; on PostgreSQL, no parallel workers for the day)."""
    visit(world, at(DAY, 8), code="AAA000", substances=("fentanyl",), routes=("injection",))
    visit(world, at(DAY, 23, 30), code="AAA111")
    scope = Scope.of([world.site_a], DAY, DAY)

    with django_assert_num_queries(6):
        compute_metrics(scope)

    compute_site_day(site=world.site_a, day=DAY)
    visit(world, at(DAY, 9), code="AAA222")
    setting = 1 if connection.vendor == "postgresql" else 0
    with django_assert_num_queries(2 + setting + 6 + 2):
        report = compute_site_day(site=world.site_a, day=DAY)

    assert (report.metrics["visits"], report.metrics["unique_participants"]) == (3, 3)
    assert report.metrics["visits_by_time_band"] == {
        "07_12": 2,
        "12_17": 0,
        "17_22": 0,
        "22_03": 1,
        "03_07": 0,
    }


def test_each_site_day_binds_its_own_values_to_the_statements_compiled_once(
    world: World,
) -> None:
    """The second and third site-days reuse the first one's statements (reports.statements),
    with their own site, span, year and time bands."""
    later = DAY + timedelta(days=1)
    visit(world, at(DAY, 8), code="AAA000", substances=("fentanyl",))
    visit(world, at(later, 23, 30), code="AAA000", substances=("cocaine",))
    visit(world, at(later, 9), code="AAA111", booth="2", minutes=None)
    visit(world, at(later, 10), code="AAA222", site=world.site_b, booth=None)

    first = compute_metrics(Scope.of([world.site_a], DAY, DAY))
    second = compute_metrics(Scope.of([world.site_a], later, later))
    elsewhere = compute_metrics(Scope.of([world.site_b], later, later))

    assert (first["visits"], first["new_participants"], first["peak_occupancy"]) == (1, 1, 1)
    assert (second["visits"], second["new_participants"], second["peak_occupancy"]) == (2, 1, 2)
    assert first["visits_by_substance"]["fentanyl"] == 1
    assert second["visits_by_substance"] == first["visits_by_substance"] | {
        "fentanyl": 0,
        "cocaine": 1,
    }
    assert {band: n for band, n in second["visits_by_time_band"].items() if n} == {
        "07_12": 1,
        "22_03": 1,
    }
    assert (elsewhere["visits"], elsewhere["service_only_visits"]) == (1, 1)


def test_a_stay_of_no_time_at_midnight_counts_in_the_median_and_not_in_the_peak(
    world: World,
) -> None:
    visit(world, at(DAY, 0), minutes=0)
    visit(world, at(DAY, 0), booth="2", minutes=20)
    visit(world, at(DAY, 10), booth="3", minutes=40)

    figures = compute_site_day(site=world.site_a, day=DAY).metrics

    assert (figures["median_visit_minutes"], figures["peak_occupancy"]) == (20.0, 1)


def _days_of_2026(zone: str) -> list[date]:
    """An ordinary day and every day of 2026 that is not 24 hours long in the zone."""
    days = [date(2026, 6, 15)]
    for n in range(365):
        day = date(2026, 1, 1) + timedelta(days=n)
        start, end = local_day_bounds(day, ZoneInfo(zone))
        if end.astimezone(UTC) - start.astimezone(UTC) != timedelta(hours=24):
            days.append(day)
    return days


@pytest.mark.parametrize(
    "zone",
    [
        "America/Toronto",
        "America/Vancouver",
        "America/St_Johns",  # -3:30, DST
        "Europe/Berlin",  # changes at 02:00 / 03:00 local
        "Australia/Lord_Howe",  # a DST of 30 minutes
        "Pacific/Chatham",  # +12:45, DST
        "Asia/Kathmandu",  # +5:45
        "UTC",
    ],
)
def test_time_bands_are_ranges_of_instants_matching_each_local_hour(zone: str) -> None:
    """Every minute of every DST day (and an ordinary one) falls in exactly one range, the
    one of its local hour's band."""
    site = Site(slug="z", name="Z", timezone=zone)
    days = _days_of_2026(zone)
    assert len(days) == (1 if zone in ("UTC", "Asia/Kathmandu") else 3)
    for day in days:
        start, end = local_day_bounds(day, site.zone)
        intervals = time_band_intervals(Span(site, start, end))
        assert intervals is not None
        minute, end = start.astimezone(UTC), end.astimezone(UTC)
        while minute < end:
            hour = minute.astimezone(site.zone).hour
            bands = [
                band
                for band, spans in intervals.items()
                if any(since <= minute < until for since, until in spans)
            ]
            assert bands == [time_band_of(hour)], (day, minute)
            minute += timedelta(minutes=1)


def test_reports_api_lists_each_day_with_status_and_metrics(
    world: World, client_for: Callable[[str], TabletClient]
) -> None:
    visit(world, at(DAY, 9), code="AAA111")

    response = client_for("dana").get(
        f"/api/v1/reports/daily/?site=harbour&from={DAY}&to={DAY + timedelta(days=1)}"
    )

    assert response.status_code == 200
    body = response.json()
    assert [(r["site"], r["date"], r["status"]) for r in body] == [
        ("harbour", str(DAY), "final"),
        ("harbour", str(DAY + timedelta(days=1)), "final"),
    ]
    # Analysts get suppressed figures: one visit is a small cell.
    assert body[0]["metrics"]["visits"] == "<10"
    assert body[1]["metrics"]["visits"] == 0


def test_the_csv_is_suppressed_for_analysts_and_audited(
    world: World, client_for: Callable[[str], TabletClient]
) -> None:
    for n in range(12):
        visit(
            world,
            at(DAY, 8 + n // 4, (n % 4) * 10),
            booth=str(n % 10 + 1) if n < 10 else None,
            minutes=5,
        )

    supervisor = client_for("bob").get(
        f"/api/v1/reports/daily.csv?site=harbour&from={DAY}&to={DAY}"
    )
    analyst = client_for("dana").get(f"/api/v1/reports/daily.csv?site=harbour&from={DAY}&to={DAY}")

    header, row, total = supervisor.content.decode().strip().splitlines()
    columns = header.split(",")
    assert dict(zip(columns, row.split(","), strict=True))["visits"] == "12"
    assert dict(zip(columns, row.split(","), strict=True))["service_only_visits"] == "2"
    a_header, a_row, _ = analyst.content.decode().strip().splitlines()
    shown = dict(zip(a_header.split(","), a_row.split(","), strict=True))
    # service-only (2) is small; consumption (10) is hidden too so 12 - 10 cannot reveal it,
    # marked "x": it is not a small cell itself.
    assert (shown["visits"], shown["consumption_visits"], shown["service_only_visits"]) == (
        "12",
        "x",
        "<10",
    )
    assert total.startswith("total,")
    from vigil.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="export").count() == 2


def test_a_cell_hidden_only_to_protect_a_small_one_shows_x_not_a_size(
    world: World, client_for: Callable[[str], TabletClient]
) -> None:
    for n in range(52):
        visit(world, at(DAY, 8 + n // 6, (n % 6) * 10), booth=str(n % 6 + 1), minutes=5)
    for n in range(5):
        visit(world, at(DAY, 17, n * 10), booth=None, minutes=5)
    query = f"site=harbour&from={DAY}&to={DAY}"

    daily = client_for("dana").get(f"/api/v1/reports/daily/?{query}").json()[0]["metrics"]
    period = client_for("dana").get(f"/api/v1/reports/period/?{query}").json()["metrics"]
    csv = client_for("dana").get(f"/api/v1/reports/daily.csv?{query}").content.decode()

    # 57 visits = 52 consumption + 5 service-only: the 52 is hidden so that 57 - 52 cannot
    # give the 5 back, and "<10" would say it is under 10.
    for metrics in (daily, period):
        assert (
            metrics["visits"],
            metrics["consumption_visits"],
            metrics["service_only_visits"],
        ) == (57, "x", "<10")
    header, row, total = csv.strip().splitlines()
    for line in (row, total):
        cells = dict(zip(header.split(","), line.split(","), strict=True))
        assert (
            cells["visits"],
            cells["consumption_visits"],
            cells["service_only_visits"],
        ) == ("57", "x", "<10")


def test_an_analyst_never_gets_a_rate_that_gives_a_hidden_count_back(
    world: World, client_for: Callable[[str], TabletClient]
) -> None:
    for n in range(40):
        visit(world, at(DAY, 8 + n // 6, (n % 6) * 10), booth=str(n % 6 + 1), minutes=5)
    incident_open(
        request=IncidentOpen(
            site=world.site_a, kind="opioid_overdose", location="booth", started_at=at(DAY, 9)
        ),
        by=world.users["bob"],
        role=Role.SUPERVISOR,
    )
    query = f"site=harbour&from={DAY}&to={DAY}"

    full = client_for("bob").get(f"/api/v1/reports/daily/?{query}").json()[0]["metrics"]
    shown = client_for("dana").get(f"/api/v1/reports/daily/?{query}").json()[0]["metrics"]
    period = client_for("dana").get(f"/api/v1/reports/period/?{query}").json()["metrics"]
    csv = client_for("dana").get(f"/api/v1/reports/daily.csv?{query}").content.decode()

    # 1000 x 1 / 40 = 25.0: next to the 40 visits, it would say there was one overdose.
    assert (full["visits"], full["overdoses"], full["overdoses_per_1000_visits"]) == (40, 1, 25.0)
    for metrics in (shown, period):
        assert (metrics["visits"], metrics["overdoses"]) == (40, "<10")
        assert metrics["overdoses_per_1000_visits"] is None
    header, row, _ = csv.strip().splitlines()
    cells = dict(zip(header.split(","), row.split(","), strict=True))
    assert (cells["visits"], cells["overdoses"], cells["overdoses_per_1000_visits"]) == (
        "40",
        "<10",
        "",
    )
