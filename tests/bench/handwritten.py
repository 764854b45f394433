"""The limit for compute_site_day: one hand-written statement computing the same indicators."""

from __future__ import annotations

from typing import Any

import psycopg

SITE_DAY = """
WITH v AS (
    SELECT * FROM visits_visit
    WHERE site_id = %(site)s AND checked_in_at >= %(start)s AND checked_in_at < %(end)s
      AND NOT voided
), stays AS (
    SELECT checked_in_at AS t_in, checked_out_at AS t_out,
           (checked_in_at >= %(start)s)::int AS counted
    FROM visits_visit
    WHERE site_id = %(site)s AND kind = 'consumption' AND NOT voided
      AND (checked_out_at IS NULL OR checked_out_at > %(start)s)
      AND ((checked_in_at >= %(start)s - interval '12 hours' AND checked_in_at < %(end)s)
           OR (checked_in_at < %(start)s - interval '12 hours'
               AND (checked_out_at IS NULL OR checked_out_at - checked_in_at > interval '12:00:00')))
), events AS (
    SELECT t_in AS at, 1 AS step, counted FROM stays
    UNION ALL SELECT t_out, -1, 0 FROM stays WHERE t_out IS NOT NULL
), i AS (
    SELECT i.*,
           EXISTS (SELECT 1 FROM incidents_incidentaction a WHERE a.incident_id = i.id
                   AND NOT a.voided AND a.kind = 'naloxone') AS naloxone,
           EXISTS (SELECT 1 FROM incidents_incidentaction a WHERE a.incident_id = i.id
                   AND NOT a.voided AND a.kind = 'ems_called') AS ems
    FROM incidents_incident i
    WHERE site_id = %(site)s AND started_at >= %(start)s AND started_at < %(end)s AND NOT voided
), s AS (
    SELECT * FROM care_service
    WHERE site_id = %(site)s AND at >= %(start)s AND at < %(end)s AND NOT voided
), r AS (
    SELECT * FROM care_referral
    WHERE site_id = %(site)s AND at >= %(start)s AND at < %(end)s AND NOT voided
)
SELECT
    (SELECT count(*) FROM v),
    (SELECT count(*) FROM v WHERE kind = 'consumption'),
    (SELECT count(*) FROM v WHERE participant_id IS NULL),
    (SELECT count(DISTINCT participant_id) FROM v),
    (SELECT count(*) FROM v WHERE participant_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM visits_visit e WHERE e.participant_id = v.participant_id AND NOT e.voided
        AND (e.checked_in_at, e.id) < (v.checked_in_at, v.id))),
    (SELECT jsonb_object_agg(substance, n) FROM (
        SELECT substance, count(DISTINCT visit_id) AS n
        FROM visits_visitsubstance JOIN v ON v.id = visit_id GROUP BY substance) x),
    (SELECT jsonb_object_agg(route, n) FROM (
        SELECT route, count(DISTINCT visit_id) AS n
        FROM visits_visitroute JOIN v ON v.id = visit_id GROUP BY route) x),
    (SELECT percentile_cont(0.5) WITHIN GROUP (
        ORDER BY extract(epoch FROM checked_out_at - checked_in_at) / 60)
     FROM v WHERE kind = 'consumption' AND checked_out_at IS NOT NULL),
    (SELECT coalesce(max(open_then), 0) FROM (
        SELECT counted, sum(step) OVER (ORDER BY at RANGE BETWEEN UNBOUNDED PRECEDING
                                        AND CURRENT ROW) AS open_then FROM events) w
     WHERE counted = 1),
    (SELECT count(*) FILTER (WHERE kind IN ('opioid_overdose', 'stimulant_overdose')) FROM i),
    (SELECT count(*) FILTER (WHERE kind IN ('opioid_overdose', 'stimulant_overdose')
                             AND naloxone) FROM i),
    (SELECT count(*) FILTER (WHERE ems) FROM i),
    (SELECT count(*) FROM incidents_incidentaction a JOIN i ON i.id = a.incident_id
     WHERE i.kind IN ('opioid_overdose', 'stimulant_overdose') AND a.kind = 'naloxone'
       AND NOT a.voided),
    (SELECT jsonb_object_agg(kind, n) FROM (SELECT kind, count(*) AS n FROM s GROUP BY kind) x),
    (SELECT count(*) FILTER (WHERE fentanyl = 'positive') FROM care_drugcheck
     JOIN s ON s.id = service_id),
    (SELECT jsonb_object_agg(item, n) FROM (
        SELECT item, sum(quantity) AS n FROM care_supplyline JOIN s ON s.id = service_id
        GROUP BY item) x),
    (SELECT jsonb_object_agg(category, n) FROM (
        SELECT category, count(*) AS n FROM r GROUP BY category) x),
    (SELECT count(*) FROM r WHERE EXISTS (
        SELECT 1 FROM care_referralstatuschange c WHERE c.referral_id = r.id
        AND c.status = 'accepted'))
"""

COLUMNS = (
    "visits",
    "consumption_visits",
    "anonymous_visits",
    "unique_participants",
    "new_participants",
    "visits_by_substance",
    "visits_by_route",
    "median_visit_minutes",
    "peak_occupancy",
    "overdoses",
    "overdoses_with_naloxone",
    "ems_calls",
    "naloxone_doses",
    "services_by_kind",
    "drug_checks_fentanyl_positive",
    "supplies_by_item",
    "referrals_by_category",
    "referrals_accepted",
)


def site_day(conn: psycopg.Connection, params: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute(SITE_DAY, params).fetchone()
    assert row is not None
    return dict(zip(COLUMNS, row, strict=True))


def disagreements(sql: dict[str, Any], orm: dict[str, Any]) -> list[str]:
    """Indicators where the two computations differ (the ORM's maps also list zeros)."""
    differ = []
    for name, value in sql.items():
        theirs = orm[name]
        if isinstance(theirs, dict):
            theirs = {k: n for k, n in theirs.items() if n}
            value = {k: int(n) for k, n in (value or {}).items()}
        elif name == "median_visit_minutes" and value is not None:
            value = round(float(value), 1)
        if value != theirs:
            differ.append(name)
    return differ
