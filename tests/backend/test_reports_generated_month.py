"""A generated month at two sites, counted twice: by the reports, and here in plain Python.

October 2026 at harbour (Toronto, 12 booths) and eastside (Vancouver, 6 booths): a few hundred
visits (consumption in booths, service-only, anonymous, some never checked out, some voided or
corrected, some under a mistyped code merged afterwards), people visiting both sites or first
seen in September, overdoses with their naloxone and EMS taps (some taps voided), other
emergencies and non-medical incidents, services (drug checks with positives, supplies with
quantities), referrals followed up to accepted, declined or attended, and records on both
sides of each site's local midnight.

Every record goes through the service functions, as a supervisor of its site (the month is
past, so every record is backdated), so it follows the floor's rules. The test keeps its own
ledger of what it asked for (times, codes, kinds, what it voided) and computes every indicator
of docs/domain.md from that ledger: never from the database. The
ledger's figures are compared with the stored daily reports of every site-day, and with the
period figures of each site and of the network (directly and through the API).
"""

from __future__ import annotations

import random
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.conftest import TabletClient, World, make_user
from vigil.accounts.models import Membership, Role, User
from vigil.care.models import Referral, Service
from vigil.care.services import (
    NewReferral,
    NewService,
    referral_create,
    referral_status_change,
    referral_update,
    referral_void,
    service_create,
    service_update,
    service_void,
)
from vigil.incidents.models import Incident, IncidentAction
from vigil.incidents.services import (
    IncidentOpen,
    incident_open,
    incident_review,
    incident_submit,
    incident_update,
    incident_void,
)
from vigil.incidents.timeline import ActionTap, incident_action_record, incident_action_void
from vigil.participants.selectors import participant_by_code
from vigil.participants.services import participant_merge, participant_update
from vigil.reports.models import DailyReport
from vigil.reports.selectors import daily_reports, period_metrics
from vigil.safety.models import Complaint, Restriction, TurnAway
from vigil.safety.services import (
    RestrictionRequest,
    complaint_record,
    restriction_create,
    turnaway_record,
)
from vigil.sites.models import Booth, Site
from vigil.visits.models import Visit
from vigil.visits.services import (
    CheckIn,
    visit_check_in,
    visit_check_out,
    visit_update,
    visit_void,
)

SEED = 20261031
FIRST = date(2026, 10, 1)
LAST = date(2026, 10, 31)
DAYS = [FIRST + timedelta(days=n) for n in range((LAST - FIRST).days + 1)]
ZONES = {"harbour": ZoneInfo("America/Toronto"), "eastside": ZoneInfo("America/Vancouver")}
SITES = tuple(ZONES)
FOREVER = datetime(2100, 1, 1, tzinfo=UTC)

# The vocabularies of docs/domain.md, written out here rather than read from the models.
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
    "vein_care",
    "first_aid",
    "hiv_test",
    "hcv_test",
    "sti_test",
    "vaccination",
    "education",
    "counselling",
    "peer_support",
    "basic_needs",
    "respite",
    "naloxone_kit",
    "naloxone_training",
    "oat_start",
    "supplies",
    "drug_checking",
    "other",
)
SUPPLY_ITEMS = (
    "syringe",
    "cooker",
    "filter",
    "water",
    "tourniquet",
    "alcohol_swab",
    "pipe",
    "foil",
    "naloxone_kit",
    "test_strip",
    "sharps_container",
)
REFERRAL_CATEGORIES = (
    "oat",
    "withdrawal_management",
    "residential_treatment",
    "addiction_counselling",
    "mental_health",
    "primary_care",
    "hiv_hcv_care",
    "housing",
    "income_social",
    "legal",
    "identification",
    "food_basic_needs",
    "other",
)
DRUG_TARGETS = ("fentanyl", "benzodiazepine", "xylazine", "nitazene")
GENDERS = ("woman", "man", "non_binary", "unknown")
AGE_BANDS = ("under_20", "20_29", "30_39", "40_49", "50_59", "60_plus", "unknown")
TIME_BANDS = {  # the local check-in hours of each band
    "07_12": range(7, 12),
    "12_17": range(12, 17),
    "17_22": range(17, 22),
    "22_03": (22, 23, 0, 1, 2),
    "03_07": range(3, 7),
}
OVERDOSE = ("opioid_overdose", "stimulant_overdose")
NON_MEDICAL = ("violence", "needlestick", "substance_found", "privacy_breach", "other")
INCIDENT_KINDS = (*OVERDOSE, "other_medical", *NON_MEDICAL)
# A test strip answers for its one target only.
TURNAWAY_REASONS = ("capacity", "restriction", "intoxication", "eligibility", "closed", "other")
COMPLAINT_CATEGORIES = (
    "service",
    "staff_conduct",
    "safety",
    "privacy",
    "accessibility",
    "restriction",
    "neighbourhood",
    "other",
)
ALERT_SOURCES = ("manual", "overdose_cluster", "drug_check")
STRIP_TARGET = {
    "fentanyl_strip": "fentanyl",
    "benzo_strip": "benzodiazepine",
    "xylazine_strip": "xylazine",
}


def canonical(code: str) -> str:
    """A visit code as docs/domain.md says it is normalised: upper-case, no spaces or hyphens."""
    return re.sub(r"[\s-]", "", code).upper()


