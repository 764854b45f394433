"""The people who respond, in Chromium: the start-of-shift check on a tablet, the floor's quiet
stock warning with the handover note, and the supervisor's debrief queue."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.e2e.conftest import screenshot
from tests.e2e.floor_support import assert_accessible, outbox_is_empty, sign_in
from vigil.accounts.models import Role
from vigil.incidents.models import Debrief
from vigil.incidents.services import IncidentOpen, incident_open, incident_update
from vigil.incidents.timeline import ActionTap, incident_action_record
from vigil.stock.models import StockCheck, StockLevel
from vigil.stock.services import Receipt, stock_receive

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _receive(
    world: World, item: str, quantity: int, *, lot: str = "", days: int | None = None
) -> None:
    expires = timezone.localdate() + timedelta(days=days) if days is not None else None
    stock_receive(
        request=Receipt(
            site=world.site_a, item=item, lot=lot, expires_on=expires, quantity=quantity
        ),
        by=world.users["bob"],
    )


@pytest.mark.parametrize("viewport", ["tablet-portrait", "tablet-landscape"], indirect=True)
def test_a_worker_checks_the_stock_at_the_start_of_a_shift(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    _receive(world, "naloxone", 5, lot="NX24", days=200)
    _receive(world, "oxygen", 2)
    sign_in(page, live_server, hash="#/shift-check")
    expect(page.get_by_role("heading", name="Start-of-shift check")).to_be_visible()

    page.get_by_label("Naloxone", exact=True).fill("4")
    page.get_by_role("button", name="One more Oxygen cylinders").click()
    page.get_by_role("button", name="One more Oxygen cylinders").click()
    page.get_by_role("button", name="One more Bag-valve masks").click()
    page.get_by_role("button", name="Low").click()
    page.get_by_label("Handover note for the next shift").fill(
        "Second oxygen cylinder half used; ampoules ordered."
    )
    assert_accessible(page)
    screenshot(page, "shift-check-form", viewport)
    page.get_by_role("button", name="Record the check").click()

    result = page.get_by_test_id("check-result")
    expect(result).to_contain_text("What Vigil expected")
    naloxone_row = result.get_by_role("row", name="Naloxone", exact=False).first
    expect(naloxone_row).to_contain_text("-1")
    screenshot(page, "shift-check-result", viewport)
    outbox_is_empty(page)

    check = StockCheck.objects.get(site=world.site_a)
    assert check.handover_note == "Second oxygen cylinder half used; ampoules ordered."
    assert check.oxygen_level == "low"
    counted = {row.item: (row.expected, row.counted) for row in check.counts.all()}
    assert counted["naloxone"] == (5, 4)
    assert counted["oxygen"] == (2, 2)
    assert counted["bag_valve_mask"] == (0, 1)

    # The next shift reads the note on the floor, with the oxygen flagged.
    page.goto(f"{live_server}/#/floor")
    notice = page.get_by_test_id("stock-notice")
    expect(notice).to_contain_text("Second oxygen cylinder half used")
    expect(notice).to_contain_text("Oxygen low at the last check")


@pytest.mark.parametrize(
    "viewport", ["tablet-landscape", "tablet-portrait", "desktop"], indirect=True
)
def test_the_floor_warns_quietly_of_low_and_expiring_stock(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    StockLevel.objects.create(site=world.site_a, item="naloxone", par_level=10)
    _receive(world, "naloxone", 3, lot="EXP17", days=17)
    _receive(world, "naloxone", 4, lot="LATER", days=300)
    sign_in(page, live_server)
    notice = page.get_by_test_id("stock-notice")
    expect(notice).to_contain_text("Naloxone: 7 left (par 10)")
    expect(notice).to_contain_text("Naloxone: lot EXP17 expires")
    expect(notice).not_to_contain_text("LATER")
    assert_accessible(page)
    screenshot(page, "floor-stock-warning", viewport)

    page.get_by_role("link", name="Stock", exact=True).click()
    table = page.get_by_test_id("stock-table")
    expect(table).to_contain_text("Lot EXP17")
    lots = table.get_by_role("row", name="Naloxone", exact=False).first.inner_text()
    assert lots.index("EXP17") < lots.index("LATER"), "lots are listed by expiry"
    screenshot(page, "stock-screen", viewport)

    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", name="Stock d\u2019intervention")).to_be_visible()
    screenshot(page, "stock-screen-fr", viewport)


def _critical_overdose(world: World) -> str:
    """An overdose alice and bob responded to two days ago: naloxone and EMS (critical)."""
    alice = world.users["alice"]
    onset = timezone.now() - timedelta(hours=50)
    incident, _ = incident_open(
        request=IncidentOpen(
            site=world.site_a, kind="opioid_overdose", location="booth", started_at=onset
        ),
        by=world.users["bob"],
        role=Role.SUPERVISOR,
    )
    for kind, minutes, fields in (
        ("naloxone", 2, {"dose_mg": Decimal("0.4"), "route": "IM"}),
        ("ems_called", 3, {}),
    ):
        incident_action_record(
            incident=incident,
            tap=ActionTap(kind=kind, at=onset + timedelta(minutes=minutes), **fields),  # type: ignore[arg-type]
            by=world.users["bob"],
            role=Role.SUPERVISOR,
        )
    incident_update(
        incident=incident,
        by=world.users["bob"],
        role=Role.SUPERVISOR,
        version=incident.version,
        outcome="transported",
        ended_at=onset + timedelta(minutes=20),
        responders=[alice.username, "bob"],
    )
    return str(incident.pk)


@pytest.mark.parametrize("viewport", ["desktop-small", "tablet-landscape"], indirect=True)
def test_a_supervisor_records_a_held_debrief_from_the_queue(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    incident = _critical_overdose(world)
    sign_in(page, live_server, username="bob", hash="#/review")
    due = page.get_by_test_id("debriefs-due")
    expect(due).to_contain_text("1 debrief(s) due")
    screenshot(page, "review-queue-debriefs", viewport)
    due.get_by_role("link", name="Open the debriefs").click()

    queue = page.get_by_test_id("debrief-queue")
    expect(queue).to_contain_text("Opioid overdose")
    responders = page.get_by_test_id("responders")
    expect(responders.get_by_role("row", name="Alice", exact=False)).to_contain_text("1")
    queue.get_by_role("button", name="Held").click()
    queue.get_by_label("How many attended").fill("3")
    queue.get_by_role("button", name="Peer support").click()
    queue.get_by_role("button", name="EAP referral").click()
    assert_accessible(page)
    screenshot(page, "debrief-form", viewport)
    queue.get_by_role("button", name="Save the debrief").click()
    expect(page.get_by_text("Debrief queued")).to_be_visible()
    outbox_is_empty(page)

    debrief = Debrief.objects.get(incident_id=incident)
    assert debrief.status == "held"
    assert debrief.attendees == 3
    assert sorted(debrief.supports) == ["eap_referral", "peer_support"]
    expect(page.get_by_text("No debrief is due.")).to_be_visible()
    # This month's critical incident moves from due to held: critical, held, declined, due.
    this_month = responders.get_by_role("row").last
    expect(this_month.get_by_role("cell")).to_have_text(["1", "1", "0", "0"])

    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", name="Débriefings", exact=True)).to_be_visible()
    screenshot(page, "debriefs-fr", viewport)
