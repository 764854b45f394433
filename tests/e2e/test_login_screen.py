from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, World
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_floor_worker_signs_in_and_out(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    page.goto(f"{live_server}/")
    expect(page.get_by_label("Username")).to_be_visible()
    screenshot(page, "login", viewport)

    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Signed in as Alice")).to_be_visible()
    expect(page.get_by_role("heading", name="Harbour")).to_be_visible()
    screenshot(page, "home", viewport)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def test_a_wrong_password_is_said_in_plain_words(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    page.goto(f"{live_server}/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_text("Wrong username or password.")).to_be_visible()
    screenshot(page, "login-wrong-password", viewport)


def test_a_signed_in_tablet_reopens_on_home_after_a_reload(
    world: World, live_server: object, page: Page, viewport: str
) -> None:
    page.goto(f"{live_server}/")
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Signed in as Bob")).to_be_visible()

    page.reload()

    expect(page.get_by_text("Signed in as Bob")).to_be_visible()
