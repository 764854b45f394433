"""The limit for compute_site_day: one hand-written statement computing every indicator of a
site-day, by the same rules (docs/domain.md), checked against it indicator by indicator."""

from __future__ import annotations

from typing import Any

import psycopg

# The columns both dialects write alike (the bench's SQLite statement, embedded.py, takes them
# too): the day's visits `v` and their people, the overdose response from the incidents `i`,
# the drug checks `checks`, the referrals `r`.
# The day's people (each visit's, with its band and whether it is the person's first ever
# visit) and the cells of band and gender; `{year}` is the dialect's parameter for the year.
PEOPLE = """
    SELECT v.participant_id, p.gender,
           CASE WHEN p.birth_year IS NULL THEN 'unknown'
                WHEN {year} - p.birth_year >= 60 THEN '60_plus'
                WHEN {year} - p.birth_year >= 50 THEN '50_59'
                WHEN {year} - p.birth_year >= 40 THEN '40_49'
                WHEN {year} - p.birth_year >= 30 THEN '30_39'
                WHEN {year} - p.birth_year >= 20 THEN '20_29'
                ELSE 'under_20' END AS band,
           NOT EXISTS (
               SELECT 1 FROM visits_visit e WHERE e.participant_id = v.participant_id
               AND NOT e.voided AND (e.checked_in_at, e.id) < (v.checked_in_at, v.id)) AS is_new
    FROM v JOIN participants_participant p ON p.id = v.participant_id
), cells AS (
    SELECT band, gender, count(DISTINCT participant_id) AS n, count(*) FILTER (WHERE is_new) AS new
    FROM people GROUP BY band, gender
"""
# The day's services `s`, their drug checks `checks`, its referrals `r` (accepted or not); each
# `{name}` is the dialect's parameter.
CARE = """
), s AS (
    SELECT * FROM care_service
    WHERE site_id = {site} AND at >= {start} AND at < {end} AND NOT voided
), checks AS (
    SELECT d.* FROM care_drugcheck d JOIN s ON s.id = d.service_id
), r AS (
    SELECT r.*, EXISTS (
        SELECT 1 FROM care_referralstatuschange c WHERE c.referral_id = r.id
        AND c.status = 'accepted') AS accepted
    FROM care_referral r
    WHERE site_id = {site} AND at >= {start} AND at < {end} AND NOT voided
)"""
VISIT_COUNTS = """
    (SELECT count(*) FROM v),
    (SELECT count(*) FROM v WHERE kind = 'consumption'),
    (SELECT count(*) FROM v WHERE kind = 'service_only'),
    (SELECT count(*) FROM v WHERE participant_id IS NULL),
    (SELECT count(*) FROM v WHERE assisted <> 'none'),
    (SELECT count(*) FROM v WHERE shared_supply),
    (SELECT count(DISTINCT participant_id) FROM v),
    (SELECT count(*) FROM people WHERE is_new),
"""
INCIDENT_COUNTS = """
    (SELECT count(*) FILTER (WHERE overdose) FROM i),
    (SELECT count(*) FILTER (WHERE overdose AND outcome = 'deceased') FROM i),
    (SELECT count(*) FILTER (WHERE overdose AND doses > 0) FROM i),
    (SELECT count(*) FILTER (WHERE overdose AND doses = 0) FROM i),
    (SELECT count(*) FILTER (WHERE overdose AND doses > 0
                             AND (ems_arrived IS NULL OR first_dose < ems_arrived)) FROM i),
    (SELECT count(*) FILTER (WHERE overdose AND ems_arrived IS NULL) FROM i),
    (SELECT count(*) FILTER (WHERE overdose AND ems_arrived IS NOT NULL) FROM i),
    (SELECT count(*) FILTER (WHERE overdose AND oxygen > 0) FROM i),
    (SELECT count(*) FILTER (WHERE overdose AND ems_called > 0) FROM i),
    (SELECT count(*) FILTER (WHERE ems_called > 0) FROM i),
    (SELECT count(*) FILTER (WHERE outcome = 'transported') FROM i),
    (SELECT count(*) FILTER (WHERE kind = 'other_medical') FROM i),
    (SELECT count(*) FILTER (WHERE police_attended) FROM i),
    (SELECT coalesce(sum(doses) FILTER (WHERE overdose), 0) FROM i),
"""
CHECK_COUNTS = """
    (SELECT count(*) FROM checks),
    (SELECT count(*) FILTER (WHERE fentanyl = 'positive') FROM checks),
    (SELECT count(*) FILTER (WHERE benzodiazepine = 'positive') FROM checks),
    (SELECT count(*) FILTER (WHERE xylazine = 'positive') FROM checks),
    (SELECT count(*) FILTER (WHERE nitazene = 'positive') FROM checks),
"""
REFERRAL_COUNTS = """
    (SELECT count(*) FROM r),
    (SELECT count(*) FILTER (WHERE destination = 'onsite_connected') FROM r),
    (SELECT count(*) FILTER (WHERE destination = 'offsite') FROM r),
    (SELECT count(*) FILTER (WHERE accepted) FROM r),
"""

