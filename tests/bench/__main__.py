"""`python -m tests.bench` (or `make bench`): run every benchmark, print one table, write JSON.

Knobs (environment): VIGIL_BENCH_SIZES (visits to load, default 100000,1000000,10000000),
VIGIL_BENCH_SECONDS (each write run, default 30), VIGIL_BENCH_CLIENTS (default 32).
The bench database is created at the start and dropped at the end, whatever happens.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.bench import servers

SIZES = [int(n) for n in os.environ.get("VIGIL_BENCH_SIZES", "100000,1000000,10000000").split(",")]
SECONDS = float(os.environ.get("VIGIL_BENCH_SECONDS", "30"))
CLIENTS = int(os.environ.get("VIGIL_BENCH_CLIENTS", "32"))
# For development only: a subset of writes,scale,reads,imports,frontend (the table says which ran).
PHASES = os.environ.get("VIGIL_BENCH_PHASES", "writes,scale,reads,imports,frontend").split(",")
SITE_DAYS = 20
READ_REPEAT = 10
PERIOD_REPEAT = 5
PERIOD_CEILING_MS = 300  # issue 15: a 31-day, 40-site period read at 10 M visits
PERIOD_BUDGET = 60.0  # seconds of period reads at most (then the median of those done)
PERIOD_TIMEOUT = 25.0  # under gunicorn's 30 s worker timeout
LOADED = [0]  # visits in the database so far
ZONES = ("America/Toronto", "America/Vancouver", "America/Edmonton", "America/Winnipeg")


class Table:
    """Rows of (figure, measured, ceiling or limit, target): printed as Markdown, kept as JSON."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []
        self.figures: dict[str, Any] = {}

    def add(self, figure: str, measured: str, beside: str = "", target: str = "") -> None:
        self.rows.append((figure, measured, beside, target))
        print(f"  {figure}: {measured}  {beside}  {target}".rstrip(), flush=True)

    def markdown(self) -> str:
        lines = ["| figure | measured | beside it (same run) | target |", "|---|---|---|---|"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows]
        return "\n".join(lines)


def _ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f} ms"


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def main() -> int:
    env = servers.bench_environment()
    os.environ.update(env)
    sys.path[:0] = [str(servers.BACKEND)]
    table = Table()
    started = time.perf_counter()
    servers.RESULTS.mkdir(exist_ok=True)
    if not servers.snapshot_frontend():
        print("frontend/dist missing: the frontend rows will say so", flush=True)
    servers.create_database()
    failed = False
    try:
        servers.migrate(env)
        _run(env, table)
    except BaseException as error:  # still publish what was measured, then re-raise
        failed = True
        table.add("run stopped", f"{type(error).__name__}: {error}"[:200])
        raise
    finally:
        from django.db import connections

        connections.close_all()
        servers.drop_database()
        table.figures["total_seconds"] = round(time.perf_counter() - started, 1)
        _publish(table)
    return 1 if failed else 0


def _run(env: dict[str, str], table: Table) -> None:
    import django

    django.setup()
    from tests.bench import frontend, setup

    world = setup.build(clients=CLIENTS, zones=ZONES, password=secrets.token_urlsafe(24))
    setup.collect_static(env)
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    memory = servers.MemoryPeaks()
    try:
        with (
            servers.gunicorn(env, port) as web,
            servers.celery_worker(env) as worker,
            memory.sampling(),
        ):
            memory.watch("gunicorn", web)
            memory.watch("celery", worker)
            phases = (
                ("writes", _writes),
                ("scale", _scale),
                ("reads", _reads),
                ("imports", _imports),
            )
            for name, phase in phases:
                if name in PHASES:
                    phase(base, world, table)
                    print(f"  peak RSS so far (MiB): {memory.rounded()}", flush=True)
            if "frontend" in PHASES:
                _frontend(frontend, base, world, table)
    finally:
        # In the table even when a phase failed: the peaks up to that point.
        table.figures["memory_mib"] = memory.rounded()
        table.add(
            "peak RSS of one gunicorn worker (sampled every 0.2 s, whole run)",
            f"{memory.peaks.get('gunicorn', 0):.0f} MiB",
            f"{web_shape()} (ops/gunicorn.conf.py)",
        )
        table.add(
            "peak RSS of one Celery worker process (whole run)",
            f"{memory.peaks.get('celery', 0):.0f} MiB",
            "prefork, concurrency 2: nightly runs and the period backfill",
        )


