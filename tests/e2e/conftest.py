"""Playwright driving Debian's Chromium against a live Vigil server.

Skips loudly when /usr/bin/chromium is absent, except when VIGIL_REQUIRE_E2E=1 (CI), where a
missing browser or an unbuilt frontend fails the run.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
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


# The live server answers in its own threads: a request can still be running (a report
# computed on request) when a test ends, and flushing the test database under it deadlocks.
# Count the requests the server is answering, so a test leaves only once it is idle. Only the
# server's own threads count: the test client, and the schema tests calling the WSGI app, run
# in the main thread and may leave a streamed answer unread, which never finishes.
_serving = threading.Condition()
_in_flight = [0]


def _served(sender: type | None) -> bool:
    return (
        sender is not None
        and issubclass(sender, WSGIHandler)
        and threading.current_thread() is not threading.main_thread()
    )


def _request_started(sender: type | None, **_: object) -> None:
    if _served(sender):
        with _serving:
            _in_flight[0] += 1


def _request_finished(sender: type | None, **_: object) -> None:
    if _served(sender):
        with _serving:
            _in_flight[0] -= 1
            _serving.notify_all()


request_started.connect(_request_started, weak=False, dispatch_uid="e2e-request-started")
request_finished.connect(_request_finished, weak=False, dispatch_uid="e2e-request-finished")


def leave(page: Page) -> None:
    """Leave the app (its polling stops), close the tablet, and wait for the server to finish
    what it was answering, so the test database is never flushed under a request."""
    page.goto("about:blank")
    page.context.close()
    with _serving:
        if not _serving.wait_for(lambda: _in_flight[0] <= 0, timeout=60):
            raise AssertionError(f"the live server still answers {_in_flight[0]} request(s)")


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
    leave(page)
    assert refused == [], f"the Content-Security-Policy refused: {refused}"


def screenshot(page: Page, name: str, viewport: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{viewport}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