SITE_DAY = "".join(
    (
        """
WITH v AS (
    SELECT * FROM visits_visit
    WHERE site_id = %(site)s AND checked_in_at >= %(start)s AND checked_in_at < %(end)s
      AND NOT voided
), people AS (
""",
        PEOPLE.format(year="%(year)s").strip("\n"),
        """
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
    SELECT i.kind, i.outcome, i.police_attended,
           i.kind IN ('opioid_overdose', 'stimulant_overdose') AS overdose, a.*
    FROM incidents_incident i LEFT JOIN LATERAL (
        SELECT count(*) FILTER (WHERE kind = 'naloxone') AS doses,
               min(at) FILTER (WHERE kind = 'naloxone') AS first_dose,
               count(*) FILTER (WHERE kind = 'ems_called') AS ems_called,
               min(at) FILTER (WHERE kind = 'ems_arrived') AS ems_arrived,
               count(*) FILTER (WHERE kind = 'oxygen') AS oxygen
        FROM incidents_incidentaction a WHERE a.incident_id = i.id AND NOT a.voided
    ) a ON true
    WHERE site_id = %(site)s AND started_at >= %(start)s AND started_at < %(end)s AND NOT voided
""",
        CARE.format(site="%(site)s", start="%(start)s", end="%(end)s"),
        """
SELECT
""",
        VISIT_COUNTS.strip("\n"),
        """
    (SELECT jsonb_object_agg(band, n) FROM (
        SELECT band, sum(n) AS n FROM cells GROUP BY band) x),
    (SELECT jsonb_object_agg(gender, n) FROM (
        SELECT gender, sum(n) AS n FROM cells GROUP BY gender) x),
    (SELECT jsonb_object_agg(band || ' ' || gender, n) FROM cells),
    (SELECT jsonb_object_agg(band, n) FROM (
        SELECT band, sum(new) AS n FROM cells GROUP BY band) x),
    (SELECT jsonb_object_agg(gender, n) FROM (
        SELECT gender, sum(new) AS n FROM cells GROUP BY gender) x),
    (SELECT jsonb_object_agg(band || ' ' || gender, new) FROM cells),
    (SELECT jsonb_object_agg(time_band, n) FROM (
        SELECT CASE WHEN h >= 7 AND h < 12 THEN '07_12' WHEN h >= 12 AND h < 17 THEN '12_17'
                    WHEN h >= 17 AND h < 22 THEN '17_22' WHEN h >= 3 AND h < 7 THEN '03_07'
                    ELSE '22_03' END AS time_band, count(*) AS n
        FROM (SELECT extract(hour FROM checked_in_at AT TIME ZONE %(zone)s) AS h FROM v) hours
        GROUP BY 1) x),
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
""",
        INCIDENT_COUNTS.strip("\n"),
        """
    (SELECT jsonb_object_agg(kind, n) FROM (SELECT kind, count(*) AS n FROM i GROUP BY kind) x),
    (SELECT jsonb_object_agg(kind, n) FROM (SELECT kind, count(*) AS n FROM s GROUP BY kind) x),
""",
        CHECK_COUNTS.strip("\n"),
        """
    (SELECT jsonb_object_agg(item, n) FROM (
        SELECT item, sum(quantity) AS n FROM care_supplyline JOIN s ON s.id = service_id
        GROUP BY item) x),
""",
        REFERRAL_COUNTS.strip("\n"),
        """
    (SELECT jsonb_object_agg(category, n) FROM (
        SELECT category, count(*) AS n FROM r GROUP BY category) x),
    (SELECT jsonb_object_agg(reason, n) FROM (
        SELECT reason, count(*) AS n FROM safety_turnaway
        WHERE site_id = %(site)s AND at >= %(start)s AND at < %(end)s AND NOT voided
        GROUP BY reason) x),
    (SELECT count(*) FROM safety_restriction
     WHERE site_id = %(site)s AND starts_at >= %(start)s AND starts_at < %(end)s AND NOT voided),
    (SELECT jsonb_object_agg(source, n) FROM (
        SELECT source, count(*) AS n FROM alerts_alert
        WHERE site_id = %(site)s AND created_at >= %(start)s AND created_at < %(end)s
        GROUP BY source) x),
    (SELECT jsonb_object_agg(category, n) FROM (
        SELECT category, count(*) AS n FROM safety_complaint
        WHERE site_id = %(site)s AND received_at >= %(start)s AND received_at < %(end)s
          AND NOT voided
        GROUP BY category) x)
""",
    )
)

