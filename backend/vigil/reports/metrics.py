"""The counting rules of DOMAIN.md, as aggregate queries (GROUP BY in the database).

Every function takes a Scope (sites and their local-day spans) and returns indicators. Voided
records never count. The number of queries is fixed: it does not grow with the table.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan

from vigil.care.models import (
    DrugCheck,
    Referral,
    ReferralCategory,
    ReferralStatus,
    ReferralStatusChange,
    Service,
    ServiceKind,
    SupplyItem,
    SupplyLine,
    TestResult,
)
from vigil.incidents.models import Incident, IncidentAction
from vigil.incidents.rules import OVERDOSE_KINDS
from vigil.reports.scope import Scope
from vigil.visits.models import Route, Substance, Visit, VisitRoute, VisitSubstance

Metrics = dict[str, Any]
# A stay longer than this is rare (a visit left open): such stays have their own index (see
# visits/migrations/0002_visit_long_stay_idx.py, whose predicate repeats this value).
LONG_STAY = timedelta(hours=12)


def _zeroed(choices: list[str], rows: Any, key: str) -> dict[str, int]:
    counts = dict.fromkeys(choices, 0)
    counts.update({row[key]: row["n"] for row in rows})
    return counts


def visit_counts(scope: Scope) -> Metrics:
    """visits, consumption/service-only/anonymous visits, unique participants (1 query)."""
    return Visit.objects.filter(scope.q(time="checked_in_at"), voided=False).aggregate(
        visits=Count("pk"),
        consumption_visits=Count("pk", filter=Q(kind=Visit.Kind.CONSUMPTION)),
        service_only_visits=Count("pk", filter=Q(kind=Visit.Kind.SERVICE_ONLY)),
        anonymous_visits=Count("pk", filter=Q(participant=None)),
        unique_participants=Count("participant", distinct=True),
    )


def new_participants(scope: Scope) -> int:
    """Participants whose first visit at any site of the network falls in the scope (1 query).

    1. For each participant, their first non-voided visit anywhere (earliest check-in, then id).
    2. Count the scope's visits that are such a first visit: one per participant at most.
    """
    first_visit = Visit.objects.filter(participant=OuterRef("participant"), voided=False).order_by(
        "checked_in_at", "pk"
    )
    return (
        Visit.objects.filter(scope.q(time="checked_in_at"), voided=False, participant__isnull=False)
        .annotate(first_id=Subquery(first_visit.values("pk")[:1]))
        .filter(pk=F("first_id"))
        .count()
    )


_PARTICIPANTS = """
    SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT EXISTS (
        SELECT 1 FROM {visits} AS earlier
        WHERE earlier.participant_id = firsts.participant_id AND NOT earlier.voided
          AND (earlier.checked_in_at, earlier.id) < (firsts.checked_in_at, firsts.id)
    ))
    FROM ({firsts}) AS firsts (participant_id, checked_in_at, id)
