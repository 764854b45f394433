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


def start_worker(*, node: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """A `celery worker` process against the test database and broker, once it consumes tasks."""
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
        env=process_env(**(extra_env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Ready when it has consumed a task (the filesystem broker has no remote control).
    result = ping.delay("ready")
    deadline = time.monotonic() + 60
    while not result.ready():
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"celery worker exited early:\n{output}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("celery worker did not consume a task within 60 s")
        time.sleep(0.2)
    return process


def stop_worker(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup: None, django_db_blocker: object) -> Iterator[str]:
    """Start `celery worker` against the test database and broker; yield its node name."""
    node = f"vigil-test-{os.getpid()}@localhost"
    # Start from empty queues: what earlier tests enqueued while no worker ran (recomputes of
    # days whose records are flushed since) would otherwise keep this worker busy for minutes.
    celery_app.control.purge()
    process = start_worker(node=node)
    try:
        yield node
    finally:
        stop_worker(process)
