"""Floor safety in Chromium: a restricted person let in with an override, the waiting list
taking a freed booth, and a suggested drug alert posted and shown on another tablet."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from tests.backend.conftest import booth_of, check_in, iso
from tests.conftest import TabletClient, World
from tests.e2e.conftest import VIEWPORTS, leave, screenshot
from tests.e2e.floor_support import assert_accessible, outbox_is_empty, sign_in
from vigil.alerts.models import Alert
from vigil.audit.models import AuditEvent
from vigil.safety.models import Restriction, RestrictionOverride, TurnAway, WaitlistEntry
from vigil.sites.models import Booth
from vigil.visits.models import Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["tablet-landscape", "tablet-portrait"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _api(username: str) -> TabletClient:
    client = TabletClient()
    client.sign_in(username)
    return client


def _restrict_mako() -> None:
    restricted = _api("bob").post(
        "/api/v1/restrictions/",
        {
            "site": "harbour",
            "code": "MAKO1993",
            "scope": "all_services",
            "reason": "threats",
            "ends_at": iso(timezone.now() + timedelta(days=10)),
            "note": "Threatened a peer worker in the line",
        },
    )
    assert restricted.status_code == 201, restricted.content


def test_a_restricted_person_is_let_in_only_with_an_override_reason(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    _restrict_mako()
    sign_in(page, live_server)

    page.get_by_role("link", name="Check in").click()
    page.get_by_label("Visit code").fill("mako-1993")
    page.get_by_label("Visit code").press("Enter")
    notice = page.get_by_test_id("restriction")
    expect(notice.get_by_text("Restricted (all services) until")).to_be_visible()
    expect(page.get_by_text("Threatened")).to_have_count(0)  # never the note at the door
    page.get_by_role("button", name="Booth 3", exact=True).click()
    page.get_by_role("button", name="Check in to booth 3").click()
    expect(page.get_by_text("Give the reason for the override")).to_be_visible()
    page.get_by_label("Reason to let them in anyway").fill("Calm today; manager agreed")
    page.get_by_role("button", name="By a peer").click()
    screenshot(page, "check-in-restricted", viewport)
    assert_accessible(page)
    page.get_by_role("button", name="Check in to booth 3").click()

    expect(page.get_by_role("listitem", name="Booth 3")).to_be_visible()
    outbox_is_empty(page)
    override = RestrictionOverride.objects.get()
    assert override.reason == "Calm today; manager agreed"
    assert Visit.objects.get().assisted == "peer"


def test_a_restricted_check_in_refused_after_going_online_is_overridden_from_the_outbox(
    world: World, live_server: object, browser: Browser
) -> None:
    _restrict_mako()
    width, height = VIEWPORTS["tablet-landscape"]
    context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True)
    page = context.new_page()
    sign_in(page, live_server)

    page.context.set_offline(True)
    page.get_by_role("link", name="Check in").tap()
    page.get_by_label("Visit code").fill("MAKO1993")
    page.get_by_label("Visit code").press("Enter")
    page.get_by_role("button", name="Booth 3", exact=True).tap()
    page.get_by_role("button", name="Check in to booth 3").tap()
    expect(page.get_by_test_id("outbox-count")).to_have_attribute("data-pending", "1")
    page.context.set_offline(False)

    expect(page.get_by_text("1 need a fix")).to_be_visible()
    page.get_by_test_id("outbox-count").tap()
    expect(page.get_by_text("This person is restricted (all services)")).to_be_visible()
    assert not Visit.objects.exists()
    page.get_by_role("button", name="Send again").tap()
    expect(page.get_by_text("Give the reason for the override")).to_be_visible()
    page.get_by_label("Reason to let them in anyway").fill("Calm now; manager agreed")
    screenshot(page, "outbox-restricted", "tablet-landscape")
    page.get_by_role("button", name="Send again").tap()

    outbox_is_empty(page)
    visit = Visit.objects.get()
    override = RestrictionOverride.objects.get()
    assert (override.visit_id, override.reason) == (visit.pk, "Calm now; manager agreed")
    event = AuditEvent.objects.get(object_type="safety.restrictionoverride")
    assert (event.actor.username, event.reason) == ("alice", "Calm now; manager agreed")
    leave(page)


def test_the_waiting_list_takes_the_booth_that_frees_up(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    Booth.objects.filter(site=world.site_a).exclude(label__in=["1", "2"]).update(active=False)
    alice = _api("alice")
    check_in(alice, booth=booth_of(world.site_a, "1"))
    check_in(alice, booth=booth_of(world.site_a, "2"))
    sign_in(page, live_server)
    waitlist = page.get_by_test_id("waitlist")
    expect(waitlist.get_by_text("All booths are taken.")).to_be_visible()

    waitlist.get_by_label("Visit code (optional)").fill("OTTER77")
    waitlist.get_by_role("button", name="Add to the waiting list").click()
    waitlist.get_by_role("button", name="Add without a code").click()
    expect(waitlist.get_by_text("Person 1")).to_be_visible()
    expect(waitlist.get_by_text("Anonymous · 2")).to_be_visible()
    outbox_is_empty(page)
    page.get_by_role("button", name="Check out of booth 2").click()
    offer = waitlist.get_by_role("button", name="Check in to booth 2").first
    expect(offer).to_be_visible()
    screenshot(page, "floor-waitlist", viewport)
    assert_accessible(page)
    offer.click()

    expect(page.get_by_text("From the waiting list")).to_be_visible()
    page.get_by_role("button", name="Check in to booth 2").click()
    expect(page.get_by_role("listitem", name="Booth 2")).to_be_visible()
    expect(waitlist.get_by_text("Person 1")).to_have_count(0)
    waitlist.get_by_role("button", name="Left").click()
    expect(waitlist.get_by_text("No one is waiting.")).to_be_visible()
    outbox_is_empty(page)

    taken = WaitlistEntry.objects.get(status="checked_in")
    assert taken.visit is not None
    assert taken.visit.participant_id == taken.participant_id
    assert taken.visit.booth == Booth.objects.get(site=world.site_a, label="2")
    assert WaitlistEntry.objects.get(status="left").turnaway.reason == "capacity"


def test_a_suggested_alert_is_posted_and_another_tablet_shows_it(
    world: World, live_server: object, page: Page, browser: Browser, viewport: str
) -> None:
    bob = _api("bob")
    start = timezone.now() - timedelta(minutes=50)
    for minutes in (0, 15, 30):
        created = bob.post(
            "/api/v1/incidents/",
            {
                "id": str(uuid.uuid4()),
                "site": "harbour",
                "kind": "opioid_overdose",
                "location": "booth",
                "started_at": iso(start + timedelta(minutes=minutes)),
                "signs": ["unresponsive"],
                "suspected_substances": ["fentanyl"],
            },
        )
        assert created.status_code == 201, created.content
    width, height = VIEWPORTS[viewport]
    floor_tablet = browser.new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(floor_tablet, live_server)  # a tablet on the floor, before the alert
    expect(floor_tablet.get_by_test_id("alert-new")).to_have_count(0)

    sign_in(page, live_server, "bob", hash="#/alerts")
    suggestions = page.get_by_test_id("suggestions")
    expect(suggestions.get_by_text("3 overdoses within 60 min")).to_be_visible()
    screenshot(page, "alert-suggestions", viewport)
    suggestions.get_by_role("button", name="Post this alert").click()
    outbox_is_empty(page)
    expect(suggestions.get_by_text("Nothing suggested")).to_be_visible()

    new = floor_tablet.get_by_test_id("alert-new")
    expect(new).to_contain_text("3 overdoses here", timeout=25_000)
    expect(new.get_by_text("New alert")).to_be_visible()
    expect(floor_tablet.get_by_test_id("floor-board")).to_be_visible()  # nothing covers it
    screenshot(floor_tablet, "floor-new-alert", viewport)
    assert_accessible(floor_tablet)
    new.get_by_role("button", name="Seen").click()
    expect(floor_tablet.get_by_test_id("alert-new")).to_have_count(0)
    expect(floor_tablet.get_by_test_id("alert")).to_have_count(1)
    leave(floor_tablet)

    page.goto(f"{live_server}/#/poster/{Alert.objects.get().pk}")
    expect(page.get_by_test_id("poster")).to_contain_text("3 overdoses here")
    screenshot(page, "alert-poster", viewport)
    assert Alert.objects.get().source == "overdose_cluster"


@pytest.mark.parametrize("viewport", ["tablet-landscape", "desktop"], indirect=True)
def test_a_supervisor_restricts_a_person_ends_it_and_registers_a_complaint(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    sign_in(page, live_server, "bob", hash="#/restrictions")
    page.get_by_label("Visit code").fill("mako-1993")
    page.get_by_role("button", name="consumption only").click()
    page.get_by_role("button", name="Dealing").click()
    page.get_by_label("End date", exact=True).fill(
        (timezone.localdate() + timedelta(days=14)).isoformat()
    )
    page.get_by_label("Note (supervisors only").fill("Selling in the washroom, second time")
    page.get_by_role("button", name="Restrict", exact=True).click()
    listed = page.get_by_test_id("restrictions").get_by_role("listitem")
    expect(listed).to_contain_text("consumption only · Dealing · until")
    outbox_is_empty(page)
    screenshot(page, "restrictions", viewport)
    assert_accessible(page)

    listed.get_by_role("button", name="End early").click()
    page.get_by_label("Why it ends early").fill("Met with the person and the team")
    page.get_by_role("button", name="End the restriction").click()
    expect(page.get_by_text("No restriction in force.")).to_be_visible()
    outbox_is_empty(page)

    page.get_by_role("link", name="Complaints").click()
    page.get_by_role("button", name="Privacy").click()
    page.get_by_label("What it is about").fill("Their name was said aloud at the desk")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Their name was said aloud at the desk")).to_be_visible()
    outbox_is_empty(page)
    screenshot(page, "complaints", viewport)
    assert_accessible(page)


def _due_restriction() -> str:
    """MAKO1993 restricted until reviewed; its review date came yesterday."""
    created = _api("bob").post(
        "/api/v1/restrictions/",
        {
            "site": "harbour",
            "code": "MAKO1993",
            "scope": "all_services",
            "reason": "threats",
            "review_at": iso(timezone.now() + timedelta(days=1)),
            "note": "Threatened a peer worker in the line",
        },
    )
    assert created.status_code == 201, created.content
    Restriction.objects.filter(pk=created.json()["id"]).update(
        review_at=timezone.now() - timedelta(days=1)
    )
    return str(created.json()["id"])


@pytest.mark.parametrize("viewport", ["tablet-landscape", "desktop"], indirect=True)
def test_a_supervisor_keeps_a_restriction_due_for_review_from_the_review_queue(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    restriction = _due_restriction()
    sign_in(page, live_server, "bob", hash="#/review")

    panel = page.get_by_test_id("restriction-reviews")
    expect(panel).to_contain_text("all services")
    expect(panel).to_contain_text("Threatened a peer worker")  # supervisors see the note
    panel.get_by_role("button", name="Keep", exact=True).click()
    panel.get_by_role("button", name="Keep the restriction").click()
    expect(panel.get_by_text("no end date: give the next review date")).to_be_visible()
    next_review = (timezone.localdate() + timedelta(days=30)).isoformat()
    panel.get_by_label("Next review date").fill(next_review)
    panel.get_by_label("Note (optional").fill("Still making threats at closing")
    screenshot(page, "review-restrictions", viewport)
    assert_accessible(page)
    panel.get_by_role("button", name="Keep the restriction").click()

    expect(panel.get_by_text("Kept.")).to_be_visible()
    outbox_is_empty(page)
    stored = Restriction.objects.get(pk=restriction)
    assert stored.reviewed_at is not None
    assert stored.ended_at is None
    assert stored.review_at is not None
    assert stored.review_at.astimezone(world.site_a.zone).date().isoformat() == next_review
    page.reload()
    expect(page.get_by_role("heading", name="Incident review")).to_be_visible()
    expect(page.get_by_test_id("restriction-reviews")).to_have_count(0)


def test_todays_turn_aways_are_listed_on_the_floor_and_one_is_voided(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    alice = _api("alice")
    for reason in ("intoxication", "closed"):
        created = alice.post("/api/v1/turnaways/", {"site": "harbour", "reason": reason})
        assert created.status_code == 201, created.content
    sign_in(page, live_server)

    page.get_by_role("link", name="Turn away").click()
    listed = page.get_by_test_id("turnaways-today").get_by_role("listitem")
    expect(listed).to_have_count(2)
    expect(listed.first).to_contain_text("Closed")  # newest first
    screenshot(page, "turnaways-today", viewport)
    assert_accessible(page)
    listed.first.get_by_role("button", name="Void the turn-away of").click()
    page.get_by_label("Why it is voided").fill("Tapped the wrong reason")
    page.get_by_role("button", name="Void the turn-away", exact=True).click()

    expect(listed).to_have_count(1)
    outbox_is_empty(page)
    voided = TurnAway.objects.get(voided=True)
    assert (voided.reason, voided.void_reason) == ("closed", "Tapped the wrong reason")
