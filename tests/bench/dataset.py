"""Bulk-loading a network's history on the server side: INSERT ... SELECT FROM generate_series.

Visit number n (0, 1, 2, ...) decides everything about visit n, so a larger size extends a
smaller one: loading 1 M after 100 k adds visits 100 000 to 999 999, further back in time.

- 40 sites, 500 visits per site-day (20 000 a day over the network, the scale docs/domain.md plans for): the
  history grows backwards from yesterday, so 10 M visits cover 500 days. Every site-day looks
  alike whatever the size: what grows is the table around it.
- Check-ins from 08:00 local time, every ~2 minutes, visits of 8 to 48 minutes in 13 booths;
  1 visit in 7 is service-only, 1 in 5 anonymous, 1 in 199 voided; a pool of 100 000 codes.
- 1 incident per 67 visits (mostly opioid overdoses) with 3 actions (naloxone in two of them);
  3 services per 10 visits (drug checks with results, supplies with two lines), 1 referral per
  20 visits (half accepted, with their status history).

While rows load, the secondary indexes and unique constraints of the loaded tables are dropped
and the foreign-key triggers are off (session_replication_role = replica, as pg_restore does);
afterwards every index and constraint is rebuilt from its own definition, and the tables are
analysed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg

SITES = 40
PER_SITE_DAY = 500
PER_DAY = SITES * PER_SITE_DAY
BOOTHS = 13
PARTICIPANTS = 100_000

LOADED_TABLES = (
    "visits_visit",
    "visits_visitsubstance",
    "visits_visitroute",
    "incidents_incident",
    "incidents_incidentaction",
    "care_service",
    "care_drugcheck",
    "care_supplyline",
    "care_referral",
    "care_referralstatuschange",
)

SUBSTANCES = (
    "fentanyl",
    "heroin",
    "unspecified_opioid",
    "hydromorphone",
    "oxycodone",
    "morphine",
    "methadone",
    "cocaine",
    "crack",
    "methamphetamine",
    "amphetamine",
    "speedball",
    "benzodiazepine",
    "other",
    "unknown",
)
ROUTES = ("injection", "inhalation", "intranasal", "oral")
SERVICE_KINDS = (
    "wound_care",
    "supplies",
    "drug_checking",
    "education",
    "naloxone_kit",
    "first_aid",
    "peer_support",
    "basic_needs",
    "hcv_test",
    "counselling",
)
REFERRAL_CATEGORIES = ("oat", "housing", "primary_care", "mental_health", "withdrawal_management")


def _array(values: tuple[str, ...]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


# One row per visit number n, with the values the other tables derive from it.
_VISITS = f"""
    SELECT n, n / {SITES} AS m, md5('v' || n)::uuid AS id, s.id AS site_id, s.booths, s.user_id,
           CASE WHEN n / {SITES} % 5 = 0 THEN NULL
                ELSE md5('p' || ((n * 104729) % {PARTICIPANTS}))::uuid END AS participant_id,
           n / {SITES} % 7 <> 0 AS consumption,
           n / {SITES} % 199 = 0 AS voided,
           ((((now() AT TIME ZONE s.tz)::date - 1 - (n / {PER_DAY})::int) + time '08:00'
             + ((n / {SITES}) % {PER_SITE_DAY}) * interval '115 seconds'
             + (n % 97) * interval '1 second') AT TIME ZONE s.tz) AS t_in,
           (8 + (n / {SITES} * 7919) % 41) * interval '1 minute' AS stay
    FROM generate_series(:lo::bigint, :hi::bigint - 1) AS n
    JOIN bench_site s ON s.idx = n % {SITES}
