"""The frontend's figures: gzipped initial JS and CSS, and time until the board is usable."""

from __future__ import annotations

import os
import re
import subprocess
import time
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from tests.bench import servers
from tests.bench.load import Tablet

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# What "the floor board is usable" means; change it here (or in the environment) as the
# frontend grows.
FLOOR_BOARD = os.environ.get(
    "VIGIL_BENCH_FLOOR_BOARD", '[data-testid="floor-board"][role="region"]'
)
LOGIN_LABEL = "Username"
THROTTLING = 4
RUNS = 5


def gzipped_sizes() -> dict[str, Any]:
    """What frontend/scripts/size.mjs reports for dist/ (it exits 1 over budget: still read)."""
    dist = servers.REPO / "frontend" / "dist" / "index.html"
    if not dist.is_file():
        return {"js_kb": None, "css_kb": None}
    done = subprocess.run(
        ["node", str(servers.REPO / "frontend" / "scripts" / "size.mjs")],
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.search(r"initial JS ([\d.]+) KB gzip, CSS ([\d.]+) KB gzip", done.stdout)
    if found is None:
        return {"js_kb": None, "css_kb": None, "output": done.stdout + done.stderr}
    return {"js_kb": float(found.group(1)), "css_kb": float(found.group(2))}


def time_to_usable(base: str, user: Tablet) -> dict[str, Any]:
    """Median of 5 cold loads, 4x CPU throttling: navigation start to the login form enabled,
    then (if the frontend has one) sign-in click to the floor board visible."""
    login_times: list[float] = []
    board_times: list[float] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            for _ in range(RUNS):
                context = browser.new_context(viewport={"width": 1024, "height": 768})
                page = context.new_page()
                cdp = context.new_cdp_session(page)
                cdp.send("Emulation.setCPUThrottlingRate", {"rate": THROTTLING})
                started = time.perf_counter()
                try:
                    page.goto(f"{base}/", wait_until="commit")
                    # fill() waits until the field is visible, enabled and editable: usable.
                    page.get_by_label(LOGIN_LABEL).fill(user.username, timeout=15_000)
                    login_times.append(time.perf_counter() - started)
                    page.get_by_label("Password").fill(user.password)
                    clicked = time.perf_counter()
                    page.get_by_role("button", name="Sign in").click()
                    page.locator(FLOOR_BOARD).wait_for(state="visible", timeout=5_000)
                    board_times.append(time.perf_counter() - clicked)
                except PlaywrightError:
                    pass
                finally:
                    context.close()
        finally:
            browser.close()
    login_times.sort()
    if not login_times:
        return {
            "what": "login form usable",
            "seconds": None,
            "floor_board": False,
            "note": "the login form never became usable (is frontend/dist built?)",
        }
    if len(board_times) == RUNS:
        board_times.sort()
        return {
            "what": "floor board usable after sign-in",
            "seconds": board_times[RUNS // 2],
            "login_form_seconds": login_times[RUNS // 2],
            "floor_board": True,
            "note": f"login form usable {login_times[RUNS // 2]:.2f} s from navigation",
        }
    return {
        "what": "login form usable (no floor board in the frontend yet)",
        "seconds": login_times[len(login_times) // 2],
        "floor_board": False,
        "note": f"{FLOOR_BOARD} not found after sign-in; median of {len(login_times)} cold loads",
    }
