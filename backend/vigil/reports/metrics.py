"""The counting rules of docs/domain.md, as aggregate queries (GROUP BY in the database).

Every function takes a Scope (sites and their local-day spans) and returns indicators. Voided
records never count. The number of queries is fixed: it does not grow with the table.

The statements of a site-day (`visit_figures`, `tallies`, `stay_figures`, `incident_counts`,
`care_counts`) are built in two parts: a builder, run once per process for a shape of scope
(`Spans`: the number of spans, never their values) and cached as SQL (`reports.statements`),
and the reading of its rows, which binds the scope's values (`Scope.values()`) at execution.
"""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    UUIDField,
    Value,
    When,
)
from django.db.models.functions import Concat, ExtractHour
from django.db.models.lookups import GreaterThan, LessThan

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
from vigil.core.prepared import Param
from vigil.incidents.models import Incident, IncidentAction
from vigil.incidents.rules import OVERDOSE_KINDS
from vigil.participants.models import Gender, Participant
from vigil.reports.scope import Scope, Span, Spans
from vigil.reports.statements import Statement, prepared
from vigil.safety.models import Complaint, Restriction, TurnAway, TurnAwayReason
from vigil.visits.models import Route, Substance, Visit, VisitRoute, VisitSubstance

Metrics = dict[str, Any]
# A stay longer than this is rare (a visit left open): such stays have their own index (see
# visits/migrations/0002_visit_long_stay_idx.py, whose predicate repeats this value).
LONG_STAY = timedelta(hours=12)


def _zeroed(choices: list[str], counts: dict[str, int]) -> dict[str, int]:
    """Every choice, with 0 for those not counted."""
    return dict.fromkeys(choices, 0) | counts


def _by(rows: Iterable[dict[str, Any]], key: str) -> dict[str, int]:
    return {row[key]: row["n"] for row in rows}


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


def _tallies(branches: dict[str, QuerySet[Any, dict[str, Any]]]) -> Statement:
    """Several small tallies in one statement (UNION ALL): each branch a queryset of rows
    `key, n` (`values(key=...).annotate(n=...)`), named by its tally (rows `key, n, tally`)."""
    parts = [
        rows.annotate(tally=Value(name, output_field=CharField()))
        .values("key", "n", "tally")
        .order_by()
        for name, rows in branches.items()
    ]
    first, *rest = parts
    return Statement.of(first.union(*rest, all=True))


