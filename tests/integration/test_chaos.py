"""The chaos run (issue 14, item 16): tablets write through the HTTP API of a gunicorn server
(past-day writes that schedule recomputes, resends of what was already stored) while Redis and
then the Celery worker are killed with SIGKILL mid-load and restarted. Afterwards: nothing
lost, nothing duplicated, no answer 5xx, and every stored daily report equal to a fresh
computation.

Everything runs against its own processes: a redis-server on a free port (never the shared
one), a worker with beat (the recompute sweep every 2 s) and a gunicorn server, all on the
tests' database. Each phase waits for the load to make progress, not for a time, and the run
stops by itself (a deadline fails it)."""

from __future__ import annotations

import json
import random
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD, World, make_user
from tests.integration.processes import (
    Process,
    RedisServer,
    celery_worker,
    free_port,
    process_env,
    wait_until,
)
from vigil.accounts.models import Role
from vigil.care.models import Referral, Service
from vigil.records.models import PendingRecompute
from vigil.reports.models import DailyReport
from vigil.reports.scope import Scope
from vigil.reports.services import compute_metrics
from vigil.visits.models import Visit

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

DEADLINE_SECONDS = 80  # the whole run, load and catch-up; it fails rather than hang
RESEND_SHARE = 0.15
# (username, site slug, may write to past days)
TABLETS = [
    ("bob", "harbour", True),
    ("erin", "harbour", True),
    ("alice", "harbour", False),
    ("charlie", "eastside", False),
    ("sam", "eastside", True),
]
MODELS: dict[str, Any] = {"visit": Visit, "service": Service, "referral": Referral}


class Tablet:
    """A signed-in tablet: session and CSRF cookies, JSON in and out."""

    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.cookies = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.call("GET", "/")  # the CSRF cookie, as the app's page sets it
        status, body = self.call(
            "POST", "/api/v1/auth/login", {"username": username, "password": PASSWORD}
        )
        assert status == 200, (username, status, body)

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """(status, JSON body); status 0 when no answer came (connection refused or cut)."""
        csrf = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
        request = urllib.request.Request(  # noqa: S310 (the test's own server)
            self.base + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers={"Content-Type": "application/json", "X-CSRFToken": csrf or ""},
        )
        try:
            with self.opener.open(request, timeout=20) as response:
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            raw, status = error.read(), error.code
        except OSError:
            return 0, None
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, None


@dataclass
class Ledger:
    """What the tablets sent and what the server answered, shared by their threads."""

    stored: dict[str, str] = field(default_factory=dict)  # id → kind, once answered 2xx
    past_days: set[tuple[str, date]] = field(default_factory=set)
    answers: Counter[int] = field(default_factory=Counter)
    refused: list[Any] = field(default_factory=list)
    resends_differing: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        with self.lock:
            return len(self.stored)


def a_write(
    rng: random.Random, slug: str, zone: ZoneInfo, backdates: bool
) -> tuple[str, dict[str, Any], date | None]:
    """A new record as a tablet makes it: a visit, a service or a referral, now or days ago
    (then also the site's local day it falls on)."""
    kind = rng.choices(["visit", "service", "referral"], weights=[5, 3, 2])[0]
    moment, day = None, None
    if backdates and rng.random() < 0.6:
        moment = timezone.now() - timedelta(days=rng.randint(1, 4), minutes=rng.randint(0, 600))
    body: dict[str, Any] = {"id": str(uuid.uuid4()), "site": slug}
    if kind == "visit":
        body["kind"] = "service_only"
        if moment:
            body["checked_in_at"] = moment.isoformat()
    elif kind == "service":
        body["kind"] = rng.choice(["naloxone_kit", "first_aid", "education"])
    else:
        body.update(category="oat", destination="offsite", accompanied=False, status="offered")
    if moment and kind != "visit":
        body["at"] = moment.isoformat()
    if moment:
        day = timezone.localtime(moment, zone).date()
    return kind, body, day


PATHS = {
    "visit": "/api/v1/visits/",
    "service": "/api/v1/services/",
    "referral": "/api/v1/referrals/",
}


