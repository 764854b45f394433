"""The floor under stress on tablets (issue 13): a full board with alerts fits the first screen,
the floor survives an offline reload, and a tap can be taken back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.e2e.conftest import screenshot
from tests.e2e.floor_support import assert_accessible, outbox_is_empty, sign_in
from vigil.accounts.models import Role
from vigil.alerts.services import AlertPost, alert_post
from vigil.incidents.models import Incident, IncidentAction
from vigil.visits.models import Visit
from vigil.visits.services import CheckIn, visit_check_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Booth label → minutes in: green, amber and red tiles, two free booths.
BUSY = {"1": 3, "2": 12, "3": 25, "4": 1, "5": 40, "6": 7, "7": 15, "8": 2, "9": 30, "11": 5}


@pytest.fixture(params=["tablet-landscape", "tablet-portrait"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def busy_floor(world: World) -> None:
    """Ten occupied booths and two alerts, recorded by another worker's tablet."""
    site, bob = world.site_a, world.users["bob"]
    now = timezone.now()
    booths = {b.label: b for b in site.booths.all()}
    for n, (label, minutes) in enumerate(BUSY.items()):
        visit_check_in(
            request=CheckIn(
                site=site,
                kind=Visit.Kind.CONSUMPTION,
                booth=booths[label],
                code=f"BUSY{n:02d}",
                checked_in_at=now - timedelta(minutes=minutes),
                substances=["fentanyl", "methamphetamine"] if n % 3 == 0 else ["fentanyl"],
                routes=["injection"],
            ),
            by=bob,
            role=Role.SUPERVISOR,
        )
    for level, message in (
        ("danger", "Carfentanil found in blue pills this week: go slow, use with someone."),
        ("warning", "Naloxone kit restock due at 16:00; ask the supervisor for spares."),
    ):
        alert_post(
            request=AlertPost(
                site=site, message=message, level=level, expires_at=now + timedelta(hours=8)
            ),
            by=bob,
        )


def assert_on_first_screen(page: Page, locator_name: str) -> None:
    """Every element matched lies entirely inside the viewport, without scrolling."""
    height = page.viewport_size["height"] if page.viewport_size else 0
    boxes = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].map((e) => {
            const r = e.getBoundingClientRect();
            return [e.getAttribute("aria-label") || e.textContent, r.top, r.bottom];
        })""",
        locator_name,
    )
    assert boxes, locator_name
    off = [box for box in boxes if box[1] < 0 or box[2] > height]
    assert off == [], off


def test_every_booth_and_its_overdose_button_fit_the_first_screen_with_two_alerts(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    busy_floor(world)
    sign_in(page, live_server)
    expect(page.get_by_role("listitem", name="Booth 11")).to_be_visible()
    expect(page.get_by_text("Carfentanil found")).to_be_visible()
    screenshot(page, "stress-floor-full", viewport)
    assert_on_first_screen(page, ".booths > li")
    assert_on_first_screen(page, ".booths .btn-danger")
    assert_accessible(page)


def test_an_offline_reload_keeps_every_occupied_booth_its_timer_and_the_alerts(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    busy_floor(world)
    sign_in(page, live_server)
    expect(page.get_by_role("listitem", name="Booth 5").get_by_text("40 min")).to_be_visible()
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)

    page.context.set_offline(True)
    page.reload()

    expect(page.get_by_test_id("floor-as-of")).to_be_visible()
    for label in BUSY:
        expect(page.get_by_role("listitem", name=f"Booth {label}", exact=True)).to_be_visible()
    expect(page.get_by_role("listitem", name="Booth 5").get_by_text("40 min")).to_be_visible()
    expect(page.get_by_text("Carfentanil found")).to_be_visible()
    expect(page.get_by_role("button", name="Booth 10 Free")).to_be_visible()
    screenshot(page, "stress-floor-offline", viewport)
    # What the tablet keeps of the floor names no person: no participant id, no code.
    kept = page.evaluate("localStorage.getItem('vigil.floor.harbour')")
    assert kept is not None
    participants = {str(v.participant_id) for v in Visit.objects.all()}
    assert not [p for p in participants if p in kept]
    assert "BUSY" not in kept

    # The network returns: the floor is live again at once.
    page.context.set_offline(False)
    page.evaluate("dispatchEvent(new Event('online'))")
    expect(page.get_by_test_id("floor-as-of")).to_have_count(0)
