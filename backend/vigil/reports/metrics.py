"""The counting rules of docs/domain.md, as aggregate queries (GROUP BY in the database).

Every function takes a Scope (sites and their local-day spans) and returns indicators. Voided
records never count. The number of queries is fixed: it does not grow with the table.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
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
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import ExtractHour
from django.db.models.lookups import GreaterThan

from vigil.alerts.models import Alert
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
from vigil.core.calendar import local_day_bounds
from vigil.incidents.models import Incident, IncidentAction
from vigil.incidents.rules import OVERDOSE_KINDS
from vigil.participants.models import Gender, Participant
from vigil.reports.scope import Scope
from vigil.safety.models import Complaint, Restriction, TurnAway, TurnAwayReason
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
    """visits, consumption/service-only/anonymous visits, unique participants, and the visits
    flagged at check-in: assisted (by a peer or staff) and sharing a supply (1 query)."""
    return Visit.objects.filter(scope.q(time="checked_in_at"), voided=False).aggregate(
        visits=Count("pk"),
        consumption_visits=Count("pk", filter=Q(kind=Visit.Kind.CONSUMPTION)),
        service_only_visits=Count("pk", filter=Q(kind=Visit.Kind.SERVICE_ONLY)),
        anonymous_visits=Count("pk", filter=Q(participant=None)),
        unique_participants=Count("participant", distinct=True),
        assisted_visits=Count("pk", filter=~Q(assisted=Visit.Assisted.NONE)),
        shared_supply_visits=Count("pk", filter=Q(shared_supply=True)),
    )


def visits_by_choice(scope: Scope) -> Metrics:
    """A visit counts once under each substance and each route it lists (2 queries)."""
    in_scope = scope.q(time="visit__checked_in_at", site="visit__site")
    substances = (
        VisitSubstance.objects.filter(in_scope, visit__voided=False)
        .values("substance")
        .annotate(n=Count("visit", distinct=True))
        .order_by()
    )
    routes = (
        VisitRoute.objects.filter(in_scope, visit__voided=False)
        .values("route")
        .annotate(n=Count("visit", distinct=True))
        .order_by()
    )
    return {
        "visits_by_substance": _zeroed(Substance.values, substances, "substance"),
        "visits_by_route": _zeroed(Route.values, routes, "route"),
    }


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

    The same rules as `visit_counts` (distinct participants) and `new_participants`, which
    answer for databases without DISTINCT ON and row comparison (SQLite, the embedded mode).
    """
    if connection.vendor != "postgresql":
        return {
            "unique_participants": visit_counts(scope)["unique_participants"],
            "new_participants": new_participants(scope),
        }
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


# Age at the first visit of the period (visit year - birth year), in the bands of docs/domain.md: the
# lowest age of each band, youngest first; a person without a birth year is `unknown`.
AGE_BANDS: tuple[tuple[str, int], ...] = (
    ("under_20", 0),
    ("20_29", 20),
    ("30_39", 30),
    ("40_49", 40),
    ("50_59", 50),
    ("60_plus", 60),
)
AGE_UNKNOWN = "unknown"
AGE_BAND_KEYS = [band for band, _ in AGE_BANDS] + [AGE_UNKNOWN]
GENDER_KEYS = list(Gender.values)
# The tables of participant_demographics: distinct people, recomputed over a period.
UNIQUE_DEMOGRAPHICS = tuple(
    f"participants_by_{table}" for table in ("age_band", "gender", "age_gender")
)


def _scope_years(scope: Scope) -> tuple[set[int], Case]:
    """The local calendar years the scope covers, and the local year of a visit's check-in
    (a period may cross the new year, at a different instant in each time zone)."""
    whens = []
    years = set()
    for span in scope.spans:
        zone = span.site.zone
        first = span.start.astimezone(zone).date()
        last = (span.end - timedelta(microseconds=1)).astimezone(zone).date()
        years.update({first.year, last.year})
        for year in range(last.year, first.year, -1):
            new_year, _ = local_day_bounds(date(year, 1, 1), zone)
            whens.append(When(site=span.site, checked_in_at__gte=new_year, then=Value(year)))
        whens.append(When(site=span.site, then=Value(first.year)))
    return years, Case(*whens, default=Value(None), output_field=IntegerField())


def _age_bands(age: Any, birth_year: str) -> Case:
    return Case(
        *(
            When(
                GreaterThan(age, low - 1) if low else Q(**{f"{birth_year}__isnull": False}),
                then=Value(band),
            )
            for band, low in reversed(AGE_BANDS)
        ),
        default=Value(AGE_UNKNOWN),
    )


