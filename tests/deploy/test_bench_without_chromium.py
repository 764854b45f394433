"""`make bench` on a machine without Chromium: its frontend phase skips the browser figures,
says so, and leaves the table whole (issue 12 item 7)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.bench import __main__ as bench
from tests.bench import frontend


def test_the_frontend_phase_skips_the_browser_loudly_when_chromium_is_absent(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(frontend, "CHROMIUM", str(tmp_path / "chromium"))
    monkeypatch.setattr(frontend, "gzipped_sizes", lambda: {"js_kb": 53.0, "css_kb": 4.8})

    def no_browser(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the browser run must not start without a browser")

    monkeypatch.setattr(frontend, "time_to_usable", no_browser)
    table = bench.Table()
    table.add("API writes/s", "156/s")  # a figure of an earlier phase

    bench._frontend(frontend, "http://127.0.0.1:1", world=None, table=table)

    figures = [row[0] for row in table.rows]
    assert figures[0] == "API writes/s"
    assert "initial JS / CSS, gzipped (frontend/scripts/size.mjs)" in figures
    skipped = table.rows[-1]
    assert skipped[1] == "SKIPPED"
    assert f"{tmp_path / 'chromium'} absent" in skipped[2]
    assert "SKIPPED" in table.markdown()
    assert "SKIPPED the browser figures" in capsys.readouterr().err
    assert table.figures["frontend"]["skipped"].startswith(str(tmp_path))


def test_the_frontend_phase_measures_in_chromium_when_it_is_there(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    browser = tmp_path / "chromium"
    browser.write_text("#!/bin/sh\n")
    browser.chmod(0o755)
    monkeypatch.setattr(frontend, "CHROMIUM", str(browser))
    monkeypatch.setattr(frontend, "gzipped_sizes", lambda: {"js_kb": 53.0, "css_kb": 4.8})
    measured = {
        "what": "floor board usable (13 open visits on their tiles)",
        "seconds": 1.07,
        "floor_board": True,
        "note": "median of 5",
    }
    monkeypatch.setattr(frontend, "time_to_usable", lambda *args, **kwargs: measured)
    table = bench.Table()

    bench._frontend(frontend, "http://127.0.0.1:1", world=_World(), table=table)

    assert table.rows[-1] == (
        "floor board usable (13 open visits on their tiles), Chromium, 4x CPU throttling",
        "1.07 s",
        "median of 5",
        "floor board ≤ 1.5 s: met",
    )


class _World:
    floor_staff = None