COLUMNS = (
    "visits",
    "consumption_visits",
    "service_only_visits",
    "anonymous_visits",
    "assisted_visits",
    "shared_supply_visits",
    "unique_participants",
    "new_participants",
    "participants_by_age_band",
    "participants_by_gender",
    "participants_by_age_gender",
    "new_participants_by_age_band",
    "new_participants_by_gender",
    "new_participants_by_age_gender",
    "visits_by_time_band",
    "visits_by_substance",
    "visits_by_route",
    "median_visit_minutes",
    "peak_occupancy",
    "overdoses",
    "fatal_overdoses",
    "overdoses_with_naloxone",
    "overdoses_without_naloxone",
    "overdoses_naloxone_by_staff",
    "overdoses_staff_only",
    "overdoses_ems_treated",
    "overdoses_with_oxygen",
    "overdose_ems_calls",
    "ems_calls",
    "transports",
    "other_medical_emergencies",
    "police_attended",
    "naloxone_doses",
    "incidents_by_kind",
    "services_by_kind",
    "drug_checks",
    "drug_checks_fentanyl_positive",
    "drug_checks_benzodiazepine_positive",
    "drug_checks_xylazine_positive",
    "drug_checks_nitazene_positive",
    "supplies_by_item",
    "referrals",
    "referrals_onsite",
    "referrals_offsite",
    "referrals_accepted",
    "referrals_by_category",
    "turnaways_by_reason",
    "restrictions_started",
    "alerts_by_source",
    "complaints_by_category",
)


def site_day(conn: psycopg.Connection, params: dict[str, Any]) -> dict[str, Any]:
    row = conn.execute(SITE_DAY, params).fetchone()
    assert row is not None
    return dict(zip(COLUMNS, row, strict=True))


def disagreements(sql: dict[str, Any], orm: dict[str, Any]) -> list[str]:
    """Indicators where the two computations differ (the ORM's maps also list zeros; its
    crossed tables, nested by band then gender, are "band gender" keys here)."""
    differ = []
    for name, value in sql.items():
        theirs = orm[name]
        if isinstance(theirs, dict):
            flat = {
                f"{key} {inner}" if isinstance(cell, dict) else key: n
                for key, cell in theirs.items()
                for inner, n in (cell.items() if isinstance(cell, dict) else [(None, cell)])
            }
            theirs = {k: n for k, n in flat.items() if n}
            value = {k: int(n) for k, n in (value or {}).items() if int(n)}
        elif name == "median_visit_minutes" and value is not None:
            value = round(float(value), 1)
        if value != theirs:
            differ.append(name)
    return differ
