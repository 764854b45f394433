"""Playwright driving Debian's Chromium against a live Vigil server.

Skips loudly when /usr/bin/chromium is absent, except when VIGIL_REQUIRE_E2E=1 (CI), where a
missing browser or an unbuilt frontend fails the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.conftest import e2e_required

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(settings.REPO_DIR) / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "tablet-landscape": (1024, 768),
    "tablet-portrait": (768, 1024),
    "desktop-small": (1280, 800),
    "desktop": (1440, 900),
}

# These machines are shared and have two cores: wait longer than Playwright's 5 s for what
# a user waits for (the first request of a live server, a build under load).
expect.set_options(timeout=15_000)

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to
# arrange data are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _unavailable(reason: str) -> None:
    if e2e_required():
        pytest.fail(f"VIGIL_REQUIRE_E2E=1 but {reason}")
    pytest.skip(f"END-TO-END TESTS SKIPPED: {reason}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is absent (apt-get install chromium)")
    if not (Path(settings.FRONTEND_DIST) / "index.html").is_file():
        _unavailable("the frontend is not built (cd frontend && npm run build)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Browser, viewport: str) -> Iterator[Page]:
    width, height = VIEWPORTS[viewport]
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    # The app runs under a strict Content-Security-Policy: anything it refuses breaks a screen.
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    # Leave the app first, so that its polling sends nothing while the test database is
    # flushed (a flush during a query can deadlock); tests wait for what they load.
    page.goto("about:blank")
    context.close()
    assert refused == [], f"the Content-Security-Policy refused: {refused}"


def screenshot(page: Page, name: str, viewport: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{viewport}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
