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
from tests.integration.processes import wait_until
from vigil.accounts.models import Role
from vigil.alerts.services import AlertPost, alert_post
from vigil.incidents.models import Incident, IncidentAction
from vigil.visits.models import Visit
from vigil.visits.services import CheckIn, visit_check_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Booth label → minutes in: green, amber and red tiles, two free booths.
BUSY = {
    "1": 3,
    "2": 12,
    "3": 25,
    "4": 1,
    "5": 40,
    "6": 7,
    "7": 15,
    "8": 2,
    "9": 30,
    "11": 5,
}


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
        (
            "danger",
            "Carfentanil found in blue pills this week: go slow, use with someone.",
        ),
        (
            "warning",
            "Naloxone kit restock due at 16:00; ask the supervisor for spares.",
        ),
    ):
        alert_post(
            request=AlertPost(
                site=site,
                message=message,
                level=level,
                expires_at=now + timedelta(hours=8),
            ),
            by=bob,
        )


def assert_on_first_screen(page: Page, locator_name: str) -> None:
    """Every element matched lies entirely inside the viewport, without scrolling."""
    # Drawn once the screen has settled (a loaded tablet may show the timer a moment before).
    expect(page.locator(locator_name).first).to_be_visible()
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
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)

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


def test_a_naloxone_dose_is_recorded_without_scrolling_and_undone(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    busy_floor(world)
    sign_in(page, live_server)
    page.get_by_role("button", name="Overdose in booth 5").click()
    expect(page.get_by_role("timer")).to_be_visible()
    assert_on_first_screen(page, ".action-grid .action-button")
    page.get_by_role("button", name="Stimulation").click()
    expect(page.get_by_test_id("undo-strip")).to_contain_text("Last recorded: Stimulation")

    page.get_by_role("button", name="Naloxone", exact=True).click()
    assert_on_first_screen(page, ".dose-panel .btn-primary")
    page.get_by_role("button", name="Record 0.4 mg IM").click()
    strip = page.get_by_test_id("undo-strip")
    expect(strip).to_contain_text("Last recorded: Naloxone 0.4 mg IM")
    assert_on_first_screen(page, "[data-testid=undo-strip]")
    screenshot(page, "stress-recorder-dose", viewport)
    assert_accessible(page)

    strip.get_by_role("button", name="Undo").click()
    expect(strip).to_contain_text("Taken back: Naloxone 0.4 mg IM")
    outbox_is_empty(page)
    expect(page.get_by_test_id("timeline").get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_text("Naloxone: 0 dose(s), 0 mg")).to_be_visible()
    screenshot(page, "stress-recorder-undone", viewport)

    incident = Incident.objects.get()
    live = IncidentAction.objects.filter(incident=incident, voided=False)
    # Sent before the Undo, the dose is voided by a second write queued once its send ended:
    # the outbox can be empty for an instant between the two.
    wait_until(
        "the dose taken back on the server",
        lambda: sorted(live.values_list("kind", flat=True)) == ["stimulation"],
        seconds=20,
    )
    # Sent before the Undo, it is voided with a reason; withdrawn in time, it never existed.
    for action in IncidentAction.objects.filter(incident=incident, kind="naloxone"):
        assert action.voided
        assert action.void_reason


def test_a_mistapped_action_is_voided_with_a_reason_after_the_undo_time(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    busy_floor(world)
    sign_in(page, live_server)
    page.get_by_role("button", name="Overdose in booth 2").click()
    page.get_by_role("button", name="CPR", exact=True).click()
    outbox_is_empty(page)

    page.get_by_role("button", name="Void CPR").click()
    page.get_by_label("Why is this action void?").fill("Tapped CPR instead of oxygen.")
    page.get_by_role("button", name="Void it").click()
    expect(page.get_by_test_id("timeline").get_by_role("listitem")).to_have_count(0)
    outbox_is_empty(page)

    action = IncidentAction.objects.get()
    assert action.voided
    assert action.void_reason == "Tapped CPR instead of oxygen."


def test_a_check_out_is_undone(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    busy_floor(world)
    sign_in(page, live_server)
    page.get_by_role("button", name="Check out of booth 4").click()
    expect(page.get_by_role("listitem", name="Booth 4", exact=True)).to_have_count(0)
    strip = page.get_by_test_id("undo-strip")
    expect(strip).to_contain_text("Checked out of booth 4")
    screenshot(page, "stress-checkout-undo", viewport)

    strip.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("listitem", name="Booth 4", exact=True)).to_be_visible()
    outbox_is_empty(page)
    assert Visit.objects.get(booth__label="4").checked_out_at is None


def test_signs_substances_and_responders_are_recorded_and_shown_in_the_review(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    busy_floor(world)
    sign_in(page, live_server)
    page.get_by_role("button", name="Overdose in booth 1", exact=True).click()
    page.get_by_role("button", name="Oxygen", exact=True).click()
    signs = page.get_by_role("group", name="Signs")
    signs.get_by_role("button", name="Unresponsive").click()
    signs.get_by_role("button", name="Pinpoint pupils").click()
    substances = page.get_by_role("group", name="Suspected substances")
    expect(substances.get_by_role("button", name="Fentanyl")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(substances.get_by_role("button", name="Methamphetamine")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.get_by_role("group", name="Responders").get_by_role("button")).to_have_text(
        ["alice"]
    )
    page.get_by_label("Another responder (username)").fill("bob")
    page.get_by_role("button", name="Add", exact=True).click()
    screenshot(page, "stress-recorder-details", viewport)
    page.get_by_role("button", name="Recovered on site").click()
    page.get_by_role("button", name="Response ended now").click()
    page.get_by_label("What happened").fill("Responded in booth 1; recovered with oxygen.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("floor-board")).to_be_visible()
    outbox_is_empty(page)

    incident = Incident.objects.get()
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "bob", f"#/review/{incident.pk}")
    facts = page.locator(".review-facts")
    expect(facts).to_contain_text("Unresponsive")
    expect(facts).to_contain_text("Pinpoint pupils")
    expect(facts).to_contain_text("Fentanyl, Methamphetamine")
    expect(facts).to_contain_text("alice, bob")
    expect(page.get_by_test_id("review-empty")).to_have_count(0)
    screenshot(page, "stress-review-details", viewport)


def test_a_french_tablet_receives_a_french_server_message_and_picks_another_booth(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    busy_floor(world)
    sign_in(page, live_server)
    page.get_by_role("button", name="Français").click()
    page.get_by_role("button", name="Cabine 10 Libre").click()
    page.get_by_role("button", name="Sans code (anonyme)").click()
    # Another tablet takes booth 10 first.
    visit_check_in(
        request=CheckIn(
            site=world.site_a,
            kind=Visit.Kind.CONSUMPTION,
            booth=world.site_a.booths.get(label="10"),
        ),
        by=world.users["bob"],
        role=Role.SUPERVISOR,
    )
    page.get_by_role("button", name="Accueillir en cabine 10").click()

    page.get_by_test_id("outbox-count").click()
    expect(page.get_by_text("La cabine 10 est occupée (depuis 0 min).")).to_be_visible()
    picker = page.get_by_role("group", name="Choisissez une cabine libre")
    expect(picker.get_by_role("button")).to_have_text(["Cabine 12"])
    screenshot(page, "stress-refused-fr", viewport)
    assert_accessible(page)
    picker.get_by_role("button", name="Cabine 12").click()
    page.get_by_role("button", name="Renvoyer").click()
    outbox_is_empty(page)
    assert Visit.objects.filter(booth__label="12", checked_out_at=None).count() == 1
