"""A real Celery worker, started as a subprocess on the broker the settings name."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from config.celery import app as celery_app
from tests.integration.processes import BACKEND, process_env
from vigil.core.tasks import ping


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: None, django_db_blocker: object) -> Iterator[str]:
    """Start `celery worker` against the test database and broker; yield its node name."""
    # The worker must use the database the tests read: pytest-django's test database.
    env = process_env()
    node = f"vigil-test-{os.getpid()}@localhost"
    # Start from empty queues: what earlier tests enqueued while no worker ran (recomputes of
    # days whose records are flushed since) would otherwise keep this worker busy for minutes.
    celery_app.control.purge()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--queues=default,reports",
            "--loglevel=WARNING",
            "-n",
            node,
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=BACKEND,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # Ready when it has consumed a task (the filesystem broker has no remote control).
        result = ping.delay("ready")
        deadline = time.monotonic() + 60
        while not result.ready():
            if process.poll() is not None:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"celery worker exited early:\n{output}")
            if time.monotonic() > deadline:
                pytest.fail("celery worker did not consume a task within 60 s")
            time.sleep(0.2)
        yield node
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