"""

_STATEMENTS = (
    f"""
    INSERT INTO visits_visit (id, version, received_at, updated_at, kind, checked_in_at,
        checked_out_at, did_not_consume_reason, backdated, voided, void_reason, voided_at,
        create_fingerprint, booth_id, created_by_id, participant_id, site_id, voided_by_id,
        imported, assisted, shared_supply)
    SELECT id, 1, t_in, t_in + stay,
           CASE WHEN consumption THEN 'consumption' ELSE 'service_only' END,
           t_in, t_in + stay, '', false, voided,
           CASE WHEN voided THEN 'entered twice' ELSE '' END,
           CASE WHEN voided THEN t_in + stay END,
           md5('f' || n) || md5('g' || n),
           CASE WHEN consumption THEN booths[1 + m % {BOOTHS}] END,
           user_id, participant_id, site_id, CASE WHEN voided THEN user_id END,
           false, CASE WHEN m % 17 = 0 THEN 'peer' ELSE 'none' END, m % 23 = 0
    FROM ({_VISITS}) v
    """,
    f"""
    INSERT INTO visits_visitsubstance (visit_id, substance)
    SELECT id, ({_array(SUBSTANCES)})[1 + m % 15] FROM ({_VISITS}) v WHERE consumption
    UNION ALL
    SELECT id, ({_array(SUBSTANCES)})[1 + (m / 15 + 7) % 15] FROM ({_VISITS}) v
    WHERE consumption AND m % 3 = 0 AND (m / 15 + 7) % 15 <> m % 15
    """,
    f"""
    INSERT INTO visits_visitroute (visit_id, route)
    SELECT id, ({_array(ROUTES)})[1 + (m * 31) % 4] FROM ({_VISITS}) v WHERE consumption
    """,
    f"""
    INSERT INTO incidents_incident (id, version, received_at, updated_at, kind, location,
        started_at, ended_at, outcome, police_attended, narrative, status, critical,
        critical_reasons, review_due_at, submitted_at, reviewed_at, review_comment, backdated,
        voided, void_reason, voided_at, create_fingerprint, created_by_id, participant_id,
        reviewed_by_id, site_id, submitted_by_id, visit_id, voided_by_id, imported)
    SELECT md5('i' || n)::uuid, 3, t_in + stay / 2, t_in + stay * 2,
           CASE WHEN m % 11 = 0 THEN 'other_medical' WHEN m % 13 = 0 THEN 'stimulant_overdose'
                ELSE 'opioid_overdose' END,
           'booth', t_in + stay / 2, t_in + stay * 2,
           CASE WHEN m % 9 = 0 THEN 'transported' WHEN m % 2011 = 0 THEN 'deceased'
                ELSE 'recovered_on_site' END,
           false, '', 'approved', m % 9 = 0 OR m % 2011 = 0, '[]'::jsonb,
           t_in + interval '48 hours', t_in + stay * 3, t_in + interval '1 day', '', false,
           false, '', NULL, md5('fi' || n) || md5('gi' || n), user_id, participant_id, user_id,
           site_id, user_id, id, NULL, false
    FROM ({_VISITS}) v WHERE m % 67 = 0 AND consumption AND NOT voided
    """,
    f"""
    INSERT INTO incidents_incidentaction (id, kind, at, dose_mg, route, spo2, resp_rate,
        backdated, voided, void_reason, voided_at, received_at, create_fingerprint,
        created_by_id, incident_id, voided_by_id, imported)
    SELECT md5('a' || n || '-' || k)::uuid,
           CASE k WHEN 0 THEN 'stimulation' WHEN 1 THEN 'naloxone'
                  ELSE CASE WHEN m % 3 = 0 THEN 'ems_called' ELSE 'naloxone' END END,
           t_in + stay / 2 + k * interval '2 minutes',
           CASE WHEN k = 1 OR (k = 2 AND m % 3 <> 0) THEN 0.4 END,
           CASE WHEN k = 1 OR (k = 2 AND m % 3 <> 0) THEN 'IM' ELSE '' END,
           NULL, NULL, false, false, '', NULL, t_in + stay, md5('fa' || n || k) || md5('ga' || n),
           user_id, md5('i' || n)::uuid, NULL, false
    FROM ({_VISITS}) v CROSS JOIN generate_series(0, 2) AS k
    WHERE m % 67 = 0 AND consumption AND NOT voided
    """,
    f"""
    INSERT INTO care_service (id, version, received_at, updated_at, kind, at, backdated, voided,
        void_reason, voided_at, create_fingerprint, created_by_id, participant_id, site_id,
        visit_id, voided_by_id, imported)
    SELECT md5('s' || n)::uuid, 1, t_in + stay, t_in + stay,
           ({_array(SERVICE_KINDS)})[1 + (m / 10) % {len(SERVICE_KINDS)}], t_in + stay, false,
           false, '', NULL, md5('fs' || n) || md5('gs' || n), user_id, participant_id, site_id,
           id, NULL, false
    FROM ({_VISITS}) v WHERE m % 10 < 3
    """,
    f"""
    INSERT INTO care_drugcheck (service_id, expected_substance, method, fentanyl, benzodiazepine,
        xylazine, nitazene, client_action)
    SELECT md5('s' || n)::uuid, 'unspecified_opioid', 'fentanyl_strip',
           CASE WHEN m % 4 = 0 THEN 'negative' ELSE 'positive' END,
           CASE WHEN m % 3 = 0 THEN 'positive' ELSE 'negative' END, 'not_tested', 'not_tested',
           'reduced_dose'
    FROM generate_series(:lo::bigint, :hi::bigint - 1) AS n, LATERAL (SELECT n / {SITES} AS m) AS mm
    WHERE m % 10 < 3 AND 1 + (m / 10) % {len(SERVICE_KINDS)} = 3
    """,
    f"""
    INSERT INTO care_supplyline (service_id, item, quantity)
    SELECT md5('s' || n)::uuid, item, 1 + m % 10
    FROM generate_series(:lo::bigint, :hi::bigint - 1) AS n, LATERAL (SELECT n / {SITES} AS m) AS mm
    CROSS JOIN (VALUES ('syringe'), ('cooker')) AS items (item)
    WHERE m % 10 < 3 AND 1 + (m / 10) % {len(SERVICE_KINDS)} = 2
    """,
    f"""
    INSERT INTO care_referral (id, version, received_at, updated_at, at, category, destination,
        agency, accompanied, status, status_at, backdated, voided, void_reason, voided_at,
        create_fingerprint, created_by_id, participant_id, site_id, visit_id, voided_by_id,
        imported)
    SELECT md5('r' || n)::uuid, 1, t_in + stay, t_in + stay, t_in + stay,
           ({_array(REFERRAL_CATEGORIES)})[1 + (m / 20) % {len(REFERRAL_CATEGORIES)}],
           CASE WHEN m % 3 = 0 THEN 'onsite_connected' ELSE 'offsite' END, '', m % 4 = 0,
           CASE WHEN m % 40 = 0 THEN 'accepted' ELSE 'offered' END, t_in + stay, false, false,
           '', NULL, md5('fr' || n) || md5('gr' || n), user_id, participant_id, site_id, id, NULL,
           false
    FROM ({_VISITS}) v WHERE m % 20 = 0
    """,
    f"""
    INSERT INTO care_referralstatuschange (id, status, at, backdated, received_at, created_by_id,
        referral_id)
    SELECT md5('rs' || n || status)::uuid, status, t_in + stay, false, t_in + stay, user_id,
           md5('r' || n)::uuid
    FROM ({_VISITS}) v
    CROSS JOIN (VALUES ('offered'), ('accepted')) AS statuses (status)
    WHERE m % 20 = 0 AND (status = 'offered' OR m % 40 = 0)
    """,
)

_PARTICIPANTS = f"""
    INSERT INTO participants_participant (id, code_digest, birth_year, gender, first_seen_at,
        merged_at, version, created_at, first_seen_site_id, merged_into_id)
    SELECT md5('p' || p)::uuid, encode(sha256(('bench participant ' || p)::bytea), 'hex'),
           1960 + p % 45, (ARRAY['woman', 'man', 'non_binary', 'unknown'])[1 + p % 4], NULL,
           NULL, 1, now(), NULL, NULL
    FROM generate_series(0, {PARTICIPANTS - 1}) AS p
