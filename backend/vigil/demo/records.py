"""A few realistic days of a mid-size supervised consumption site, for `vigil_demo`.

Every record goes through the service functions, so it obeys the rules a tablet's record obeys
and is audited: what happened more than 12 h ago is entered by the supervisor (backdated), the
last 12 h by floor staff. Nothing here writes to a table directly. The same seed at the same
moment gives the same records.

1. Plan (plain Python, `random.Random(seed)`): a pool of pseudonymous visit codes, each with a
   habit and a frequency; per local day 120-200 arrivals between 09:00 and 23:00, a small rush
   at opening, a quiet late morning and a busy afternoon and evening. Each arrival takes a free
   booth of the kind its route needs (or waits, or leaves), gets its services, now and then a
   referral, and overdoses at about 15 per 1,000 visits with a realistic response timeline.
   A few records are voided: a wrong booth tapped, a service or an incident entered twice, a
   referral entered for the wrong person.
2. Write the visits in order of check-in, each with its incident, services, referrals and
   check-out; then the referral follow-ups and the participants' details.
3. The floor now: 4-7 booths occupied for 2 to 25 min, an overdose being responded to, a person
   waiting for wound care, a drug alert; restrictions (one due for review), turn-aways, one
   person on the waiting list, complaints (one waiting for its response) (`vigil.demo.safety`). The supervisor's queue: incidents of the last hours
   submitted (critical and routine) and one returned with a comment; older ones approved (by
   the admin: nobody reviews an incident they logged, and the supervisor entered those).
4. Compute the daily reports of the past days. (The writes also ask, after commit, for a
   recompute of each past day they touch: one task per day, which finds the same figures.)
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from vigil.accounts.models import Role, User
from vigil.alerts.models import Alert
from vigil.alerts.services import AlertPost, alert_post
from vigil.care.models import Referral
from vigil.care.services import (
    NewReferral,
    NewService,
    referral_create,
    referral_status_change,
    referral_void,
    service_create,
    service_void,
)
from vigil.demo.safety import load_demo_safety
from vigil.incidents.models import Incident
from vigil.incidents.services import (
    IncidentOpen,
    incident_open,
    incident_review,
    incident_submit,
    incident_update,
    incident_void,
)
from vigil.incidents.timeline import ActionTap, incident_action_record
from vigil.participants.models import Participant
from vigil.participants.services import participant_update
from vigil.records.rules import backdate_limit
from vigil.reports.models import DailyReport
from vigil.reports.services import compute_site_day
from vigil.sites.models import Booth, Site
from vigil.stock.models import StockLevel
from vigil.stock.services import Receipt, ShiftCheck, stock_check_record, stock_receive
from vigil.visits.models import Visit
from vigil.visits.services import CheckIn, visit_check_in, visit_check_out, visit_void

DEFAULT_SEED = 20240611
ALERT_MESSAGE = "Benzo-positive down circulating — watch for prolonged sedation"

OPENS_AT, CLOSES_AT = 9, 23
# Arrivals per opening hour (09:00 ... 22:00): a rush at opening (withdrawal), a quiet late
# morning, busy afternoons and evenings.
HOURLY_RHYTHM = (5, 3, 3, 4, 5, 6, 7, 8, 9, 9, 9, 8, 6, 4)
ANONYMOUS_SHARE = 0.07
SERVICE_ONLY_SHARE = 0.12
OPIOID_OVERDOSE_RISK = 0.022  # per consumption visit with an opioid: ~15 per 1,000 visits
STIMULANT_OVERDOSE_RISK = 0.005
OTHER_MEDICAL_RISK = 0.003
MISTAKEN_ENTRY_RISK = 0.006  # a check-in on the wrong booth, voided and entered again
LONGEST_WAIT = timedelta(minutes=20)  # past this a person leaves instead of waiting
BETWEEN_VISITS = timedelta(minutes=30)
NALOXONE_DOSE = Decimal("0.4")
NEVER = datetime.min.replace(tzinfo=UTC)

OPIOIDS = frozenset(
    {"fentanyl", "heroin", "unspecified_opioid", "hydromorphone", "oxycodone", "morphine"}
    | {"methadone", "speedball"}
)

# Made-up codes: two syllables and a birth year (MAKO1993), or a word and a number (RIVER7).
# fmt: off
_FIRST = [
    "BA", "BO", "DA", "DU", "FE", "GO", "HU", "JA", "KE", "LO", "MA", "MO", "NU", "PE", "RI",
    "RO", "SA", "TU", "VE", "WA", "ZE", "ZO",
]
_SECOND = [
    "KO", "KU", "ZA", "ZU", "VO", "XI", "QA", "JU", "XO", "ZI", "VU",
]
_WORDS = [
    "RIVER", "CEDAR", "HERON", "FLINT", "OTTER", "MOSS", "FERN", "SLATE", "TIDE", "EMBER",
    "COMET", "ORCA", "LYNX", "BIRCH", "SPRUCE", "PEBBLE", "DRIFT", "GALE", "QUARTZ", "ANVIL",
    "KETTLE", "LANTERN", "TORCH", "COBALT", "MARBLE", "THISTLE", "BRAMBLE", "PEPPER",
    "BISCUIT", "NOODLE", "PICKLE", "ROCKET", "BANJO", "TURNIP", "WALNUT", "ACORN", "GRAVEL",
    "MAGPIE", "BADGER", "BEAVER", "MOOSE", "BISON", "FALCON", "GECKO", "PANDA", "TIGER",
    "ZEBRA", "WALRUS", "CACTUS",
]
# fmt: on

# Habit: share of the pool.
HABITS = {
    "opioid_injection": 38,
    "opioid_smoking": 17,
    "crack": 15,
    "meth": 17,
    "mixed": 13,
}

REFERRAL_CATEGORIES = {
    "housing": 20,
    "oat": 15,
    "primary_care": 12,
    "mental_health": 10,
    "food_basic_needs": 8,
    "identification": 8,
    "income_social": 7,
    "withdrawal_management": 6,
    "hiv_hcv_care": 5,
    "addiction_counselling": 4,
    "residential_treatment": 3,
    "legal": 2,
}
ONSITE_CATEGORIES = frozenset({"oat", "primary_care", "hiv_hcv_care", "mental_health"})

# Services a visit may get besides supplies and drug checking, with their chance per visit.
OTHER_SERVICES = {
    "basic_needs": 0.05,
    "wound_care": 0.04,
    "peer_support": 0.03,
    "naloxone_kit": 0.03,
    "education": 0.02,
    "vein_care": 0.015,
    "counselling": 0.01,
    "first_aid": 0.01,
    "respite": 0.01,
    "naloxone_training": 0.007,
    "hcv_test": 0.005,
    "hiv_test": 0.004,
    "sti_test": 0.003,
    "vaccination": 0.003,
    "oat_start": 0.003,
}

RETURN_COMMENT = "Say in the narrative how the person was when they left aftercare, then resubmit."


# --- Plans ------------------------------------------------------------------------------------


@dataclass
class Person:
    code: str
    weight: float
    habit: str
    birth_year: int | None
    gender: str
    busy_until: datetime = NEVER


@dataclass
class Step:
    """One tap of a response timeline, `minute` after the onset."""

    minute: float
    kind: str
    dose_mg: Decimal | None = None
    route: str = ""
    spo2: int | None = None
    resp_rate: int | None = None


@dataclass
class PlannedIncident:
    kind: str
    location: str
    signs: list[str]
    substances: list[str]
    steps: list[Step]
    minutes: float  # from onset to the end of the response
    outcome: str
    narrative: str
    police_attended: bool = False
    started_at: datetime = NEVER
    # open | submitted | returned | approved; `duplicate` adds a copy that is voided.
    state: str = "approved"
    duplicate: bool = False

    @property
    def ended_at(self) -> datetime:
        return _after(self.started_at, self.minutes)

    @property
    def leaves_with_ems(self) -> bool:
        return self.outcome == "transported"


@dataclass
class PlannedService:
    kind: str
    at: datetime
    drug_check: dict[str, str] | None = None
    supplies: list[dict[str, Any]] = field(default_factory=list)
    void_reason: str = ""


@dataclass
class PlannedReferral:
    category: str
    destination: str
    accompanied: bool
    status: str
    at: datetime
    follow_ups: list[tuple[str, datetime]] = field(default_factory=list)
    void_reason: str = ""


@dataclass
class PlannedVisit:
    checked_in_at: datetime
    checked_out_at: datetime | None
    kind: str
    booth: Booth | None
    person: Person | None
    substances: list[str]
    routes: list[str]
    did_not_consume_reason: str = ""
    incident: PlannedIncident | None = None
    services: list[PlannedService] = field(default_factory=list)
    referrals: list[PlannedReferral] = field(default_factory=list)
    wrong_booth: Booth | None = None  # first entered on this booth, voided


@dataclass
class DemoSummary:
    reports: list[DailyReport]
    visits_today: int
    open_visits: int
    live: Incident
    queue: dict[str, int]
    alert: Alert


# --- Planning -----------------------------------------------------------------------------------


def _after(moment: datetime, minutes: float) -> datetime:
    """`minutes` after `moment`, to the second (as a tablet records it)."""
    return moment + timedelta(seconds=round(minutes * 60))


def _weighted(rng: random.Random, weights: Mapping[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _minutes(rng: random.Random, median: float, spread: float, low: float, high: float) -> float:
    return min(high, max(low, rng.lognormvariate(math.log(median), spread)))


def _people(rng: random.Random, count: int) -> list[Person]:
    """A pool of recurring visitors: a few come several times a day, most a few times a week."""
    codes: set[str] = set()
    people: list[Person] = []
    while len(people) < count:
        birth_year: int | None
        if rng.random() < 0.6:
            birth_year = rng.randint(1962, 2004)
            code = f"{rng.choice(_FIRST)}{rng.choice(_SECOND)}{birth_year}"
        else:
            code = f"{rng.choice(_WORDS)}{rng.randint(1, 99)}"
            birth_year = rng.randint(1965, 2003) if rng.random() < 0.5 else None
        if code in codes:
            continue
        codes.add(code)
        gender = _weighted(rng, {"man": 68, "woman": 27, "non_binary": 3, "unknown": 2})
        people.append(
            Person(
                code=code,
                weight=rng.lognormvariate(0, 1.0),
                habit=_weighted(rng, HABITS),
                birth_year=birth_year,
                gender=gender,
            )
        )
    return people


def _use(rng: random.Random, habit: str) -> tuple[list[str], list[str]]:
    """What a person brings and how they use it today (substances, routes)."""
    if habit == "opioid_injection":
        opioid = _weighted(
            rng,
            {
                "fentanyl": 78,
                "hydromorphone": 8,
                "unspecified_opioid": 7,
                "heroin": 4,
                "oxycodone": 2,
                "morphine": 1,
            },
        )
        substances = [opioid]
        if rng.random() < 0.12:
            substances.append("methamphetamine")
        if rng.random() < 0.03:
            substances.append("benzodiazepine")
        return substances, ["oral" if rng.random() < 0.02 else "injection"]
    if habit == "opioid_smoking":
        substances = ["fentanyl" if rng.random() < 0.9 else "unspecified_opioid"]
        if rng.random() < 0.1:
            substances.append("crack")
        return substances, ["inhalation"]
    if habit == "crack":
        return (["crack", "fentanyl"] if rng.random() < 0.08 else ["crack"]), ["inhalation"]
    if habit == "meth":
        substances = ["methamphetamine" if rng.random() < 0.95 else "amphetamine"]
        return substances, ["injection" if rng.random() < 0.4 else "inhalation"]
    pick = rng.random()
    if pick < 0.35:
        return ["speedball"], ["injection"]
    if pick < 0.6:
        return ["cocaine"], ["injection"]
    if pick < 0.7:
        return ["cocaine"], ["intranasal"]
    if pick < 0.9:
        return ["crack", "fentanyl"], ["inhalation"]
    return ["unknown"], ["injection"]


def _opioid_overdose(rng: random.Random, profile: str | None, route: str) -> PlannedIncident:
    """Stimulation, oxygen, naloxone 0.4 mg IM (sometimes twice), sometimes 911 and EMS.

    `profile` forces a shape: `critical` (two doses, EMS, transported) or `routine` (one dose,
    recovered on site).
    """
    signs = ["slow_or_no_breathing", "unresponsive"]
    if rng.random() < 0.7:
        signs.append("pinpoint_pupils")
    if rng.random() < 0.3:
        signs.append("cyanosis")
    steps = [Step(0.5, "stimulation")]
    if rng.random() < 0.85:
        steps.append(Step(1.0, "oxygen"))
    if rng.random() < 0.5:
        steps.append(Step(1.5, rng.choice(["bag_valve_mask", "rescue_breathing"])))
    steps.append(Step(2.0, "vitals", spo2=rng.randint(62, 86), resp_rate=rng.randint(2, 7)))
    doses = 0
    minute = 2.0
    if profile is not None or rng.random() < 0.7:
        minute = rng.uniform(2.5, 4.5)
        steps.append(Step(round(minute, 1), "naloxone", NALOXONE_DOSE, "IM"))
        doses = 1
        second = profile == "critical" or (profile is None and rng.random() < 0.3)
        while second and doses < 3:
            minute += rng.uniform(3, 5)
            steps.append(Step(round(minute, 1), "naloxone", NALOXONE_DOSE, "IM"))
            doses += 1
            second = profile is None and rng.random() < 0.15
    ems = profile == "critical" or (profile is None and rng.random() < (0.5 if doses >= 2 else 0.1))
    recovered = minute + rng.uniform(2, 5)
    steps.append(
        Step(round(recovered, 1), "vitals", spo2=rng.randint(93, 99), resp_rate=rng.randint(12, 18))
    )
    words = (
        f"Unresponsive with slow breathing a few minutes after {_using(route)}. Stimulation"
        + (" and oxygen" if any(s.kind == "oxygen" for s in steps) else "")
        + (f"; naloxone 0.4 mg IM x{doses}" if doses else "; breathing returned without naloxone")
        + ". "
    )
    if ems:
        called = rng.uniform(3, 5)
        arrived = called + rng.uniform(6, 13)
        steps += [Step(round(called, 1), "ems_called"), Step(round(arrived, 1), "ems_arrived")]
        if profile == "critical" or rng.random() < 0.45:
            gone = max(arrived + rng.uniform(5, 12), recovered + 1)
            steps.append(Step(round(gone, 1), "transported"))
            outcome, minutes = "transported", gone
            words += "911 called; paramedics took over and transported to hospital."
        else:
            outcome, minutes = "declined_transport", arrived + rng.uniform(12, 25)
            words += "911 called; assessed by paramedics, declined transport."
    else:
        steps.append(Step(round(recovered + 2, 1), "monitoring"))
        minutes = recovered + (rng.uniform(15, 25) if profile else rng.uniform(15, 40))
        stayed = profile == "routine" or rng.random() < 0.88
        outcome = "recovered_on_site" if stayed else "left_against_advice"
        words += (
            f"Monitored in aftercare for about {round(minutes - recovered)} min."
            if stayed
            else "Left before the end of monitoring, against advice."
        )
    steps.sort(key=lambda step: step.minute)
    return PlannedIncident(
        kind="opioid_overdose",
        location="booth",
        signs=signs,
        substances=[],
        steps=steps,
        minutes=round(minutes, 1),
        outcome=outcome,
        narrative=words,
    )


def _stimulant_overdose(rng: random.Random) -> PlannedIncident:
    seizure = rng.random() < 0.25
    signs = (
        ["agitation"]
        + (["seizure"] if seizure else [])
        + (["chest_pain"] if rng.random() < 0.4 else [])
    )
    steps = [Step(0.5, "monitoring"), Step(1.5, "vitals", spo2=rng.randint(93, 98), resp_rate=26)]
    if seizure:
        steps.append(Step(1.0, "recovery_position"))
    if rng.random() < 0.3:
        steps.append(Step(2.0, "oxygen"))
    words = "Agitated and overheated after use; moved to a quiet area, cooled, vitals watched. "
    if rng.random() < 0.35:
        arrived = 3 + rng.uniform(7, 12)
        steps += [Step(3.0, "ems_called"), Step(round(arrived, 1), "ems_arrived")]
        transported = rng.random() < 0.6
        if transported:
            steps.append(Step(round(arrived + 8, 1), "transported"))
        outcome = "transported" if transported else "declined_transport"
        minutes = arrived + (8 if transported else 20)
        words += "911 called." + (" Transported to hospital." if transported else "")
    else:
        outcome, minutes = "recovered_on_site", rng.uniform(25, 50)
        words += "Settled on site."
    steps.sort(key=lambda step: step.minute)
    return PlannedIncident(
        kind="stimulant_overdose",
        location="booth",
        signs=signs,
        substances=[],
        steps=steps,
        minutes=round(minutes, 1),
        outcome=outcome,
        narrative=words,
    )


def _other_medical(rng: random.Random) -> PlannedIncident:
    return PlannedIncident(
        kind="other_medical",
        location=rng.choice(["aftercare", "washroom"]),
        signs=["other"],
        substances=[],
        steps=[
            Step(1.0, "vitals", spo2=rng.randint(94, 99), resp_rate=rng.randint(14, 20)),
            Step(3.0, "monitoring"),
        ],
        minutes=round(rng.uniform(15, 30), 1),
        outcome="recovered_on_site",
        narrative="Felt faint and dizzy after use; sat down, given water and a snack, vitals "
        "normal. No overdose signs.",
    )


def _violence() -> PlannedIncident:
    return PlannedIncident(
        kind="violence",
        location="outside",
        signs=[],
        substances=[],
        steps=[],
        minutes=12,
        outcome="",
        narrative="Argument between two people at the entrance turned to pushing; staff "
        "de-escalated and both left separately. No injuries.",
    )


def _using(route: str) -> str:
    return {"inhalation": "smoking", "intranasal": "snorting", "oral": "taking it"}.get(
        route, "injecting"
    )


def _supplies(rng: random.Random, routes: Sequence[str]) -> list[dict[str, Any]]:
    if "inhalation" in routes:
        lines = {"pipe": rng.randint(1, 2), "foil": rng.randint(2, 6)}
    else:
        lines = {
            "syringe": rng.choice([2, 5, 5, 10, 10, 20]),
            "cooker": rng.randint(1, 5),
            "filter": rng.randint(2, 10),
            "water": rng.randint(2, 10),
            "alcohol_swab": rng.randint(2, 10),
        }
        if rng.random() < 0.3:
            lines["tourniquet"] = 1
        if rng.random() < 0.1:
            lines["sharps_container"] = 1
    if rng.random() < 0.15:
        lines["test_strip"] = rng.randint(2, 5)
    if rng.random() < 0.05:
        lines["naloxone_kit"] = 1
    return [{"item": item, "quantity": quantity} for item, quantity in sorted(lines.items())]


def _drug_check(rng: random.Random, substances: Sequence[str]) -> dict[str, str]:
    """Mostly fentanyl strips; now and then FTIR, which finds benzodiazepines this week."""
    expected = substances[0] if substances else "unknown"
    opioid = expected in OPIOIDS
    method = _weighted(rng, {"fentanyl_strip": 60, "ftir": 25, "benzo_strip": 15})
    result = {"expected_substance": expected, "method": method}

    def found(chance: float) -> str:
        return "positive" if rng.random() < chance else "negative"

    if method in ("fentanyl_strip", "ftir"):
        result["fentanyl"] = found(0.95 if opioid else 0.12)
    if method in ("benzo_strip", "ftir"):
        result["benzodiazepine"] = found(0.35 if opioid else 0.05)
    if method == "ftir":
        result["xylazine"] = found(0.1 if opioid else 0.01)
        result["nitazene"] = found(0.03 if opioid else 0.0)
    surprise = (not opioid and result.get("fentanyl") == "positive") or result.get(
        "benzodiazepine"
    ) == "positive"
    if surprise:
        result["client_action"] = _weighted(
            rng, {"reduced_dose": 55, "disposed": 15, "used_as_planned": 20, "undecided": 10}
        )
    else:
        result["client_action"] = _weighted(rng, {"used_as_planned": 80, "undecided": 20})
    return result


class _Planner:
    """Turns arrivals into visits in free booths, with their services, referrals, incidents."""

    def __init__(
        self, *, site: Site, rng: random.Random, now: datetime, people: list[Person]
    ) -> None:
        self.rng = rng
        self.now = now
        self.people = people
        self.weights = [person.weight for person in people]
        self.booths = list(site.booths.filter(active=True).order_by("position", "label"))
        self.free_at = {booth.pk: NEVER for booth in self.booths}
        self.visits: list[PlannedVisit] = []
        self.incidents: list[PlannedIncident] = []  # not linked to a visit

    def person_free_at(self, at: datetime) -> Person | None:
        for _ in range(12):
            person = self.rng.choices(self.people, weights=self.weights)[0]
            if person.busy_until <= at:
                return person
        return None

    def booth_for(self, routes: Sequence[str], at: datetime) -> tuple[Booth, datetime] | None:
        """A free booth of the kind the route needs, or the one free soonest (then a wait)."""
        kind = Booth.Kind.INHALATION if "inhalation" in routes else Booth.Kind.INJECTION
        booths = [booth for booth in self.booths if booth.kind == kind] or self.booths
        if not booths:
            return None
        free = [booth for booth in booths if self.free_at[booth.pk] <= at]
        if free:
            return self.rng.choice(free), at
        soonest = min(booths, key=lambda booth: self.free_at[booth.pk])
        return soonest, self.free_at[soonest.pk]

    def arrival(self, at: datetime, *, forced: str | None = None) -> None:
        """One arrival. `forced` (returned, critical, routine) makes it an opioid overdose of
        the last hours, for the supervisor's queue."""
        rng = self.rng
        person = None if rng.random() < ANONYMOUS_SHARE else self.person_free_at(at)
        habit = person.habit if person else _weighted(rng, HABITS)
        if forced:
            habit = "opioid_injection"
        service_only = not forced and rng.random() < SERVICE_ONLY_SHARE
        substances, routes = _use(rng, habit)
        if forced and not OPIOIDS & set(substances):
            substances = ["fentanyl"]
        if service_only:
            minutes = _minutes(rng, 8, 0.5, 3, 30)
            visit = PlannedVisit(
                checked_in_at=at,
                checked_out_at=None,
                kind="service_only",
                booth=None,
                person=person,
                substances=[],
                routes=[],
            )
            self._close(visit, minutes)
            self._services(visit, routes, substances, service_only=True)
            self._finish(visit)
            return
        inhalation = "inhalation" in routes
        minutes = _minutes(rng, 16 if inhalation else 23, 0.35, 5, 75)
        reason = ""
        if not forced and rng.random() < 0.02:
            reason = rng.choice(["changed_mind", "left", "unwell"])
            minutes = rng.uniform(3, 8)
        incident = None
        long_ago = at < self.now - timedelta(minutes=100)
        if forced:
            profile = "critical" if forced == "critical" else "routine"
            incident = _opioid_overdose(rng, profile, routes[0])
            incident.state = "returned" if forced == "returned" else "submitted"
        elif not reason and long_ago:
            risk = rng.random()
            if OPIOIDS & set(substances):
                factor = 1.3 if "injection" in routes else 0.7
                if risk < OPIOID_OVERDOSE_RISK * factor:
                    incident = _opioid_overdose(rng, None, routes[0])
            elif risk < STIMULANT_OVERDOSE_RISK:
                incident = _stimulant_overdose(rng)
            if incident is None and rng.random() < OTHER_MEDICAL_RISK:
                incident = _other_medical(rng)
        onset = rng.uniform(3, 6) if forced else rng.uniform(3, 12)
        if incident is not None:
            incident.substances = list(substances)
            tail = 0.0 if incident.leaves_with_ems else rng.uniform(0, 10)
            minutes = max(minutes, onset + incident.minutes + tail)
        place = self.booth_for(routes, at)
        if place is None:
            return
        booth, start = place
        if start - at > LONGEST_WAIT and not forced:
            return  # left rather than wait
        visit = PlannedVisit(
            checked_in_at=start,
            checked_out_at=None,
            kind="consumption",
            booth=booth,
            person=person,
            substances=substances,
            routes=routes,
            did_not_consume_reason=reason,
        )
        if incident is not None:
            incident.started_at = _after(start, onset)
            visit.incident = incident
        if rng.random() < MISTAKEN_ENTRY_RISK:
            others = [b for b in self.booths if b != booth and self.free_at[b.pk] <= start]
            visit.wrong_booth = rng.choice(others) if others else None
        self._close(visit, minutes)
        self.free_at[booth.pk] = visit.checked_out_at or self.now
        if not reason:
            self._services(visit, routes, substances, service_only=False)
        self._finish(visit)

    def _close(self, visit: PlannedVisit, minutes: float) -> None:
        """Check-out time; never later than a minute ago (the floor now is planned apart)."""
        out = _after(visit.checked_in_at, minutes)
        latest = self.now - timedelta(minutes=1)
        if out > latest:
            out = max(visit.checked_in_at, latest)
        visit.checked_out_at = out

    def _services(
        self,
        visit: PlannedVisit,
        routes: Sequence[str],
        substances: Sequence[str],
        *,
        service_only: bool,
    ) -> None:
        rng = self.rng
        start = visit.checked_in_at
        end = visit.checked_out_at or start
        span = max(0.0, (end - start).total_seconds() / 60)

        def during(share: float) -> datetime:
            return _after(start, span * share)

        services = visit.services
        if rng.random() < (0.7 if service_only else 0.38):
            void = "Entered twice; the other entry is kept." if rng.random() < 0.01 else ""
            services.append(
                PlannedService("supplies", during(0.05), supplies=_supplies(rng, routes)),
            )
            if void:
                services.append(
                    PlannedService(
                        "supplies",
                        during(0.06),
                        supplies=services[-1].supplies,
                        void_reason=void,
                    )
                )
        if rng.random() < (0.2 if service_only else 0.05):
            check = _drug_check(rng, substances or ["unknown"])
            services.append(PlannedService("drug_checking", during(0.05), drug_check=check))
        for kind, chance in OTHER_SERVICES.items():
            if rng.random() < chance * (2 if service_only else 1):
                services.append(PlannedService(kind, during(rng.uniform(0.3, 0.95))))
        if visit.incident is not None and rng.random() < 0.4:
            services.append(PlannedService("naloxone_kit", during(0.98)))
        if service_only and not services:
            services.append(PlannedService(rng.choice(["basic_needs", "wound_care"]), during(0.5)))
        chance = 0.25 if visit.incident is not None else 0.03
        if visit.person is not None and rng.random() < chance:
            visit.referrals.append(self._referral(during(0.8), overdose=visit.incident is not None))

    def _referral(self, at: datetime, *, overdose: bool) -> PlannedReferral:
        rng = self.rng
        if overdose:
            category = rng.choice(["oat", "withdrawal_management", "addiction_counselling"])
        else:
            category = _weighted(rng, REFERRAL_CATEGORIES)
        onsite = category in ONSITE_CATEGORIES and rng.random() < 0.5
        status = _weighted(rng, {"accepted": 55, "offered": 25, "declined": 20})
        referral = PlannedReferral(
            category=category,
            destination="onsite_connected" if onsite else "offsite",
            accompanied=rng.random() < 0.25,
            status=status,
            at=at,
            void_reason="Entered for the wrong person." if rng.random() < 0.03 else "",
        )
        later = _after(at, rng.uniform(1, 3) * 24 * 60)
        if later > self.now - timedelta(minutes=10):
            return referral
        if status == "offered" and rng.random() < 0.5:
            answer = "accepted" if rng.random() < 0.7 else "declined"
            referral.follow_ups.append((answer, later))
            status = answer
            later = _after(later, rng.uniform(1, 2) * 24 * 60)
        if status == "accepted" and later <= self.now and rng.random() < 0.85:
            outcome = _weighted(rng, {"attended": 55, "not_attended": 30, "unknown": 15})
            referral.follow_ups.append((outcome, later))
        return referral

    def _finish(self, visit: PlannedVisit) -> None:
        if visit.person is not None:
            visit.person.busy_until = (visit.checked_out_at or self.now) + BETWEEN_VISITS
        self.visits.append(visit)


