"""Reports in Chromium: a supervisor reads a seeded week, an analyst downloads a suppressed CSV."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.e2e.conftest import screenshot
from tests.e2e.floor_support import assert_accessible, sign_in
from vigil.accounts.models import Role
from vigil.incidents.services import IncidentOpen, incident_open
from vigil.incidents.timeline import ActionTap, incident_action_record
from vigil.participants.codes import code_digest
from vigil.participants.models import Participant
from vigil.reports import services as reports_services
from vigil.reports.services import compute_site_day
from vigil.reports.tasks import compute_site_day_task
from vigil.safety.services import turnaway_record
from vigil.visits.services import CheckIn, visit_check_in, visit_check_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture(params=["desktop-small", "tablet-landscape"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def seed_week(world: World) -> list[date]:
    """Visits on each of the last seven local days (3 + n a day), one overdose and two people
    turned away on the last."""
    today = timezone.localdate(timezone.now(), TORONTO)
    days = [today - timedelta(days=n) for n in range(7, 0, -1)]
    bob = world.users["bob"]
    for index, day in enumerate(days):
        for n in range(3 + index):
            when = datetime(day.year, day.month, day.day, 9 + n, 0, tzinfo=TORONTO)
            visit, _ = visit_check_in(
                request=CheckIn(
                    site=world.site_a,
                    kind="consumption",
                    booth=world.site_a.booths.get(label=str(n % 12 + 1)),
                    code=f"WEEK{index}{n}",
                    checked_in_at=when,
                    substances=("fentanyl",) if n % 2 == 0 else ("crack",),
                    routes=("injection",) if n % 2 == 0 else ("inhalation",),
                ),
                by=bob,
                role=Role.SUPERVISOR,
            )
            visit_check_out(
                visit=visit,
                by=bob,
                role=Role.SUPERVISOR,
                checked_out_at=when + timedelta(minutes=20),
            )
    last = days[-1]
    incident_open(
        request=IncidentOpen(
            site=world.site_a,
            kind="opioid_overdose",
            location="booth",
            started_at=datetime(last.year, last.month, last.day, 10, 5, tzinfo=TORONTO),
        ),
        by=bob,
        role=Role.SUPERVISOR,
    )
    for reason in ("capacity", "intoxication"):
        turnaway_record(
            site=world.site_a,
            reason=reason,
            by=bob,
            role=Role.SUPERVISOR,
            at=datetime(last.year, last.month, last.day, 11, tzinfo=TORONTO),
        )
    for day in days:
        compute_site_day(site=world.site_a, day=day)
    return days


def test_the_reports_screen_shows_the_figures_the_api_returns_for_a_seeded_week(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    days = seed_week(world)
    sign_in(page, live_server, "bob", "#/reports")
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(page.get_by_test_id("report-range")).to_contain_text(f"From {days[0]} to {days[-1]}")

    query = f"site=harbour&from={days[0]}&to={days[-1]}"
    period = page.request.get(f"{live_server}/api/v1/reports/period/?{query}").json()
    daily = page.request.get(f"{live_server}/api/v1/reports/daily/?{query}").json()
    assert period["metrics"]["visits"] == sum(3 + n for n in range(7))

    for name in ("visits", "unique_participants", "overdoses"):
        expect(page.get_by_test_id(f"total-{name}")).to_contain_text(str(period["metrics"][name]))
    visits_row = page.locator("tr", has=page.get_by_role("rowheader", name="Visits", exact=True))
    cells = visits_row.get_by_role("cell")
    expect(cells).to_have_count(len(days) + 1)
    for index, report in enumerate(daily):
        expect(cells.nth(index)).to_have_text(str(report["metrics"]["visits"]))
    expect(cells.last).to_have_text(str(period["metrics"]["visits"]))
    turned_away = page.locator(
        "tr", has=page.get_by_role("rowheader", name="People turned away", exact=True)
    )
    expect(turned_away.get_by_role("cell").last).to_have_text("2")
    expect(page.get_by_role("rowheader", name="Too intoxicated", exact=True)).to_be_visible()
    expect(page.get_by_text("Final").first).to_be_visible()
    screenshot(page, "reports", viewport)
    assert_accessible(page)

    page.get_by_role("link", name="Printable monthly summary").click()
    expect(
        page.get_by_role("heading", name="Monthly report of a supervised consumption site")
    ).to_be_visible()
    expect(page.get_by_role("cell", name="1.1", exact=True)).to_be_visible()
    screenshot(page, "reports-monthly", viewport)
    assert_accessible(page)


def test_an_analyst_downloads_a_suppressed_csv_and_xlsx_and_cannot_open_an_incident(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    seed_week(world)
    incident_id = world.site_a.incidents.get().pk
    sign_in(page, live_server, "dana", "#/reports")
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Floor")).to_have_count(0)
    expect(page.get_by_role("link", name="CSV, exact figures (internal)")).to_have_count(0)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV to share (small counts hidden)").click()
    csv = download.value.path().read_text()
    header, *rows = csv.strip().splitlines()
    visits = header.split(",").index("visits")
    assert rows
    assert all(row.split(",")[visits] == "<10" for row in rows[:-1]), csv
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX to share (small counts hidden)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()))["Daily"]
    header_cells, *cells = sheet.iter_rows(values_only=True)
    column = header_cells.index("visits")
    assert len(cells) == len(rows)
    assert all(row[column] == "<10" for row in cells[:-1])

    for screen in ("review", "incident"):
        page.goto(f"{live_server}/#/{screen}/{incident_id}")
        expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
        expect(page.get_by_test_id("total-visits")).to_be_visible()
    # No incident of its own: only the count of incidents by kind in the reports.
    expect(page.get_by_role("heading", name=re.compile("Opioid overdose"))).to_have_count(0)
    answer = page.request.get(f"{live_server}/api/v1/incidents/{incident_id}")
    assert answer.status in (403, 404)
    screenshot(page, "reports-analyst", viewport)


def test_a_recompute_says_done_when_the_day_is_computed_though_nothing_changed(
    world: World,
    live_server: object,
    page: Page,
    viewport: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    days = seed_week(world)

    # No Celery worker runs beside the live server: the task runs as the worker would, at once.
    def run_at_once(*, site_id: object, day: date, countdown: float | None = None) -> None:
        compute_site_day_task.apply(args=(str(site_id), day.isoformat()))

    monkeypatch.setattr(reports_services, "enqueue_recompute", run_at_once)
    sign_in(page, live_server, "bob", "#/reports")
    button = page.get_by_role("button", name=f"Recompute {days[-1]}")
    button.click()

    expect(button).to_have_text("Done ✓")
    screenshot(page, "reports-recomputed", viewport)
    report = world.site_a.daily_reports.get(date=days[-1])
    assert report.checked_at is not None
    assert report.checked_at > report.computed_at


def seed_last_month(world: World) -> str:
    """Last month at harbour: 60 visits of 24 people of known ages and genders, overdoses
    treated by staff alone and by EMS; the month as YYYY-MM."""
    today = timezone.localdate(timezone.now(), TORONTO)
    last_day = today.replace(day=1) - timedelta(days=1)
    bob = world.users["bob"]
    births = [1962, 1975, 1981, 1988, 1990, 1996, 2001, 2007]
    genders = ["woman", "man", "man", "non_binary", "woman", "man"]
    for n in range(60):
        day = last_day.replace(day=1 + n % last_day.day)
        hour = 8 + 4 * (n // last_day.day) + n % 3
        when = datetime(day.year, day.month, day.day, hour, 0, tzinfo=TORONTO)
        visit, _ = visit_check_in(
            request=CheckIn(
                site=world.site_a,
                kind="consumption",
                booth=world.site_a.booths.get(label=str(n % 10 + 1)),
                code=f"MONTH{n % 24:02d}",
                checked_in_at=when,
                substances=("fentanyl",),
                routes=("injection",),
            ),
            by=bob,
            role=Role.SUPERVISOR,
        )
        visit_check_out(
            visit=visit, by=bob, role=Role.SUPERVISOR, checked_out_at=when + timedelta(minutes=25)
        )
    for n in range(24):
        Participant.objects.filter(
            visits__site=world.site_a, code_digest=code_digest(f"MONTH{n:02d}")
        ).update(birth_year=births[n % len(births)], gender=genders[n % len(genders)])
    for n, ems in enumerate([False, False, True]):
        started = datetime(last_day.year, last_day.month, 3 + n, 11, 0, tzinfo=TORONTO)
        incident, _ = incident_open(
            request=IncidentOpen(
                site=world.site_a, kind="opioid_overdose", location="booth", started_at=started
            ),
            by=bob,
            role=Role.SUPERVISOR,
        )
        taps = [("oxygen", 1), ("naloxone", 2)] + (
            [("ems_called", 3), ("ems_arrived", 12)] if ems else []
        )
        for kind, minutes in taps:
            incident_action_record(
                incident=incident,
                tap=ActionTap(
                    kind=kind,
                    at=started + timedelta(minutes=minutes),
                    **({"dose_mg": Decimal("0.4"), "route": "IM"} if kind == "naloxone" else {}),
                ),
                by=bob,
                role=Role.SUPERVISOR,
            )
    for n in range(last_day.day):  # as the nightly runs did
        compute_site_day(site=world.site_a, day=last_day.replace(day=1 + n))
    return f"{last_day:%Y-%m}"


@pytest.mark.parametrize("viewport", ["desktop-small", "tablet-landscape"], indirect=True)
def test_a_supervisor_sends_last_month_and_sees_it_revised_by_a_late_record(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    month = seed_last_month(world)
    sign_in(page, live_server, "bob", "#/reports")
    page.get_by_role("button", name="Last month").click()
    crossed = page.get_by_role("table", name="Participants by age and gender")
    expect(crossed).to_be_visible()
    expect(crossed.get_by_role("row", name=re.compile("^All ages"))).to_contain_text("24")

    page.get_by_label("Form", exact=True).select_option("ontario_cts_monthly")
    page.get_by_label("Month", exact=True).fill(month)
    page.get_by_role("button", name="Freeze and send").click()
    sent = page.get_by_test_id("submission")
    expect(sent).to_have_count(1)
    expect(sent).to_contain_text("Current")
    expect(sent.get_by_role("link", name="Spreadsheet (XLSX)")).to_be_visible()

    # A paper sheet of the 2nd, entered late: a 25th person.
    first = date.fromisoformat(f"{month}-02")
    visit_check_in(
        request=CheckIn(
            site=world.site_a,
            kind="service_only",
            booth=None,
            code="LATECOMER",
            checked_in_at=datetime(first.year, first.month, first.day, 16, tzinfo=TORONTO),
        ),
        by=world.users["bob"],
        role=Role.SUPERVISOR,
    )
    compute_site_day(site=world.site_a, day=first)
    page.reload()
    expect(sent).to_contain_text("Revised since submission")
    expect(sent).to_contain_text("Unique participants: 24 sent, 25 now")
    screenshot(page, "reports-regulator", viewport)
    assert_accessible(page)

    page.get_by_role("button", name="Send the revised figures (version 2)").click()
    expect(page.get_by_test_id("submission")).to_have_count(2)
    expect(page.get_by_test_id("submission").first).to_contain_text("Current")

    page.goto(f"{live_server}/#/reports/monthly?site=harbour&month={month}")
    form = page.get_by_role("table", name="Participants by age and gender")
    expect(form).to_be_visible()
    expect(page.get_by_role("rowheader", name="Overdoses treated solely by staff")).to_be_visible()
    operation = page.get_by_role("region", name="1. Operation")
    expect(
        operation.get_by_role("row", name="Booths in operation (most on one day)")
    ).to_contain_text("12")
    screenshot(page, "reports-monthly-regulator", viewport)
    assert_accessible(page)