"""


def participant_counts(scope: Scope) -> Metrics:
    """unique_participants and new_participants of the scope, in one aggregate (1 query).

    1. Each participant with a visit in the scope, once, with their earliest visit there
       (earliest check-in, then id): unique_participants counts these rows.
    2. A participant is new when no non-voided visit anywhere in the network comes before that
       earliest visit (by check-in, then id): their first visit is then in the scope. One index
       probe per participant (visit_participant_idx), never one per visit.

    The same rules as `visit_counts` (distinct participants) and `new_participants`.
    """
    firsts = (
        Visit.objects.filter(scope.q(time="checked_in_at"), voided=False, participant__isnull=False)
        .order_by("participant", "checked_in_at", "pk")
        .distinct("participant")
        .values_list("participant", "checked_in_at", "pk")
    )
    sql, params = firsts.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_PARTICIPANTS.format(visits=Visit._meta.db_table, firsts=sql), params)
        row = cursor.fetchone()
    unique, new = (int(row[0]), int(row[1])) if row else (0, 0)
    return {"unique_participants": unique, "new_participants": new}


def median_visit_minutes(scope: Scope) -> float | None:
    """Median time in the booth over consumption visits checked out (2 queries).

    1. Count the consumption visits with a check-out.
    2. Read only the one or two middle durations, ordered in the database.
    """
    finished = Visit.objects.filter(
        scope.q(time="checked_in_at"),
        voided=False,
        kind=Visit.Kind.CONSUMPTION,
        checked_out_at__isnull=False,
    ).annotate(
        duration=ExpressionWrapper(F("checked_out_at") - F("checked_in_at"), DurationField())
    )
    n = finished.count()
    if n == 0:
        return None
    middle: list[timedelta] = list(
        finished.order_by("duration").values_list("duration", flat=True)[(n - 1) // 2 : n // 2 + 1]
    )
    seconds = sum(d.total_seconds() for d in middle) / len(middle)
    return round(seconds / 60, 1)


def _stays_overlapping(scope: Scope, start: datetime, end: datetime) -> QuerySet[Visit]:
    """Consumption visits of the scope's sites whose stay [checked_in_at, checked_out_at)
    overlaps [start, end), an open visit's stay having no end.

    Two index ranges, never a site's whole history: visits checked in from LONG_STAY before
    `start` (the site-day index), and the few that stayed longer than LONG_STAY or are still
    open (visit_long_stay_idx, whose predicate the second branch repeats).
    """
    still_there = Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=start)
    long_stay = Q(checked_out_at__isnull=True) | Q(
        GreaterThan(
            ExpressionWrapper(F("checked_out_at") - F("checked_in_at"), DurationField()),
            LONG_STAY,
        )
    )
    recent = Q(checked_in_at__gte=start - LONG_STAY, checked_in_at__lt=end)
    earlier = Q(checked_in_at__lt=start - LONG_STAY) & long_stay
    return Visit.objects.filter(
        (recent | earlier) & still_there,
        site__in=scope.site_ids,
        voided=False,
        kind=Visit.Kind.CONSUMPTION,
    )


_SWEEP = """
    WITH stays (t_in, t_out, counted) AS ({stays}),
    events (at, step, counted) AS (
        SELECT t_in, 1, counted FROM stays
        UNION ALL
        SELECT t_out, -1, 0 FROM stays WHERE t_out IS NOT NULL
    )
    SELECT MAX(open_then) FROM (
        SELECT counted, SUM(step) OVER (
            ORDER BY at RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS open_then
        FROM events
    ) AS sweep
    WHERE counted = 1
"""


def peak_occupancy(scope: Scope) -> int:
    """Most consumption visits open at one moment (1 query, plus 1 per site span).

    Occupancy only rises at a check-in, so the peak is the largest number of visits open at
    some check-in in the scope, or at the start of a span (visits still open from before).

    1. Take the consumption visits of the scope's sites whose stay overlaps the scope's time.
    2. Sweep their check-ins (+1) and check-outs (-1) in time order: the running sum at a
       check-in, counting every event at that same instant, is the number of visits open then.
    3. The peak is the largest sum at a check-in of the scope, or at the start of a span.
    """
    if not scope.spans:
        return 0
    first = min(span.start for span in scope.spans)
    last = max(span.end for span in scope.spans)
    overlapping = (
        _stays_overlapping(scope, first, last)
        .annotate(
            counted=Case(
                When(scope.q(time="checked_in_at"), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values_list("checked_in_at", "checked_out_at", "counted")
    )
    # The ORM compiles the overlapping stays (their values stay parameters); SQL sweeps them.
    sql, params = overlapping.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_SWEEP.format(stays=sql), params)
        row = cursor.fetchone()
    peak = int(row[0] or 0) if row else 0
    for span in scope.spans:
        open_at_start = _stays_overlapping(scope, span.start, span.start).filter(
            site=span.site, checked_in_at__lt=span.start
        )
        peak = max(peak, open_at_start.count())
    return peak


def per_thousand(numerator: int, visits: int) -> float | None:
    return round(1000 * numerator / visits, 2) if visits else None


def incident_counts(scope: Scope) -> Metrics:
    """Overdoses and emergencies started in the scope, and the naloxone given (2 queries).

    An action counts unless it was voided (a mis-tap); an incident unless it was voided.
    """
    live_actions = IncidentAction.objects.filter(incident=OuterRef("pk"), voided=False)
    overdose = Q(kind__in=OVERDOSE_KINDS)
    incidents = (
        Incident.objects.filter(scope.q(time="started_at"), voided=False)
        .annotate(
            had_naloxone=Exists(live_actions.filter(kind=IncidentAction.Kind.NALOXONE)),
            had_ems=Exists(live_actions.filter(kind=IncidentAction.Kind.EMS_CALLED)),
        )
        .aggregate(
            overdoses=Count("pk", filter=overdose),
            fatal_overdoses=Count("pk", filter=overdose & Q(outcome=Incident.Outcome.DECEASED)),
            overdoses_with_naloxone=Count("pk", filter=overdose & Q(had_naloxone=True)),
            ems_calls=Count("pk", filter=Q(had_ems=True)),
            transports=Count("pk", filter=Q(outcome=Incident.Outcome.TRANSPORTED)),
            other_medical_emergencies=Count("pk", filter=Q(kind=Incident.Kind.OTHER_MEDICAL)),
        )
    )
    incidents["naloxone_doses"] = IncidentAction.objects.filter(
        scope.q(time="incident__started_at", site="incident__site"),
        incident__voided=False,
        incident__kind__in=OVERDOSE_KINDS,
        kind=IncidentAction.Kind.NALOXONE,
        voided=False,
    ).count()
    return incidents


def services_by_kind(scope: Scope) -> dict[str, int]:
    """Services of each kind (1 query)."""
    services = Service.objects.filter(scope.q(time="at"), voided=False)
    by_kind = services.values("kind").annotate(n=Count("pk")).order_by()
    return _zeroed(ServiceKind.values, by_kind, "kind")


def referral_totals(scope: Scope) -> Metrics:
    """Referrals made, on site and off site, and those accepted (1 query)."""
    accepted = ReferralStatusChange.objects.filter(
        referral=OuterRef("pk"), status=ReferralStatus.ACCEPTED
    )
    return (
        Referral.objects.filter(scope.q(time="at"), voided=False)
        .annotate(was_accepted=Exists(accepted))
        .aggregate(
            referrals=Count("pk"),
            referrals_onsite=Count(
                "pk", filter=Q(destination=Referral.Destination.ONSITE_CONNECTED)
            ),
            referrals_offsite=Count("pk", filter=Q(destination=Referral.Destination.OFFSITE)),
            referrals_accepted=Count("pk", filter=Q(was_accepted=True)),
        )
    )


# compute_site_day's figures in four statements (see `site_day_figures`). Each statement is
# assembled from ORM-compiled querysets (their values stay parameters), so every sub-select
# reads its rows through the same index ranges as the single-purpose functions above.


def _compiled(queryset: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def _json(value: Any) -> Any:
    """A jsonb column: Django reads it as text."""
    return json.loads(value) if isinstance(value, str) else value


def _scoped(scope: Scope, **names: str) -> Q:
    """scope.q, or a condition no row meets when the scope is empty (which the ORM can compile;
    `pk__in=[]` alone cannot be)."""
    return scope.q(**names) if scope.spans else Q(pk__isnull=True)


_VISITS = """
    SELECT
        COUNT(*),
        COUNT(*) FILTER (WHERE v.kind = %s),
        COUNT(*) FILTER (WHERE v.kind = %s),
        COUNT(*) FILTER (WHERE v.participant_id IS NULL),
        COUNT(DISTINCT v.participant_id),
        COUNT(*) FILTER (WHERE v.participant_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM {visits} AS earlier
            WHERE earlier.participant_id = v.participant_id AND NOT earlier.voided
              AND (earlier.checked_in_at, earlier.id) < (v.checked_in_at, v.id)
        )),
        (SELECT jsonb_object_agg(s.k, s.n) FROM ({substances}) AS s (k, n)),
        (SELECT jsonb_object_agg(r.k, r.n) FROM ({routes}) AS r (k, n)),
        (SELECT m.d[(cardinality(m.d) + 1) / 2 : cardinality(m.d) / 2 + 1] FROM (
            SELECT ARRAY_AGG(f.duration ORDER BY f.duration) FROM ({durations}) AS f (duration)
        ) AS m (d))
    FROM ({day_visits}) AS v (id, participant_id, kind, checked_in_at)
