"""Issue 13, part B, on tablets (1024x768, and 768x1024 with touch) and a desktop: vitals and the onset set
without typing, the reports' current month marked provisional, a one-day chart read in hours,
and dates written the Canadian way in English and in French."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import World
from tests.e2e.conftest import VIEWPORTS, leave
from tests.e2e.floor_support import outbox_is_empty, sign_in
from tests.e2e.test_floor_stress import busy_floor
from vigil.accounts.models import Role
from vigil.incidents.models import Incident, IncidentAction
from vigil.reports.services import compute_site_day
from vigil.visits.services import CheckIn, visit_check_in, visit_check_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(settings.REPO_DIR) / "shots"
TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture(params=["tablet-landscape", "tablet-portrait", "desktop"])
def viewport(request: pytest.FixtureRequest) -> str:
    """The floor's tablets both ways round, and the supervisors' desktop (1440x900)."""
    return str(request.param)


@pytest.fixture
def page(browser: Browser, viewport: str) -> Iterator[Page]:
    """A tablet: the portrait one is driven by touch, as on the floor."""
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=viewport == "tablet-portrait"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    leave(page)


def shot(page: Page, name: str, viewport: str, part: Locator | None = None) -> None:
    """The whole page, or one part of it (a chart is small on a long report)."""
    SHOTS.mkdir(exist_ok=True)
    path = str(SHOTS / f"{name}-{viewport}.png")
    if part is None:
        page.screenshot(path=path, full_page=True)
    else:
        part.screenshot(path=path)


def press(page: Page, viewport: str, locator_button: object) -> None:
    """A tap on the touch tablet, a click elsewhere."""
    if viewport == "tablet-portrait":
        locator_button.tap()  # type: ignore[attr-defined]
    else:
        locator_button.click()  # type: ignore[attr-defined]


def laid_out_height(page: Page, element: Locator) -> float:
    """The element's height once it is laid out: the recorder re-renders when the server
    answers (the incident it queued is found), and for a moment its button measures 0."""
    deadline = time.monotonic() + 10
    while True:
        height = float(element.evaluate("node => node.getBoundingClientRect().height"))
        if height > 0 or time.monotonic() > deadline:
            return height
        page.wait_for_timeout(100)


def test_vitals_are_set_by_steppers_and_the_onset_moved_five_minutes_earlier(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    busy_floor(world)
    sign_in(page, live_server)
    press(page, viewport, page.get_by_role("button", name="Overdose in booth 5"))
    expect(page.get_by_role("timer")).to_be_visible()
    # "More actions" is a button as tall as the others (48 px and more).
    more_actions = page.get_by_text("More actions")
    expect(more_actions).to_be_visible()
    assert laid_out_height(page, more_actions) >= 48
    shot(page, "b-recorder-grid", viewport)
    press(page, viewport, page.get_by_role("button", name="Vitals", exact=True))

    breaths = page.get_by_role("group", name="Breaths per minute")
    press(page, viewport, breaths.get_by_role("button", name="6", exact=True))
    spo2 = page.get_by_role("group", name="SpO₂ (%)")
    more = spo2.get_by_role("button", name="More: SpO₂ (%)")
    less = spo2.get_by_role("button", name="Less: SpO₂ (%)")
    press(page, viewport, more)  # from nothing: the usual first reading, 90 %
    for _ in range(5):
        press(page, viewport, less)
    expect(spo2.locator("output")).to_have_text("85%")
    shot(page, "b-recorder-vitals", viewport)
    press(page, viewport, page.get_by_role("button", name="Record vitals: SpO₂ 85% 6/min"))
    expect(page.get_by_test_id("undo-strip")).to_contain_text("Vitals SpO₂ 85% 6/min")
    outbox_is_empty(page)
    incident = Incident.objects.get()
    reading = IncidentAction.objects.get(incident=incident)
    assert (reading.kind, reading.spo2, reading.resp_rate) == ("vitals", 85, 6)

    onset = incident.started_at
    press(page, viewport, page.get_by_role("button", name="Found earlier?"))
    found = page.get_by_role("group", name="Found how many minutes before the alarm")
    expect(found.locator("output")).to_have_text("5 min")
    shot(page, "b-recorder-onset", viewport)
    press(page, viewport, page.get_by_role("button", name="Set onset to"))
    # The clock runs from the onset found at once: five minutes and more.
    expect(page.get_by_role("timer")).to_have_text(re.compile(r"^(5|6):\d\d$"))
    outbox_is_empty(page)
    incident.refresh_from_db()
    assert incident.started_at == onset - timedelta(minutes=5)

    press(page, viewport, page.get_by_role("button", name="Recovered on site"))
    press(page, viewport, page.get_by_role("button", name="Response ended now"))
    page.get_by_label("What happened").fill("Found slumped; vitals taken, recovered.")
    press(page, viewport, page.get_by_role("button", name="Submit for review"))
    expect(page.get_by_test_id("floor-board")).to_be_visible()
    outbox_is_empty(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "bob", f"#/review/{incident.pk}")
    expect(page.get_by_test_id("timeline")).to_contain_text("SpO₂ 85%")
    expect(page.get_by_test_id("timeline")).to_contain_text("6/min")
    shot(page, "b-review-vitals", viewport)


def seed_day(world: World, day: date) -> None:
    """Three visits on one local day of the site, the day computed."""
    bob = world.users["bob"]
    for n in range(3):
        when = datetime(day.year, day.month, day.day, 9 + 2 * n, 0, tzinfo=TORONTO)
        visit, _ = visit_check_in(
            request=CheckIn(
                site=world.site_a,
                kind="consumption",
                booth=world.site_a.booths.get(label=str(n + 1)),
                code=f"DAY{n}",
                checked_in_at=when,
                substances=("fentanyl",),
                routes=("injection",),
            ),
            by=bob,
            role=Role.SUPERVISOR,
        )
        visit_check_out(
            visit=visit, by=bob, role=Role.SUPERVISOR, checked_out_at=when + timedelta(minutes=20)
        )
    compute_site_day(site=world.site_a, day=day)


def test_a_one_day_chart_reads_in_hours_of_that_day_in_english_and_in_french(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    yesterday = timezone.localdate(timezone.now(), TORONTO) - timedelta(days=1)
    seed_day(world, yesterday)
    sign_in(page, live_server, "bob", "#/reports")
    page.get_by_role("button", name="Yesterday", exact=True).click()
    axis = page.get_by_test_id("chart-x-axis")
    expect(axis).to_contain_text(f"Time of day, {yesterday:%A, %B} {yesterday.day}, {yesterday:%Y}")
    canvas = page.locator(".chart-canvas").first
    shot(page, "b-reports-one-day-en", viewport, page.locator(".report-charts"))
    # Hours of the day on the time axis, in the en-CA clock; no years.
    expect(canvas).to_have_attribute("data-ticks", re.compile(r"^12\sa\.m\. \| \d{1,2}\sa\.m\. \|"))
    ticks = canvas.get_attribute("data-ticks") or ""
    assert not re.search(r"20\d\d", ticks), ticks
    assert "PM" not in ticks, ticks
    assert "AM" not in ticks, ticks

    page.get_by_role("button", name="Français").click()
    expect(axis).to_contain_text("Heure de la journée")
    expect(canvas).to_have_attribute("data-ticks", re.compile(r"^00 h \| 0\d h \|"))
    shot(page, "b-reports-one-day-fr", viewport, page.locator(".report-charts"))


def test_the_current_months_form_says_it_is_provisional_on_screen_and_on_paper(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    today = timezone.localdate(timezone.now(), TORONTO)
    this_month = f"{today:%Y-%m}"
    sign_in(page, live_server, "bob", f"#/reports/monthly?site=harbour&month={this_month}")
    provisional = page.get_by_test_id("monthly-provisional")
    expect(provisional).to_contain_text("PROVISIONAL — incomplete month")
    # en-CA: month before day, never the US numeric 12/5/2026.
    expect(provisional).to_contain_text(
        re.compile(rf"Figures up to {today:%b}\.? {today.day}, {today:%Y}")
    )
    shot(page, "b-monthly-current-en", viewport, page.locator(".form-head"))
    page.emulate_media(media="print")
    expect(provisional).to_be_visible()
    shot(page, "b-monthly-current-print", viewport, page.locator(".form-head"))
    page.emulate_media(media="screen")

    page.get_by_role("button", name="Français").click()
    expect(provisional).to_contain_text("PROVISOIRE — mois incomplet")
    # fr-CA: the day first, "5 déc. 2026".
    expect(provisional).to_contain_text(re.compile(rf"jusqu\u2019au {today.day} \S+ {today:%Y}"))
    shot(page, "b-monthly-current-fr", viewport, page.locator(".form-head"))

    last_month = f"{today.replace(day=1) - timedelta(days=1):%Y-%m}"
    page.goto(f"{live_server}/#/reports/monthly?site=harbour&month={last_month}")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_test_id("monthly-provisional")).to_have_count(0)


def test_the_recorder_writes_times_24_hour_in_french(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    busy_floor(world)
    sign_in(page, live_server)
    page.get_by_role("button", name="Français").click()
    press(page, viewport, page.get_by_role("button", name="Surdose en cabine 5"))
    expect(page.locator(".recorder-onset")).to_contain_text(re.compile(r"Début \d\d h \d\d"))
    expect(page.locator(".recorder-onset")).not_to_contain_text(re.compile(r"AM|PM|a\.m\.|p\.m\."))
    press(page, viewport, page.get_by_role("button", name="Signes vitaux", exact=True))
    shot(page, "b-recorder-vitals-fr", viewport)


def test_an_offline_reload_opens_the_screens_loaded_on_first_use(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    """The stock and shift-check screens come in their own chunks: the service worker keeps
    them from the first visit, so a floor worker opens them with the Wi-Fi down."""
    sign_in(page, live_server)
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("floor-board")).to_be_visible()
    for hash, title in (("#/stock", "Response stock"), ("#/shift-check", "Start-of-shift check")):
        page.evaluate(f"location.hash = '{hash}'")
        expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    page.evaluate("location.hash = '#/floor'")
    expect(page.get_by_test_id("floor-board")).to_be_visible()