def web_shape() -> str:
    cores = len(os.sched_getaffinity(0))
    workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * cores + 1, 9)))
    return f"{workers} workers x {os.environ.get('GUNICORN_THREADS', '4')} threads"


def _measured_writes(base: str, world: Any, *, bare: bool) -> dict[str, Any]:
    """One write run's summary, with the CPU time its servers spent per write."""
    from tests.bench import load

    before = servers.cpu_seconds()
    summary = load.writes(base, world.tablets, bare=bare, seconds=SECONDS).summary()
    after = servers.cpu_seconds()
    # The warm-up's writes are not counted in `requests`: the CPU per write is a slight upper
    # bound, the same for both runs.
    summary["web_cpu_ms_per_write"] = round(
        1000 * (after - before) / max(summary["requests"], 1), 2
    )
    return summary


def _writes(base: str, world: Any, table: Table) -> None:
    from tests.bench import load

    print(f"writes: {CLIENTS} clients, {SECONDS:.0f} s each run", flush=True)
    api = _measured_writes(base, world, bare=False)
    bare = _measured_writes(base, world, bare=True)
    raw = load.raw_commits(servers.DATABASE_URL, world.tablets, world.loader_id, SECONDS).summary()
    table.figures["writes"] = {"api": api, "bare_django": bare, "raw_psycopg": raw}
    framework = api["per_second"] / bare["per_second"] if bare["per_second"] else 0.0
    database = api["per_second"] / raw["per_second"] if raw["per_second"] else 0.0
    table.figures["writes"]["ratios"] = {
        "api_over_bare": round(framework, 3),
        "api_over_raw": round(database, 3),
    }
    table.add(
        f"API writes/s, {CLIENTS} clients (visit, action, check-out; incident every 6th)",
        f"{api['per_second']:.0f}/s",
        f"bare Django {bare['per_second']:.0f}/s; raw psycopg {raw['per_second']:.0f} commits/s",
        f"≥ 500/s: {_verdict(api['per_second'] >= 500)}",
    )
    table.add(
        "API write latency p50 / p95 / p99",
        f"{api['p50_ms']} / {api['p95_ms']} / {api['p99_ms']} ms",
        f"bare {bare['p50_ms']} / {bare['p95_ms']} / {bare['p99_ms']} ms",
        f"p99 ≤ 100 ms: {_verdict((api['p99_ms'] or 1e9) <= 100)}",
    )
    cpu_ratio = (
        bare["web_cpu_ms_per_write"] / api["web_cpu_ms_per_write"]
        if api["web_cpu_ms_per_write"] > 0
        else 0.0
    )
    table.figures["writes"]["ratios"]["api_over_bare_by_cpu"] = round(cpu_ratio, 3)
    table.add(
        "gunicorn CPU per write (user + system)",
        f"{api['web_cpu_ms_per_write']} ms",
        f"bare {bare['web_cpu_ms_per_write']} ms; API ÷ bare by CPU time: {100 * cpu_ratio:.0f} % "
        "(the load of other processes does not move it)",
    )
    table.add(
        "API ÷ bare Django (framework ceiling)",
        f"{100 * framework:.0f} %",
        f"API ÷ raw psycopg (database ceiling): {100 * database:.0f} %",
        f"≥ 50 %: {_verdict(framework >= 0.5)}",
    )
    kinds = api["by_kind_p50_p99_ms"]
    table.add(
        "API latency by write, p50 / p99",
        "; ".join(f"{kind} {p50:.0f} / {p99:.0f} ms" for kind, (p50, p99) in kinds.items()),
        "client-side, as above",
    )
    failures = {**api["failures"], **bare["failures"]}
    if failures:
        table.add("failed write requests (not counted)", json.dumps(failures))


