"""The site-day on SQLite (the embedded mode): compute_site_day beside one hand-written SQLite
statement computing every indicator by the same rules, checked equal indicator by indicator.

Django holds one database per process, so this runs in its own (`measure` starts
`python -m tests.bench.embedded`): it migrates a fresh SQLite file, copies SITES sites' share of
the bench's PostgreSQL data into it (their visits, the records that go with them and the
participants they name), times SITE_DAYS of their site-days both ways (taking turns at going
first) and prints its figures as one line of JSON.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.bench import servers
from tests.bench.handwritten import (
    CARE,
    CHECK_COUNTS,
    INCIDENT_COUNTS,
    PEOPLE,
    REFERRAL_COUNTS,
    VISIT_COUNTS,
)

SITES = 4  # one of each time zone of the bench
SITE_DAYS = 20

# Each site's records, then the participants they name (foreign keys are off while copying).
_COPIED = (
    ("sites.Site", "id = ANY(%(sites)s)"),
    ("visits.Visit", "site_id = ANY(%(sites)s)"),
    ("visits.VisitSubstance", "visit_id IN (SELECT id FROM visits_visit WHERE {site})"),
    ("visits.VisitRoute", "visit_id IN (SELECT id FROM visits_visit WHERE {site})"),
    ("incidents.Incident", "site_id = ANY(%(sites)s)"),
    (
        "incidents.IncidentAction",
        "incident_id IN (SELECT id FROM incidents_incident WHERE {site})",
    ),
    ("care.Service", "site_id = ANY(%(sites)s)"),
    ("care.DrugCheck", "service_id IN (SELECT id FROM care_service WHERE {site})"),
    ("care.SupplyLine", "service_id IN (SELECT id FROM care_service WHERE {site})"),
    ("care.Referral", "site_id = ANY(%(sites)s)"),
    ("care.ReferralStatusChange", "referral_id IN (SELECT id FROM care_referral WHERE {site})"),
    (
        "participants.Participant",
        "id IN (SELECT participant_id FROM visits_visit WHERE {site})",
    ),
)

# The hand-written statement of tests/bench/handwritten.py in SQLite's dialect: no time zones
# (the local hour is the check-in shifted by the day's UTC offset: days with a change of offset
# are left out of the sample), no percentile (the middle one or two stays, ranked), no LATERAL
# (one correlated subquery per figure of an incident's timeline), JSON objects as text.
SITE_DAY = "".join(
    (
        """
