"""An import through real workers: one killed mid-run, the next continues and finishes it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from config.celery import app as celery_app
from tests.backend.test_imports_api import as_csv, upload, visit_row
from tests.conftest import TabletClient, World
from tests.integration.conftest import start_worker, stop_worker
from vigil.imports.models import Import, ImportFile
from vigil.visits.models import Visit

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
]

ROWS = 3000
# Small batches, so the run is caught between two; a killed worker's message back in seconds.
WORKER_ENV = {"VIGIL_IMPORT_BATCH_ROWS": "10", "VIGIL_TEST_VISIBILITY_TIMEOUT": "3"}


def wait_for(predicate: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.05)


@pytest.fixture
def only_our_workers(celery_worker_process: str) -> Iterator[None]:
    """The session's worker stops taking tasks of the default queue while the test runs."""
    celery_app.control.cancel_consumer("default", destination=[celery_worker_process], reply=True)
    try:
        yield
    finally:
        celery_app.control.add_consumer("default", destination=[celery_worker_process], reply=True)


def test_a_worker_killed_mid_import_leaves_it_to_the_next_which_writes_nothing_twice(
    only_our_workers: None, world: World, client_for: Callable[[str], TabletClient]
) -> None:
    rows = [visit_row(code=f"ABC{n % 400}") for n in range(ROWS)]
    first = start_worker(node=f"import-first-{os.getpid()}@localhost", extra_env=WORKER_ENV)
    try:
        answer = upload(client_for("bob"), as_csv(rows))
        assert answer.status_code == 202, answer.content

        def progress() -> Any:
            return Import.objects.get(pk=answer.json()["id"])

        wait_for(lambda: progress().rows_done >= 50, "the first batches")
        first.kill()
        first.wait()
    finally:
        if first.poll() is None:
            stop_worker(first)
    stopped = progress()
    assert stopped.status == "running"
    assert 0 < stopped.rows_done < ROWS
    assert Visit.objects.count() == stopped.rows_done

    second = start_worker(node=f"import-second-{os.getpid()}@localhost", extra_env=WORKER_ENV)
    try:
        wait_for(lambda: progress().status != "running", "the import to end")
    finally:
        stop_worker(second)

    done = progress()
    assert (done.status, done.errors) == ("done", [])
    assert (done.rows_done, done.rows_total, done.rows_written) == (ROWS, ROWS, ROWS)
    assert Visit.objects.count() == ROWS
    assert Visit.objects.filter(imported=True, backdated=True).count() == ROWS
    assert not ImportFile.objects.exists()
