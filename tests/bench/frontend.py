"""The frontend's figures: gzipped initial JS and CSS, and time until the board is usable."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from typing import Any

from playwright.sync_api import BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests.bench import servers
from tests.bench.load import Tablet

# Debian's Chromium, never a downloaded browser (`.ci/run` installs it with apt-get).
CHROMIUM = os.environ.get("VIGIL_BENCH_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What "the floor board is usable" means: the board (frontend/src/screens/floor/Floor.tsx)
# showing the floor's open visits from the server, one occupied tile per visit. Change it here
# (or in the environment) as the frontend grows.
FLOOR_BOARD = os.environ.get("VIGIL_BENCH_FLOOR_BOARD", '[data-testid="floor-board"]')
OCCUPIED = os.environ.get("VIGIL_BENCH_FLOOR_OCCUPIED", ".booth-occupied")
LOGIN_LABEL = "Username"
THROTTLING = 4
RUNS = 5


def missing_browser() -> str | None:
    """Why the browser figures cannot be measured on this machine, or None when they can."""
    if os.access(CHROMIUM, os.X_OK):
        return None
    return f"{CHROMIUM} absent (apt-get install chromium, as .ci/run does)"


def gzipped_sizes() -> dict[str, Any]:
    """What frontend/scripts/size.mjs reports for the bench's snapshot of dist/ (a copy of the
    script beside the snapshot reads it; it exits 1 over budget: still read)."""
    dist = servers.RESULTS / "dist" / "index.html"
    if not dist.is_file():
        return {"js_kb": None, "css_kb": None}
    script = servers.RESULTS / "scripts" / "size.mjs"
    script.parent.mkdir(exist_ok=True)
    shutil.copyfile(servers.REPO / "frontend" / "scripts" / "size.mjs", script)
    done = subprocess.run(
        ["node", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"initial JS ([\d.]+) KB gzip, CSS ([\d.]+) KB gzip", done.stdout)
    if found is None:
        return {"js_kb": None, "css_kb": None, "output": done.stdout + done.stderr}
    return {"js_kb": float(found.group(1)), "css_kb": float(found.group(2))}


def _throttled(context: BrowserContext) -> Page:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLING})
    return page


def _board_ready(page: Page, open_visits: int) -> None:
    """The board is visible with every open visit of the floor on a tile."""
    page.locator(FLOOR_BOARD).wait_for(state="visible", timeout=15_000)
    page.locator(f"{FLOOR_BOARD} {OCCUPIED}").nth(open_visits - 1).wait_for(
        state="visible", timeout=15_000
    )


def time_to_usable(base: str, user: Tablet, open_visits: int) -> dict[str, Any]:
    """Median of 5 runs at 4x CPU throttling, each in a fresh browser context (empty cache).

    - login form usable: navigation start to the username field visible and enabled;
    - sign-in to board: the Sign in click to the floor board showing its `open_visits` visits;
    - floor board usable (the figure): a signed-in tablet opening the app cold (a new context
      with the session cookie only, empty cache) to the board showing its visits.
    """
    login: list[float] = []
    sign_in: list[float] = []
    cold: list[float] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for _ in range(RUNS):
                context = browser.new_context(viewport={"width": 1024, "height": 768})
                try:
                    page = _throttled(context)
                    started = time.perf_counter()
                    page.goto(f"{base}/", wait_until="commit")
                    # fill() waits until the field is visible, enabled and editable: usable.
                    page.get_by_label(LOGIN_LABEL).fill(user.username, timeout=15_000)
                    login.append(time.perf_counter() - started)
                    page.get_by_label("Password").fill(user.password)
                    clicked = time.perf_counter()
                    page.get_by_role("button", name="Sign in").click()
                    _board_ready(page, open_visits)
                    sign_in.append(time.perf_counter() - clicked)
                    cookies = context.cookies()
                except PlaywrightError as error:
                    errors.append("sign-in: " + str(error).splitlines()[0])
                    continue
                finally:
                    context.close()
                context = browser.new_context(viewport={"width": 1024, "height": 768})
                try:
                    context.add_cookies(cookies)  # type: ignore[arg-type]
                    page = _throttled(context)
                    started = time.perf_counter()
                    page.goto(f"{base}/", wait_until="commit")
                    _board_ready(page, open_visits)
                    cold.append(time.perf_counter() - started)
                except PlaywrightError as error:
                    errors.append("cold load: " + str(error).splitlines()[0])
                    page.screenshot(path=str(servers.RESULTS / "cold-load-failed.png"))
                finally:
                    context.close()
        finally:
            browser.close()

    def median(values: list[float]) -> float | None:
        return sorted(values)[len(values) // 2] if values else None

    result: dict[str, Any] = {
        "login_form_seconds": median(login),
        "sign_in_to_board_seconds": median(sign_in),
        "cold_board_seconds": median(cold),
        "runs": RUNS,
        "errors": errors[:3],
    }
    if cold:
        note = (
            f"median of {len(cold)} cold loads of a signed-in tablet; sign-in click to board"
            f" {result['sign_in_to_board_seconds']:.2f} s; login form usable"
            f" {result['login_form_seconds']:.2f} s from navigation"
        )
        return {
            **result,
            "what": f"floor board usable ({open_visits} open visits on their tiles)",
            "seconds": result["cold_board_seconds"],
            "floor_board": True,
            "note": note,
        }
    if login:
        return {
            **result,
            "what": "login form usable (the floor board never showed)",
            "seconds": result["login_form_seconds"],
            "floor_board": False,
            "note": f"{FLOOR_BOARD} not ready after sign-in: {'; '.join(errors[:1])}"[:200],
        }
    return {
        **result,
        "what": "login form usable",
        "seconds": None,
        "floor_board": False,
        "note": "the login form never became usable (is frontend/dist built?)",
    }
