"""A supervisor's desk in Chromium: site alerts reach the floor; a participant is corrected and a
mistyped code merged after the confirm screen. What the screens did is checked in the database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.conftest import World
from tests.e2e.conftest import VIEWPORTS, leave, screenshot
from tests.e2e.floor_support import assert_accessible, outbox_is_empty, sign_in
from vigil.accounts.models import Role
from vigil.alerts.models import Alert
from vigil.care.services import NewService, service_create
from vigil.participants.models import Participant
from vigil.visits.models import Visit
from vigil.visits.services import CheckIn, visit_check_in, visit_check_out

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["desktop-small", "tablet-landscape"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def second_page(browser: Browser, viewport: str) -> Iterator[Page]:
    """Another tablet of the site, beside the supervisor's screen."""
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    leave(page)


def test_a_supervisor_posts_edits_and_ends_an_alert_that_the_floor_shows(
    world: World, live_server: object, page: Page, second_page: Page, viewport: str
) -> None:
    sign_in(page, live_server, "bob", "#/alerts")
    expect(page.get_by_role("heading", name="Site alerts")).to_be_visible()
    expect(page.get_by_text("No alert is shown on the tablets.")).to_be_visible()

    page.get_by_label("Message").fill("Benzo-positive down circulating: expect heavy sedation")
    page.get_by_role("button", name="Danger").click()
    page.get_by_role("button", name="24 hours").click()
    page.get_by_role("button", name="Post on every tablet").click()
    outbox_is_empty(page)
    active = page.get_by_test_id("alerts-active")
    posted = active.get_by_role(
        "listitem", name="Benzo-positive down circulating: expect heavy sedation"
    )
    # "Posted by" comes from the server: the alert is stored, no longer only queued.
    expect(posted).to_contain_text("Posted by bob")
    alert = Alert.objects.get()
    assert (alert.level, alert.created_by) == ("danger", world.users["bob"])
    assert timedelta(hours=23) < alert.expires_at - timezone.now() <= timedelta(hours=24)

    # The floor of another tablet shows it.
    sign_in(second_page, live_server, "alice")
    floor_alerts = second_page.get_by_role("region", name="Site alerts")
    expect(floor_alerts).to_contain_text("Benzo-positive down circulating")

    # A correction, as shown.
    posted.get_by_role("button", name="Edit").click()
    edit_form = posted.get_by_label("Message")
    edit_form.fill("Benzo-positive down AND xylazine: expect heavy sedation")
    posted.get_by_role("button", name="2 hours").click()
    screenshot(page, "alerts-edit", viewport)
    assert_accessible(page)
    posted.get_by_role("button", name="Save the changes").click()
    outbox_is_empty(page)
    corrected = active.get_by_role(
        "listitem", name="Benzo-positive down AND xylazine: expect heavy sedation"
    )
    expect(corrected).to_be_visible()
    alert.refresh_from_db()
    assert alert.version == 2
    assert alert.message.startswith("Benzo-positive down AND xylazine")
    assert alert.expires_at - timezone.now() <= timedelta(hours=2)
    second_page.reload()
    expect(second_page.get_by_role("region", name="Site alerts")).to_contain_text("xylazine")
    screenshot(page, "alerts", viewport)
    page.get_by_role("button", name="Dark theme").click()
    screenshot(page, "alerts-light", viewport)
    assert_accessible(page)

    corrected.get_by_role("button", name="End now").click()
    outbox_is_empty(page)
    expect(page.get_by_text("No alert is shown on the tablets.")).to_be_visible()
    expect(page.get_by_role("listitem", name=alert.message)).to_be_visible()
    alert.refresh_from_db()
    assert alert.ended_at is not None
    assert alert.ended_by == world.users["bob"]
    second_page.reload()
    expect(second_page.get_by_test_id("floor-board")).to_be_visible()
    expect(second_page.get_by_role("region", name="Site alerts")).to_have_count(0)


def _visit(world: World, code: str, hours_ago: float) -> Visit:
    alice = world.users["alice"]
    visit, _ = visit_check_in(
        request=CheckIn(
            site=world.site_a,
            kind="service_only",
            code=code,
            checked_in_at=timezone.now() - timedelta(hours=hours_ago),
        ),
        by=alice,
        role=Role.STAFF,
    )
    return visit_check_out(visit=visit, by=alice, role=Role.STAFF)


def test_a_supervisor_corrects_a_birth_year_and_merges_a_mistyped_code(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    right = _visit(world, "MAKO1993", hours_ago=5).participant
    _visit(world, "MAKO1993", hours_ago=3)
    mistyped_visit = _visit(world, "MAKO1933", hours_ago=1)
    mistyped = mistyped_visit.participant
    assert right is not None
    assert mistyped is not None
    service_create(
        request=NewService(site=world.site_a, kind="wound_care", visit=mistyped_visit),
        by=world.users["alice"],
        role=Role.STAFF,
    )

    sign_in(page, live_server, "bob", "#/participants")
    page.get_by_label("Visit code").fill("mako-1993")
    page.get_by_label("Visit code").press("Enter")
    expect(page.get_by_test_id("participant")).to_be_visible()
    expect(page.get_by_role("heading", name="Visits (2)")).to_be_visible()
    expect(page.get_by_test_id("person-visits").get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_test_id("birth-year")).to_have_text("Unknown")
    assert page.url.endswith(f"#/participants/{right.pk}")
    screenshot(page, "participant", viewport)
    assert_accessible(page)

    page.get_by_label("Birth year").fill("1993")
    page.get_by_role("button", name="Woman").click()
    page.get_by_role("button", name="Save the correction").click()
    outbox_is_empty(page)
    expect(page.get_by_test_id("birth-year")).to_have_text("1993")
    right.refresh_from_db()
    assert (right.birth_year, right.gender, right.version) == (1993, "woman", 2)

    # The mistyped code: looked up, then a confirm screen with what moves.
    page.get_by_label("The other code").fill("MAKO1933")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name="Confirm the merge")).to_be_visible()
    moves = page.get_by_test_id("merge-moves")
    expect(moves).to_contain_text("1 visit(s)")
    expect(moves).to_contain_text("0 incident(s)")
    expect(moves).to_contain_text("1 service(s)")
    assert page.url.endswith(f"#/participants/{right.pk}/merge/{mistyped.pk}")
    screenshot(page, "merge-confirm", viewport)
    assert_accessible(page)
    assert Participant.objects.get(pk=mistyped.pk).merged_into_id is None

    page.get_by_role("button", name="Merge into this person").click()
    expect(page.get_by_text("Say why these are one person.")).to_be_visible()
    page.get_by_label("Why these are one person (no names)").fill("1993 typed as 1933")
    page.get_by_role("button", name="Merge into this person").click()
    outbox_is_empty(page)
    expect(page.get_by_text("Merged: the records moved to this person.")).to_be_visible()
    expect(page.get_by_role("heading", name="Visits (3)")).to_be_visible()
    expect(page.get_by_test_id("person-visits").get_by_role("listitem")).to_have_count(3)
    screenshot(page, "participant-merged", viewport)
    page.get_by_role("button", name="Dark theme").click()
    screenshot(page, "participant-light", viewport)
    assert_accessible(page)

    merged = Participant.objects.get(pk=mistyped.pk)
    assert merged.merged_into_id == right.pk
    assert Visit.objects.filter(participant=right).count() == 3
    assert not Visit.objects.filter(participant=mistyped).exists()
    assert "MAKO" not in page.url.upper()
