"""What the floor tests share: signing in as a floor worker, and checking a screen with axe."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

AXE = Path(settings.REPO_DIR) / "frontend" / "node_modules" / "axe-core" / "axe.min.js"


def sign_in(page: Page, server: object, username: str = "alice", hash: str = "") -> None:
    """Signs in on the sign-in screen of `/{hash}` and waits for the first screen after it."""
    page.goto(f"{server}/{hash}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    if not hash:
        expect(page.get_by_test_id("floor-board")).to_be_visible()


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the screen as it is now."""
    # Evaluated by the browser's devtools protocol: an injected <script> would be refused by the
    # app's Content-Security-Policy (no inline script), as it should be.
    page.evaluate(AXE.read_text())
    violations = page.evaluate(
        """async () => (await axe.run(document)).violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)"""
    )
    assert violations == [], violations


def outbox_is_empty(page: Page) -> None:
    expect(page.get_by_test_id("outbox-count")).to_have_attribute(
        "data-pending", "0", timeout=20_000
    )
