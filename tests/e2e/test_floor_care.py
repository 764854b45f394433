"""Services and referrals from the floor: a drug check and supplies from a booth, a referral
made, then followed up days later from the person's code."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.e2e.conftest import screenshot
from tests.e2e.floor_support import assert_accessible, outbox_is_empty, sign_in
from vigil.care.models import Referral, Service

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(params=["tablet-landscape"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_a_worker_records_services_and_a_referral_then_follows_it_up(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    sign_in(page, live_server)
    page.get_by_role("link", name="Check in").click()
    page.get_by_label("Visit code").fill("RAVEN88")
    page.get_by_label("Visit code").press("Enter")
    expect(page.get_by_text("New participant")).to_be_visible()
    page.get_by_role("button", name="Booth 4", exact=True).click()
    page.get_by_role("button", name="Check in to booth 4").click()
    outbox_is_empty(page)

    # A drug check from the booth tile.
    page.get_by_role("button", name="More for booth 4").click()
    page.get_by_role("button", name="Service in booth 4").click()
    page.get_by_role("button", name="Drug checking").click()
    page.get_by_role("group", name="Expected substance").get_by_role(
        "button", name="Heroin"
    ).click()
    page.get_by_role("group", name="Fentanyl", exact=True).get_by_role(
        "button", name="Positive"
    ).click()
    page.get_by_role("group", name="What the person chose to do").get_by_role(
        "button", name="Reduced the dose"
    ).click()
    screenshot(page, "service-drug-check", viewport)
    assert_accessible(page)
    page.get_by_role("button", name="Save the service").click()
    expect(page.get_by_test_id("floor-board")).to_be_visible()

    # Supplies with the steppers.
    page.get_by_role("button", name="More for booth 4").click()
    page.get_by_role("button", name="Service in booth 4").click()
    page.get_by_role("button", name="Supplies", exact=True).click()
    page.get_by_role("button", name="Ten more Syringe").click()
    page.get_by_role("button", name="One more Cooker").click()
    page.get_by_role("button", name="One more Cooker").click()
    page.get_by_role("button", name="One less Cooker").click()
    screenshot(page, "service-supplies", viewport)
    page.get_by_role("button", name="Save the service").click()
    expect(page.get_by_test_id("floor-board")).to_be_visible()

    # A referral from the booth, offered.
    page.get_by_role("button", name="More for booth 4").click()
    page.get_by_role("button", name="Referral in booth 4").click()
    page.get_by_role("button", name="Housing").click()
    page.get_by_label("Agency (optional, no names of people)").fill("Harbour Housing Help")
    page.get_by_role("button", name="Save the referral").click()
    expect(page.get_by_test_id("floor-board")).to_be_visible()
    outbox_is_empty(page)

    # Later: the standalone form finds the open referral by code and records the answer.
    page.get_by_role("link", name="Referral").click()
    page.get_by_label("Visit code (leave empty if anonymous)").fill("raven-88")
    page.get_by_role("button", name="Find open referrals").click()
    open_referrals = page.get_by_role("region", name="Open referrals")
    expect(open_referrals.get_by_text("Housing")).to_be_visible()
    screenshot(page, "referral-follow-up", viewport)
    assert_accessible(page)
    open_referrals.get_by_role("button", name="Accepted").click()
    expect(open_referrals.get_by_text("Recorded: Accepted")).to_be_visible()
    for _ in range(60):  # the answer shows at the tap; the outbox sends it a moment later
        if Referral.objects.filter(status="accepted").exists():
            break
        page.wait_for_timeout(250)
    outbox_is_empty(page)

    drug_check = Service.objects.get(kind="drug_checking").drug_check
    assert (drug_check.expected_substance, drug_check.fentanyl) == ("heroin", "positive")
    assert drug_check.client_action == "reduced_dose"
    supplies = Service.objects.get(kind="supplies")
    assert {(line.item, line.quantity) for line in supplies.supply_lines.all()} == {
        ("syringe", 10),
        ("cooker", 1),
    }
    referral = Referral.objects.get()
    assert (referral.category, referral.agency, referral.status) == (
        "housing",
        "Harbour Housing Help",
        "accepted",
    )
    assert referral.visit == supplies.visit