def _scale(base: str, world: Any, table: Table) -> None:
    import psycopg

    from tests.bench import dataset, embedded, handwritten, setup

    conn = psycopg.connect(servers.DATABASE_URL, autocommit=True)
    dataset.prepare(conn, site_ids=world.site_ids, user_id=world.loader_id)
    results: list[dict[str, Any]] = []
    loaded = 0
    for size in SIZES:
        print(f"reports: loading {size:,} visits", flush=True)
        load = dataset.load(conn, first=loaded, last=size)
        loaded = LOADED[0] = size
        site_days = setup.sample_site_days(world, count=SITE_DAYS, days=size // dataset.PER_DAY)
        orm, sql, differ = [], [], set()
        # Whichever runs second reads pages the first just brought into the cache: the two take
        # turns at going first, so that neither is always timed warm.
        for n, (site, day, span) in enumerate(site_days):
            for turn in (0, 1) if n % 2 == 0 else (1, 0):
                t0 = time.perf_counter()
                if turn == 0:
                    report = setup.compute(site, day)
                else:
                    figures = handwritten.site_day(conn, span)
                (orm if turn == 0 else sql).append(time.perf_counter() - t0)
            differ.update(handwritten.disagreements(figures, report))
        nightly = setup.nightly_through_celery(world)
        row = {
            "visits": size,
            "load_seconds": round(load.seconds, 1),
            "rows": load.rows,
            "load_steps_seconds": load.steps,
            "compute_site_day_median_ms": round(1000 * statistics.median(orm), 1),
            "handwritten_sql_median_ms": round(1000 * statistics.median(sql), 1),
            "nightly_40_sites_seconds": round(nightly, 2),
            "indicators_differing": sorted(differ),
        }
        results.append(row)
        print(f"  {row}", flush=True)
        if "sqlite" not in table.figures:  # a modest copy of the smallest size
            print(f"reports on SQLite: {embedded.SITES} sites copied", flush=True)
            table.figures["sqlite"] = embedded.measure(world.site_ids, days=size // dataset.PER_DAY)
            print(f"  {table.figures['sqlite']}", flush=True)
    conn.close()
    table.figures["reports"] = results
    first = results[0]["compute_site_day_median_ms"]
    for row in results:
        ratio = row["compute_site_day_median_ms"] / max(row["handwritten_sql_median_ms"], 0.01)
        growth = row["compute_site_day_median_ms"] / max(first, 0.01)
        agree = (
            "same figures"
            if not row["indicators_differing"]
            else "differ: " + ", ".join(row["indicators_differing"])
        )
        ok = row["compute_site_day_median_ms"] <= 50 and ratio <= 2
        table.add(
            f"compute_site_day at {row['visits']:,} visits (median of {SITE_DAYS} site-days)",
            f"{row['compute_site_day_median_ms']} ms (x{growth:.2f} of the smallest)",
            f"hand-written SQL {row['handwritten_sql_median_ms']} ms: x{ratio:.1f}; {agree}",
            f"≤ 50 ms and ≤ 2x SQL: {_verdict(ok)}",
        )
        if row is results[0]:
            _sqlite_row(table)
        table.add(
            f"nightly run, 40 sites, through Celery, at {row['visits']:,} visits",
            f"{row['nightly_40_sites_seconds']} s",
            f"bulk load took {row['load_seconds']} s",
            f"≤ 5 s: {_verdict(row['nightly_40_sites_seconds'] <= 5)}",
        )


def _sqlite_row(table: Table) -> None:
    """compute_site_day on SQLite (the embedded mode) beside the hand-written SQLite statement."""
    from tests.bench import embedded

    lite = table.figures["sqlite"]
    ratio = lite["compute_site_day_median_ms"] / max(lite["handwritten_sql_median_ms"], 0.01)
    agree = (
        "same figures"
        if not lite["indicators_differing"]
        else "differ: " + ", ".join(lite["indicators_differing"])
    )
    table.add(
        f"compute_site_day on SQLite, {lite['visits']:,} visits of {lite['sites']} sites "
        f"(median of {embedded.SITE_DAYS} site-days)",
        f"{lite['compute_site_day_median_ms']} ms",
        f"hand-written SQLite {lite['handwritten_sql_median_ms']} ms: x{ratio:.1f}; {agree}",
        f"≤ 2x SQL: {_verdict(ratio <= 2)}",
    )


def _reads(base: str, world: Any, table: Table) -> None:
    from tests.bench import load, setup

    size = f"{LOADED[0]:,} visits loaded"
    backfill = setup.backfill_period(world, days=31)
    first, last = world.period
    sites = "&".join(f"site={slug}" for slug in world.site_slugs)
    paths = {
        "floor": f"/api/v1/sites/{world.floor_slug}/floor",
        "queue": f"/api/v1/incidents/?site={world.queue_slug}&page_size=200",
    }
    got = load.reads(base, world.supervisor, paths, repeat=READ_REPEAT, budget=30)
    # The period report reads every visit of the period (620 k at 500 per site-day): fewer
    # repeats, each bounded in time, so one slow read cannot hold the run.
    period = f"/api/v1/reports/period/?{sites}&from={first}&to={last}"
    got |= load.reads(
        base,
        world.supervisor,
        {"period": period},
        repeat=PERIOD_REPEAT,
        budget=PERIOD_BUDGET,
        timeout=PERIOD_TIMEOUT,
    )
    got["backfill_seconds"] = round(backfill, 1)
    got["visits_loaded"] = LOADED[0]
    table.figures["reads"] = got

    def measured(name: str) -> tuple[str, str]:
        r = got[name]
        if r["median_ms"] is None:
            return f"over {r['timeout_s']:.0f} s (timed out)", "no request finished"
        spread = f"max {r['max_ms']} ms, median of {r['repeat']}"
        if r["timed_out"]:
            spread += f"; then one over {r['timeout_s']:.0f} s"
        return f"{r['median_ms']} ms", spread

    table.add(f"GET floor, 13 open visits ({size})", *measured("floor"))
    table.add(f"GET incident queue, 200 incidents in one page ({size})", *measured("queue"))
    median, spread = measured("period")
    period_ms = got["period"]["median_ms"]
    table.add(
        f"GET period report, 31 days x 40 sites, dailies stored ({size})",
        median,
        f"{spread}; computing its 1,240 dailies through Celery: {backfill:.1f} s",
        f"≤ {PERIOD_CEILING_MS} ms at 10 M visits: "
        + (
            _verdict(period_ms is not None and period_ms <= PERIOD_CEILING_MS)
            if LOADED[0] >= 10_000_000
            else "not loaded"
        ),
    )


def _imports(base: str, world: Any, table: Table) -> None:
    from tests.bench import imports
    from vigil.accounts.models import User
    from vigil.sites.models import Site

    print(f"imports: {imports.ROWS:,} visits from CSV", flush=True)
    figures = imports.measure(
        site=Site.objects.get(slug=world.queue_slug),
        by=User.objects.get(username=world.supervisor.username),
    )
    table.figures["imports"] = figures
    minutes = figures["import_seconds"] / 60
    table.add(
        f"import of {figures['rows']:,} visits (CSV: checked, then written with audit)",
        f"{figures['import_seconds']:.0f} s ({figures['import_rows_per_second']:,} rows/s)",
        f"plain COPY of the same rows: {figures['copy_seconds']:.1f} s",
        f"in minutes (≤ 10 min): {_verdict(minutes <= 10)}",
    )


def _frontend(frontend: Any, base: str, world: Any, table: Table) -> None:
    sizes = frontend.gzipped_sizes()
    if sizes.get("js_kb") is None:
        table.add("initial JS / CSS, gzipped", "frontend/dist missing: run make frontend")
    else:
        table.add(
            "initial JS / CSS, gzipped (frontend/scripts/size.mjs)",
            f"{sizes['js_kb']} KB / {sizes['css_kb']} KB",
            "",
            f"JS ≤ 80 KB: {_verdict(sizes['js_kb'] <= 80)}",
        )
    missing = frontend.missing_browser()
    if missing is not None:
        # Loudly, and on with the run: the other phases' figures and the table still stand.
        print(f"frontend: SKIPPED the browser figures: {missing}", file=sys.stderr, flush=True)
        table.figures["frontend"] = {**sizes, "skipped": missing}
        table.add(
            "floor board usable, Chromium, 4x CPU throttling",
            "SKIPPED",
            missing,
            "floor board ≤ 1.5 s: not measured",
        )
        return
    usable = frontend.time_to_usable(base, world.floor_staff, open_visits=13)
    table.figures["frontend"] = {**sizes, **usable}
    table.add(
        f"{usable['what']}, Chromium, 4x CPU throttling",
        f"{usable['seconds']:.2f} s" if usable["seconds"] is not None else "not reached",
        usable["note"],
        "floor board ≤ 1.5 s: "
        + (_verdict((usable["seconds"] or 99) <= 1.5) if usable["floor_board"] else "MISSED"),
    )


def _publish(table: Table) -> None:
    servers.RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.node()}: {os.cpu_count()} cores, {platform.machine()}, Linux {platform.release()}"
    header = (
        f"Vigil benchmarks, {stamp}, {machine}; {CLIENTS} clients, {SECONDS:.0f} s per write run, "
        f"sizes {', '.join(f'{n:,}' for n in SIZES)}; phases {','.join(PHASES)}; total {table.figures['total_seconds']} s"
    )
    markdown = f"{header}\n\n{table.markdown()}\n"
    print("\n" + markdown)
    document = {"date": stamp, "machine": machine, "table": table.rows, **table.figures}
    Path(servers.RESULTS / "bench.json").write_text(json.dumps(document, indent=2) + "\n")
    Path(servers.RESULTS / "bench.md").write_text(markdown)


if __name__ == "__main__":
    sys.exit(main())