def _arrivals(
    rng: random.Random, *, site: Site, first: date, last: date, per_day: tuple[int, int]
) -> list[datetime]:
    """Arrival times of each local day from `first` to `last`, in the site's opening hours."""
    hours = range(OPENS_AT, CLOSES_AT)
    arrivals = []
    day = first
    while day <= last:
        count = rng.randint(*per_day)
        for hour in rng.choices(hours, weights=HOURLY_RHYTHM, k=count):
            local = datetime(day.year, day.month, day.day, hour, tzinfo=site.zone)
            moment = local.astimezone(UTC) + timedelta(seconds=rng.randrange(3600))
            arrivals.append(moment)
        day += timedelta(days=1)
    return sorted(arrivals)


# --- Writing ------------------------------------------------------------------------------------


class _Writer:
    """Writes the plans through the services, as the staff or the supervisor would enter them."""

    def __init__(self, *, site: Site, users: Mapping[str, User], now: datetime) -> None:
        self.site = site
        self.staff = users["staff"]
        self.supervisor = users["supervisor"]
        self.admin = users["admin"]
        self.now = now
        # Staff enter the records of the last 12 h; a margin keeps the load inside that limit.
        self.staff_since = now - backdate_limit() + timedelta(minutes=30)
        self.participants: dict[str, Participant] = {}
        self.referrals: list[tuple[Referral, PlannedReferral]] = []

    def author(self, at: datetime) -> tuple[User, Role]:
        if at >= self.staff_since:
            return self.staff, Role.STAFF
        return self.supervisor, Role.SUPERVISOR

    def visit(self, plan: PlannedVisit, *, check_out: bool = True) -> Visit:
        by, role = self.author(plan.checked_in_at)
        check_in = CheckIn(
            site=self.site,
            kind=plan.kind,
            booth=plan.booth,
            code=plan.person.code if plan.person else None,
            checked_in_at=plan.checked_in_at,
            substances=plan.substances,
            routes=plan.routes,
        )
        if plan.wrong_booth is not None:
            mistaken, _ = visit_check_in(
                request=replace(check_in, booth=plan.wrong_booth), by=by, role=role
            )
            visit_void(visit=mistaken, by=by, role=role, reason="Wrong booth tapped; re-entered.")
        visit, _ = visit_check_in(request=check_in, by=by, role=role)
        if plan.person is not None and visit.participant is not None:
            self.participants.setdefault(plan.person.code, visit.participant)
        if plan.incident is not None:
            self.incident(plan.incident, visit=visit)
        for service in plan.services:
            self.service(service, visit=visit)
        for referral in plan.referrals:
            self.referral(referral, visit=visit)
        if check_out and plan.checked_out_at is not None:
            by, role = self.author(plan.checked_out_at)
            visit = visit_check_out(
                visit=visit,
                by=by,
                role=role,
                checked_out_at=plan.checked_out_at,
                did_not_consume_reason=plan.did_not_consume_reason,
            )
        return visit

    def service(self, plan: PlannedService, *, visit: Visit) -> None:
        by, role = self.author(plan.at)
        service, _ = service_create(
            request=NewService(
                site=self.site,
                kind=plan.kind,
                visit=visit,
                at=plan.at,
                drug_check=plan.drug_check,
                supplies=plan.supplies,
            ),
            by=by,
            role=role,
        )
        if plan.void_reason:
            service_void(service=service, by=by, role=role, reason=plan.void_reason)

    def referral(self, plan: PlannedReferral, *, visit: Visit) -> None:
        by, role = self.author(plan.at)
        referral, _ = referral_create(
            request=NewReferral(
                site=self.site,
                category=plan.category,
                destination=plan.destination,
                accompanied=plan.accompanied,
                status=plan.status,
                visit=visit,
                at=plan.at,
            ),
            by=by,
            role=role,
        )
        if plan.void_reason:
            referral_void(referral=referral, by=by, role=role, reason=plan.void_reason)
        else:
            self.referrals.append((referral, plan))

    def follow_ups(self) -> None:
        for referral, plan in self.referrals:
            for status, at in plan.follow_ups:
                by, role = self.author(at)
                referral, _ = referral_status_change(
                    referral=referral, status=status, by=by, role=role, at=at
                )

    def incident(self, plan: PlannedIncident, *, visit: Visit | None) -> Incident:
        """Open, tap the timeline, complete, submit and review, as far as `plan.state` says."""
        by, role = self.author(plan.started_at)
        opening = IncidentOpen(
            site=self.site,
            kind=plan.kind,
            location=plan.location,
            visit=visit,
            started_at=plan.started_at,
            signs=plan.signs,
            suspected_substances=plan.substances,
        )
        if plan.duplicate:
            twice, _ = incident_open(request=opening, by=by, role=role)
            incident_void(
                incident=twice,
                by=self.supervisor,
                role=Role.SUPERVISOR,
                reason="Entered twice from two tablets; the other record is kept.",
            )
        incident, _ = incident_open(request=opening, by=by, role=role)
        for step in plan.steps:
            at = _after(plan.started_at, step.minute)
            if at > timezone.now():
                break
            incident_action_record(
                incident=incident,
                tap=ActionTap(
                    kind=step.kind,
                    at=at,
                    dose_mg=step.dose_mg,
                    route=step.route,
                    spo2=step.spo2,
                    resp_rate=step.resp_rate,
                ),
                by=by,
                role=role,
            )
        if plan.state == "open":
            return incident
        responders = ["staff"] if by == self.staff else ["staff", "supervisor"]
        incident = incident_update(
            incident=incident,
            by=by,
            role=role,
            version=incident.version,
            ended_at=plan.ended_at,
            outcome=plan.outcome,
            police_attended=plan.police_attended,
            narrative=plan.narrative,
            responders=responders,
        )
        incident = incident_submit(incident=incident, by=by, role=role)
        if plan.state == "submitted":
            return incident
        # Nobody reviews an incident they logged: the supervisor reviews staff's, and the admin
        # reviews the ones the supervisor entered late.
        reviewer, reviewer_role = (
            (self.supervisor, Role.SUPERVISOR) if by == self.staff else (self.admin, Role.ADMIN)
        )
        returned = plan.state == "returned"
        return incident_review(
            incident=incident,
            by=reviewer,
            role=reviewer_role,
            decision="return" if returned else "approve",
            comment=RETURN_COMMENT if returned else "",
        )

    def participant_details(self, people: Sequence[Person], rng: random.Random) -> None:
        """Birth year and gender, as staff note them over time (most people, not all)."""
        for person in people:
            seen = self.participants.get(person.code)
            if seen is None or rng.random() < 0.2:
                continue
            current = Participant.objects.get(pk=seen.pk)
            participant_update(
                participant=current,
                site=self.site,
                by=self.supervisor,
                version=current.version,
                birth_year=person.birth_year,
                gender=person.gender,
            )


