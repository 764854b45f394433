"""The incident rules in one place: plausible bounds, what makes an incident critical, and the
figures derived from its response timeline.

Plain values in, plain values out (no database): services store the results in columns so the
supervisor queue can filter and sort in SQL, and serializers show the same figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from django.conf import settings

# --- Bounds of what a worker can record ---------------------------------------------------------
# One naloxone dose, in mg: from an IV titration step (0.04 mg) to the largest nasal device
# (8 mg), with a margin; anything outside is a typing slip.
NALOXONE_DOSE_MG_MIN = Decimal("0.04")
NALOXONE_DOSE_MG_MAX = Decimal("10")
# SpO2 as a pulse oximeter shows it. Readings in the 30s and 40s are seen in severe opioid
# overdoses and must be recordable; below 30 % the reading is an artefact (no pulse signal).
SPO2_MIN = 30
SPO2_MAX = 100
# Breaths per minute: 0 (apnoea) is the most important reading of all; above 60 is not breathing
# that an adult can sustain, so it is a typing slip.
RESP_RATE_MIN = 0
RESP_RATE_MAX = 60
# A tablet's clock or a worker's memory may be a little off: an action may be timed up to this
# long before the onset recorded for the incident, never earlier.
ACTION_BEFORE_ONSET = timedelta(minutes=5)
# No record of this system predates it: an earlier time is a wrong date, not a late entry.
EARLIEST_PLAUSIBLE_TIME = datetime(2000, 1, 1, tzinfo=UTC)

OVERDOSE_KINDS = frozenset({"opioid_overdose", "stimulant_overdose"})
MEDICAL_KINDS = OVERDOSE_KINDS | {"other_medical"}

# Why an incident is critical, in the order a supervisor reads them.
REASON_DECEASED = "deceased"
REASON_CPR = "cpr"
REASON_AED = "aed"
REASON_TRANSPORTED = "transported"
REASON_NALOXONE_AND_EMS = "naloxone_and_ems_called"
REASON_POLICE = "police_attended"
REASON_NON_MEDICAL = "non_medical_kind"
CRITICAL_REASONS = (
    REASON_DECEASED,
    REASON_CPR,
    REASON_AED,
    REASON_TRANSPORTED,
    REASON_NALOXONE_AND_EMS,
    REASON_POLICE,
    REASON_NON_MEDICAL,
)


class TimelineAction(Protocol):
    kind: str
    at: datetime
    dose_mg: Decimal | None
    voided: bool


@dataclass(frozen=True)
class Review:
    critical: bool
    reasons: list[str]
    due_at: datetime


def review_of(
    *,
    kind: str,
    outcome: str,
    police_attended: bool,
    started_at: datetime,
    action_kinds: Iterable[str],
) -> Review:
    """Whether an incident is critical, why, and when its review is due.

    1. Critical when: the person died; CPR or an AED was used; the person was transported
       (outcome, or a `transported` action); naloxone was given AND EMS was called; police
       attended; or the incident is not medical (violence, needlestick, substance found,
       privacy breach, other).
    2. Due from the onset: 24 h for a death (VIGIL_INCIDENT_DEATH_REVIEW_HOURS), 48 h for
       another critical incident (VIGIL_INCIDENT_CRITICAL_REVIEW_HOURS), 7 days for every other
       incident (VIGIL_INCIDENT_ROUTINE_REVIEW_DAYS): every overdose is reviewed.
    """
    kinds = set(action_kinds)
    reasons = []
    if outcome == "deceased":
        reasons.append(REASON_DECEASED)
    if "cpr" in kinds:
        reasons.append(REASON_CPR)
    if "aed" in kinds:
        reasons.append(REASON_AED)
    if outcome == "transported" or "transported" in kinds:
        reasons.append(REASON_TRANSPORTED)
    if "naloxone" in kinds and "ems_called" in kinds:
        reasons.append(REASON_NALOXONE_AND_EMS)
    if police_attended:
        reasons.append(REASON_POLICE)
    if kind not in MEDICAL_KINDS:
        reasons.append(REASON_NON_MEDICAL)
    if REASON_DECEASED in reasons:
        delay = timedelta(hours=settings.VIGIL_INCIDENT_DEATH_REVIEW_HOURS)
    elif reasons:
        delay = timedelta(hours=settings.VIGIL_INCIDENT_CRITICAL_REVIEW_HOURS)
    else:
        delay = timedelta(days=settings.VIGIL_INCIDENT_ROUTINE_REVIEW_DAYS)
    return Review(critical=bool(reasons), reasons=reasons, due_at=started_at + delay)


@dataclass(frozen=True)
class Figures:
    naloxone_doses: int
    naloxone_total_mg: Decimal
    minutes_to_first_naloxone: float | None
    ems_called: bool
    ems_response_minutes: float | None
    duration_minutes: float | None


def _minutes(start: datetime, end: datetime) -> float:
    return round(max(0.0, (end - start).total_seconds() / 60), 1)


def figures_of(
    *, started_at: datetime, ended_at: datetime | None, actions: Iterable[TimelineAction]
) -> Figures:
    """The figures of a response timeline; voided actions (mis-taps) count for nothing.

    Minutes are to one decimal, never negative (an action timed just before the recorded
    onset counts as 0). EMS response runs from the first `ems_called` to the first
    `ems_arrived` after it.
    """
    live = sorted((a for a in actions if not a.voided), key=lambda a: a.at)
    naloxone = [a for a in live if a.kind == "naloxone"]
    called = next((a.at for a in live if a.kind == "ems_called"), None)
    arrived = (
        next((a.at for a in live if a.kind == "ems_arrived" and a.at >= called), None)
        if called
        else None
    )
    return Figures(
        naloxone_doses=len(naloxone),
        naloxone_total_mg=sum((a.dose_mg or Decimal(0) for a in naloxone), Decimal("0.00")),
        minutes_to_first_naloxone=_minutes(started_at, naloxone[0].at) if naloxone else None,
        ems_called=called is not None,
        ems_response_minutes=_minutes(called, arrived) if called and arrived else None,
        duration_minutes=_minutes(started_at, ended_at) if ended_at else None,
    )