def _choice_tallies(scope: Spans) -> dict[str, QuerySet[Any, dict[str, Any]]]:
    """A visit counts once under each substance and each route it lists."""
    in_scope = scope.q(time="visit__checked_in_at", site="visit__site")
    n = Count("visit", distinct=True)
    return {
        "visits_by_substance": VisitSubstance.objects.filter(in_scope, visit__voided=False)
        .values(key=F("substance"))
        .annotate(n=n),
        "visits_by_route": VisitRoute.objects.filter(in_scope, visit__voided=False)
        .values(key=F("route"))
        .annotate(n=n),
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


def _stays_overlapping(
    sites: Q,
    start: Any,
    end: Any,
    since: Any,
    *,
    columns: Callable[[QuerySet[Visit]], QuerySet[Any, Any]],
    empty_at_start: bool = False,
) -> QuerySet[Any, Any]:
    """Consumption visits of the `sites` whose stay [checked_in_at, checked_out_at) overlaps
    [start, end), an open visit's stay having no end; `empty_at_start` adds the stays of no
    time at `start` (checked out as they were checked in: never open, but finished). `since`
    is `start` - LONG_STAY; each is a datetime or a `Param`. `columns` makes the rows of a
    branch (`annotate(...).values_list(...)`).

    Two index ranges, never a site's whole history, read as two branches of a UNION ALL:
    visits checked in from LONG_STAY before `start` (the site-day index), and the few that
    stayed longer than LONG_STAY or are still open (visit_long_stay_idx, whose predicate the
    second branch repeats). One OR of the two in a single WHERE, the planner could not match
    to the two indexes: it read every visit of the site, 250,000 at 10 M visits.
    """
    still_there = Q(checked_out_at__isnull=True) | Q(checked_out_at__gt=start)
    if empty_at_start:
        still_there |= Q(checked_in_at=start, checked_out_at=start)
    long_stay = Q(checked_out_at__isnull=True) | Q(
        GreaterThan(
            ExpressionWrapper(F("checked_out_at") - F("checked_in_at"), DurationField()),
            LONG_STAY,
        )
    )
    stays = Visit.objects.filter(still_there, sites, voided=False, kind=Visit.Kind.CONSUMPTION)
    recent = columns(stays.filter(checked_in_at__gte=since, checked_in_at__lt=end)).order_by()
    earlier = columns(stays.filter(Q(checked_in_at__lt=since) & long_stay)).order_by()
    return recent.union(earlier, all=True)


_SWEEP = """
    WITH stays (t_in, t_out, counted) AS ({stays}),
    events (at, step, counted) AS (
        SELECT t_in, 1, counted FROM stays
        UNION ALL
        SELECT t_out, -1, 0 FROM stays WHERE t_out IS NOT NULL
    )
    SELECT MAX(CASE WHEN counted = 1 THEN open_then END),
           SUM(CASE WHEN counted = 0 AND step = 1 THEN 1 ELSE 0 END)
    FROM (
        SELECT counted, step, SUM(step) OVER (
            ORDER BY at RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        ) AS open_then
        FROM events
    ) AS sweep
"""


def peak_occupancy(scope: Scope) -> int:
    """Most consumption visits open at one moment (1 query, plus 1 per site span when the
    scope has several).

    Occupancy only rises at a check-in, so the peak is the largest number of visits open at
    some check-in in the scope, or at the start of a span (visits still open from before).

    1. Take the consumption visits of the scope's sites whose stay overlaps the scope's time.
    2. Sweep their check-ins (+1) and check-outs (-1) in time order: the running sum at a
       check-in, counting every event at that same instant, is the number of visits open then.
    3. The peak is the largest sum at a check-in of the scope, or at the start of a span.
       With one span (a site-day), the stays checked in before it are exactly those still
       open at its start: the same statement counts them.
    """
    if not scope.spans:
        return 0
    first = min(span.start for span in scope.spans)
    last = max(span.end for span in scope.spans)
    sites = Q(site__in=scope.site_ids)
    overlapping = _stays_overlapping(
        sites,
        first,
        last,
        first - LONG_STAY,
        columns=lambda stays: stays.annotate(
            counted=Case(
                When(scope.q(time="checked_in_at"), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        ).values_list("checked_in_at", "checked_out_at", "counted"),
    )
    # The ORM compiles the overlapping stays (their values stay parameters); SQL sweeps them.
    sql, params = overlapping.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_SWEEP.format(stays=sql), params)
        row = cursor.fetchone()
    peak, before = (int(row[0] or 0), int(row[1] or 0)) if row else (0, 0)
    if len(scope.spans) == 1:
        return max(peak, before)
    for span in scope.spans:
        open_at_start = _stays_overlapping(
            Q(site=span.site),
            span.start,
            span.start,
            span.start - LONG_STAY,
            columns=lambda stays: stays.values_list("pk"),
        )
        peak = max(peak, open_at_start.count())
    return peak


_STAYS = """
    WITH stays (t_in, t_out, counted, stay) AS ({inner}),
    events (at, step, counted) AS (
        SELECT t_in, 1, counted FROM stays
        UNION ALL
        SELECT t_out, -1, 0 FROM stays WHERE t_out IS NOT NULL
    ),
    sweep (counted, step, open_then) AS (
        SELECT counted, step, SUM(step) OVER (
            ORDER BY at RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW
        )
        FROM events
    ),
    finished (stay, stay_rank, n) AS (
        SELECT stay, ROW_NUMBER() OVER (ORDER BY stay), COUNT(*) OVER ()
        FROM stays WHERE counted = 1 AND t_out IS NOT NULL
    )
    SELECT peak.at_check_in, peak.before, middle.low, middle.high
    FROM (
        SELECT MAX(CASE WHEN counted = 1 THEN open_then END) AS at_check_in,
               SUM(CASE WHEN counted = 0 AND step = 1 THEN 1 ELSE 0 END) AS before
        FROM sweep
    ) AS peak, (
        SELECT MIN(stay) AS low, MAX(stay) AS high FROM finished
        WHERE stay_rank >= (n + 1) / 2 AND stay_rank <= n / 2 + 1
    ) AS middle
"""


def _duration(value: Any) -> timedelta:
    """A duration as the database gives it: an interval, or microseconds (SQLite)."""
    return value if isinstance(value, timedelta) else timedelta(microseconds=int(value))


@prepared
def _stay_statement() -> Statement:
    """The statement of `stay_figures` (one span; `since` its start - LONG_STAY)."""
    scope = Spans(1)
    start, end = Param("start_0", DateTimeField()), Param("end_0", DateTimeField())
    sites = Q(site=Param("site_0", UUIDField()))
    since = Param("since", DateTimeField())
    stays = _stays_overlapping(
        sites,
        start,
        end,
        since,
        empty_at_start=True,
        columns=lambda stays: stays.annotate(
            counted=Case(
                When(scope.q(time="checked_in_at"), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            stay=ExpressionWrapper(F("checked_out_at") - F("checked_in_at"), DurationField()),
        ).values_list("checked_in_at", "checked_out_at", "counted", "stay"),
    )
    return Statement.of(stays).within(_STAYS)


def stay_figures(scope: Scope) -> Metrics:
    """median_visit_minutes and peak_occupancy of a site-day in one statement (1 query; a
    scope of several spans takes `median_visit_minutes` and `peak_occupancy`).

    The stays of `peak_occupancy` (those checked in before the day and still open at its
    start, and the day's own) hold the day's finished consumption visits too: the sweep gives
    the peak, and the day's stays ranked by duration give the middle one or two (the stays of
    no time at the very start of the day, never open, are added for the median alone: at
    that instant they check in and out together, and change no running sum).
    """
    if len(scope.spans) != 1:
        return {
            "median_visit_minutes": median_visit_minutes(scope),
            "peak_occupancy": peak_occupancy(scope),
        }
    (span,) = scope.spans
    values = scope.values() | {"since": span.start - LONG_STAY}
    rows = _stay_statement().execute(values)
    at_check_in, before, low, high = rows[0] if rows else (None, None, None, None)
    median = None
    if low is not None:
        seconds = (_duration(low).total_seconds() + _duration(high).total_seconds()) / 2
        median = round(seconds / 60, 1)
    return {
        "median_visit_minutes": median,
        "peak_occupancy": max(int(at_check_in or 0), int(before or 0)),
    }


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
    return _demographic_tables(rows, with_new=with_new)


def _demographic_tables(rows: Iterable[dict[str, Any]], *, with_new: bool) -> Metrics:
    """The tables of participant_demographics from its rows: one per cell of the table, with
    its people (n) and new people (new); a row without a gender (anonymous visits) has none."""
    tables: dict[str, dict[str, dict[str, int]]] = {
        which: {band: dict.fromkeys(GENDER_KEYS, 0) for band in AGE_BAND_KEYS}
        for which in ("n", "new")
    }
    for row in rows:  # at most one row per cell of the table: 7 bands x 4 genders
        if row["gender"] is None:
            continue
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


def _local_hour(scope: Scope) -> Any:
    """The local hour of a visit's check-in, in its site's time zone."""
    if len(scope.spans) == 1:
        return ExtractHour("checked_in_at", tzinfo=scope.spans[0].site.zone)
    return Case(
        *(
            When(site=span.site, then=ExtractHour("checked_in_at", tzinfo=span.site.zone))
            for span in scope.spans
        ),
        output_field=IntegerField(),
    )


def _in_time_band(hour: Any, start: int, end: int) -> Q:
    after, before = Q(GreaterThan(hour, start - 1)), Q(LessThan(hour, end))
    return after & before if start < end else after | before


def time_band_of(hour: int) -> str:
    for band, start, end in TIME_BANDS:
        if start <= hour < end or (end < start and (hour >= start or hour < end)):
            return band
    raise ValueError(hour)


QUARTER = timedelta(minutes=15)


def time_band_intervals(span: Span) -> dict[str, list[tuple[datetime, datetime]]] | None:
    """For each time band, the intervals [from, to) of the span's instants whose local hour
    falls in it (comparisons of check-in times the site-day index serves, instead of
    converting every check-in to local time in the database).

    The span is walked a quarter of an hour at a time from its local midnight: the local hour
    is constant on each quarter as long as the local time at its start is a whole quarter and
    the offset does not change within it (a DST change falls on a quarter in every zone
    today). None when the span breaks that, or misses a band: the caller then converts each
    check-in to its local hour in the database.
    """
    zone = span.site.zone
    at, end = span.start.astimezone(UTC), span.end.astimezone(UTC)
    intervals: dict[str, list[tuple[datetime, datetime]]] = {b: [] for b, _, _ in TIME_BANDS}
    band, since = None, at
    while at < end:
        local = at.astimezone(zone)
        after = min(at + QUARTER, end)
        last = (after - timedelta(microseconds=1)).astimezone(zone)
        if local.minute % 15 or local.second or local.microsecond:
            return None
        if last.utcoffset() != local.utcoffset():
            return None
        now = time_band_of(local.hour)
        if now != band:
            if band is not None:
                intervals[band].append((since, at))
            band, since = now, at
        at = after
    if band is not None:
        intervals[band].append((since, end))
    return intervals if all(intervals.values()) else None


# How many intervals each time band has, band by band (TIME_BANDS), in each span of a scope.
BandShape = tuple[tuple[int, ...], ...]


def _time_band_values(scope: Scope) -> tuple[BandShape, dict[str, datetime]] | None:
    """The intervals of `time_band_intervals` of each span, as the values `_time_band_ranges`
    binds (the n-th span's k-th interval of a band: `{band}_{n}_{k}_from` and `_to`), with
    their shape (None when a span has none, or there is no span)."""
    shape: list[tuple[int, ...]] = []
    values: dict[str, datetime] = {}
    for n, span in enumerate(scope.spans):
        intervals = time_band_intervals(span)
        if intervals is None:
            return None
        shape.append(tuple(len(intervals[band]) for band, _, _ in TIME_BANDS))
        for band, spans in intervals.items():
            for k, (since, until) in enumerate(spans):
                values |= {f"{band}_{n}_{k}_from": since, f"{band}_{n}_{k}_to": until}
    return (tuple(shape), values) if shape else None


def _time_band_ranges(shape: BandShape) -> dict[str, Q]:
    """The time bands as conditions on check-in times, each interval of `_time_band_values`
    bound by name (a span's site with it when there are several)."""
    ranges: dict[str, list[Q]] = {band: [] for band, _, _ in TIME_BANDS}
    for n, counts in enumerate(shape):
        where = Q(site=Param(f"site_{n}", UUIDField())) if len(shape) > 1 else Q()
        for (band, _, _), count in zip(TIME_BANDS, counts, strict=True):
            ranges[band] += [
                where
                & Q(
                    checked_in_at__gte=Param(f"{band}_{n}_{k}_from", DateTimeField()),
                    checked_in_at__lt=Param(f"{band}_{n}_{k}_to", DateTimeField()),
                )
                for k in range(count)
            ]
    return {band: reduce(operator.or_, parts) for band, parts in ranges.items()}


def visits_by_time_band(scope: Scope) -> dict[str, int]:
    """Visits by the local hour of their check-in, each site in its own time zone (1 query)."""
    rows = (
        Visit.objects.filter(scope.q(time="checked_in_at"), voided=False)
        .annotate(hour=_local_hour(scope))
        .annotate(
            band=Case(
                *(
                    When(_in_time_band(F("hour"), start, end), then=Value(band))
                    for band, start, end in TIME_BANDS
                )
            )
        )
        .values("band")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return _zeroed([band for band, _, _ in TIME_BANDS], _by(rows, "band"))


VISIT_COUNTS = (
    "visits",
    "consumption_visits",
    "service_only_visits",
    "anonymous_visits",
    "assisted_visits",
    "shared_supply_visits",
)


@prepared
def _visit_statement(shape: BandShape) -> Statement:
    """The statement of `visit_figures`, for spans of `shape` within one calendar year (the
    parameter `year`)."""
    year = Param("year", IntegerField())
    first_anywhere = Visit.objects.filter(voided=False, participant=OuterRef("participant"))
    counts = {
        "visits": Count("pk"),
        "consumption_visits": Count("pk", filter=Q(kind=Visit.Kind.CONSUMPTION)),
        "service_only_visits": Count("pk", filter=Q(kind=Visit.Kind.SERVICE_ONLY)),
        "anonymous_visits": Count("pk", filter=Q(participant=None)),
        "assisted_visits": Count("pk", filter=~Q(assisted=Visit.Assisted.NONE)),
        "shared_supply_visits": Count("pk", filter=Q(shared_supply=True)),
        "n": Count("participant", distinct=True),
        "new": Count("participant", distinct=True, filter=Q(pk=F("first_id"))),
    }
    by_band = {
        f"time_{band}": Count("pk", filter=within)
        for band, within in _time_band_ranges(shape).items()
    }
    # A person's cell ("band gender"), read by one index probe per visit: a join could scan
    # the whole participants table for a day's few hundred visits.
    person = Participant.objects.filter(pk=OuterRef("participant")).annotate(
        cell=Concat(_age_bands(year - F("birth_year"), "birth_year"), Value(" "), "gender")
    )
    return Statement.of(
        Visit.objects.filter(Spans(len(shape)).q(time="checked_in_at"), voided=False)
        .annotate(
            cell=Subquery(person.values("cell")[:1]),
            first_id=Subquery(first_anywhere.order_by("checked_in_at", "pk").values("pk")[:1]),
        )
        .values("cell")
        .annotate(**counts, **by_band)
        .order_by()
    )


def visit_figures(scope: Scope) -> Metrics:
    """Every figure of the scope's visits but their choices, median stay and peak: the counts
    of `visit_counts`, unique and new participants, their tables by age band and gender
    (`participant_demographics`) and the visits by time band (1 query within a calendar year).

    One pass over the scope's visits (the site-day index), grouped by the cell of the
    demographic table their person falls in (anonymous visits apart, without a gender). Within
    one calendar year a person has one cell, so the distinct people of the cells add up to
    unique_participants (and new_participants); every count of visits adds up over the cells.
    A period across the new year places a person by their first visit in the scope, and a
    zone whose local hours do not fall on quarters of an hour has no ranges of time bands:
    these take the separate queries instead.
    """
    years, _ = _scope_years(scope)
    time_bands = _time_band_values(scope)
    if len(years) > 1 or time_bands is None:
        separately: Metrics = visit_counts(scope)
        separately["new_participants"] = new_participants(scope)
        separately |= participant_demographics(scope)
        separately["visits_by_time_band"] = visits_by_time_band(scope)
        return separately
    shape, bounds = time_bands
    rows = _visit_statement(shape).rows(scope.values() | bounds | {"year": years.pop()})
    for row in rows:
        row["band"], row["gender"] = row["cell"].split(" ") if row["cell"] else (None, None)
    result: Metrics = {name: sum(row[name] for row in rows) for name in VISIT_COUNTS}
    result["unique_participants"] = sum(row["n"] for row in rows)
    result["new_participants"] = sum(row["new"] for row in rows)
    result |= _demographic_tables(rows, with_new=True)
    result["visits_by_time_band"] = {
        band: sum(row[f"time_{band}"] for row in rows) for band, _, _ in TIME_BANDS
    }
    return result


def per_thousand(numerator: int, visits: int) -> float | None:
    return round(1000 * numerator / visits, 2) if visits else None


@prepared
def _incident_statement(spans: int) -> Statement:
    """The statement of `incident_counts`: each incident with what its timeline holds."""
    Kind = IncidentAction.Kind

    def live(kind: str) -> Q:
        return Q(actions__kind=kind, actions__voided=False)

    return Statement.of(
        Incident.objects.filter(Spans(spans).q(time="started_at"), voided=False)
        .values("pk", "kind", "outcome", "police_attended")
        .annotate(
            doses=Count("actions", filter=live(Kind.NALOXONE)),
            first_dose=Min("actions__at", filter=live(Kind.NALOXONE)),
            ems_called=Count("actions", filter=live(Kind.EMS_CALLED)),
            ems_arrived=Min("actions__at", filter=live(Kind.EMS_ARRIVED)),
            oxygen=Count("actions", filter=live(Kind.OXYGEN)),
        )
        .order_by()
    )


def incident_counts(scope: Scope) -> Metrics:
    """Overdoses and emergencies started in the scope, how they were responded to, and the
    naloxone given (1 query: each incident with what its timeline holds, summed here).

    An action counts unless it was voided (a mis-tap); an incident unless it was voided.
    An overdose was treated by EMS when the timeline has an `ems_arrived` action, by staff
    alone otherwise; its naloxone was given by staff when a dose came before EMS arrived (its
    first dose before the first arrival: a dose at the same minute EMS arrived is theirs).
    Every overdose is either with or without naloxone (oxygen, breathing, stimulation or
    monitoring only), and either staff-only or EMS-treated.
    """
    incidents = _incident_statement(len(scope.spans)).rows(scope.values())
    result: Metrics = dict.fromkeys(
        (
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
        ),
        0,
    )
    by_kind = dict.fromkeys(Incident.Kind.values, 0)
    for row in incidents:
        by_kind[row["kind"]] += 1
        ems_called = row["ems_called"] > 0
        figures = {
            "ems_calls": ems_called,
            "transports": row["outcome"] == Incident.Outcome.TRANSPORTED,
            "other_medical_emergencies": row["kind"] == Incident.Kind.OTHER_MEDICAL,
            "police_attended": row["police_attended"],
        }
        if row["kind"] in OVERDOSE_KINDS:
            arrived = row["ems_arrived"]
            figures |= {
                "overdoses": True,
                "fatal_overdoses": row["outcome"] == Incident.Outcome.DECEASED,
                "overdoses_with_naloxone": row["doses"] > 0,
                "overdoses_without_naloxone": row["doses"] == 0,
                "overdoses_naloxone_by_staff": row["doses"] > 0
                and (arrived is None or row["first_dose"] < arrived),
                "overdoses_staff_only": arrived is None,
                "overdoses_ems_treated": arrived is not None,
                "overdoses_with_oxygen": row["oxygen"] > 0,
                "overdose_ems_calls": ems_called,
            }
            result["naloxone_doses"] += row["doses"]
        for name, counts in figures.items():
            result[name] += int(counts)
    result["incidents_by_kind"] = by_kind
    return result


@prepared
def _service_statement(spans: int) -> Statement:
    """The services of `care_counts`, grouped by kind, with their drug checks."""
    positive = TestResult.POSITIVE
    return Statement.of(
        Service.objects.filter(Spans(spans).q(time="at"), voided=False)
        .values("kind")
        .annotate(
            n=Count("pk"),
            drug_checks=Count("drug_check"),
            **{
                f"drug_checks_{target}_positive": Count(
                    "drug_check", filter=Q(**{f"drug_check__{target}": positive})
                )
                for target in DrugCheck.TARGETS
            },
        )
        .order_by()
    )


@prepared
def _referral_statement(spans: int) -> Statement:
    """The referrals of `care_counts`, grouped by category."""
    accepted = ReferralStatusChange.objects.filter(
        referral=OuterRef("pk"), status=ReferralStatus.ACCEPTED
    )
    return Statement.of(
        Referral.objects.filter(Spans(spans).q(time="at"), voided=False)
        .annotate(was_accepted=Exists(accepted))
        .values("category")
        .annotate(
            n=Count("pk"),
            referrals_onsite=Count(
                "pk", filter=Q(destination=Referral.Destination.ONSITE_CONNECTED)
            ),
            referrals_offsite=Count("pk", filter=Q(destination=Referral.Destination.OFFSITE)),
            referrals_accepted=Count("pk", filter=Q(was_accepted=True)),
        )
        .order_by()
    )


def care_counts(scope: Scope) -> Metrics:
    """Services by kind, drug checks and their positives, referrals by category, destination
    and acceptance (2 queries: the services grouped by kind with their drug checks, the
    referrals grouped by category). Supplies are in `tallies`."""
    values = scope.values()
    services = _service_statement(len(scope.spans)).rows(values)
    referrals = _referral_statement(len(scope.spans)).rows(values)
    checks = ["drug_checks"] + [f"drug_checks_{target}_positive" for target in DrugCheck.TARGETS]
    return {
        "services_by_kind": _zeroed(ServiceKind.values, _by(services, "kind")),
        **{name: sum(row[name] for row in services) for name in checks},
        "referrals_by_category": _zeroed(ReferralCategory.values, _by(referrals, "category")),
        "referrals": sum(row["n"] for row in referrals),
        **{
            name: sum(row[name] for row in referrals)
            for name in ("referrals_onsite", "referrals_offsite", "referrals_accepted")
        },
    }


@prepared
def _tally_statement(spans: int) -> Statement:
    """The statement of `tallies`."""
    scope = Spans(spans)
    return _tallies(
        {
            **_choice_tallies(scope),
            "supplies_by_item": SupplyLine.objects.filter(
                scope.q(time="service__at", site="service__site"), service__voided=False
            )
            .values(key=F("item"))
            .annotate(n=Sum("quantity")),
            "turnaways_by_reason": TurnAway.objects.filter(scope.q(time="at"), voided=False)
            .values(key=F("reason"))
            .annotate(n=Count("pk")),
            "restrictions_started": Restriction.objects.filter(
                scope.q(time="starts_at"), voided=False
            )
            .values(key=Value("", output_field=CharField()))
            .annotate(n=Count("pk")),
            "alerts_by_source": Alert.objects.filter(scope.q(time="created_at"))
            .values(key=F("source"))
            .annotate(n=Count("pk")),
            "complaints_by_category": Complaint.objects.filter(
                scope.q(time="received_at"), voided=False
            )
            .values(key=F("category"))
            .annotate(n=Count("pk")),
        }
    )


def tallies(scope: Scope) -> Metrics:
    """Every map of the scope counted by one key of one table, in one statement: visits by
    substance and by route, supplies handed out by item, and the floor's safety operations
    (turn-aways by reason, restrictions started, alerts posted by source, complaints received
    by category) (1 query).

    A person who left the waiting list is counted once, by the capacity turn-away recorded
    when they left (never again as a waiting-list entry). Alerts are never voided; each site's
    copy of a network alert counts at its site.
    """
    counted: dict[str, dict[str, int]] = defaultdict(dict)
    for row in _tally_statement(len(scope.spans)).rows(scope.values()):
        counted[row["tally"]][row["key"]] = int(row["n"] or 0)
    choices = {
        "visits_by_substance": Substance.values,
        "visits_by_route": Route.values,
        "supplies_by_item": SupplyItem.values,
        "turnaways_by_reason": TurnAwayReason.values,
        "alerts_by_source": Alert.Source.values,
        "complaints_by_category": Complaint.Category.values,
    }
    result: Metrics = {name: _zeroed(keys, counted[name]) for name, keys in choices.items()}
    result["restrictions_started"] = sum(counted["restrictions_started"].values())
    return result