"""


@dataclass(frozen=True)
class Load:
    visits: int
    seconds: float
    rows: dict[str, int]
    steps: dict[str, float]  # seconds: inserts per table, index rebuild, vacuum analyse


def prepare(conn: psycopg.Connection, *, site_ids: list[str], user_id: str) -> None:
    """The site table the generator joins (sites in slug order, their booths) and the codes."""
    with conn.cursor() as cur:
        cur.execute(
            """
            CREATE TABLE bench_site AS
            SELECT (row_number() OVER (ORDER BY s.slug) - 1)::int AS idx, s.id, s.timezone AS tz,
                   (SELECT array_agg(b.id ORDER BY b.position, b.label) FROM sites_booth b
                    WHERE b.site_id = s.id AND b.active) AS booths,
                   %(user)s::uuid AS user_id
            FROM sites_site s WHERE s.id = ANY(%(sites)s::uuid[])
            """,
            {"sites": site_ids, "user": user_id},
        )
        cur.execute(_PARTICIPANTS)
        cur.execute("ANALYZE participants_participant")


def _dropped_indexes(cur: psycopg.Cursor[tuple[object, ...]]) -> list[str]:
    """Drop the loaded tables' secondary indexes and unique constraints; return how to rebuild."""
    cur.execute(
        """
        SELECT t.relname, i.relname, pg_get_indexdef(x.indexrelid), c.conname,
               pg_get_constraintdef(c.oid)
        FROM pg_index x
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_class i ON i.oid = x.indexrelid
        LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.contype = 'u'
        WHERE t.relname = ANY(%s) AND NOT x.indisprimary
        """,
        [list(LOADED_TABLES)],
    )
    rebuild = []
    for table, index, index_def, constraint, constraint_def in cur.fetchall():
        if constraint:
            cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
            rebuild.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {constraint_def}')
        else:
            cur.execute(f'DROP INDEX "{index}"')
            rebuild.append(str(index_def))
    return rebuild


def load(conn: psycopg.Connection, *, first: int, last: int) -> Load:
    """Add visits number `first` to `last - 1` and the records that go with them.

    `conn` is in autocommit mode: each statement is its own transaction.
    """
    started = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '512MB'")
        cur.execute("SET work_mem = '256MB'")
        steps: dict[str, float] = {}
        rebuild = _dropped_indexes(cur)
        for table, statement in zip(LOADED_TABLES, _STATEMENTS, strict=True):
            t0 = time.perf_counter()
            numbered = statement.replace(":lo", str(int(first))).replace(":hi", str(int(last)))
            cur.execute(numbered.encode())
            steps[table] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        for statement in rebuild:
            cur.execute(statement.encode())
        steps["indexes"] = round(time.perf_counter() - t0, 1)
        cur.execute("SET session_replication_role = origin")
        t0 = time.perf_counter()
        for table in LOADED_TABLES:
            cur.execute(f'VACUUM ANALYZE "{table}"'.encode())
        steps["vacuum_analyze"] = round(time.perf_counter() - t0, 1)
        cur.execute(
            "SELECT relname, reltuples::bigint FROM pg_class WHERE relname = ANY(%s)",
            [list(LOADED_TABLES)],
        )
        rows = {str(name): int(n) for name, n in cur.fetchall()}
    return Load(visits=last, seconds=time.perf_counter() - started, rows=rows, steps=steps)
