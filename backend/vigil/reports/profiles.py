"""The regulators' monthly forms: which figures each holds, in which sections, with which
labels and definitions (docs/domain.md, "What regulators ask for besides")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models

from vigil.care.models import ReferralCategory, ServiceKind
from vigil.incidents.models import Incident
from vigil.participants.models import Gender
from vigil.reports.metrics import AGE_BAND_KEYS, TIME_BANDS
from vigil.visits.models import Route, Substance


@dataclass(frozen=True)
class Figure:
    key: str  # the indicator's name, dotted for a cell of a `_by_` map (`visits_by_route.oral`)
    label: str


@dataclass(frozen=True)
class Section:
    title: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    # Small cells hidden in what is sent (the threshold of the deployment, 10 by default).
    suppressed: bool
    sections: tuple[Section, ...]

    @property
    def keys(self) -> list[str]:
        return [figure.key for section in self.sections for figure in section.figures]


AGE_LABELS = {
    "under_20": "Under 20",
    "20_29": "20 to 29",
    "30_39": "30 to 39",
    "40_49": "40 to 49",
    "50_59": "50 to 59",
    "60_plus": "60 and over",
    "unknown": "Age unknown",
}
TIME_LABELS = {
    "07_12": "07:00 to 11:59",
    "12_17": "12:00 to 16:59",
    "17_22": "17:00 to 21:59",
    "22_03": "22:00 to 02:59",
    "03_07": "03:00 to 06:59",
}

# What each figure means, as the definitions sheet of a download says it.
DEFINITIONS: dict[str, str] = {
    "days_open": "Days of the month the site's weekly hours had it open (days with a visit "
    "when no hours are recorded).",
    "hours_open": "Hours open in the month by the site's weekly hours (blank when none are "
    "recorded).",
    "booths_in_operation": "Most booths in service on one day of the month (booth history).",
    "visits": "Visits checked in (consumption and service only). Voided records never count.",
    "consumption_visits": "Visits to consume in a booth.",
    "service_only_visits": "Visits for a service only.",
    "anonymous_visits": "Visits of someone who gave no code: visits, never participants.",
    "unique_participants": "Distinct people with a visit in the month (once each).",
    "new_participants": "People whose first visit at any site of the network was this month, here.",
    "participants_by_age_band": "Unique participants by age at their first visit of the month "
    "(visit year minus birth year).",
    "participants_by_gender": "Unique participants by gender.",
    "participants_by_age_gender": "Unique participants by age band and gender.",
    "new_participants_by_age_band": "New participants by age at their first visit.",
    "new_participants_by_gender": "New participants by gender.",
    "visits_by_time_band": "Visits by local check-in time.",
    "visits_by_substance": "Visits listing the substance (a visit counts under each it lists).",
    "visits_by_route": "Visits listing the route (a visit counts under each it lists).",
    "overdoses": "Opioid and stimulant overdoses that started in the month.",
    "fatal_overdoses": "Overdoses with outcome deceased.",
    "overdoses_with_naloxone": "Overdoses with at least one naloxone action.",
    "overdoses_without_naloxone": "Overdoses managed without naloxone (oxygen, rescue "
    "breathing, bag-valve mask, stimulation or monitoring only).",
    "overdoses_naloxone_by_staff": "Overdoses with a naloxone action before EMS arrived.",
    "overdoses_staff_only": "Overdoses with no EMS arrival (treated solely by site staff).",
    "overdoses_ems_treated": "Overdoses with an EMS arrival.",
    "overdoses_with_oxygen": "Overdoses with an oxygen action.",
    "naloxone_doses": "Naloxone actions in overdoses.",
    "overdose_ems_calls": "Overdoses with an EMS call.",
    "ems_calls": "Incidents of every kind with an EMS call.",
    "transports": "Incidents with outcome transported.",
    "police_attended": "Incidents the police attended.",
    "incidents_by_kind": "Incidents by kind.",
    "services_by_kind": "Services by kind.",
    "referrals": "Referrals made.",
    "referrals_onsite": "Referrals to a service connected on site.",
    "referrals_offsite": "Referrals to a service off site.",
    "referrals_by_category": "Referrals by category.",
}


def definition(key: str) -> str:
    return DEFINITIONS.get(key) or DEFINITIONS.get(key.split(".")[0], "")


def _one(*pairs: tuple[str, str]) -> tuple[Figure, ...]:
    return tuple(Figure(key, label) for key, label in pairs)


def _map(prefix: str, labels: dict[str, str] | Iterable[tuple[str, str]]) -> tuple[Figure, ...]:
    pairs = labels.items() if isinstance(labels, dict) else labels
    return tuple(Figure(f"{prefix}.{name}", label) for name, label in pairs)


def _choices(choices: type[models.TextChoices]) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in choices.choices]


_GENDERS = _choices(Gender)
GENDER_LABELS = dict(_GENDERS)
_CROSSED = [
    (f"{band}.{gender}", f"{AGE_LABELS[band]}, {label.lower()}")
    for band in AGE_BAND_KEYS
    for gender, label in _GENDERS
]
_OVERDOSE_RESPONSE = _one(
    ("overdoses", "Overdoses"),
    ("overdoses_staff_only", "Treated solely by staff"),
    ("overdoses_ems_treated", "Treated by EMS"),
    ("overdoses_naloxone_by_staff", "Naloxone given by staff"),
    ("overdoses_with_naloxone", "With naloxone"),
    ("overdoses_without_naloxone", "Without naloxone"),
    ("overdoses_with_oxygen", "With oxygen"),
    ("overdose_ems_calls", "EMS called"),
    ("fatal_overdoses", "Fatal"),
    ("naloxone_doses", "Naloxone doses"),
)

HEALTH_CANADA_MONTHLY = Profile(
    name="health_canada_monthly",
    title="Health Canada supervised consumption site: monthly data",
    suppressed=True,
    sections=(
        Section(
            "Visits",
            _one(
                ("visits", "Visits"),
                ("consumption_visits", "Consumption visits"),
                ("service_only_visits", "Service-only visits"),
                ("anonymous_visits", "Anonymous visits"),
            ),
        ),
        Section(
            "Participants",
            _one(
                ("unique_participants", "Unique participants"),
                ("new_participants", "New participants"),
            ),
        ),
        Section("Participants by age", _map("participants_by_age_band", AGE_LABELS)),
        Section("Participants by gender", _map("participants_by_gender", _GENDERS)),
        Section("Participants by age and gender", _map("participants_by_age_gender", _CROSSED)),
        Section("Visits by substance", _map("visits_by_substance", _choices(Substance))),
        Section("Visits by route", _map("visits_by_route", _choices(Route))),
        Section(
            "Overdoses",
            _one(
                ("overdoses", "Overdoses"),
                ("fatal_overdoses", "Fatal overdoses"),
                ("overdoses_with_naloxone", "Overdoses with naloxone"),
                ("naloxone_doses", "Naloxone doses"),
            ),
        ),
        Section(
            "Emergency services",
            _one(
                ("ems_calls", "EMS calls"),
                ("overdose_ems_calls", "EMS calls for an overdose"),
                ("transports", "Transports to hospital"),
            ),
        ),
        Section("Services", _map("services_by_kind", _choices(ServiceKind))),
        Section(
            "Referrals",
            _one(
                ("referrals", "Referrals"),
                ("referrals_onsite", "On site"),
                ("referrals_offsite", "Off site"),
            ),
        ),
    ),
)

ONTARIO_CTS_MONTHLY = Profile(
    name="ontario_cts_monthly",
    title="Ontario consumption and treatment service: monthly report",
    suppressed=False,
    sections=(
        Section(
            "Operation",
            _one(
                ("days_open", "Days open"),
                ("hours_open", "Hours open"),
                ("booths_in_operation", "Booths in operation"),
            ),
        ),
        Section(
            "Visits",
            _one(("visits", "Visits"), ("consumption_visits", "Consumption visits"))
            + _map("visits_by_time_band", [(b, TIME_LABELS[b]) for b, _, _ in TIME_BANDS]),
        ),
        Section(
            "Clients",
            _one(
                ("unique_participants", "Unique clients"),
                ("new_participants", "New clients"),
            ),
        ),
        Section(
            "Clients by gender",
            _map("participants_by_gender", _GENDERS)
            + _map(
                "new_participants_by_gender",
                [(gender, f"New: {label}") for gender, label in _GENDERS],
            ),
        ),
        Section(
            "Clients by age",
            _map("participants_by_age_band", AGE_LABELS)
            + _map(
                "new_participants_by_age_band",
                [(band, f"New: {label}") for band, label in AGE_LABELS.items()],
            ),
        ),
        Section("Overdose response", _OVERDOSE_RESPONSE),
        Section(
            "Incidents",
            _one(("police_attended", "Police attended"))
            + _map("incidents_by_kind", _choices(Incident.Kind)),
        ),
        Section(
            "Referrals",
            _one(
                ("referrals", "Referrals"),
                ("referrals_onsite", "On site"),
                ("referrals_offsite", "Off site"),
            )
            + _map("referrals_by_category", _choices(ReferralCategory)),
        ),
        Section("Services", _map("services_by_kind", _choices(ServiceKind))),
    ),
)

PROFILES = {profile.name: profile for profile in (HEALTH_CANADA_MONTHLY, ONTARIO_CTS_MONTHLY)}
