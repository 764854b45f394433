"""A floor worker's shift in Chromium: check-in, the overdose recorder, check-out, offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.e2e.conftest import screenshot
from tests.e2e.floor_support import assert_accessible, outbox_is_empty, sign_in
from vigil.incidents.models import Incident, IncidentAction
from vigil.visits.models import Visit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["tablet-landscape", "tablet-portrait"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_worker_checks_in_records_an_overdose_and_checks_out(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    sign_in(page, live_server)
    screenshot(page, "floor-empty", viewport)
    assert_accessible(page)

    # Check-in: the code, then booth 3, a substance, a route, confirm.
    page.get_by_role("link", name="Check in").click()
    page.get_by_label("Visit code").fill("mako-1993")
    page.get_by_label("Visit code").press("Enter")
    expect(page.get_by_text("New participant")).to_be_visible()
    page.get_by_role("button", name="Booth 3", exact=True).click()
    page.get_by_role("button", name="Fentanyl").click()
    page.get_by_role("button", name="Injection").click()
    screenshot(page, "check-in", viewport)
    assert_accessible(page)
    page.get_by_role("button", name="Check in to booth 3").click()

    tile = page.get_by_role("listitem", name="Booth 3")
    expect(tile.get_by_text("0 min")).to_be_visible()
    outbox_is_empty(page)
    screenshot(page, "floor-occupied", viewport)

    # The overdose recorder: one tap from the tile, one tap per action.
    page.get_by_role("button", name="Overdose in booth 3").click()
    expect(page.get_by_role("timer")).to_be_visible()
    page.get_by_role("button", name="Stimulation").click()
    page.get_by_role("button", name="Oxygen", exact=True).click()
    page.get_by_role("button", name="Naloxone", exact=True).click()
    page.get_by_role("button", name="Record 0.4 mg IM").click()
    page.get_by_role("button", name="Naloxone", exact=True).click()
    page.get_by_role("button", name="Record 0.4 mg IM").click()
    page.get_by_role("button", name="911 called").click()
    expect(page.get_by_test_id("timeline").get_by_role("listitem")).to_have_count(5)
    expect(page.get_by_text("Naloxone: 2 dose(s), 0.8 mg")).to_be_visible()
    screenshot(page, "recorder", viewport)
    assert_accessible(page)

    page.get_by_role("button", name="Recovered on site").click()
    page.get_by_role("button", name="Response ended now").click()
    page.get_by_label("What happened").fill("Responded in booth; recovered after two doses.")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("floor-board")).to_be_visible()
    outbox_is_empty(page)

    page.get_by_role("button", name="Check out of booth 3").click()
    expect(tile).to_have_count(0)
    expect(page.get_by_role("button", name="Booth 3 Free")).to_be_visible()
    outbox_is_empty(page)

    visit = Visit.objects.get()
    assert visit.booth is not None
    assert visit.booth.label == "3"
    assert visit.checked_out_at is not None
    assert [row.substance for row in visit.substance_rows.all()] == ["fentanyl"]
    incident = Incident.objects.get()
    assert incident.visit_id == visit.pk
    assert incident.status == Incident.Status.SUBMITTED
    assert incident.outcome == "recovered_on_site"
    assert incident.ended_at is not None
    kinds = sorted(IncidentAction.objects.filter(incident=incident).values_list("kind", flat=True))
    assert kinds == ["ems_called", "naloxone", "naloxone", "oxygen", "stimulation"]


def test_what_is_recorded_offline_survives_a_reload_and_arrives_once(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    sign_in(page, live_server)
    page.get_by_role("button", name="Booth 2 Free").click()
    page.get_by_role("button", name="No code (anonymous)").click()
    page.get_by_role("button", name="Check in to booth 2").click()
    page.get_by_role("button", name="Overdose in booth 2").click()
    expect(page.get_by_role("timer")).to_be_visible()
    outbox_is_empty(page)
    # The service worker has the app by now: the reload below happens with no network at all.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=15_000)

    page.context.set_offline(True)
    for action in ("Stimulation", "Oxygen", "Rescue breathing"):
        page.get_by_role("button", name=action, exact=True).click()
    page.get_by_role("link", name="Floor").click()
    page.get_by_role("button", name="Booth 5 Free").click()
    page.get_by_role("button", name="No code (anonymous)").click()
    page.get_by_role("button", name="Check in to booth 5").click()
    expect(page.get_by_test_id("outbox-count")).to_have_attribute("data-pending", "4")

    page.reload()

    expect(page.get_by_test_id("floor-board")).to_be_visible()
    expect(page.get_by_test_id("outbox-count")).to_have_attribute("data-pending", "4")
    expect(page.get_by_role("listitem", name="Booth 5")).to_be_visible()
    screenshot(page, "floor-offline", viewport)
    assert IncidentAction.objects.count() == 0

    page.context.set_offline(False)
    outbox_is_empty(page)

    incident = Incident.objects.get()
    kinds = sorted(IncidentAction.objects.filter(incident=incident).values_list("kind", flat=True))
    assert kinds == ["oxygen", "rescue_breathing", "stimulation"]
    assert sorted(Visit.objects.values_list("booth__label", flat=True)) == ["2", "5"]