"""


def visit_figures(scope: Scope) -> Metrics:
    """Every visit indicator but the peak, in one statement (1 query).

    The same rules as `visit_counts`, `new_participants` (a visit is a participant's first
    when no live visit of theirs anywhere comes before it, by check-in then id: one such visit
    per participant at most) and `median_visit_minutes` (only the one or two middle durations
    leave the database); a visit counts once under each substance and each route it lists.
    """
    live = Visit.objects.filter(_scoped(scope, time="checked_in_at"), voided=False).order_by()
    day_visits = live.values_list("pk", "participant", "kind", "checked_in_at")
    in_scope = _scoped(scope, time="visit__checked_in_at", site="visit__site")
    substances = (
        VisitSubstance.objects.filter(in_scope, visit__voided=False)
        .values("substance")
        .annotate(n=Count("visit", distinct=True))
        .order_by()
        .values_list("substance", "n")
    )
    routes = (
        VisitRoute.objects.filter(in_scope, visit__voided=False)
        .values("route")
        .annotate(n=Count("visit", distinct=True))
        .order_by()
        .values_list("route", "n")
    )
    durations = (
        live.filter(kind=Visit.Kind.CONSUMPTION, checked_out_at__isnull=False)
        .annotate(
            duration=ExpressionWrapper(F("checked_out_at") - F("checked_in_at"), DurationField())
        )
        .values_list("duration")
    )
    parts = {
        "substances": _compiled(substances),
        "routes": _compiled(routes),
        "durations": _compiled(durations),
        "day_visits": _compiled(day_visits),
    }
    sql = _VISITS.format(visits=Visit._meta.db_table, **{k: s for k, (s, _) in parts.items()})
    params = (Visit.Kind.CONSUMPTION.value, Visit.Kind.SERVICE_ONLY.value)
    for name in ("substances", "routes", "durations", "day_visits"):
        params += parts[name][1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    visits, consumption, service_only, anonymous, unique, new, by_substance, by_route, middle = row
    median = None
    if middle:
        seconds = sum(d.total_seconds() for d in middle) / len(middle)
        median = round(seconds / 60, 1)
    return {
        "visits": visits,
        "consumption_visits": consumption,
        "service_only_visits": service_only,
        "anonymous_visits": anonymous,
        "unique_participants": unique,
        "new_participants": new,
        "visits_by_substance": _zeroed_map(Substance.values, _json(by_substance)),
        "visits_by_route": _zeroed_map(Route.values, _json(by_route)),
        "median_visit_minutes": median,
    }


def _zeroed_map(choices: list[str], found: dict[str, int] | None) -> dict[str, int]:
    counts = dict.fromkeys(choices, 0)
    counts.update(found or {})
    return counts


_IN_PARENTHESES = "({sql})"
_OPEN_AT_START = "(SELECT COUNT(*) FROM ({stays}) AS open_at_start)"
_COLUMNS = "SELECT {columns}"


def peak_occupancy_at_once(scope: Scope) -> int:
    """`peak_occupancy` in one statement: the sweep, and beside it the visits still open at the
    start of each span (1 query)."""
    if not scope.spans:
        return 0
    first = min(span.start for span in scope.spans)
    last = max(span.end for span in scope.spans)
    overlapping = (
        _stays_overlapping(scope, first, last)
        .annotate(
            counted=Case(
                When(scope.q(time="checked_in_at"), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by()
        .values_list("checked_in_at", "checked_out_at", "counted")
    )
    sweep_sql, params = _compiled(overlapping)
    columns = [_IN_PARENTHESES.format(sql=_SWEEP.format(stays=sweep_sql))]
    for span in scope.spans:
        open_at_start = (
            _stays_overlapping(scope, span.start, span.start)
            .filter(site=span.site, checked_in_at__lt=span.start)
            .order_by()
            .values_list("pk")
        )
        sql, more = _compiled(open_at_start)
        columns.append(_OPEN_AT_START.format(stays=sql))
        params += more
    with connection.cursor() as cursor:
        cursor.execute(_COLUMNS.format(columns=", ".join(columns)), params)
        row = cursor.fetchone()
    return max(int(row[0] or 0), *(int(n) for n in row[1:]))


def incident_figures(scope: Scope) -> Metrics:
    """`incident_counts` in one aggregate: each incident with the number of its live naloxone
    actions beside it (1 query)."""
    live_actions = IncidentAction.objects.filter(incident=OuterRef("pk"), voided=False)
    naloxone = (
        live_actions.filter(kind=IncidentAction.Kind.NALOXONE)
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    overdose = Q(kind__in=OVERDOSE_KINDS)
    figures = (
        Incident.objects.filter(_scoped(scope, time="started_at"), voided=False)
        .annotate(
            naloxone=Coalesce(Subquery(naloxone, output_field=IntegerField()), 0),
            had_ems=Exists(live_actions.filter(kind=IncidentAction.Kind.EMS_CALLED)),
        )
        .aggregate(
            overdoses=Count("pk", filter=overdose),
            fatal_overdoses=Count("pk", filter=overdose & Q(outcome=Incident.Outcome.DECEASED)),
            overdoses_with_naloxone=Count("pk", filter=overdose & Q(naloxone__gt=0)),
            ems_calls=Count("pk", filter=Q(had_ems=True)),
            transports=Count("pk", filter=Q(outcome=Incident.Outcome.TRANSPORTED)),
            other_medical_emergencies=Count("pk", filter=Q(kind=Incident.Kind.OTHER_MEDICAL)),
            naloxone_doses=Coalesce(Sum("naloxone", filter=overdose), 0),
        )
    )
    return figures


_CARE = """
    SELECT services.by_kind, checks.*, supplies.by_item, categories.by_category, referrals.*
    FROM
        (SELECT jsonb_object_agg(k, n) FROM ({services}) AS s (k, n)) AS services (by_kind),
        (SELECT COUNT(*),
                COUNT(*) FILTER (WHERE c.fentanyl = %s),
                COUNT(*) FILTER (WHERE c.benzodiazepine = %s),
                COUNT(*) FILTER (WHERE c.xylazine = %s),
                COUNT(*) FILTER (WHERE c.nitazene = %s)
         FROM ({checks}) AS c (fentanyl, benzodiazepine, xylazine, nitazene)) AS checks,
        (SELECT jsonb_object_agg(k, n) FROM ({supplies}) AS l (k, n)) AS supplies (by_item),
        (SELECT jsonb_object_agg(k, n) FROM ({categories}) AS c (k, n)) AS categories (by_category),
        (SELECT COUNT(*),
                COUNT(*) FILTER (WHERE r.destination = %s),
                COUNT(*) FILTER (WHERE r.destination = %s),
                COUNT(*) FILTER (WHERE r.was_accepted)
         FROM ({referrals}) AS r (destination, was_accepted)) AS referrals