def moment(site: str, day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A local wall-clock time at a site, as a UTC instant (October has no DST change)."""
    local = datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZONES[site])
    return local.astimezone(UTC)


def local_day(site: str, instant: datetime) -> date:
    return instant.astimezone(ZONES[site]).date()


def day_start(site: str, day: date) -> datetime:
    return moment(site, day, 0)


# --- The ledger: what the test asked for ----------------------------------------------------


@dataclass
class VisitEntry:
    site: str
    person: str | None  # canonical code, None for an anonymous visit
    kind: str
    booth: str | None
    start: datetime
    end: datetime | None
    substances: tuple[str, ...]
    routes: tuple[str, ...]
    typed_code: str | None = None  # as the worker typed it (case, spaces, hyphens)
    did_not_consume: str = ""
    assisted: str = "none"
    shared_supply: bool = False
    voided: bool = False
    record: Visit | None = None


@dataclass
class ActionEntry:
    kind: str
    at: datetime
    voided: bool = False
    record: IncidentAction | None = None


@dataclass
class IncidentEntry:
    site: str
    kind: str
    start: datetime
    outcome: str = ""
    police: bool = False
    actions: list[ActionEntry] = field(default_factory=list)
    voided: bool = False
    record: Incident | None = None


@dataclass
class ServiceEntry:
    site: str
    kind: str
    at: datetime
    drug_check: dict[str, str] | None = None
    supplies: dict[str, int] = field(default_factory=dict)
    voided: bool = False
    record: Service | None = None


@dataclass
class ReferralEntry:
    site: str
    at: datetime
    category: str
    destination: str
    statuses: list[str] = field(default_factory=list)
    answered_at: datetime | None = None  # when it was accepted or declined
    voided: bool = False
    record: Referral | None = None


@dataclass
class SafetyEntry:
    """A turn-away (its reason), a restriction ("started") or a complaint (its category)."""

    site: str
    what: str
    at: datetime
    id: Any = None
    voided: bool = False


@dataclass
class Ledger:
    visits: list[VisitEntry] = field(default_factory=list)
    incidents: list[IncidentEntry] = field(default_factory=list)
    services: list[ServiceEntry] = field(default_factory=list)
    referrals: list[ReferralEntry] = field(default_factory=list)
    turnaways: list[SafetyEntry] = field(default_factory=list)
    restrictions: list[SafetyEntry] = field(default_factory=list)
    complaints: list[SafetyEntry] = field(default_factory=list)
    # Birth year and gender a person gave, by code (unknown unless given).
    people: dict[str, tuple[int | None, str]] = field(default_factory=dict)


# --- The indicators, from the ledger ----------------------------------------------------------


def expected_metrics(
    ledger: Ledger, sites: Sequence[str], first: date, last: date
) -> dict[str, Any]:
    """Every indicator of docs/domain.md over `sites` and the local days `first`..`last`.

    Works the same for one site-day, a site's month, or the network's month: additive counts
    over the records in scope; people distinct over the whole scope (a person at both sites
    counts once); the median and the peak over the whole scope.
    """

    def in_scope(site: str, instant: datetime) -> bool:
        return site in sites and first <= local_day(site, instant) <= last

    live_visits = [v for v in ledger.visits if not v.voided]
    visits = [v for v in live_visits if in_scope(v.site, v.start)]
    consumption = [v for v in visits if v.kind == "consumption"]

    first_visit: dict[str, VisitEntry] = {}
    for v in sorted((v for v in live_visits if v.person), key=lambda v: v.start):
        first_visit.setdefault(str(v.person), v)

    durations = [(v.end - v.start).total_seconds() for v in consumption if v.end is not None]
    median = round(statistics.median(durations) / 60, 1) if durations else None

    # Occupancy only rises when someone checks in, so the most visits open at one moment of
    # the scope is reached at its start or at one of its check-ins.
    spans = [(day_start(s, first), day_start(s, last + timedelta(days=1))) for s in sites]
    booths_used = [v for v in live_visits if v.kind == "consumption" and v.site in sites]

    def open_at(instant: datetime) -> int:
        return sum(
            1 for v in booths_used if v.start <= instant and (v.end is None or v.end > instant)
        )

    moments = [start for start, _ in spans] + [
        v.start for v in booths_used if any(s <= v.start < e for s, e in spans)
    ]

    incidents = [i for i in ledger.incidents if not i.voided and in_scope(i.site, i.start)]
    overdoses = [i for i in incidents if i.kind in OVERDOSE]

    def live(incident: IncidentEntry, kind: str) -> list[ActionEntry]:
        return [a for a in incident.actions if a.kind == kind and not a.voided]

    services = [s for s in ledger.services if not s.voided and in_scope(s.site, s.at)]
    checks = [s.drug_check for s in services if s.kind == "drug_checking"]
    referrals = [r for r in ledger.referrals if not r.voided and in_scope(r.site, r.at)]

    def tally(keys: Iterable[str], values: Iterable[str]) -> dict[str, int]:
        counts = dict.fromkeys(keys, 0)
        for value in values:
            counts[value] += 1
        return counts

    supplies = dict.fromkeys(SUPPLY_ITEMS, 0)
    for s in services:
        for item, quantity in s.supplies.items():
            supplies[item] += quantity

    result: dict[str, Any] = {
        "visits": len(visits),
        "consumption_visits": len(consumption),
        "service_only_visits": sum(1 for v in visits if v.kind == "service_only"),
        "anonymous_visits": sum(1 for v in visits if v.person is None),
        "unique_participants": len({v.person for v in visits if v.person}),
        "new_participants": sum(1 for v in first_visit.values() if in_scope(v.site, v.start)),
        "visits_by_substance": tally(SUBSTANCES, (s for v in visits for s in set(v.substances))),
        "visits_by_route": tally(ROUTES, (r for v in visits for r in set(v.routes))),
        "median_visit_minutes": median,
        "peak_occupancy": max(open_at(m) for m in moments),
        "overdoses": len(overdoses),
        "fatal_overdoses": sum(1 for i in overdoses if i.outcome == "deceased"),
        "overdoses_with_naloxone": sum(1 for i in overdoses if live(i, "naloxone")),
        "naloxone_doses": sum(len(live(i, "naloxone")) for i in overdoses),
        "ems_calls": sum(1 for i in incidents if live(i, "ems_called")),
        "transports": sum(1 for i in incidents if i.outcome == "transported"),
        "other_medical_emergencies": sum(1 for i in incidents if i.kind == "other_medical"),
        "services_by_kind": tally(SERVICE_KINDS, (s.kind for s in services)),
        "drug_checks": len(checks),
        "supplies_by_item": supplies,
        "referrals": len(referrals),
        "referrals_by_category": tally(REFERRAL_CATEGORIES, (r.category for r in referrals)),
        "referrals_onsite": sum(1 for r in referrals if r.destination == "onsite_connected"),
        "referrals_offsite": sum(1 for r in referrals if r.destination == "offsite"),
        "referrals_accepted": sum(1 for r in referrals if "accepted" in r.statuses),
    }
    result |= regulator_metrics(ledger, visits, first_visit, in_scope, overdoses, incidents)

    def live_in_scope(entries: list[SafetyEntry]) -> list[str]:
        return [e.what for e in entries if not e.voided and in_scope(e.site, e.at)]

    result |= {
        "turnaways_by_reason": tally(TURNAWAY_REASONS, live_in_scope(ledger.turnaways)),
        "assisted_visits": sum(1 for v in visits if v.assisted != "none"),
        "shared_supply_visits": sum(1 for v in visits if v.shared_supply),
        "restrictions_started": len(live_in_scope(ledger.restrictions)),
        # An alert is posted now, never backdated: none falls in a past month.
        "alerts_by_source": dict.fromkeys(ALERT_SOURCES, 0),
        "complaints_by_category": tally(COMPLAINT_CATEGORIES, live_in_scope(ledger.complaints)),
    }
    for target in DRUG_TARGETS:
        result[f"drug_checks_{target}_positive"] = sum(
            1 for check in checks if check is not None and check[target] == "positive"
        )
    visits_count = result["visits"]
    result["overdoses_per_1000_visits"] = (
        round(1000 * result["overdoses"] / visits_count, 2) if visits_count else None
    )
    return result


def age_band(born: int | None, year: int) -> str:
    if born is None:
        return "unknown"
    age = year - born
    if age < 20:
        return "under_20"
    if age >= 60:
        return "60_plus"
    return f"{age // 10 * 10}_{age // 10 * 10 + 9}"


def regulator_metrics(
    ledger: Ledger,
    visits: list[VisitEntry],
    first_visit: dict[str, VisitEntry],
    in_scope: Callable[[str, datetime], bool],
    overdoses: list[IncidentEntry],
    incidents: list[IncidentEntry],
) -> dict[str, Any]:
    """The regulator indicators of docs/domain.md, from the ledger."""
    firsts_here: dict[str, VisitEntry] = {}
    for v in sorted((v for v in visits if v.person), key=lambda v: v.start):
        firsts_here.setdefault(str(v.person), v)
    new_here = {
        p: v for p, v in firsts_here.items() if in_scope(first_visit[p].site, first_visit[p].start)
    }
    result: dict[str, Any] = {}
    for who, people in (("participants", firsts_here), ("new_participants", new_here)):
        table = {band: dict.fromkeys(GENDERS, 0) for band in AGE_BANDS}
        for person, v in people.items():
            born, gender = ledger.people.get(person, (None, "unknown"))
            table[age_band(born, v.start.astimezone(ZONES[v.site]).year)][gender] += 1
        result[f"{who}_by_age_gender"] = table
        result[f"{who}_by_age_band"] = {band: sum(row.values()) for band, row in table.items()}
        result[f"{who}_by_gender"] = {g: sum(row[g] for row in table.values()) for g in GENDERS}
    result["visits_by_time_band"] = {
        band: sum(1 for v in visits if v.start.astimezone(ZONES[v.site]).hour in hours)
        for band, hours in TIME_BANDS.items()
    }

    def taps(incident: IncidentEntry, kind: str) -> list[datetime]:
        return [a.at for a in incident.actions if a.kind == kind and not a.voided]

    def staff_naloxone(incident: IncidentEntry) -> bool:
        arrived = min(taps(incident, "ems_arrived"), default=FOREVER)
        return any(at < arrived for at in taps(incident, "naloxone"))

    return result | {
        "overdoses_staff_only": sum(1 for i in overdoses if not taps(i, "ems_arrived")),
        "overdoses_ems_treated": sum(1 for i in overdoses if taps(i, "ems_arrived")),
        "overdoses_naloxone_by_staff": sum(1 for i in overdoses if staff_naloxone(i)),
        "overdoses_without_naloxone": sum(1 for i in overdoses if not taps(i, "naloxone")),
        "overdoses_with_oxygen": sum(1 for i in overdoses if taps(i, "oxygen")),
        "overdose_ems_calls": sum(1 for i in overdoses if taps(i, "ems_called")),
        "police_attended": sum(1 for i in incidents if i.police),
        "incidents_by_kind": {k: sum(1 for i in incidents if i.kind == k) for k in INCIDENT_KINDS},
    }


def differences(where: str, expected: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """One line per indicator that differs: where, which, expected, got."""
    lines = []
    missing, unexpected = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    if missing or unexpected:
        lines.append(f"{where}: indicators missing {missing}, not in docs/domain.md {unexpected}")
    for key in sorted(set(expected) & set(got)):
        want, have = expected[key], got[key]
        if isinstance(want, dict) and isinstance(have, dict):
            for sub in sorted(set(want) | set(have)):
                if want.get(sub, "absent") != have.get(sub, "absent"):
                    lines.append(
                        f"{where} {key}.{sub}: expected {want.get(sub, 'absent')!r}, "
                        f"got {have.get(sub, 'absent')!r}"
                    )
        elif want != have:
            lines.append(f"{where} {key}: expected {want!r}, got {have!r}")
    return lines


# --- The generator: plans a month, then records it through the services ----------------------


def _overlaps(spans: list[tuple[datetime, datetime]], start: datetime, end: datetime) -> bool:
    return any(start < e and s < end for s, e in spans)


class Month:
    """Plans and records the month; `ledger` is all the test knows about it."""

    def __init__(self, world: World, supervisor_b: User, rng: random.Random) -> None:
        self.rng = rng
        # The floor-safety records draw from their own generator: the rest of the month stays
        # as it was generated before they were counted.
        self.side = random.Random(SEED + 16)
        self.site = {"harbour": world.site_a, "eastside": world.site_b}
        self.by = {"harbour": world.users["bob"], "eastside": supervisor_b}
        self.reviewer = {"harbour": (world.users["erin"], Role.ADMIN)}
        self.booths: dict[str, dict[str, Booth]] = {
            slug: {b.label: b for b in site.booths.filter(active=True)}
            for slug, site in self.site.items()
        }
        self.ledger = Ledger()
        self.moved_visits = 0
        self.merged = 0
        self.mistyped: dict[str, str] = {}  # wrong code -> the person's code
        self.booth_busy: dict[tuple[str, str], list[tuple[datetime, datetime]]] = defaultdict(list)
        self.person_busy: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        self.codes: set[str] = set()

        def new_code() -> str:
            while True:
                code = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(4))
                code += str(rng.randint(1958, 2005))
                if code not in self.codes:
                    self.codes.add(code)
                    return code

        only_a = [new_code() for _ in range(60)]
        only_b = [new_code() for _ in range(34)]
        both = [new_code() for _ in range(20)]
        self.pool = {"harbour": only_a + both, "eastside": only_b + both}
        # People met only outside a visit (outreach, a service at the door): never visitors.
        self.outreach = [new_code() for _ in range(8)]

    # Who and where ----------------------------------------------------------------------------

    def typed(self, code: str) -> str:
        """The code as a worker might type it: case, spaces and hyphens vary."""
        roll = self.rng.random()
        if roll < 0.08:
            typed = f"{code[:2].lower()}-{code[2:].lower()}"
        elif roll < 0.14:
            typed = f"{code[:4]} {code[4:]}"
        else:
            typed = code
        assert canonical(typed) == code
        return typed

    def free_booth(
        self, site: str, start: datetime, end: datetime, routes: Sequence[str]
    ) -> str | None:
        labels = list(self.booths[site])
        if site == "harbour":
            inhalation = [
                label for label in labels if self.booths[site][label].kind == "inhalation"
            ]
            labels = (
                inhalation if "inhalation" in routes else [x for x in labels if x not in inhalation]
            )
        self.rng.shuffle(labels)
        for label in labels:
            if not _overlaps(self.booth_busy[(site, label)], start, end):
                return label
        return None

    def person_free(self, code: str, start: datetime, end: datetime) -> bool:
        # Nobody is in two places at once; a little travel time between visits.
        return not _overlaps(self.person_busy[code], start - timedelta(minutes=5), end)

    def random_time(self, site: str, day: date, rush: datetime | None = None) -> datetime:
        rng = self.rng
        if rush is not None:
            return rush + timedelta(seconds=rng.randint(-1500, 1500))
        roll = rng.random()
        if roll < 0.05:
            return moment(site, day, 23, rng.randint(40, 59), rng.randint(0, 59))
        if roll < 0.09:
            return moment(site, day, 0, rng.randint(0, 14), rng.randint(0, 59))
        if roll < 0.10:
            return moment(site, day, 0)  # exactly midnight: the first instant of the day
        return moment(site, day, 7) + timedelta(seconds=rng.randint(0, 16 * 3600))

    def substances(self) -> tuple[str, ...]:
        weights = [30, 6, 6, 4, 3, 2, 1, 5, 12, 10, 2, 3, 2, 2, 3]
        picked = self.rng.choices(SUBSTANCES, weights=weights, k=self.rng.choice([1, 1, 1, 2, 3]))
        return tuple(sorted(set(picked)))

    def routes(self, substances: Sequence[str]) -> tuple[str, ...]:
        smoked = "crack" in substances or self.rng.random() < 0.2
        first = "inhalation" if smoked else "injection"
        extra = self.rng.choice([(), (), (), ("intranasal",), ("oral",)])
        if first == "inhalation" and self.rng.random() < 0.3:
            extra = ()
        return tuple(sorted({first, *extra}))

    # Planning visits -----------------------------------------------------------------------

    def plan_visit(
        self,
        site: str,
        start: datetime,
        *,
        kind: str | None = None,
        person: str | bool | None = True,
        seconds: int | None = None,
        keep_open: bool = False,
    ) -> VisitEntry | None:
        """Plan one visit if a booth and the person are free; True picks someone at random."""
        rng = self.rng
        kind = kind or ("consumption" if rng.random() < 0.78 else "service_only")
        if person is True:
            person = None if rng.random() < 0.15 else rng.choice(self.pool[site])
        substances: tuple[str, ...] = ()
        routes: tuple[str, ...] = ()
        reason = ""
        if kind == "consumption":
            substances = self.substances()
            routes = self.routes(substances)
            if rng.random() < 0.07:
                seconds = seconds or rng.randint(60, 420)
                reason = rng.choice(["changed_mind", "left", "asked_to_leave", "unwell", "other"])
            seconds = seconds or rng.randint(300, 3300)
        else:
            if rng.random() < 0.06:
                substances = self.substances()  # came to have a sample checked
            seconds = seconds or rng.randint(120, 2400)
            if person is None and rng.random() < 0.5:
                keep_open = True  # nobody checks out a service-only visit in a rush
        end = None if keep_open else start + timedelta(seconds=seconds)
        busy_until = end or FOREVER
        if person and not self.person_free(str(person), start, busy_until):
            return None
        booth = None
        if kind == "consumption":
            booth = self.free_booth(site, start, busy_until, routes)
            if booth is None:
                return None
            self.booth_busy[(site, booth)].append((start, busy_until))
        if person:
            self.person_busy[str(person)].append((start, busy_until))
        entry = VisitEntry(
            site=site,
            person=str(person) if person else None,
            kind=kind,
            booth=booth,
            start=start,
            end=end,
            substances=substances,
            routes=routes,
            typed_code=self.typed(str(person)) if person else None,
            did_not_consume=reason,
            assisted=self.side.choice(["none"] * 8 + ["peer", "staff"]),
            shared_supply=self.side.random() < 0.1,
        )
        self.ledger.visits.append(entry)
        return entry

    def plan_visits(self) -> list[VisitEntry]:
        """The month's visits, a September history, and visits left open on the last night."""
        rng = self.rng
        volume = {"harbour": (6, 10), "eastside": (3, 6)}
        rush_days = {site: set(rng.sample(DAYS, 3)) for site in SITES}
        for day in DAYS:
            for site in SITES:
                for _ in range(rng.randint(*volume[site])):
                    self.plan_visit(site, self.random_time(site, day))
                if day in rush_days[site]:
                    # Cheque day: a crowd within the hour fills the booths.
                    rush = moment(site, day, rng.randint(12, 20), rng.randint(0, 59))
                    for _ in range(14 if site == "harbour" else 8):
                        self.plan_visit(site, self.random_time(site, day, rush), kind="consumption")
        # Late nights across midnight at each site, so both local days see them.
        for site in SITES:
            for day in rng.sample(DAYS[:-1], 6):
                self.plan_visit(
                    site,
                    moment(site, day, 23, rng.randint(45, 58)),
                    kind="consumption",
                    seconds=rng.randint(900, 2400),
                )

        # A check-out forgotten until the morning shift: in the booth all night.
        for site in SITES:
            for day in rng.sample(DAYS[:-1], 2):
                self.plan_visit(
                    site,
                    moment(site, day, 22, rng.randint(0, 59)),
                    kind="consumption",
                    seconds=rng.randint(8 * 3600, 10 * 3600),
                )

        # History: some people first came in September; one September visit was voided.
        october_people = sorted({v.person for v in self.ledger.visits if v.person})
        history = []
        for code in rng.sample(october_people, 12):
            site = rng.choice([s for s in SITES if code in self.pool[s]])
            day = date(2026, 9, rng.randint(5, 28))
            history.append(
                self.plan_visit(
                    site,
                    moment(site, day, 12, rng.randint(0, 59)),
                    kind="consumption",
                    person=code,
                    seconds=1200,
                )
            )
        september_void = self.plan_visit(
            "eastside",
            moment("eastside", date(2026, 9, 20), 15),
            kind="service_only",
            person=rng.choice(
                [p for p in october_people if p not in {h.person for h in history if h}]
            ),
            seconds=600,
        )
        assert september_void is not None
        september_void.voided = True
        # Still in a booth at harbour when October began.
        self.plan_visit(
            "harbour",
            moment("harbour", date(2026, 9, 30), 23, 50),
            kind="consumption",
            person=None,
            seconds=1800,
        )

        # Mistyped codes: a person's visits under a wrong code, merged later. One of them is
        # the person's earliest visit, so the merge moves the day they count as new.
        firsts: dict[str, VisitEntry] = {}
        for v in sorted(self.ledger.visits, key=lambda v: v.start):
            if v.person and not v.voided:
                firsts.setdefault(v.person, v)
        late_starters = [
            p for p, v in firsts.items() if v.start > moment(v.site, FIRST, 0) + timedelta(days=6)
        ]
        for code in rng.sample(sorted(late_starters), 3):
            wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
            if wrong in self.codes:
                continue  # that mistake would be someone else's code
            self.codes.add(wrong)
            self.mistyped[wrong] = code
            site = firsts[code].site
            first_day = local_day(site, firsts[code].start)
            for day in (FIRST + timedelta(days=1), first_day - timedelta(days=1)):
                entry = self.plan_visit(
                    site,
                    moment(site, day, 9, rng.randint(0, 59)),
                    kind="consumption",
                    person=code,
                    seconds=1500,
                )
                if entry is not None:
                    entry.person, entry.typed_code = wrong, wrong.lower()

        # The last night: a visit never checked out at each site (recorded last of all).
        last_open = [
            self.plan_visit(
                site,
                moment(site, LAST, 23, 30),
                kind="consumption",
                person=rng.choice(self.pool[site]),
                keep_open=True,
            )
            for site in SITES
        ]
        return [v for v in last_open if v is not None]

    # Recording --------------------------------------------------------------------------------

    def record_visit(self, entry: VisitEntry) -> None:
        site = self.site[entry.site]
        by = self.by[entry.site]
        record, created = visit_check_in(
            request=CheckIn(
                site=site,
                kind=entry.kind,
                booth=self.booths[entry.site][entry.booth] if entry.booth else None,
                code=entry.typed_code,
                checked_in_at=entry.start,
                substances=entry.substances,
                routes=entry.routes,
                assisted=entry.assisted,
                shared_supply=entry.shared_supply,
            ),
            by=by,
            role=Role.SUPERVISOR,
        )
        assert created
        if entry.end is not None:
            record = visit_check_out(
                visit=record,
                by=by,
                role=Role.SUPERVISOR,
                checked_out_at=entry.end,
                did_not_consume_reason=entry.did_not_consume,
            )
        entry.record = record

    def void_visit(self, entry: VisitEntry, reason: str) -> None:
        assert entry.record is not None
        entry.record = visit_void(
            visit=entry.record, by=self.by[entry.site], role=Role.SUPERVISOR, reason=reason
        )
        entry.voided = True

    def record_visits(self) -> None:
        rng = self.rng
        last_open = self.plan_visits()
        later = {id(v) for v in last_open}
        # Recorded in no particular order: "first visit" must go by time, not by entry order.
        shuffled = [v for v in self.ledger.visits if id(v) not in later]
        rng.shuffle(shuffled)
        for entry in shuffled:
            voided = entry.voided
            entry.voided = False
            self.record_visit(entry)
            if voided:
                self.void_visit(entry, "Wrong person: entered at the wrong site.")
        for entry in last_open:
            self.record_visit(entry)

        october = [v for v in self.ledger.visits if FIRST <= local_day(v.site, v.start) <= LAST]
        for entry in rng.sample([v for v in october if v not in last_open], 28):
            self.void_visit(entry, "Entered twice.")

        # Corrections by a supervisor: the substances, and the time of late-night visits.
        for entry in rng.sample(
            [v for v in october if not v.voided and v.kind == "consumption"], 8
        ):
            assert entry.record is not None
            entry.substances = self.substances()
            entry.routes = tuple(sorted({*entry.routes, "oral"}))
            entry.record = visit_update(
                visit=entry.record,
                by=self.by[entry.site],
                role=Role.SUPERVISOR,
                version=entry.record.version,
                reason="The participant said what they used after leaving the booth.",
                substances=entry.substances,
                routes=entry.routes,
            )
        # Registered in a booth by mistake: the person only came for supplies.
        for entry in rng.sample(
            [
                v
                for v in october
                if not v.voided
                and v.kind == "consumption"
                and v.end
                and not v.did_not_consume
                and v not in last_open
            ],
            3,
        ):
            assert entry.record is not None
            entry.kind, entry.booth, entry.substances, entry.routes = "service_only", None, (), ()
            entry.record = visit_update(
                visit=entry.record,
                by=self.by[entry.site],
                role=Role.SUPERVISOR,
                version=entry.record.version,
                reason="Only came for supplies; the booth was chosen by mistake.",
                kind="service_only",
                substances=[],
                routes=[],
            )
        # Booth visits logged just after midnight that began before it, if the booth was free.
        for entry in [
            v
            for v in october
            if not v.voided
            and v.kind == "consumption"
            and v.end
            and v.booth
            and local_day(v.site, v.start) > FIRST
            and v.start.astimezone(ZONES[v.site]).hour == 0
        ]:
            assert entry.record is not None
            assert entry.booth is not None
            earlier = entry.start - timedelta(minutes=25)
            others = [
                span
                for span in self.booth_busy[(entry.site, entry.booth)]
                if span[0] != entry.start
            ]
            if (
                self.moved_visits == 6
                or _overlaps(others, earlier, entry.start)
                or (
                    entry.person
                    and _overlaps(
                        [x for x in self.person_busy[entry.person] if x[0] != entry.start],
                        earlier - timedelta(minutes=5),
                        entry.start,
                    )
                )
            ):
                continue
            self.booth_busy[(entry.site, entry.booth)].append((earlier, entry.start))
            entry.start = earlier
            entry.record = visit_update(
                visit=entry.record,
                by=self.by[entry.site],
                role=Role.SUPERVISOR,
                version=entry.record.version,
                reason="The tablet logged the check-in late.",
                checked_in_at=earlier,
            )
            self.moved_visits += 1
        # The mistyped codes are merged into the right person: their visits move.
        for wrong, code in self.mistyped.items():
            mistyped = [v for v in self.ledger.visits if v.person == wrong and v.record is not None]
            right = next(v for v in self.ledger.visits if v.person == code and v.record is not None)
            assert mistyped
            assert right.record is not None
            assert mistyped[0].record is not None
            participant_merge(
                source=mistyped[0].record.participant,
                into=right.record.participant,
                site=self.site[mistyped[0].site],
                by=self.by[mistyped[0].site],
                reason="Same person: a digit was mistyped.",
            )
            for v in mistyped:
                assert v.record is not None
                v.record.refresh_from_db()
                v.person = code
            self.merged += 1

        just_after_midnight = [
            v
            for v in october
            if not v.voided
            and v.person is None
            and v.kind == "service_only"
            and local_day(v.site, v.start) > FIRST
            and v.start.astimezone(ZONES[v.site]).hour == 0
        ]
        for entry in just_after_midnight[:4]:
            assert entry.record is not None
            entry.start -= timedelta(minutes=20)  # back to the evening before
            entry.record = visit_update(
                visit=entry.record,
                by=self.by[entry.site],
                role=Role.SUPERVISOR,
                version=entry.record.version,
                reason="Arrived before midnight; the tablet was slow to log it.",
                checked_in_at=entry.start,
            )

    # Incidents --------------------------------------------------------------------------------

    def tap(
        self, entry: IncidentEntry, kind: str, at: datetime, reason: str = "", **fields: Any
    ) -> ActionEntry:
        assert entry.record is not None
        action, created = incident_action_record(
            incident=entry.record,
            tap=ActionTap(kind=kind, at=at, **fields),
            by=self.by[entry.site],
            role=Role.SUPERVISOR,
            reason=reason,
        )
        assert created
        tapped = ActionEntry(kind=kind, at=at, record=action)
        entry.actions.append(tapped)
        return tapped

    def void_tap(self, entry: IncidentEntry, tapped: ActionEntry) -> None:
        assert tapped.record is not None
        incident_action_void(
            action=tapped.record,
            by=self.by[entry.site],
            role=Role.SUPERVISOR,
            reason="Tapped by mistake.",
        )
        tapped.voided = True

    def incident(
        self,
        site: str,
        kind: str,
        start: datetime,
        *,
        visit: VisitEntry | None = None,
        outcome: str | None = None,
        naloxone: int = 0,
        ems: int = 0,
        police: bool = False,
        opened_as: str | None = None,
        logged_at: datetime | None = None,
    ) -> IncidentEntry:
        """Open an incident, tap its response, complete it; `opened_as` and `logged_at` are a
        kind and an onset the supervisor corrects while completing it."""
        rng = self.rng
        by = self.by[site]
        code = None
        if visit is None and rng.random() < 0.5:
            code = self.typed(rng.choice(self.pool[site] + self.outreach))
        location = (
            "booth"
            if visit is not None and visit.kind == "consumption"
            else rng.choice(["aftercare", "washroom", "outside", "other"])
        )
        opened_at = logged_at or start
        record, created = incident_open(
            request=IncidentOpen(
                site=self.site[site],
                kind=opened_as or kind,
                location=location,
                visit=visit.record if visit else None,
                code=code,
                started_at=opened_at,
                signs=rng.sample(
                    ["slow_or_no_breathing", "unresponsive", "cyanosis", "pinpoint_pupils"], 2
                )
                if kind in OVERDOSE
                else [],
                suspected_substances=visit.substances if visit and kind in OVERDOSE else [],
            ),
            by=by,
            role=Role.SUPERVISOR,
        )
        assert created
        entry = IncidentEntry(site=site, kind=opened_as or kind, start=opened_at, record=record)
        self.ledger.incidents.append(entry)
        t = opened_at + timedelta(seconds=30)
        if kind in OVERDOSE or kind == "other_medical":
            self.tap(entry, "stimulation", t)
            self.tap(entry, "oxygen", t + timedelta(seconds=40))
        for n in range(naloxone):
            dose, route = rng.choice(
                [(Decimal("0.4"), "IM"), (Decimal("4"), "IN"), (Decimal("0.1"), "IV")]
            )
            self.tap(entry, "naloxone", t + timedelta(minutes=1 + 3 * n), dose_mg=dose, route=route)
        for n in range(ems):
            self.tap(entry, "ems_called", t + timedelta(minutes=2 + n))
        if ems:
            self.tap(entry, "ems_arrived", t + timedelta(minutes=11))
        if kind in OVERDOSE:
            self.tap(
                entry,
                "vitals",
                t + timedelta(minutes=4),
                spo2=rng.randint(70, 99),
                resp_rate=rng.randint(4, 18),
            )
        if outcome == "transported" and rng.random() < 0.8:
            self.tap(entry, "transported", t + timedelta(minutes=16))
        end = max([t, *(a.at for a in entry.actions)]) + timedelta(minutes=rng.randint(5, 25))
        changes: dict[str, Any] = {}
        if outcome is not None:
            changes["outcome"] = outcome
            changes["ended_at"] = end
        if police:
            changes["police_attended"] = True
        if opened_as:
            changes["kind"] = kind
        if logged_at:
            changes["started_at"] = start
        if changes:
            record.refresh_from_db()
            entry.record = incident_update(
                incident=record, by=by, role=Role.SUPERVISOR, version=record.version, **changes
            )
            entry.kind, entry.start, entry.outcome = kind, start, outcome or ""
            entry.police = police
        return entry

    def record_incidents(self) -> None:
        rng = self.rng
        live = [
            v
            for v in self.ledger.visits
            if not v.voided and v.end is not None and FIRST <= local_day(v.site, v.start) <= LAST
        ]
        in_booth = [
            v
            for v in live
            if v.kind == "consumption" and v.end and v.end - v.start > timedelta(minutes=5)
        ]
        outcomes = (
            ["recovered_on_site"] * 12
            + ["transported"] * 4
            + ["declined_transport", "left_against_advice", "unknown"]
        )
        overdoses: list[IncidentEntry] = []
        for v in rng.sample(in_booth, 26):
            kind = "opioid_overdose" if rng.random() < 0.8 else "stimulant_overdose"
            assert v.end is not None
            stay = int((v.end - v.start).total_seconds())
            start = v.start + timedelta(seconds=rng.randint(60, stay - 60))
            overdoses.append(
                self.incident(
                    v.site,
                    kind,
                    start,
                    visit=v,
                    outcome=rng.choice(outcomes),
                    naloxone=rng.choice([0, 1, 1, 2, 2, 3])
                    if kind == "opioid_overdose"
                    else rng.choice([0, 0, 1]),
                    ems=rng.choice([0, 0, 1, 1, 2]),
                )
            )
        for site in SITES:
            # Near midnight: the onset on one day, the naloxone after midnight.
            day = rng.choice(DAYS[:-1])
            overdoses.append(
                self.incident(
                    site,
                    "opioid_overdose",
                    moment(site, day, 23, 58, 30),
                    outcome="transported",
                    naloxone=2,
                    ems=1,
                )
            )
            # A death, and an overdose outside with no visit (the person is not known).
            overdoses.append(
                self.incident(
                    site,
                    "opioid_overdose",
                    moment(site, rng.choice(DAYS), 16, 5),
                    outcome="deceased",
                    naloxone=3,
                    ems=1,
                )
            )
            overdoses.append(
                self.incident(
                    site,
                    "stimulant_overdose",
                    moment(site, rng.choice(DAYS), 11, 20),
                    outcome="recovered_on_site",
                )
            )
            # Opened as another emergency, corrected to an overdose; and the other way round.
            self.incident(
                site,
                "opioid_overdose",
                moment(site, rng.choice(DAYS), 13, 40),
                opened_as="other_medical",
                outcome="recovered_on_site",
                naloxone=1,
            )
            self.incident(
                site,
                "other_medical",
                moment(site, rng.choice(DAYS), 14, 10),
                opened_as="opioid_overdose",
                outcome="recovered_on_site",
                naloxone=1,
            )
            # Logged at 00:04, corrected to 23:57 the evening before.
            day = rng.choice(DAYS[1:])
            self.incident(
                site,
                "opioid_overdose",
                moment(site, day - timedelta(days=1), 23, 57),
                logged_at=moment(site, day, 0, 4),
                outcome="recovered_on_site",
                naloxone=1,
            )
            # Other medical emergencies: a seizure transported, one with naloxone on suspicion,
            # a death that was not an overdose.
            for _ in range(5):
                v = rng.choice(live)
                self.incident(
                    site,
                    "other_medical",
                    v.start + timedelta(minutes=1)
                    if v.site == site
                    else moment(site, rng.choice(DAYS), 10, 15),
                    visit=v if v.site == site else None,
                    outcome=rng.choice(outcomes),
                    ems=rng.choice([0, 1]),
                )
            self.incident(
                site,
                "other_medical",
                moment(site, rng.choice(DAYS), 21, 0),
                outcome="transported",
                naloxone=1,
                ems=1,
            )
            self.incident(
                site,
                "other_medical",
                moment(site, rng.choice(DAYS), 3, 30),
                outcome="deceased",
                ems=1,
            )
            # Non-medical incidents: violence with EMS and a transport, police; the rest plain.
            self.incident(
                site,
                "violence",
                moment(site, rng.choice(DAYS), 22, 15),
                outcome="transported",
                ems=1,
                police=True,
            )
            self.incident(site, "violence", moment(site, rng.choice(DAYS), 0, 0), police=True)
            for kind in NON_MEDICAL:
                self.incident(
                    site,
                    kind,
                    moment(site, rng.choice(DAYS), rng.randint(8, 22), rng.randint(0, 59)),
                    ems=1 if kind == "needlestick" and rng.random() < 0.5 else 0,
                )

        # Mis-taps voided: naloxone (a second dose that was not given), an EMS call.
        with_naloxone = [i for i in overdoses if any(a.kind == "naloxone" for a in i.actions)]
        for entry in rng.sample(with_naloxone, 8):
            self.void_tap(entry, rng.choice([a for a in entry.actions if a.kind == "naloxone"]))
        with_ems = [i for i in overdoses if any(a.kind == "ems_called" for a in i.actions)]
        for entry in rng.sample(with_ems, 4):
            self.void_tap(
                entry, next(a for a in entry.actions if a.kind == "ems_called" and not a.voided)
            )

        # Review: submitted; approved at harbour by the admin; one amended after approval.
        for entry in rng.sample(overdoses, 14):
            assert entry.record is not None
            entry.record = incident_submit(
                incident=entry.record, by=self.by[entry.site], role=Role.SUPERVISOR
            )
            if entry.site in self.reviewer:
                reviewer, role = self.reviewer[entry.site]
                entry.record = incident_review(
                    incident=entry.record, by=reviewer, role=role, decision="approve", comment=""
                )
        approved = [i for i in overdoses if i.record is not None and i.record.status == "approved"]
        assert approved, "the generator should approve some overdoses"
        amended = approved[0]
        assert amended.record is not None
        amended.record = incident_update(
            incident=amended.record,
            by=self.by[amended.site],
            role=Role.SUPERVISOR,
            version=amended.record.version,
            reason="The hospital told us the person was taken in by EMS.",
            outcome="transported",
        )
        amended.outcome = "transported"
        late = approved[1]
        assert late.record is not None
        self.tap(
            late,
            "naloxone",
            late.start + timedelta(minutes=2),
            dose_mg=Decimal("0.4"),
            route="IM",
            reason="A dose given by a bystander, reported at the debrief.",
        )

        for entry in rng.sample(
            [
                i
                for i in self.ledger.incidents
                if i.record is not None
                and i.record.status != "approved"
                and i.outcome != "deceased"  # keep a death at each site in the counts
            ],
            6,
        ):
            assert entry.record is not None
            entry.record = incident_void(
                incident=entry.record,
                by=self.by[entry.site],
                role=Role.SUPERVISOR,
                reason="Logged twice from two tablets.",
            )
            entry.voided = True

    # Services ---------------------------------------------------------------------------------

    def drug_check(self) -> dict[str, str]:
        rng = self.rng
        method = rng.choice(
            [
                "ftir",
                "ftir",
                "fentanyl_strip",
                "fentanyl_strip",
                "benzo_strip",
                "xylazine_strip",
                "other",
            ]
        )
        results = dict.fromkeys(DRUG_TARGETS, "not_tested")
        if method in STRIP_TARGET:
            results[STRIP_TARGET[method]] = rng.choice(["positive", "positive", "negative"])
        else:
            for target in DRUG_TARGETS:
                results[target] = rng.choice(["positive", "negative", "negative", "not_tested"])
        return {
            "expected_substance": rng.choice(
                ["fentanyl", "heroin", "cocaine", "methamphetamine", "unknown"]
            ),
            "method": method,
            **results,
            "client_action": rng.choice(
                ["disposed", "reduced_dose", "used_as_planned", "undecided"]
            ),
        }

    def service(
        self,
        site: str,
        at: datetime,
        *,
        visit: VisitEntry | None = None,
        kind: str | None = None,
        code: str | None = None,
    ) -> ServiceEntry:
        rng = self.rng
        weights = [3, 2, 4, 2, 2, 1, 1, 4, 3, 4, 5, 2, 4, 2, 1, 14, 8, 2]
        kind = kind or rng.choices(SERVICE_KINDS, weights=weights)[0]
        check = self.drug_check() if kind == "drug_checking" else None
        supplies: dict[str, int] = {}
        if kind == "supplies":
            for item in rng.sample(SUPPLY_ITEMS, rng.randint(1, 4)):
                supplies[item] = rng.choice([1, 2, 5, 10, 20, 50, 100])
        record, created = service_create(
            request=NewService(
                site=self.site[site],
                kind=kind,
                visit=visit.record if visit else None,
                code=code,
                at=at,
                drug_check=check,
                supplies=[{"item": item, "quantity": n} for item, n in supplies.items()],
            ),
            by=self.by[site],
            role=Role.SUPERVISOR,
        )
        assert created
        entry = ServiceEntry(
            site=site, kind=kind, at=at, drug_check=check, supplies=supplies, record=record
        )
        self.ledger.services.append(entry)
        return entry

    def record_services(self) -> None:
        rng = self.rng
        live = [
            v
            for v in self.ledger.visits
            if not v.voided and FIRST <= local_day(v.site, v.start) <= LAST
        ]
        for v in live:
            if rng.random() < 0.3:
                stay = int(((v.end or v.start + timedelta(minutes=20)) - v.start).total_seconds())
                self.service(v.site, v.start + timedelta(seconds=rng.randint(0, stay)), visit=v)
        for site in SITES:
            for _ in range(20):
                day = rng.choice(DAYS)
                at = moment(site, day, 8) + timedelta(seconds=rng.randint(0, 15 * 3600))
                code = rng.choice([None, self.typed(rng.choice(self.pool[site] + self.outreach))])
                self.service(site, at, code=code)
            # Both sides of midnight, to the second.
            for day in rng.sample(DAYS, 3):
                self.service(site, moment(site, day, 23, 59, 59), kind="supplies")
                self.service(site, moment(site, day, 0, 0, 0), kind="drug_checking")
            # Recorded at 00:05, moved to 23:55 the evening before; supplies recorded as education.
            for day in rng.sample(DAYS[1:], 2):
                entry = self.service(site, moment(site, day, 0, 5), kind="naloxone_kit")
                assert entry.record is not None
                entry.at -= timedelta(minutes=10)
                entry.record = service_update(
                    service=entry.record,
                    by=self.by[site],
                    role=Role.SUPERVISOR,
                    version=entry.record.version,
                    reason="Given just before midnight.",
                    at=entry.at,
                )
            entry = self.service(site, moment(site, rng.choice(DAYS), 15, 30), kind="supplies")
            assert entry.record is not None
            entry.record = service_update(
                service=entry.record,
                by=self.by[site],
                role=Role.SUPERVISOR,
                version=entry.record.version,
                reason="It was a talk about safer use, no supplies.",
                kind="education",
            )
            entry.kind, entry.supplies = "education", {}
        for entry in rng.sample(self.ledger.services, 18):
            assert entry.record is not None
            entry.record = service_void(
                service=entry.record,
                by=self.by[entry.site],
                role=Role.SUPERVISOR,
                reason="Recorded for the wrong person.",
            )
            entry.voided = True

    # Referrals --------------------------------------------------------------------------------

    def referral(
        self, site: str, at: datetime, *, visit: VisitEntry | None = None, code: str | None = None
    ) -> ReferralEntry:
        rng = self.rng
        by = self.by[site]
        status = rng.choice(["offered", "offered", "offered", "accepted", "accepted", "declined"])
        entry = ReferralEntry(
            site=site,
            at=at,
            category=rng.choice(REFERRAL_CATEGORIES),
            destination=rng.choice(["onsite_connected", "offsite", "offsite"]),
        )
        record, created = referral_create(
            request=NewReferral(
                site=self.site[site],
                category=entry.category,
                destination=entry.destination,
                accompanied=rng.random() < 0.3,
                status=status,
                visit=visit.record if visit else None,
                code=code,
                at=at,
            ),
            by=by,
            role=Role.SUPERVISOR,
        )
        assert created
        entry.record = record
        entry.statuses = ["offered"] if status == "offered" else ["offered", status]
        entry.answered_at = None if status == "offered" else at
        self.ledger.referrals.append(entry)
        # Follow-ups, hours or days later (sometimes in November: still October's referral).
        when = at
        if status == "offered" and rng.random() < 0.7:
            when += timedelta(minutes=rng.randint(10, 6 * 24 * 60))
            status = rng.choice(["accepted", "accepted", "declined"])
            record, _ = referral_status_change(
                referral=record, status=status, by=by, role=Role.SUPERVISOR, at=when
            )
            entry.statuses.append(status)
            entry.answered_at = when
        if status == "accepted" and rng.random() < 0.6:
            when += timedelta(minutes=rng.randint(60, 5 * 24 * 60))
            status = rng.choice(["attended", "attended", "not_attended", "unknown"])
            record, _ = referral_status_change(
                referral=record, status=status, by=by, role=Role.SUPERVISOR, at=when
            )
            entry.statuses.append(status)
        entry.record = record
        return entry

    def record_referrals(self) -> None:
        rng = self.rng
        live = [
            v
            for v in self.ledger.visits
            if not v.voided and v.person and FIRST <= local_day(v.site, v.start) <= LAST
        ]
        for v in rng.sample(live, 50):
            self.referral(v.site, v.start + timedelta(minutes=rng.randint(0, 20)), visit=v)
        for site in SITES:
            for _ in range(14):
                at = moment(site, rng.choice(DAYS), 9) + timedelta(
                    seconds=rng.randint(0, 14 * 3600)
                )
                self.referral(
                    site, at, code=rng.choice([None, self.typed(rng.choice(self.pool[site]))])
                )
            for day in rng.sample(DAYS[1:], 2):
                self.referral(site, moment(site, day, 23, 59, 30))
                entry = self.referral(site, moment(site, day, 0, 0, 30))
            # Offered at 00:00:30 by the tablet's clock; in fact a minute before midnight.
            assert entry.record is not None
            entry.at -= timedelta(seconds=90)
            entry.record = referral_update(
                referral=entry.record,
                by=self.by[site],
                role=Role.SUPERVISOR,
                version=entry.record.version,
                reason="The tablet's clock was a minute and a half fast.",
                at=entry.at,
            )
        for entry in rng.sample(self.ledger.referrals, 9):
            assert entry.record is not None
            entry.record = referral_void(
                referral=entry.record,
                by=self.by[entry.site],
                role=Role.SUPERVISOR,
                reason="Entered for the wrong person.",
            )
            entry.voided = True

    def record_safety(self) -> None:
        """Turn-aways, restrictions and complaints through the month, some either side of a
        local midnight, some voided (recorded last: a restriction would refuse a check-in)."""
        rng = self.side
        for site in SITES:
            by, where = self.by[site], self.site[site]
            for n in range(30):
                at = self.random_time(site, rng.choice(DAYS))
                record, _ = turnaway_record(
                    site=where,
                    reason=rng.choice(TURNAWAY_REASONS),
                    by=by,
                    role=Role.SUPERVISOR,
                    code=self.typed(rng.choice(self.pool[site])) if n % 3 == 0 else None,
                    at=at,
                )
                self.ledger.turnaways.append(SafetyEntry(site, record.reason, at, record.pk))
            for code in rng.sample(self.pool[site], 6):
                at = self.random_time(site, rng.choice(DAYS))
                restriction, _ = restriction_create(
                    request=RestrictionRequest(
                        site=where,
                        scope=rng.choice(["all_services", "consumption_only"]),
                        reason=rng.choice(["violence", "threats", "dealing"]),
                        code=self.typed(code),
                        starts_at=at,
                        ends_at=at + timedelta(days=7),
                    ),
                    by=by,
                    role=Role.SUPERVISOR,
                )
                self.ledger.restrictions.append(SafetyEntry(site, "started", at, restriction.pk))
            for _ in range(12):
                at = self.random_time(site, rng.choice(DAYS))
                complaint, _ = complaint_record(
                    site=where,
                    category=rng.choice(COMPLAINT_CATEGORIES),
                    summary="Waited a long time at the door.",
                    by=by,
                    received_at=at,
                )
                self.ledger.complaints.append(
                    SafetyEntry(site, complaint.category, at, complaint.pk)
                )
        # Voided in the database (these records have no void action yet): they leave every count.
        for model, entries in (
            (TurnAway, self.ledger.turnaways),
            (Restriction, self.ledger.restrictions),
            (Complaint, self.ledger.complaints),
        ):
            for entry in rng.sample(entries, 3):
                model.objects.filter(pk=entry.id).update(voided=True)
                entry.voided = True

    def record(self) -> Ledger:
        self.record_visits()
        self.record_incidents()
        self.record_services()
        self.record_referrals()
        self.record_people()
        self.record_safety()
        return self.ledger

    def record_people(self) -> None:
        """Most people give a birth year (the one in their code) and a gender, some neither."""
        rng = self.rng
        for code in sorted(self.codes - set(self.mistyped)):
            participant = participant_by_code(code=code)
            if participant is None:
                continue  # planned, never met
            born = int(code[-4:]) if rng.random() < 0.85 else None
            gender = rng.choice(GENDERS)
            self.ledger.people[code] = (born, gender)
            seen = participant.sites.select_related("site").first()
            assert seen is not None
            participant_update(
                participant=participant,
                site=seen.site,
                by=self.by[seen.site.slug],
                version=participant.version,
                birth_year=born,
                gender=gender,
            )


def check_the_generator_covers_the_rules(month: Month) -> None:
    """The month really holds what the comparison is meant to exercise."""
    ledger = month.ledger
    visits = [v for v in ledger.visits if FIRST <= local_day(v.site, v.start) <= LAST]
    by_person: dict[str, list[VisitEntry]] = defaultdict(list)
    for v in sorted(ledger.visits, key=lambda v: v.start):
        if v.person:
            by_person[v.person].append(v)
    firsts = {
        p: live[0] for p, vs in by_person.items() if (live := [v for v in vs if not v.voided])
    }
    sites_of: dict[str, set[str]] = defaultdict(set)
    for v in visits:
        if v.person and not v.voided:
            sites_of[v.person].add(v.site)
    features = Counter(
        {
            "visits": len(visits),
            "voided visits": sum(v.voided for v in visits),
            "anonymous visits": sum(v.person is None for v in visits),
            "service-only visits": sum(v.kind == "service_only" for v in visits),
            "visits never checked out": sum(v.end is None for v in visits),
            "visits across midnight": sum(
                v.end is not None and local_day(v.site, v.end) != local_day(v.site, v.start)
                for v in visits
            ),
            "codes typed differently": sum(
                v.typed_code is not None and v.typed_code != v.person for v in visits
            ),
            "people at both sites": sum(len(s) == 2 for s in sites_of.values()),
            "people first seen in September": sum(v.start.month == 9 for v in firsts.values()),
            "people whose earliest visit was voided": sum(
                vs[0].voided for p, vs in by_person.items() if p in firsts
            ),
            "people new at one site, then at the other": sum(
                any(v.site != firsts[p].site and not v.voided for v in vs)
                for p, vs in by_person.items()
                if p in firsts
            ),
            "participants merged": month.merged,
            "booth visits moved across midnight": month.moved_visits,
            "overdoses": sum(i.kind in OVERDOSE for i in ledger.incidents),
            "voided incidents": sum(i.voided for i in ledger.incidents),
            "sites with a fatal overdose": sum(
                any(
                    i.site == site
                    and not i.voided
                    and i.kind in OVERDOSE
                    and i.outcome == "deceased"
                    for i in ledger.incidents
                )
                for site in SITES
            ),
            "voided naloxone": sum(
                a.voided and a.kind == "naloxone" for i in ledger.incidents for a in i.actions
            ),
            "voided EMS calls": sum(
                a.voided and a.kind == "ems_called" for i in ledger.incidents for a in i.actions
            ),
            "naloxone outside overdoses": sum(
                i.kind not in OVERDOSE and any(a.kind == "naloxone" for a in i.actions)
                for i in ledger.incidents
            ),
            "drug checks": sum(s.kind == "drug_checking" for s in ledger.services),
            "supplies": sum(s.kind == "supplies" for s in ledger.services),
            "voided services": sum(s.voided for s in ledger.services),
            "referrals accepted later": sum(
                "accepted" in r.statuses and r.answered_at is not None and r.answered_at > r.at
                for r in ledger.referrals
            ),
            "referrals attended": sum("attended" in r.statuses for r in ledger.referrals),
            "referrals declined": sum("declined" in r.statuses for r in ledger.referrals),
            "voided referrals": sum(r.voided for r in ledger.referrals),
            "assisted visits": sum(v.assisted != "none" for v in visits),
            "shared-supply visits": sum(v.shared_supply for v in visits),
            "turn-aways across midnight": sum(
                e.at.astimezone(ZONES[e.site]).hour in (23, 0) for e in ledger.turnaways
            ),
            "voided turn-aways": sum(e.voided for e in ledger.turnaways),
            "restrictions": len(ledger.restrictions),
            "voided restrictions": sum(e.voided for e in ledger.restrictions),
            "complaints": len(ledger.complaints),
            "voided complaints": sum(e.voided for e in ledger.complaints),
        }
    )
    assert 300 <= features["visits"] <= 600, features
    thin = sorted(name for name, n in features.items() if n < 2)
    assert not thin, f"the generated month lacks {thin}: {features}"


def test_a_generated_month_at_two_sites_counts_as_domain_md_says(
    world: World, client_for: Callable[[str], TabletClient]
) -> None:
    # A supervisor at eastside, who also supervises harbour (to read the network's report).
    frank = make_user("frank", site=world.site_b, role=Role.SUPERVISOR)
    Membership.objects.create(user=frank, site=world.site_a, role=Role.SUPERVISOR)
    month = Month(world, frank, random.Random(SEED))
    ledger = month.record()
    check_the_generator_covers_the_rules(month)
    sites: dict[str, Site] = {"harbour": world.site_a, "eastside": world.site_b}

    # Daily: every site-day, as stored.
    for site in sites.values():
        daily_reports(sites=[site], first=FIRST, last=LAST)
    stored = {
        (r.site.slug, r.date): r
        for r in DailyReport.objects.select_related("site").filter(date__gte=FIRST, date__lte=LAST)
    }
    assert len(stored) == len(SITES) * len(DAYS)
    mismatches = []
    for slug in SITES:
        for day in DAYS:
            report = stored[(slug, day)]
            assert report.status == DailyReport.Status.FINAL, (slug, day, report.status)
            expected = expected_metrics(ledger, [slug], day, day)
            mismatches += differences(f"{slug} {day}", expected, report.metrics)

    # The period: each site alone, then the network (a person at both sites counts once).
    for scope in (["harbour"], ["eastside"], list(SITES)):
        got = period_metrics(sites=[sites[s] for s in scope], first=FIRST, last=LAST)
        mismatches += differences(
            f"{'+'.join(scope)} {FIRST}..{LAST}", expected_metrics(ledger, scope, FIRST, LAST), got
        )

    response = client_for("frank").get(
        f"/api/v1/reports/period/?site=harbour&site=eastside&from={FIRST}&to={LAST}"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["sites"], body["suppressed"]) == (["harbour", "eastside"], False)
    mismatches += differences(
        "API harbour+eastside", expected_metrics(ledger, SITES, FIRST, LAST), body["metrics"]
    )

    assert not mismatches, "\n".join(mismatches)