WITH v AS (
    SELECT * FROM visits_visit
    WHERE site_id = :site AND checked_in_at >= :start AND checked_in_at < :end AND NOT voided
), people AS (
""",
        PEOPLE.format(year=":year").strip("\n"),
        """
), stays AS (
    SELECT checked_in_at AS t_in, checked_out_at AS t_out, checked_in_at >= :start AS counted
    FROM visits_visit
    WHERE site_id = :site AND kind = 'consumption' AND NOT voided
      AND (checked_out_at IS NULL OR checked_out_at > :start)
      AND ((checked_in_at >= :since AND checked_in_at < :end)
           OR (checked_in_at < :since
               AND (checked_out_at IS NULL
                    OR julianday(checked_out_at) - julianday(checked_in_at) > 0.5)))
), events AS (
    SELECT t_in AS at, 1 AS step, counted FROM stays
    UNION ALL SELECT t_out, -1, 0 FROM stays WHERE t_out IS NOT NULL
), i AS (
    SELECT i.kind, i.outcome, i.police_attended,
           i.kind IN ('opioid_overdose', 'stimulant_overdose') AS overdose,
           (SELECT count(*) FROM incidents_incidentaction a
            WHERE a.incident_id = i.id AND NOT a.voided AND a.kind = 'naloxone') AS doses,
           (SELECT min(at) FROM incidents_incidentaction a
            WHERE a.incident_id = i.id AND NOT a.voided AND a.kind = 'naloxone') AS first_dose,
           (SELECT count(*) FROM incidents_incidentaction a
            WHERE a.incident_id = i.id AND NOT a.voided AND a.kind = 'ems_called') AS ems_called,
           (SELECT min(at) FROM incidents_incidentaction a
            WHERE a.incident_id = i.id AND NOT a.voided AND a.kind = 'ems_arrived')
            AS ems_arrived,
           (SELECT count(*) FROM incidents_incidentaction a
            WHERE a.incident_id = i.id AND NOT a.voided AND a.kind = 'oxygen') AS oxygen
    FROM incidents_incident i
    WHERE site_id = :site AND started_at >= :start AND started_at < :end AND NOT voided
""",
        CARE.format(site=":site", start=":start", end=":end"),
        """
SELECT
""",
        VISIT_COUNTS.strip("\n"),
        """
    (SELECT json_group_object(band, n) FROM (
        SELECT band, sum(n) AS n FROM cells GROUP BY band)),
    (SELECT json_group_object(gender, n) FROM (
        SELECT gender, sum(n) AS n FROM cells GROUP BY gender)),
    (SELECT json_group_object(band || ' ' || gender, n) FROM cells),
    (SELECT json_group_object(band, n) FROM (
        SELECT band, sum(new) AS n FROM cells GROUP BY band)),
    (SELECT json_group_object(gender, n) FROM (
        SELECT gender, sum(new) AS n FROM cells GROUP BY gender)),
    (SELECT json_group_object(band || ' ' || gender, new) FROM cells),
    (SELECT json_group_object(time_band, n) FROM (
        SELECT CASE WHEN h >= 7 AND h < 12 THEN '07_12' WHEN h >= 12 AND h < 17 THEN '12_17'
                    WHEN h >= 17 AND h < 22 THEN '17_22' WHEN h >= 3 AND h < 7 THEN '03_07'
                    ELSE '22_03' END AS time_band, count(*) AS n
        FROM (SELECT CAST(strftime('%H', checked_in_at, :offset) AS INTEGER) AS h FROM v)
        GROUP BY 1)),
    (SELECT json_group_object(substance, n) FROM (
        SELECT substance, count(DISTINCT visit_id) AS n
        FROM visits_visitsubstance JOIN v ON v.id = visit_id GROUP BY substance)),
    (SELECT json_group_object(route, n) FROM (
        SELECT route, count(DISTINCT visit_id) AS n
        FROM visits_visitroute JOIN v ON v.id = visit_id GROUP BY route)),
    (SELECT avg(seconds) / 60.0 FROM (
        SELECT seconds, row_number() OVER (ORDER BY seconds) AS k, count(*) OVER () AS c
        FROM (SELECT round((julianday(checked_out_at) - julianday(checked_in_at)) * 86400)
                     AS seconds
              FROM v WHERE kind = 'consumption' AND checked_out_at IS NOT NULL))
     WHERE k IN ((c + 1) / 2, (c + 2) / 2)),
    (SELECT coalesce(max(open_then), 0) FROM (
        SELECT counted, sum(step) OVER (ORDER BY at RANGE BETWEEN UNBOUNDED PRECEDING
                                        AND CURRENT ROW) AS open_then FROM events)
     WHERE counted = 1),
""",
        INCIDENT_COUNTS.strip("\n"),
        """
    (SELECT json_group_object(kind, n) FROM (SELECT kind, count(*) AS n FROM i GROUP BY kind)),
    (SELECT json_group_object(kind, n) FROM (SELECT kind, count(*) AS n FROM s GROUP BY kind)),
""",
        CHECK_COUNTS.strip("\n"),
        """
    (SELECT json_group_object(item, n) FROM (
        SELECT item, sum(quantity) AS n FROM care_supplyline JOIN s ON s.id = service_id
        GROUP BY item)),
""",
        REFERRAL_COUNTS.strip("\n"),
        """
    (SELECT json_group_object(category, n) FROM (
        SELECT category, count(*) AS n FROM r GROUP BY category)),
    (SELECT json_group_object(reason, n) FROM (
        SELECT reason, count(*) AS n FROM safety_turnaway
        WHERE site_id = :site AND at >= :start AND at < :end AND NOT voided
        GROUP BY reason)),
    (SELECT count(*) FROM safety_restriction
     WHERE site_id = :site AND starts_at >= :start AND starts_at < :end AND NOT voided),
    (SELECT json_group_object(source, n) FROM (
        SELECT source, count(*) AS n FROM alerts_alert
        WHERE site_id = :site AND created_at >= :start AND created_at < :end
        GROUP BY source)),
    (SELECT json_group_object(category, n) FROM (
        SELECT category, count(*) AS n FROM safety_complaint
        WHERE site_id = :site AND received_at >= :start AND received_at < :end
          AND NOT voided
        GROUP BY category))
""",
    )
)


def measure(site_ids: list[str], *, days: int) -> dict[str, Any]:
    """The figures of a run in its own process, on a SQLite file removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="vigil-bench-sqlite-") as folder:
        env = {
            **servers.bench_environment(),
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",  # the embedded mode's
            "DATABASE_URL": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
            "VIGIL_BENCH_SOURCE": servers.DATABASE_URL,
        }
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench.embedded", str(days), *site_ids[:SITES]],
            cwd=servers.REPO,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def _copy(source: Any, sites: list[str]) -> int:
    """Copy the sites' rows from PostgreSQL, each value as its field stores it in SQLite."""
    from django.apps import apps
    from django.db import connection, transaction

    visits = 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, or a no-op
    with transaction.atomic(), connection.cursor() as cursor:
        for label, where in _COPIED:
            model = apps.get_model(label)
            fields = model._meta.concrete_fields
            table = f'"{model._meta.db_table}"'
            columns = ", ".join(f'"{field.column}"' for field in fields)
            condition = where.format(site="site_id = ANY(%(sites)s)")
            select = f"SELECT {columns} FROM {table} WHERE {condition}"  # noqa: S608 (names of ours)
            rows = source.execute(select.encode(), {"sites": sites}).fetchall()
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 (names of ours)
                [
                    [
                        field.get_db_prep_save(v, connection)
                        for field, v in zip(fields, row, strict=True)
                    ]
                    for row in rows
                ],
            )
            visits += len(rows) if label == "visits.Visit" else 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("ANALYZE")
    return visits