def _queue_slots(
    arrivals: Sequence[datetime], *, since: datetime, until: datetime
) -> dict[datetime, str]:
    """Three arrivals of the last hours that become the queue's overdoses: returned, submitted
    critical, submitted routine (early, middle, late in the window)."""
    window = [at for at in arrivals if since <= at <= until]
    roles = ("returned", "critical", "routine")
    if len(window) < len(roles):
        return {}
    picks = [window[round(i * (len(window) - 1) / (len(roles) - 1))] for i in range(len(roles))]
    if len(set(picks)) < len(roles):
        return {}
    return dict(zip(picks, roles, strict=True))


def _floor_now(planner: _Planner, writer: _Writer, rng: random.Random) -> tuple[int, Incident]:
    """Booths occupied for 2 to 25 min, an overdose being responded to, a service visit."""
    now = writer.now
    minutes_in = sorted(rng.sample(range(2, 26), rng.randint(4, 7)), reverse=True)
    visits = []
    for index, minutes in enumerate(minutes_in):
        at = now - timedelta(minutes=minutes)
        free = [booth for booth in planner.booths if planner.free_at[booth.pk] <= at]
        if index == 0:  # the one who overdoses: fentanyl, injected
            free = [booth for booth in free if booth.kind == Booth.Kind.INJECTION] or free
        if not free:
            continue
        booth = rng.choice(free)
        planner.free_at[booth.pk] = now + timedelta(hours=1)
        person = planner.person_free_at(at)
        if person is not None:
            person.busy_until = now + timedelta(hours=1)
        inhalation = booth.kind == Booth.Kind.INHALATION
        substances, routes = (
            (["crack"], ["inhalation"]) if inhalation else (["fentanyl"], ["injection"])
        )
        habit = person.habit if person else _weighted(rng, HABITS)
        for _ in range(10 if index else 0):  # what this person uses, in a booth of this kind
            use = _use(rng, habit)
            if ("inhalation" in use[1]) == inhalation:
                substances, routes = use
                break
        plan = PlannedVisit(
            checked_in_at=at,
            checked_out_at=None,
            kind="consumption",
            booth=booth,
            person=person,
            substances=substances,
            routes=routes,
        )
        if rng.random() < 0.5:
            supplies = _supplies(rng, routes)
            plan.services.append(PlannedService("supplies", at, supplies=supplies))
        visits.append(writer.visit(plan, check_out=False))
    service_person = planner.person_free_at(now - timedelta(minutes=9))
    waiting = PlannedVisit(
        checked_in_at=now - timedelta(minutes=9),
        checked_out_at=None,
        kind="service_only",
        booth=None,
        person=service_person,
        substances=[],
        routes=[],
        services=[PlannedService("wound_care", now - timedelta(minutes=6))],
    )
    visits.append(writer.visit(waiting, check_out=False))
    # The longest in the booths overdoses: onset a few minutes ago, two taps so far.
    first = visits[0]
    live = PlannedIncident(
        kind="opioid_overdose",
        location="booth",
        signs=["slow_or_no_breathing", "unresponsive", "pinpoint_pupils"],
        substances=["fentanyl"],
        steps=[Step(0.5, "stimulation"), Step(2.0, "naloxone", NALOXONE_DOSE, "IM")],
        minutes=0,
        outcome="",
        narrative="",
        started_at=now - timedelta(minutes=rng.randint(3, 6)),
        state="open",
    )
    return len(visits), writer.incident(live, visit=first)


