"""A supervisor lifts a colleague's login lockout from the review screen (issue 14, item 12)."""

from __future__ import annotations

import pytest
from django.conf import settings
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, TabletClient, World
from tests.e2e.conftest import screenshot
from tests.e2e.floor_support import assert_accessible, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_unlocks_a_locked_out_colleague(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    tablet = TabletClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        tablet.post("/api/v1/auth/login", {"username": "alice", "password": "wrong"})
    assert (
        tablet.post("/api/v1/auth/login", {"username": "alice", "password": PASSWORD}).status_code
        == 429
    )

    sign_in(page, live_server, "bob", hash="#/review")
    unlock = page.get_by_role("button", name="Unlock Alice")
    expect(unlock).to_be_visible()
    assert_accessible(page)
    screenshot(page, "lockouts", viewport)
    unlock.click()

    expect(page.get_by_text("Alice can sign in again.")).to_be_visible()
    assert (
        tablet.post("/api/v1/auth/login", {"username": "alice", "password": PASSWORD}).status_code
        == 200
    )