def participant_demographics(scope: Scope, *, with_new: bool = True) -> Metrics:
    """Unique and new participants of the scope by age band and gender, and crossed (1 query).

    Age is the local year of a person's first visit in the scope minus their birth year; new
    is a person whose first live visit anywhere in the network is one of the scope's visits
    (as `new_participants`). The margins are sums of the table, so every table adds up to
    unique_participants (or new_participants). `with_new=False` leaves the new participants'
    tables out (a period adds them up from its days: one index probe per visit saved).

    Within one calendar year (every day, most periods) the year is one constant: the scope's
    visits, by the site-day index, each person counted once in their cell. A period across
    the new year reads each person's first visit in the scope instead.
    """
    in_scope = Visit.objects.filter(scope.q(time="checked_in_at"), voided=False)
    years, local_year = _scope_years(scope)
    first_anywhere = Visit.objects.filter(voided=False).order_by("checked_in_at", "pk")
    rows: QuerySet[Any, dict[str, Any]]
    if len(years) <= 1:
        year = Value(years.pop() if years else 0, output_field=IntegerField())
        first_id = Subquery(
            first_anywhere.filter(participant=OuterRef("participant")).values("pk")[:1]
        )
        visits = in_scope.filter(participant__isnull=False).annotate(
            band=_age_bands(year - F("participant__birth_year"), "participant__birth_year"),
            gender=F("participant__gender"),
            first_id=first_id if with_new else Value(None, output_field=UUIDField()),
        )
        rows = (
            visits.values("band", "gender")
            .annotate(
                n=Count("participant", distinct=True),
                new=Count("participant", distinct=True, filter=Q(pk=F("first_id"))),
            )
            .order_by()
        )
    else:
        theirs = in_scope.filter(participant=OuterRef("pk")).order_by("checked_in_at", "pk")
        first_visit = Subquery(first_anywhere.filter(participant=OuterRef("pk")).values("pk")[:1])
        rows = (
            Participant.objects.filter(pk__in=in_scope.values("participant"))
            .annotate(year=Subquery(theirs.annotate(year=local_year).values("year")[:1]))
            .annotate(
                band=_age_bands(F("year") - F("birth_year"), "birth_year"),
                is_new=Exists(in_scope.filter(pk=first_visit)) if with_new else Value(False),
            )
            .values("band", "gender")
            .annotate(n=Count("pk"), new=Count("pk", filter=Q(is_new=True)))
            .order_by()
        )
    tables: dict[str, dict[str, dict[str, int]]] = {
        which: {band: dict.fromkeys(GENDER_KEYS, 0) for band in AGE_BAND_KEYS}
        for which in ("n", "new")
    }
    for row in rows:  # at most one row per cell of the table: 7 bands x 4 genders
        for which, table in tables.items():
            table[row["band"]][row["gender"]] = row[which]
    result: Metrics = {}
    whose = [("participants", "n")] + ([("new_participants", "new")] if with_new else [])
    for prefix, which in whose:
        table = tables[which]
        result[f"{prefix}_by_age_band"] = {b: sum(table[b].values()) for b in AGE_BAND_KEYS}
        result[f"{prefix}_by_gender"] = {
            g: sum(table[b][g] for b in AGE_BAND_KEYS) for g in GENDER_KEYS
        }
        result[f"{prefix}_by_age_gender"] = table
    return result


# Visits by local check-in time (docs/domain.md): the first hour of each band, in the day's order.
TIME_BANDS: tuple[tuple[str, int, int], ...] = (
    ("07_12", 7, 12),
    ("12_17", 12, 17),
    ("17_22", 17, 22),
    ("22_03", 22, 3),
    ("03_07", 3, 7),
)


