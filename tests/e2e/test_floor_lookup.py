"""The code lookup on tablets (issue 13): it says who is already inside and leads to their
booth, a typo in the service form asks before making a new person, and a French tablet is
refused in French by the server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.conftest import World
from tests.e2e.conftest import VIEWPORTS, leave, screenshot
from tests.e2e.floor_support import assert_accessible, outbox_is_empty, sign_in
from vigil.accounts.models import Role
from vigil.care.models import Service
from vigil.participants.models import Participant
from vigil.visits.models import Visit
from vigil.visits.services import CheckIn, visit_check_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG = ["unspecified_opioid", "methamphetamine", "benzodiazepine", "hydromorphone"]


@pytest.fixture(params=["tablet-landscape", "tablet-portrait"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Browser, viewport: str) -> Iterator[Page]:
    """A touch tablet (taps, no hover), in the app's first language."""
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    leave(page)


def inside(world: World, code: str, booth: str) -> None:
    """`code` is in `booth` at Harbour, checked in by another worker's tablet."""
    site = world.site_a
    visit_check_in(
        request=CheckIn(
            site=site,
            kind=Visit.Kind.CONSUMPTION,
            booth=site.booths.get(label=booth),
            code=code,
            substances=LONG,
            routes=["injection"],
        ),
        by=world.users["bob"],
        role=Role.SUPERVISOR,
    )


def test_the_lookup_says_the_person_is_inside_and_leads_to_their_booth(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    inside(world, "MAKO1993", "8")
    sign_in(page, live_server)

    page.get_by_role("link", name="Check in").click()
    page.get_by_label("Visit code").fill("mako-1993")
    page.get_by_label("Visit code").press("Enter")

    result = page.get_by_test_id("lookup-inside")
    expect(result.get_by_text("Already inside — booth 8")).to_be_visible()
    # No second check-in on offer: it would be refused and leave a phantom tile.
    expect(page.get_by_role("button", name="Check in", exact=True)).to_have_count(0)
    expect(page.get_by_role("group", name="Booth")).to_have_count(0)
    screenshot(page, "lookup-inside", viewport)
    assert_accessible(page)

    result.get_by_role("button", name="Go to booth 8").tap()
    tile = page.get_by_role("listitem", name="Booth 8")
    expect(tile).to_be_in_viewport()
    expect(tile).to_be_focused()
    expect(tile.get_by_role("button", name="Service in booth 8")).to_be_visible()
    # The "⋯" button stays inside its tile, even with four long substance names.
    more = tile.get_by_role("button", name="More for booth 8").bounding_box()
    box = tile.bounding_box()
    assert more is not None
    assert box is not None
    assert more["x"] + more["width"] <= box["x"] + box["width"]
    screenshot(page, "lookup-went-to-booth", viewport)
    assert Visit.objects.filter(checked_out_at=None).count() == 1


def test_a_typo_in_the_service_form_asks_before_making_a_new_person(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    inside(world, "MAKO1993", "2")
    sign_in(page, live_server)

    page.get_by_role("link", name="Service").click()
    code = page.get_by_label("Visit code (leave empty if anonymous)")
    code.fill("MAKO1939")
    page.get_by_role("button", name="Look up").tap()
    expect(page.get_by_text("No one has this code here.", exact=False)).to_be_visible()
    page.get_by_role("button", name="Education").tap()
    page.get_by_role("button", name="Save the service").tap()
    expect(page.get_by_text("tap “Yes, a new person”", exact=False)).to_be_visible()
    screenshot(page, "service-typo", viewport)
    assert_accessible(page)

    # The worker corrects the typo: the person is found, nobody new is made.
    code.fill("MAKO1993")
    page.get_by_role("button", name="Look up").tap()
    expect(page.get_by_text("Already inside — booth 2")).to_be_visible()
    page.get_by_role("button", name="Save the service").tap()
    expect(page.get_by_test_id("floor-board")).to_be_visible()
    outbox_is_empty(page)

    assert Participant.objects.count() == 1
    assert Service.objects.get().participant_id == Participant.objects.get().pk


def test_a_french_tablet_shows_the_servers_refusal_in_french(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    sign_in(page, live_server)
    page.get_by_role("button", name="Français").tap()

    page.get_by_role("link", name="Accueillir").click()
    page.get_by_label("Code de visite").fill("ab")
    page.get_by_role("button", name="Chercher").tap()

    # The server's own words, in the tablet's language.
    expect(
        page.get_by_text("Un code de visite compte de 3 à 16 lettres ou chiffres", exact=False)
    ).to_be_visible()
    expect(page.get_by_text("A visit code is", exact=False)).to_have_count(0)
    screenshot(page, "french-server-message", viewport)