"""


def care_figures(scope: Scope) -> Metrics:
    """Services by kind, drug checks and their positives, supplies, referrals by category and
    their totals (the same rules as `services_by_kind` and `referral_totals`), in one statement
    (1 query)."""
    services = Service.objects.filter(_scoped(scope, time="at"), voided=False).order_by()
    by_kind = services.values("kind").annotate(n=Count("pk")).values_list("kind", "n")
    checks = (
        DrugCheck.objects.filter(service__in=services)
        .order_by()
        .values_list("fentanyl", "benzodiazepine", "xylazine", "nitazene")
    )
    supplies = (
        SupplyLine.objects.filter(service__in=services)
        .values("item")
        .annotate(n=Sum("quantity"))
        .order_by()
        .values_list("item", "n")
    )
    referrals = Referral.objects.filter(_scoped(scope, time="at"), voided=False).order_by()
    by_category = referrals.values("category").annotate(n=Count("pk")).values_list("category", "n")
    accepted = ReferralStatusChange.objects.filter(
        referral=OuterRef("pk"), status=ReferralStatus.ACCEPTED
    )
    with_acceptance = referrals.annotate(was_accepted=Exists(accepted)).values_list(
        "destination", "was_accepted"
    )
    parts = [
        _compiled(by_kind),
        _compiled(checks),
        _compiled(supplies),
        _compiled(by_category),
        _compiled(with_acceptance),
    ]
    sql = _CARE.format(
        services=parts[0][0],
        checks=parts[1][0],
        supplies=parts[2][0],
        categories=parts[3][0],
        referrals=parts[4][0],
    )
    positive = TestResult.POSITIVE.value
    params = parts[0][1] + (positive,) * 4 + parts[1][1] + parts[2][1] + parts[3][1]
    params += (Referral.Destination.ONSITE_CONNECTED.value, Referral.Destination.OFFSITE.value)
    params += parts[4][1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    kinds, n_checks, fentanyl, benzo, xylazine, nitazene, items, categories, *refs = row
    return {
        "services_by_kind": _zeroed_map(ServiceKind.values, _json(kinds)),
        "drug_checks": n_checks,
        "drug_checks_fentanyl_positive": fentanyl,
        "drug_checks_benzodiazepine_positive": benzo,
        "drug_checks_xylazine_positive": xylazine,
        "drug_checks_nitazene_positive": nitazene,
        "supplies_by_item": _zeroed_map(SupplyItem.values, _json(items)),
        "referrals_by_category": _zeroed_map(ReferralCategory.values, _json(categories)),
        "referrals": refs[0],
        "referrals_onsite": refs[1],
        "referrals_offsite": refs[2],
        "referrals_accepted": refs[3],
    }
