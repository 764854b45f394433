"""The import screen in Chromium, with a real Celery worker: a file with a bad row is checked
and the row named; the corrected file runs, its progress bar reaches the end, and each visit
is written once (issue 18)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from config.celery import app as celery_app
from tests.backend.test_imports_api import as_csv, visit_row
from tests.conftest import World, on_postgres
from tests.e2e.conftest import screenshot
from tests.e2e.floor_support import assert_accessible, sign_in
from tests.integration.conftest import start_worker, stop_worker
from vigil.imports.models import Import, ImportFile
from vigil.visits.models import Visit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    # The worker is a second process writing the database while the live server reads it: on
    # SQLite's one file that fails; PostgreSQL is the production database.
    pytest.mark.skipif(
        not on_postgres(),
        reason="IMPORT E2E SKIPPED: needs PostgreSQL (set DATABASE_URL) for a worker process",
    ),
]

ROWS = 120
BAD_ROW = 37  # the file's 36th data row: row 37 as a spreadsheet numbers it
# Small batches, so that the bar moves batch by batch.
WORKER_ENV = {"VIGIL_IMPORT_BATCH_ROWS": "10"}


@pytest.fixture(params=["desktop"])
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def worker(world: World) -> Iterator[None]:
    celery_app.control.purge()
    process = start_worker(node=f"import-e2e-{os.getpid()}@localhost", extra_env=WORKER_ENV)
    try:
        yield
    finally:
        stop_worker(process)


def test_a_bad_row_is_named_then_the_corrected_file_runs_to_the_end_once(
    world: World, live_server: object, page: Page, viewport: str, worker: None, tmp_path: Path
) -> None:
    rows = [visit_row(code=f"HIST{n % 40}") for n in range(ROWS)]
    bad = tmp_path / "march.csv"
    bad.write_bytes(as_csv([*rows[:35], {**rows[35], "kind": "sauna"}, *rows[36:]]))
    good = tmp_path / "march-fixed.csv"
    good.write_bytes(as_csv(rows))

    sign_in(page, live_server, "bob", "#/imports")
    expect(page.get_by_role("heading", name="Import past records")).to_be_visible()
    expect(page.get_by_role("link", name="Imports")).to_have_attribute("aria-current", "page")
    expect(
        page.get_by_role("link", name="Template (XLSX, with notes and allowed values)")
    ).to_be_visible()

    page.get_by_text("The columns of the file").click()
    expect(page.get_by_role("cell", name="consumption, service_only")).to_be_visible()
    screenshot(page, "imports-start", viewport)
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_be_visible(timeout=60_000)
    expect(errors.locator("tbody tr")).to_have_count(1)
    expect(errors.locator("tbody tr td").nth(0)).to_have_text(str(BAD_ROW))
    expect(errors.locator("tbody tr td").nth(1)).to_have_text("kind")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was written")
    assert Visit.objects.count() == 0
    screenshot(page, "imports-bad-row", viewport)

    page.get_by_role("button", name="Import another file").click()
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text(f"All {ROWS} row(s) of march-fixed.csv are correct.")).to_be_visible(
        timeout=60_000
    )
    page.get_by_role("button", name=f"Import {ROWS} row(s)").click()

    bar = page.get_by_test_id("import-progress")
    expect(bar).to_be_visible()
    expect(page.get_by_text(f"{ROWS} of {ROWS} rows")).to_be_visible(timeout=120_000)
    assert bar.evaluate("(el) => [el.value, el.max]") == [ROWS, ROWS]
    expect(page.get_by_text("Done: 120 record(s) written from march-fixed.csv")).to_be_visible()
    assert Visit.objects.count() == ROWS
    assert {str(pk) for pk in Visit.objects.values_list("id", flat=True)} == {r["id"] for r in rows}
    assert Visit.objects.filter(imported=True).count() == ROWS
    assert not ImportFile.objects.exists()
    run = Import.objects.get(dry_run=False)
    assert (run.status, run.rows_done, run.rows_written) == ("done", ROWS, ROWS)

    history = page.get_by_test_id("import-history")
    expect(history.locator("tbody tr")).to_have_count(3)
    expect(history.locator("tbody tr").first).to_contain_text("march-fixed.csv")
    expect(history.locator("tbody tr").last).to_contain_text("problems found")
    assert_accessible(page)
    _screenshots(page, viewport)


def _screenshots(page: Page, viewport: str) -> None:
    """The finished screen at the desk sizes, in English then French, for people to look at."""
    screenshot(page, "imports-en", viewport)
    page.set_viewport_size({"width": 1024, "height": 768})
    screenshot(page, "imports-en", "tablet-landscape")
    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", name="Importer les dossiers passés")).to_be_visible()
    # The columns' notes come again in French from the server.
    expect(page.get_by_role("button", name="Visites")).to_be_visible()
    expect(page.get_by_role("cell", name="Voies de consommation, séparées par ;")).to_be_visible()
    screenshot(page, "imports-fr", "tablet-landscape")
    page.set_viewport_size({"width": 1440, "height": 900})
    screenshot(page, "imports-fr", viewport)
