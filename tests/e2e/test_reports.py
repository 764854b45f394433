"""Reports in Chromium: a supervisor reads a seeded week, an analyst downloads a suppressed CSV."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.e2e.conftest import screenshot
from tests.e2e.floor_support import assert_accessible, sign_in
from vigil.accounts.models import Role
from vigil.incidents.services import IncidentOpen, incident_open
from vigil.reports import services as reports_services
from vigil.reports.services import compute_site_day
from vigil.reports.tasks import compute_site_day_task
from vigil.visits.services import CheckIn, visit_check_in, visit_check_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture(params=["desktop-small", "tablet-landscape"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def seed_week(world: World) -> list[date]:
    """Visits on each of the last seven local days (3 + n a day), one overdose on the last."""
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


def test_an_analyst_downloads_a_suppressed_csv_and_cannot_open_an_incident(
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

    for screen in ("review", "incident"):
        page.goto(f"{live_server}/#/{screen}/{incident_id}")
        expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
        expect(page.get_by_test_id("total-visits")).to_be_visible()
    expect(page.get_by_text(re.compile("Opioid overdose"))).to_have_count(0)
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