def load_demo_records(
    *,
    site: Site,
    users: Mapping[str, User],
    days: int = 7,
    seed: int = DEFAULT_SEED,
    visits_per_day: tuple[int, int] = (120, 200),
    pool: int = 150,
) -> DemoSummary:
    """Load `days` past local days and today until now at `site` (see the module docstring).

    `users` names the demo's `staff`, `supervisor` and `admin`. Call inside one transaction:
    the demo loads whole or not at all.
    """
    rng = random.Random(seed)  # noqa: S311  (made-up records, not a secret)
    now = timezone.now().replace(microsecond=0)
    today = timezone.localtime(now, site.zone).date()
    first = today - timedelta(days=days)
    people = _people(rng, pool)
    planner = _Planner(site=site, rng=rng, now=now, people=people)
    writer = _Writer(site=site, users=users, now=now)

    arrivals = [
        at
        for at in _arrivals(rng, site=site, first=first, last=today, per_day=visits_per_day)
        if at <= now - timedelta(minutes=26)
    ]
    # Staff's overdoses of the last hours, over within 45 min of the arrival.
    slots = _queue_slots(arrivals, since=writer.staff_since, until=now - timedelta(minutes=45))
    for at in arrivals:
        planner.arrival(at, forced=slots.get(at))
    if not slots:
        # Too few arrivals in the last hours (the site was closed): people found outside.
        for index, role in enumerate(("returned", "critical", "routine")):
            incident = _opioid_overdose(rng, "critical" if role == "critical" else "routine", "")
            incident.location = "outside"
            incident.started_at = now - timedelta(hours=6 - 2 * index)
            incident.state = "returned" if role == "returned" else "submitted"
            planner.incidents.append(incident)
    # A fight at the door or two a week, on days before yesterday (approved by now).
    for offset in rng.sample(range(max(1, days - 1)), k=max(1, round(days / 4))) if days else ():
        violence = _violence()
        day = first + timedelta(days=offset)
        local = datetime(day.year, day.month, day.day, rng.randint(15, 21), tzinfo=site.zone)
        violence.started_at = local.astimezone(UTC) + timedelta(seconds=rng.randrange(3600))
        violence.police_attended = rng.random() < 0.4
        planner.incidents.append(violence)

    planned = sorted(planner.visits, key=lambda visit: visit.checked_in_at)
    _settle_states(planned, planner.incidents, writer)
    for visit in planned:
        writer.visit(visit)
    for incident in planner.incidents:
        writer.incident(incident, visit=None)
    writer.follow_ups()
    writer.participant_details(people, rng)

    open_visits, live = _floor_now(planner, writer, rng)
    rare = sorted(people, key=lambda person: person.weight)[:3]
    load_demo_safety(
        site=site,
        users=users,
        codes=[person.code for person in rare],
        now=now,
        days=days,
        rng=rng,
    )
    alert, _ = alert_post(
        request=AlertPost(
            site=site, message=ALERT_MESSAGE, level="danger", expires_at=now + timedelta(hours=24)
        ),
        by=writer.supervisor,
    )
    reports = [
        compute_site_day(site=site, day=first + timedelta(days=offset)) for offset in range(days)
    ]
    queue: dict[str, int] = {}
    for stored in Incident.objects.filter(site=site, voided=False):
        key = stored.status + (" critical" if stored.critical else "")
        queue[key] = queue.get(key, 0) + 1
    visits_today = sum(
        1 for visit in planned if timezone.localtime(visit.checked_in_at, site.zone).date() == today
    )
    return DemoSummary(
        reports=reports,
        visits_today=visits_today + open_visits,
        open_visits=open_visits,
        live=live,
        queue=dict(sorted(queue.items())),
        alert=alert,
    )


