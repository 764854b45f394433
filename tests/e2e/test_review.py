"""The review loop in Chromium: a supervisor returns an incident with a comment, its author
fixes and resubmits it, the supervisor approves it, then amends it with a reason."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import World
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.e2e.floor_support import assert_accessible, outbox_is_empty, sign_in
from vigil.accounts.models import Role, User
from vigil.incidents.models import Incident, IncidentAction, IncidentReview
from vigil.incidents.services import (
    IncidentOpen,
    incident_open,
    incident_review,
    incident_submit,
    incident_update,
)
from vigil.incidents.timeline import ActionTap, incident_action_record, incident_action_void

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

COMMENT = "Say which booth the person was moved to, and the time of the second dose."
FIXED = "Responded in booth 3; two doses of naloxone IM; EMS took over in aftercare."


@pytest.fixture(params=["desktop-small", "tablet-landscape"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _open(world: World, by: User, role: Role, *, kind: str, started: datetime) -> Incident:
    incident, _ = incident_open(
        request=IncidentOpen(
            site=world.site_a,
            kind=kind,
            location="booth" if kind.endswith("overdose") else "outside",
            started_at=started,
            signs=["unresponsive", "slow_or_no_breathing"] if kind.endswith("overdose") else [],
            suspected_substances=["fentanyl"] if kind.endswith("overdose") else [],
        ),
        by=by,
        role=role,
    )
    return incident


def _tap(
    incident: Incident,
    by: User,
    kind: str,
    at: datetime,
    role: Role = Role.STAFF,
    **fields: object,
) -> IncidentAction:
    action, _ = incident_action_record(
        incident=incident,
        tap=ActionTap(kind=kind, at=at, **fields),  # type: ignore[arg-type]
        by=by,
        role=role,
    )
    return action


def _alices_overdose(world: World) -> Incident:
    """An overdose alice logged 40 minutes ago, ready to submit: a timeline spread over 25 min,
    naloxone and a 911 call (critical), and a mis-tap she voided."""
    alice = world.users["alice"]
    onset = timezone.now() - timedelta(minutes=40)
    incident = _open(world, alice, Role.STAFF, kind="opioid_overdose", started=onset)

    def at(minutes: float) -> datetime:
        return onset + timedelta(minutes=minutes)

    _tap(incident, alice, "stimulation", at(0.5))
    _tap(incident, alice, "oxygen", at(1.5))
    _tap(incident, alice, "naloxone", at(2), dose_mg=Decimal("0.4"), route="IM")
    mistap = _tap(incident, alice, "cpr", at(2.5))
    incident_action_void(action=mistap, by=alice, role=Role.STAFF, reason="Tapped by mistake.")
    _tap(incident, alice, "ems_called", at(4))
    _tap(incident, alice, "naloxone", at(5), dose_mg=Decimal("0.4"), route="IM")
    _tap(incident, alice, "vitals", at(7), spo2=93, resp_rate=12)
    _tap(incident, alice, "ems_arrived", at(13))
    _tap(incident, alice, "transported", at(22))
    incident.refresh_from_db()
    incident_update(
        incident=incident,
        by=alice,
        role=Role.STAFF,
        version=incident.version,
        outcome="transported",
        ended_at=at(25),
        narrative="Responded; naloxone given; EMS came.",
    )
    incident.refresh_from_db()
    return incident


def _others_in_the_queue(world: World) -> None:
    """What else waits for bob: an overdue non-medical incident and a routine overdose."""
    erin = world.users["erin"]
    fight = _open(
        world, erin, Role.ADMIN, kind="violence", started=timezone.now() - timedelta(days=3)
    )
    incident_submit(incident=fight, by=erin, role=Role.ADMIN)
    routine = _open(
        world,
        erin,
        Role.ADMIN,
        kind="opioid_overdose",
        started=timezone.now() - timedelta(hours=20),
    )
    _tap(routine, erin, "stimulation", routine.started_at + timedelta(minutes=1), Role.ADMIN)
    routine.refresh_from_db()
    incident_update(
        incident=routine,
        by=erin,
        role=Role.ADMIN,
        version=routine.version,
        outcome="recovered_on_site",
        ended_at=routine.started_at + timedelta(minutes=9),
    )
    incident_submit(incident=routine, by=erin, role=Role.ADMIN)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Username")).to_be_visible()


def _review_page(page: Page, incident: Incident) -> None:
    expect(page.get_by_role("heading", level=1, name="Opioid overdose")).to_be_visible()
    expect(page.get_by_test_id("timeline").get_by_role("listitem")).to_have_count(9)


def test_a_supervisor_returns_an_incident_the_author_fixes_it_and_it_is_approved(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    incident = _alices_overdose(world)
    _others_in_the_queue(world)

    # Alice submits her record from "My incidents" (the recorder's own submit).
    sign_in(page, live_server, "alice", f"#/incident/{incident.pk}")
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("floor-board")).to_be_visible()
    outbox_is_empty(page)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.SUBMITTED
    _sign_out(page)

    # Bob's queue: critical first (alice's overdose, the overdue fight), then the routine one.
    sign_in(page, live_server, "bob", "#/review")
    rows = page.get_by_test_id("review-queue").get_by_role("listitem")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Violence")
    expect(rows.nth(0)).to_contain_text("Overdue")
    expect(rows.nth(1)).to_contain_text("Opioid overdose · Booth")
    expect(rows.nth(1)).to_contain_text("Naloxone given and 911 called")
    expect(rows.nth(2)).not_to_contain_text("Critical")
    screenshot(page, "review-queue", viewport)
    assert_accessible(page)

    page.get_by_role("button", name="Overdue only").click()
    expect(rows).to_have_count(1)
    page.get_by_label("Kind", exact=True).select_option("opioid_overdose")
    expect(page.get_by_text("No incident matches these filters.")).to_be_visible()
    page.get_by_role("link", name="Clear the filters").click()
    expect(rows).to_have_count(3)

    rows.nth(1).get_by_role("link").click()
    _review_page(page, incident)
    figures = page.get_by_test_id("figures")
    expect(figures).to_contain_text("2")
    expect(figures).to_contain_text("0.8 mg")
    expect(figures).to_contain_text("9 min")  # EMS: called at +4, arrived at +13
    expect(page.get_by_test_id("timeline-ems")).to_be_visible()
    expect(page.get_by_test_id("timeline").get_by_text("Voided")).to_be_visible()
    screenshot(page, "review-incident", viewport)
    page.get_by_test_id("timeline-drawing").screenshot(
        path=str(SCREENSHOTS / f"review-timeline-{viewport}.png")
    )
    assert_accessible(page)
    # The light theme (a desk by a window) reads as well: axe checks its contrast too.
    page.get_by_role("button", name="Dark theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    screenshot(page, "review-incident-light", viewport)
    assert_accessible(page)
    page.get_by_role("button", name="Dark theme").click()

    # A return needs a comment.
    page.get_by_role("button", name="Return to the staff").click()
    expect(page.get_by_text("Say what needs fixing before returning it.")).to_be_visible()
    page.get_by_label("Comment for the staff").fill(COMMENT)
    page.get_by_role("button", name="Return to the staff").click()
    outbox_is_empty(page)
    expect(page.get_by_text("Returned: to fix")).to_be_visible()
    expect(page.get_by_test_id("reviews")).to_contain_text(COMMENT)
    _sign_out(page)

    # Alice sees it in "My incidents" with the comment, fixes the narrative and resubmits.
    sign_in(page, live_server, "alice")
    page.get_by_role("link", name="My incidents").click()
    returned = page.get_by_role("link", name="Opioid overdose")
    expect(returned).to_contain_text(COMMENT)
    expect(returned).to_contain_text("Returned: to fix")
    returned.click()
    expect(page.get_by_text(f"Returned by the supervisor: {COMMENT}")).to_be_visible()
    page.get_by_role("textbox", name="What happened").fill(FIXED)
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_test_id("floor-board")).to_be_visible()
    outbox_is_empty(page)
    _sign_out(page)

    # Bob approves it, then amends the approved record with a reason.
    sign_in(page, live_server, "bob", f"#/review/{incident.pk}")
    _review_page(page, incident)
    expect(page.get_by_text(FIXED)).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    outbox_is_empty(page)
    expect(page.get_by_text("Approved", exact=True).first).to_be_visible()
    page.get_by_role("button", name="Amend", exact=True).click()
    page.get_by_role("textbox", name="What happened").fill(
        FIXED + " Transport to the general hospital."
    )
    page.get_by_role("button", name="Save the amendment").click()
    expect(page.get_by_text("Say why you are amending the approved record.")).to_be_visible()
    page.get_by_label("Why it is amended").fill("The hospital was confirmed by EMS afterwards.")
    page.get_by_role("button", name="Save the amendment").click()
    outbox_is_empty(page)
    history = page.get_by_test_id("history")
    expect(history.get_by_role("listitem")).to_have_count(1)
    history.get_by_text("replaced by bob").click()
    expect(history).to_contain_text("The hospital was confirmed by EMS afterwards.")
    expect(history).to_contain_text(FIXED)
    screenshot(page, "review-approved", viewport)
    assert_accessible(page)

    # The review loop, as stored.
    incident.refresh_from_db()
    assert incident.status == Incident.Status.APPROVED
    assert incident.narrative == FIXED + " Transport to the general hospital."
    reviews = list(IncidentReview.objects.filter(incident=incident).order_by("reviewed_at"))
    assert [(r.decision, r.comment, r.reviewed_by.username) for r in reviews] == [
        (IncidentReview.Decision.RETURN, COMMENT, "bob"),
        (IncidentReview.Decision.APPROVE, "", "bob"),
    ]
    assert incident.submitted_by is not None
    assert incident.submitted_by.username == "alice"
    kept = list(incident.history.all())
    assert len(kept) == 1
    assert kept[0].reason == "The hospital was confirmed by EMS afterwards."
    assert kept[0].snapshot["narrative"] == FIXED
    assert kept[0].snapshot["status"] == Incident.Status.APPROVED


def test_a_decision_the_server_refuses_waits_on_the_page_with_its_words(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    incident = _alices_overdose(world)
    incident_submit(incident=incident, by=world.users["alice"], role=Role.STAFF)
    sign_in(page, live_server, "bob", f"#/review/{incident.pk}")
    expect(page.get_by_role("button", name="Approve")).to_be_visible()

    # Meanwhile erin, the other supervisor, returns it from her desk.
    incident.refresh_from_db()
    incident_review(
        incident=incident,
        by=world.users["erin"],
        role=Role.ADMIN,
        decision=IncidentReview.Decision.RETURN,
        comment="Add the hospital.",
    )

    page.get_by_role("button", name="Approve").click()
    parked = page.get_by_test_id("review-parked")
    expect(parked).to_contain_text("Refused by the server: Review · approved.")
    expect(parked).to_contain_text("not waiting for review")
    # The page shows the incident as it is now: returned, with erin's comment.
    expect(page.get_by_test_id("reviews")).to_contain_text("Add the hospital.")
    expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    expect(page.get_by_test_id("outbox-count")).to_have_attribute("data-pending", "1")
    assert_accessible(page)

    parked.get_by_role("link", name="Open “Waiting to send”").click()
    expect(page.get_by_text("not waiting for review")).to_be_visible()
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RETURNED
    assert list(incident.reviews.values_list("decision", flat=True)) == ["return"]