def visits_by_time_band(scope: Scope) -> dict[str, int]:
    """Visits by the local hour of their check-in, each site in its own time zone (1 query)."""
    hour = Case(
        *(
            When(site=span.site, then=ExtractHour("checked_in_at", tzinfo=span.site.zone))
            for span in scope.spans
        ),
        output_field=IntegerField(),
    )
    bands = [
        When(
            Q(hour__gte=start, hour__lt=end)
            if start < end
            else Q(hour__gte=start) | Q(hour__lt=end),
            then=Value(band),
        )
        for band, start, end in TIME_BANDS
    ]
    rows = (
        Visit.objects.filter(scope.q(time="checked_in_at"), voided=False)
        .annotate(hour=hour)
        .annotate(band=Case(*bands))
        .values("band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _zeroed([band for band, _, _ in TIME_BANDS], rows, "band")


def per_thousand(numerator: int, visits: int) -> float | None:
    return round(1000 * numerator / visits, 2) if visits else None


def incident_counts(scope: Scope) -> Metrics:
    """Overdoses and emergencies started in the scope, how they were responded to, and the
    naloxone given (3 queries).

    An action counts unless it was voided (a mis-tap); an incident unless it was voided.
    An overdose was treated by EMS when the timeline has an `ems_arrived` action, by staff
    alone otherwise; its naloxone was given by staff when a dose came before EMS arrived.
    Every overdose is either with or without naloxone (oxygen, breathing, stimulation or
    monitoring only), and either staff-only or EMS-treated.
    """
    Kind = IncidentAction.Kind
    live_actions = IncidentAction.objects.filter(incident=OuterRef("pk"), voided=False)
    # An EMS crew already there when the naloxone was given: the dose is not the staff's alone.
    ems_there = IncidentAction.objects.filter(
        incident=OuterRef("incident"), voided=False, kind=Kind.EMS_ARRIVED, at__lte=OuterRef("at")
    )
    overdose = Q(kind__in=OVERDOSE_KINDS)
    in_scope = Incident.objects.filter(scope.q(time="started_at"), voided=False)
    incidents = in_scope.annotate(
        had_naloxone=Exists(live_actions.filter(kind=Kind.NALOXONE)),
        had_ems=Exists(live_actions.filter(kind=Kind.EMS_CALLED)),
        ems_arrived=Exists(live_actions.filter(kind=Kind.EMS_ARRIVED)),
        had_oxygen=Exists(live_actions.filter(kind=Kind.OXYGEN)),
        naloxone_by_staff=Exists(live_actions.filter(~Exists(ems_there), kind=Kind.NALOXONE)),
    ).aggregate(
        overdoses=Count("pk", filter=overdose),
        fatal_overdoses=Count("pk", filter=overdose & Q(outcome=Incident.Outcome.DECEASED)),
        overdoses_with_naloxone=Count("pk", filter=overdose & Q(had_naloxone=True)),
        overdoses_without_naloxone=Count("pk", filter=overdose & Q(had_naloxone=False)),
        overdoses_naloxone_by_staff=Count("pk", filter=overdose & Q(naloxone_by_staff=True)),
        overdoses_staff_only=Count("pk", filter=overdose & Q(ems_arrived=False)),
        overdoses_ems_treated=Count("pk", filter=overdose & Q(ems_arrived=True)),
        overdoses_with_oxygen=Count("pk", filter=overdose & Q(had_oxygen=True)),
        overdose_ems_calls=Count("pk", filter=overdose & Q(had_ems=True)),
        ems_calls=Count("pk", filter=Q(had_ems=True)),
        transports=Count("pk", filter=Q(outcome=Incident.Outcome.TRANSPORTED)),
        other_medical_emergencies=Count("pk", filter=Q(kind=Incident.Kind.OTHER_MEDICAL)),
        police_attended=Count("pk", filter=Q(police_attended=True)),
    )
    by_kind = in_scope.values("kind").annotate(n=Count("pk")).order_by()
    incidents["incidents_by_kind"] = _zeroed(Incident.Kind.values, by_kind, "kind")
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


def care_counts(scope: Scope) -> Metrics:
    """Services by kind, drug checks and their positives, supplies, referrals (5 queries)."""
    services = Service.objects.filter(scope.q(time="at"), voided=False)
    positive = TestResult.POSITIVE
    checks = DrugCheck.objects.filter(service__in=services).aggregate(
        drug_checks=Count("pk"),
        drug_checks_fentanyl_positive=Count("pk", filter=Q(fentanyl=positive)),
        drug_checks_benzodiazepine_positive=Count("pk", filter=Q(benzodiazepine=positive)),
        drug_checks_xylazine_positive=Count("pk", filter=Q(xylazine=positive)),
        drug_checks_nitazene_positive=Count("pk", filter=Q(nitazene=positive)),
    )
    supplies = (
        SupplyLine.objects.filter(service__in=services)
        .values("item")
        .annotate(n=Sum("quantity"))
        .order_by()
    )
    by_category = (
        Referral.objects.filter(scope.q(time="at"), voided=False)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "services_by_kind": services_by_kind(scope),
        **checks,
        "supplies_by_item": _zeroed(SupplyItem.values, supplies, "item"),
        "referrals_by_category": _zeroed(ReferralCategory.values, by_category, "category"),
        **referral_totals(scope),
    }


def safety_counts(scope: Scope) -> Metrics:
    """The floor's safety operations: turn-aways by reason, restrictions started, alerts
    posted by source, complaints received by category (4 queries).

    A person who left the waiting list is counted once, by the capacity turn-away recorded
    when they left (never again as a waiting-list entry). Alerts are never voided; each site's
    copy of a network alert counts at its site.
    """
    turnaways = (
        TurnAway.objects.filter(scope.q(time="at"), voided=False)
        .values("reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    alerts = (
        Alert.objects.filter(scope.q(time="created_at"))
        .values("source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    complaints = (
        Complaint.objects.filter(scope.q(time="received_at"), voided=False)
        .values("category")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "turnaways_by_reason": _zeroed(TurnAwayReason.values, turnaways, "reason"),
        "restrictions_started": Restriction.objects.filter(
            scope.q(time="starts_at"), voided=False
        ).count(),
        "alerts_by_source": _zeroed(Alert.Source.values, alerts, "source"),
        "complaints_by_category": _zeroed(Complaint.Category.values, complaints, "category"),
    }