def _stored(at: datetime) -> str:
    """An instant as Django stores it in SQLite: UTC, without its offset."""
    return str(at.astimezone(UTC).replace(tzinfo=None))


def _site_days(sites: list[Any], days: int) -> list[tuple[Any, date, dict[str, Any]]]:
    """SITE_DAYS random site-days (seeded) whose UTC offset holds all day."""
    from vigil.core.calendar import local_day_bounds
    from vigil.reports.services import local_today

    chooser = random.Random(days)
    picked = []
    while len(picked) < SITE_DAYS:
        site = chooser.choice(sites)
        day = local_today(site) - timedelta(days=1 + chooser.randrange(max(days, 1)))
        start, end = local_day_bounds(day, site.zone)
        offset = start.utcoffset()
        if offset is None or offset != (end - timedelta(microseconds=1)).utcoffset():
            continue
        span = {
            "site": site.pk.hex,
            "start": _stored(start),
            "end": _stored(end),
            "since": _stored(start - timedelta(hours=12)),
            "offset": f"{offset.total_seconds() / 60:+.0f} minutes",
            "year": day.year,
        }
        picked.append((site, day, span))
    return picked


def _handwritten(conn: sqlite3.Connection, span: dict[str, Any]) -> dict[str, Any]:
    from tests.bench.handwritten import COLUMNS

    row = conn.execute(SITE_DAY, span).fetchone()
    figures = dict(zip(COLUMNS, row, strict=True))
    for name, value in figures.items():
        if isinstance(value, str):  # a JSON object
            figures[name] = json.loads(value)
    return figures


def main() -> None:
    import django

    django.setup()
    import psycopg
    from django.core.management import call_command
    from django.db import connection

    from tests.bench import handwritten, setup
    from vigil.sites.models import Site

    days, site_ids = int(sys.argv[1]), sys.argv[2:]
    call_command("migrate", verbosity=0)
    with psycopg.connect(os.environ["VIGIL_BENCH_SOURCE"]) as source:
        visits = _copy(source, site_ids)
    conn = sqlite3.connect(connection.settings_dict["NAME"])
    sites = sorted(Site.objects.filter(pk__in=site_ids), key=lambda site: site.slug)
    orm, sql, differ = [], [], set()
    for n, (site, day, span) in enumerate(_site_days(sites, days)):
        for turn in (0, 1) if n % 2 == 0 else (1, 0):
            t0 = time.perf_counter()
            if turn == 0:
                report = setup.compute(site, day)
            else:
                figures = _handwritten(conn, span)
            (orm if turn == 0 else sql).append(time.perf_counter() - t0)
        differ.update(handwritten.disagreements(figures, report))
    conn.close()
    print(
        json.dumps(
            {
                "visits": visits,
                "sites": len(sites),
                "compute_site_day_median_ms": round(1000 * statistics.median(orm), 1),
                "handwritten_sql_median_ms": round(1000 * statistics.median(sql), 1),
                "indicators_differing": sorted(differ),
            }
        )
    )


if __name__ == "__main__":
    main()
