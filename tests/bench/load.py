"""Closed-loop HTTP clients (aiohttp) and the raw-psycopg ceiling, bounded in time and count.

Every client is a tablet: its own session, one request at a time, on its own site and booth.
A round: check a visit in, post a response action to the client's current incident (every
6th round opens a new incident on that visit first), check the visit out.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import psycopg

MAX_ROUNDS = 100_000  # per client: a bound besides the time limit
ASSISTED_NONE = "none"  # Visit.Assisted.NONE, written by the raw ceiling's own SQL
ACTIONS = (
    {"kind": "stimulation"},
    {"kind": "naloxone", "dose_mg": 0.4, "route": "IM"},
    {"kind": "recovery_position"},
    {"kind": "monitoring"},
)


@dataclass(frozen=True)
class Tablet:
    username: str
    password: str
    site: str
    site_id: str
    booth: str


@dataclass
class Latencies:
    seconds: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)
    elapsed: float = 0.0
    by_kind: dict[str, list[float]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.seconds)

        def pct(p: float) -> float:
            return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1)

        return {
            "requests": len(ordered),
            "per_second": round(len(ordered) / self.elapsed, 1) if self.elapsed else 0.0,
            "p50_ms": pct(0.50) if ordered else None,
            "p95_ms": pct(0.95) if ordered else None,
            "p99_ms": pct(0.99) if ordered else None,
            "failures": self.failures,
            "by_kind_p50_p99_ms": {
                kind: [
                    round(1000 * sorted(times)[len(times) // 2], 1),
                    round(1000 * sorted(times)[min(len(times) - 1, int(0.99 * len(times)))], 1),
                ]
                for kind, times in sorted(self.by_kind.items())
            },
        }


def _kind(path: str) -> str:
    """visit, incident, action or check-out, whichever the path writes."""
    if path.endswith(("check-out", "check-out/")):
        return "check-out"
    if "actions" in path:
        return "action"
    return "incident" if "incidents" in path else "visit"


class _Client:
    def __init__(self, base: str, tablet: Tablet, bare: bool) -> None:
        self.base = base
        self.tablet = tablet
        self.bare = bare
        jar = aiohttp.CookieJar(unsafe=True, treat_as_secure_origin=[base])
        self.session = aiohttp.ClientSession(
            cookie_jar=jar, connector=aiohttp.TCPConnector(limit=1)
        )

    async def login(self) -> None:
        async with self.session.get(f"{self.base}/") as response:
            await response.read()
        body = {"username": self.tablet.username, "password": self.tablet.password}
        async with self.session.post(
            f"{self.base}/api/v1/auth/login", json=body, headers=self._csrf()
        ) as response:
            if response.status != 200:
                raise RuntimeError(f"login failed: {response.status} {await response.text()}")

    def _csrf(self) -> dict[str, str]:
        token = next((c.value for c in self.session.cookie_jar if c.key == "csrftoken"), "")
        return {"X-CSRFToken": token}

    async def _post(self, path: str, body: dict[str, Any], out: Latencies | None) -> bool:
        started = time.perf_counter()
        try:
            async with self.session.post(
                f"{self.base}{path}", json=body, headers=self._csrf()
            ) as response:
                await response.read()
                ok = 200 <= response.status < 300
                status = str(response.status)
        except aiohttp.ServerDisconnectedError:
            # A kept-alive connection the server closed as it was reused (a loaded machine
            # stretches the pause past gunicorn's keepalive): counted as a failure, not fatal.
            ok, status = False, "disconnected"
        if out is not None:
            if ok:
                took = time.perf_counter() - started
                out.seconds.append(took)
                out.by_kind.setdefault(_kind(path), []).append(took)
            else:
                key = f"{path.split('/')[-1] or path.split('/')[-2]} {status}"
                out.failures[key] = out.failures.get(key, 0) + 1
        return ok

    async def run(self, deadline: float, out: Latencies | None) -> None:
        t = self.tablet
        incident: str | None = None
        for round_number in range(MAX_ROUNDS):
            if time.monotonic() >= deadline:
                return
            visit = str(uuid.uuid4())
            code = f"W{t.site[-2:]}N{round_number % 40:02d}"
            if self.bare:
                paths = ("/bench/bare/visits", "/bench/bare/incidents", "/bench/bare/incidents/")
                visit_body: dict[str, Any] = {"site_id": t.site_id}
            else:
                paths = ("/api/v1/visits/", "/api/v1/incidents/", "/api/v1/incidents/")
                visit_body = {"site": t.site}
            visit_body |= {
                "id": visit,
                "code": code,
                "kind": "consumption",
                "booth": t.booth,
                "substances": ["fentanyl"],
                "routes": ["injection"],
            }
            if not await self._post(paths[0], visit_body, out):
                continue
            if incident is None or round_number % 6 == 0:
                opened = str(uuid.uuid4())
                body = {
                    "id": opened,
                    "kind": "opioid_overdose",
                    "visit": visit,
                    "location": "booth",
                    ("site_id" if self.bare else "site"): t.site_id if self.bare else t.site,
                }
                if await self._post(paths[1], body, out):
                    incident = opened
            if incident is not None:
                action = {"id": str(uuid.uuid4()), **ACTIONS[round_number % len(ACTIONS)]}
                suffix = "/actions" if self.bare else "/actions/"
                await self._post(f"{paths[2]}{incident}{suffix}", action, out)
            checkout = (
                f"/bench/bare/visits/{visit}/check-out"
                if self.bare
                else f"/api/v1/visits/{visit}/check-out"
            )
            await self._post(checkout, {}, out)


async def _drive(base: str, tablets: list[Tablet], *, bare: bool, seconds: float) -> Latencies:
    clients = [_Client(base, tablet, bare) for tablet in tablets]
    try:
        await asyncio.gather(*(c.login() for c in clients))
        warm = time.monotonic() + 3
        await asyncio.gather(*(c.run(warm, None) for c in clients))
        out = Latencies()
        started = time.perf_counter()
        deadline = time.monotonic() + seconds
        await asyncio.gather(*(c.run(deadline, out) for c in clients))
        out.elapsed = time.perf_counter() - started
        return out
    finally:
        await asyncio.gather(*(c.session.close() for c in clients))


def writes(base: str, tablets: list[Tablet], *, bare: bool, seconds: float) -> Latencies:
    return asyncio.run(_drive(base, tablets, bare=bare, seconds=seconds))


async def _raw(dsn: str, tablets: list[Tablet], user_id: str, seconds: float) -> Latencies:
    out = Latencies()

    async def one(tablet: Tablet) -> None:
        async with await psycopg.AsyncConnection.connect(dsn) as conn:
            deadline = time.monotonic() + seconds
            for _ in range(MAX_ROUNDS):
                if time.monotonic() >= deadline:
                    return
                started = time.perf_counter()
                visit = uuid.uuid4()
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO visits_visit (id, version, received_at, updated_at, kind,"
                        " checked_in_at, checked_out_at, did_not_consume_reason, backdated,"
                        " voided, void_reason, create_fingerprint, site_id, created_by_id,"
                        " imported, assisted, shared_supply)"
                        " VALUES (%s, 1, now(), now(), 'service_only', now(), now(), '',"
                        " false, false, '', '', %s, %s, false, %s, false)",
                        (visit, tablet.site_id, user_id, ASSISTED_NONE),
                    )
                    await conn.execute(
                        "INSERT INTO visits_visitsubstance (visit_id, substance)"
                        " VALUES (%s, 'fentanyl')",
                        (visit,),
                    )
                out.seconds.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(one(t) for t in tablets))
    out.elapsed = time.perf_counter() - started
    return out


def raw_commits(dsn: str, tablets: list[Tablet], user_id: str, seconds: float) -> Latencies:
    """The database ceiling: one transaction (a visit and its substance) per commit."""
    return asyncio.run(_raw(dsn, tablets, user_id, seconds))


async def _reads(
    base: str, tablet: Tablet, paths: dict[str, str], repeat: int, budget: float, timeout: float
) -> dict[str, Any]:
    client = _Client(base, tablet, bare=False)
    limit = aiohttp.ClientTimeout(total=timeout)
    try:
        await client.login()
        results: dict[str, Any] = {}
        for name, path in paths.items():
            times: list[float] = []
            timed_out = 0
            status = 200
            spent = time.monotonic() + budget
            # At least one request, then up to `repeat` while the path's time budget lasts.
            while len(times) + timed_out < repeat and (not times or time.monotonic() < spent):
                started = time.perf_counter()
                try:
                    async with client.session.get(f"{base}{path}", timeout=limit) as response:
                        await response.read()
                        status = response.status
                except (TimeoutError, aiohttp.ClientError):
                    timed_out += 1
                    break
                if status != 200:  # e.g. gunicorn's worker timeout: counted as timed out
                    timed_out += 1
                    break
                times.append(time.perf_counter() - started)
            times.sort()
            results[name] = {
                "median_ms": round(1000 * times[len(times) // 2], 1) if times else None,
                "max_ms": round(1000 * times[-1], 1) if times else None,
                "repeat": len(times),
                "timed_out": timed_out,
                "status": status,
                "timeout_s": timeout,
            }
        return results
    finally:
        await client.session.close()


def reads(
    base: str,
    tablet: Tablet,
    paths: dict[str, str],
    *,
    repeat: int,
    budget: float = 30.0,
    timeout: float = 60.0,
) -> dict[str, Any]:
    """Sequential GETs of each path as one logged-in user: up to `repeat` times each, fewer if
    a path has used its `budget` seconds; a request over `timeout` seconds ends that path."""
    return asyncio.run(_reads(base, tablet, paths, repeat, budget, timeout))