def run_tablet(
    base: str, who: tuple[str, str, bool], zone: ZoneInfo, ledger: Ledger, stop: threading.Event
) -> None:
    username, slug, backdates = who
    rng = random.Random(username)
    tablet = Tablet(base, username)
    sent: list[tuple[str, dict[str, Any]]] = []
    while not stop.is_set():
        if sent and rng.random() < RESEND_SHARE:
            kind, body = rng.choice(sent)  # a resend of what is stored (an answer cut short)
            day = None
        else:
            kind, body, day = a_write(rng, slug, zone, backdates)
        while not stop.is_set():  # the outbox: resend until the server answers
            status, answer = tablet.call("POST", PATHS[kind], body)
            with ledger.lock:
                ledger.answers[status] += 1
            if 200 <= status < 300:
                break
            if 400 <= status < 500:
                with ledger.lock:
                    ledger.refused.append((status, kind, answer))
                break
            time.sleep(0.2)
        else:
            return
        if not 200 <= status < 300:
            continue
        with ledger.lock:
            if answer.get("id") != body["id"]:
                ledger.resends_differing.append(body["id"])
            ledger.stored[body["id"]] = kind
            if day is not None:
                ledger.past_days.add((slug, day))
        sent.append((kind, body))


def reports_match_a_fresh_computation() -> list[str]:
    """The site-days whose stored report differs from what computing it now gives."""
    wrong = []
    for report in DailyReport.objects.select_related("site"):
        fresh = compute_metrics(Scope.of([report.site], report.date, report.date))
        if fresh != report.metrics:
            wrong.append(f"{report.site.slug} {report.date}")
    return wrong


def test_nothing_is_lost_duplicated_or_left_wrong_when_redis_and_the_worker_die_mid_load(
    world: World, tmp_path: Path
) -> None:
    make_user("sam", site=world.site_b, role=Role.SUPERVISOR)
    started = time.monotonic()
    redis = RedisServer(tmp_path)
    redis.start()
    env = process_env(
        CELERY_BROKER_URL=redis.url,
        VIGIL_RECOMPUTE_DELAY_SECONDS="1",
        VIGIL_RECOMPUTE_SWEEP_SECONDS="2",
    )
    port = free_port()
    web = Process(
        "gunicorn",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            f"--bind=127.0.0.1:{port}",
            "--workers=2",
            "--threads=4",
            "--timeout=30",
        ],
        env,
        tmp_path / "web.log",
    )
    workers = [
        celery_worker(f"chaos{n}", env, tmp_path / f"worker{n}.log", beat=True) for n in (1, 2)
    ]
    ledger, stop = Ledger(), threading.Event()
    threads: list[threading.Thread] = []
    try:
        web.start()
        workers[0].start()
        base = f"http://127.0.0.1:{port}"
        wait_until("gunicorn did not answer", lambda: _healthy(base))
        workers[0].wait_for_line("ready.")
        zones = {site.slug: site.zone for site in (world.site_a, world.site_b)}
        threads = [
            threading.Thread(
                target=run_tablet, args=(base, who, zones[who[1]], ledger, stop), daemon=True
            )
            for who in TABLETS
        ]
        for thread in threads:
            thread.start()

        def progress(writes: int) -> None:
            target = ledger.count() + writes
            wait_until(
                f"the tablets did not store {writes} more records",
                lambda: ledger.count() >= target,
                DEADLINE_SECONDS - (time.monotonic() - started),
            )

        progress(40)
        redis.kill()  # the worker holds delayed recomputes, unacknowledged
        progress(30)  # writes go on while the broker is away
        assert workers[0].alive(), "the worker exited when Redis went away"
        workers[0].kill()  # mid-load, mid-recompute perhaps
        progress(20)
        redis.start()
        workers[1].start()
        workers[1].wait_for_line("ready.")
        progress(40)
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

        # The reports catch up: no recompute left pending, every report as computed now.
        def caught_up() -> bool:
            return not PendingRecompute.objects.exists() and not reports_match_a_fresh_computation()

        wait_until(
            "the reports did not catch up",
            caught_up,
            max(5.0, DEADLINE_SECONDS - (time.monotonic() - started)),
        )
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for process in (*workers, web):
            process.stop()
        redis.kill()

    print(  # the run's figures, shown with -s or on a failure
        f"chaos: {len(ledger.stored)} records stored, {sum(ledger.answers.values())} answers "
        f"{dict(ledger.answers)}, {len(ledger.past_days)} past site-days, "
        f"{DailyReport.objects.count()} reports checked"
    )
    assert ledger.refused == [], ledger.refused
    assert not [status for status in ledger.answers if status >= 500], ledger.answers
    assert ledger.resends_differing == []
    for kind, model in MODELS.items():
        ids = {pk for pk, k in ledger.stored.items() if k == kind}
        stored = set(map(str, model.objects.values_list("pk", flat=True)))
        assert stored == ids, f"{kind}: lost {ids - stored}, unknown {stored - ids}"
    assert reports_match_a_fresh_computation() == []
    reported = set(DailyReport.objects.values_list("site__slug", "date"))
    assert ledger.past_days <= reported, ledger.past_days - reported


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310
            return bool(response.status == 200)
    except OSError:
        return False