def _settle_states(
    visits: Sequence[PlannedVisit], unlinked: Sequence[PlannedIncident], writer: _Writer
) -> None:
    """Staff's incidents of the last hours wait for review; older ones are approved; the first
    older one was also entered twice (the copy is voided)."""
    incidents = [visit.incident for visit in visits if visit.incident is not None]
    incidents += list(unlinked)
    older = sorted(
        (incident for incident in incidents if incident.started_at < writer.staff_since),
        key=lambda incident: incident.started_at,
    )
    for incident in incidents:
        if incident.started_at >= writer.staff_since and incident.state == "approved":
            incident.state = "submitted"
    if older:
        older[0].duplicate = True


# Par levels and what the demo site received before the week of records uses it.
_DEMO_PARS = {
    "naloxone": 30,
    "naloxone_kit": 20,
    "oxygen": 2,
    "bag_valve_mask": 2,
    "aed_pads": 2,
    "test_strip": 100,
    "syringe": 500,
}
# (item, lot, days to expiry, quantity): one naloxone lot expires within the month.
_DEMO_RECEIPTS = [
    ("naloxone", "NX-2611", 22, 12),
    ("naloxone", "NX-2703", 240, 40),
    ("naloxone_kit", "KIT-2609", 300, 60),
    ("oxygen", "", None, 3),
    ("bag_valve_mask", "", None, 2),
    ("aed_pads", "P-88", 400, 4),
    ("test_strip", "TS-41", 180, 300),
    ("syringe", "", None, 1000),
]


def load_demo_stock(*, site: Site, by: User) -> None:
    """Par levels and receipts of the demo site's response stock (before its records use it)."""
    today = timezone.localtime(timezone.now(), site.zone).date()
    for item, par in _DEMO_PARS.items():
        StockLevel.objects.update_or_create(site=site, item=item, defaults={"par_level": par})
    for item, lot, days, quantity in _DEMO_RECEIPTS:
        expires = today + timedelta(days=days) if days is not None else None
        stock_receive(
            request=Receipt(site=site, item=item, lot=lot, expires_on=expires, quantity=quantity),
            by=by,
        )


def load_demo_shift_check(*, site: Site, by: User) -> None:
    """This morning's shift check, with its handover note for the floor."""
    stock_check_record(
        request=ShiftCheck(
            site=site,
            oxygen_level="ok",
            aed_ready=True,
            bvm_present=True,
            handover_note="Oxygen cylinder 2 swapped at 07:30. Naloxone lot NX-2611 goes first.",
        ),
        by=by,
    )
