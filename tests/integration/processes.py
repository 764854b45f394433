"""Processes the integration tests start, stop and kill: a private Redis, Celery workers and a
gunicorn server, each pointed at pytest-django's test database."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from kombu import Connection

from config.celery import app as celery_app

BACKEND = Path(settings.BACKEND_DIR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(what: str, ready: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {seconds:.0f} s")
        time.sleep(0.1)


def database_url_of_tests() -> str:
    """The URL of pytest-django's test database, for a process the tests start."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.postgresql":
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


def process_env(**extra: str) -> dict[str, str]:
    """The environment of a process sharing this test run's database (and Redis key prefix)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url_of_tests(),
        **extra,
    }


class RedisServer:
    """A redis-server of its own on a free port (never the shared one), append-only like the
    compose service's, so that a restart keeps what it had acknowledged."""

    def __init__(self, folder: Path) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("redis-server is not installed")
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until("redis-server did not answer", self._answers, 10)

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def connection(self) -> Connection:
        """A connection to publish on, with the key prefix of this run (as the workers use)."""
        prefix = f"vigil-test-{os.environ['VIGIL_TEST_RUN']}:"
        return celery_app.connection_for_write(
            self.url, transport_options={"global_keyprefix": prefix}
        )

    def kill(self) -> None:
        """SIGKILL: what a crash or an out-of-memory kill does."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Process:
    """A long-running process (worker, server) whose output goes to a file read on failure."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=BACKEND,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own group: a kill takes its children too
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for_line(self, text: str, times: int = 1, seconds: float = 60) -> None:
        """Wait until the output holds `text` (at least `times` times since it started)."""

        def printed() -> bool:
            if not self.alive():
                pytest.fail(f"{self.name} exited:\n{self.output()[-4000:]}")
            return self.output().count(text) >= times

        wait_until(f"{self.name} did not print {text!r}", printed, seconds)

    def kill(self) -> None:
        """SIGKILL to the whole process group: no warm shutdown, nothing acknowledged."""
        if self.alive():
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def celery_worker(name: str, env: dict[str, str], log: Path, *, beat: bool = False) -> Process:
    """A Celery worker as the compose file runs it (prefork, both queues), optionally with beat."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--queues=default,reports",
        "--concurrency=2",
        "--loglevel=INFO",
        "-n",
        f"{name}-{os.getpid()}@localhost",
        "--without-mingle",
        "--without-gossip",
    ]
    if beat:
        command.append("--beat")
    return Process(name, command, env, log)
