"""The bench's own database, gunicorn and Celery worker, and a sampler of their memory."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg

REPO = Path(__file__).resolve().parents[2]
BACKEND = REPO / "backend"
RESULTS = REPO / "bench-results"
BIN = Path(sys.executable).parent
SERVER = "postgresql://postgres@127.0.0.1:5432"
DATABASE = os.environ.get("VIGIL_BENCH_DATABASE", "vigil_bench")
DATABASE_URL = f"{SERVER}/{DATABASE}"


def bench_environment() -> dict[str, str]:
    """Production settings (plus the bench URL conf) on loopback PostgreSQL and Redis.

    TLS is the proxy's job in production; the bench talks plain HTTP to gunicorn, so the HTTPS
    redirect and HSTS are off. Fresh secrets every run.
    """
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.bench.settings",
        "PYTHONPATH": f"{BACKEND}{os.pathsep}{REPO}",
        "DATABASE_URL": DATABASE_URL,
        "CELERY_BROKER_URL": os.environ.get("VIGIL_BENCH_BROKER", "redis://127.0.0.1:6379/9"),
        "SECRET_KEY": secrets.token_urlsafe(48),
        "VIGIL_CODE_PEPPER": secrets.token_urlsafe(32),
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "VIGIL_BENCH_DIST": str(RESULTS / "dist"),
        "VIGIL_BENCH_STATIC": str(RESULTS / "static"),
    }


def snapshot_frontend(attempts: int = 10) -> bool:
    """Copy frontend/dist to the bench's own dist, once index.html and every asset it names
    are there together (someone may be rebuilding dist/ at that moment). False if no dist."""
    source = REPO / "frontend" / "dist"
    target = RESULTS / "dist"
    for _ in range(attempts):
        if not (source / "index.html").is_file():
            return False
        shutil.rmtree(target, ignore_errors=True)
        try:
            shutil.copytree(source, target)
        except (OSError, shutil.Error):
            time.sleep(3)
            continue
        html = (target / "index.html").read_text()
        named = re.findall(r'(?:src|href)="/static/([^"]+)"', html)
        if all((target / name).is_file() for name in named):
            return True
        time.sleep(3)
    raise RuntimeError("frontend/dist kept changing while being copied: build it, then rerun")


def create_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'.encode())
        conn.execute(f'CREATE DATABASE "{DATABASE}"'.encode())


def drop_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)'.encode())


def migrate(env: dict[str, str]) -> None:
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"],
        cwd=BACKEND,
        env=env,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MemoryPeaks:
    """Peak resident memory (MiB) of each watched role, sampled every 0.2 s."""

    peaks: dict[str, float] = field(default_factory=dict)
    _watched: dict[str, list[psutil.Process]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def rounded(self) -> dict[str, float]:
        return {role: round(mib, 1) for role, mib in self.peaks.items()}

    def watch(self, role: str, parent: subprocess.Popen[bytes]) -> None:
        self._watched[role] = [psutil.Process(parent.pid)]

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            for role, (parent, *_) in list(self._watched.items()):
                try:
                    children = parent.children(recursive=True)
                except psutil.NoSuchProcess:
                    continue
                for child in children:
                    try:
                        rss = child.memory_info().rss / 2**20
                    except psutil.NoSuchProcess:
                        continue
                    self.peaks[role] = max(self.peaks.get(role, 0.0), rss)

    @contextmanager
    def sampling(self) -> Iterator[MemoryPeaks]:
        thread = threading.Thread(target=self._sample, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def gunicorn(env: dict[str, str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    """The production gunicorn configuration (ops/gunicorn.conf.py), bound to loopback."""
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "gunicorn.log").open("wb") as log:
        process = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--config",
                str(REPO / "ops" / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=BACKEND,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_http(f"http://127.0.0.1:{port}/healthz", process)
            yield process
        finally:
            _stop(process)


@contextmanager
def celery_worker(env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    RESULTS.mkdir(exist_ok=True)
    with (RESULTS / "celery.log").open("wb") as log:
        process = subprocess.Popen(
            [
                str(BIN / "celery"),
                "-A",
                "config",
                "worker",
                "--queues=default,reports",
                "--concurrency=2",
                "--loglevel=WARNING",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=BACKEND,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            _stop(process)


def _wait_http(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({process.returncode}): see bench-results/")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout:.0f} s")


def cpu_seconds() -> float:
    """CPU time (user + system, s) spent so far by this run's gunicorn: the master, its live
    workers, and the workers it has already recycled (max_requests), which the master's
    children times keep. Unlike a rate, it does not move with the load of other processes on
    a shared machine. (The PostgreSQL backends are left out: a closed connection's time goes
    to the postmaster, shared with every other database of the server.)"""
    total = 0.0
    for master in psutil.Process().children():
        try:
            if "gunicorn" not in " ".join(master.cmdline()):
                continue
            times = master.cpu_times()
            total += times.user + times.system + times.children_user + times.children_system
            for worker in master.children(recursive=True):
                times = worker.cpu_times()
                total += times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return total
