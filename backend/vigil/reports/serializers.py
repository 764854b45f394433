"""Report figures as the API shows them: every indicator by name, so the schema lists them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vigil.alerts.models import Alert
from vigil.care.models import ReferralCategory, ServiceKind, SupplyItem
from vigil.incidents.models import Incident
from vigil.reports.metrics import AGE_BAND_KEYS, GENDER_KEYS, TIME_BANDS
from vigil.reports.suppression import COMPLEMENT
from vigil.safety.models import Complaint, TurnAwayReason
from vigil.visits.models import Route, Substance

SUPPRESSED_CELLS = (
    "Suppressed figures: a count from 1 to the threshold minus one (10 by default) shows as "
    '"<10"; a cell hidden only so that a small one cannot be worked out from a total shows as '
    f'"{COMPLEMENT}" (it may be of any size); zero stays 0; a rate from a hidden count is null.'
)


class _AsStored(serializers.Field):  # type: ignore[type-arg]
    """A figure shown exactly as computed (or as suppressed)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, required=False, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(
    {
        "oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}],
        "description": 'A count; when suppressed, "<10" or the complement mark.',
    }
)
class CountField(_AsStored):
    pass


@extend_schema_field({"type": "number", "nullable": True})
class MeasureField(_AsStored):
    pass


def _breakdown(name: str, values: list[str], help_text: str) -> serializers.Serializer[Any]:
    """A count per choice (every choice listed, zero included)."""
    fields: dict[str, Any] = {value: CountField() for value in values}
    fields["Meta"] = type("Meta", (), {"ref_name": name})
    serializer = type(name, (serializers.Serializer,), fields)
    return serializer(read_only=True, required=False, help_text=help_text)  # type: ignore[no-any-return]


def _crossed(help_text: str) -> serializers.DictField:
    """A count per age band (rows) and gender (columns)."""
    return serializers.DictField(
        child=serializers.DictField(child=CountField()),
        read_only=True,
        required=False,
        help_text=f"{help_text} Rows: {', '.join(AGE_BAND_KEYS)}; columns: "
        f"{', '.join(GENDER_KEYS)}. Suppressed as one table (rows and columns protected).",
    )


class ReportMetricsSerializer(serializers.Serializer[dict[str, Any]]):
    """Every indicator of a report (a site-day, or a period and its sites)."""

    visits = CountField(help_text="Visits checked in (voided visits never count).")
    consumption_visits = CountField()
    service_only_visits = CountField()
    anonymous_visits = CountField(help_text="Visits without a visit code.")
    unique_participants = CountField(help_text="Distinct people; once each over the period.")
    new_participants = CountField(help_text="People whose first visit of the network is here.")
    visits_by_substance = _breakdown(
        "VisitsBySubstance", Substance.values, "A visit counts under each substance it lists."
    )
    visits_by_route = _breakdown(
        "VisitsByRoute", Route.values, "A visit counts under each route it lists."
    )
    median_visit_minutes = MeasureField(help_text="Median stay of checked-out visits.")
    peak_occupancy = CountField(help_text="Most people inside at once.")
    overdoses = CountField()
    fatal_overdoses = CountField()
    overdoses_with_naloxone = CountField()
    ems_calls = CountField()
    transports = CountField()
    other_medical_emergencies = CountField()
    naloxone_doses = CountField()
    services_by_kind = _breakdown("ServicesByKind", ServiceKind.values, "Services of each kind.")
    drug_checks = CountField()
    drug_checks_fentanyl_positive = CountField()
    drug_checks_benzodiazepine_positive = CountField()
    drug_checks_xylazine_positive = CountField()
    drug_checks_nitazene_positive = CountField()
    supplies_by_item = _breakdown("SuppliesByItem", SupplyItem.values, "Items given, by item.")
    referrals_by_category = _breakdown(
        "ReferralsByCategory", ReferralCategory.values, "Referrals made, by category."
    )
    referrals = CountField()
    referrals_onsite = CountField()
    referrals_offsite = CountField()
    referrals_accepted = CountField()
    overdoses_per_1000_visits = MeasureField(help_text="Recomputed from the counts, never summed.")
    participants_by_age_band = _breakdown(
        "ParticipantsByAgeBand",
        AGE_BAND_KEYS,
        "Unique participants by age at their first visit of the period (visit year minus "
        "birth year); adds up to unique_participants.",
    )
    participants_by_gender = _breakdown(
        "ParticipantsByGender", GENDER_KEYS, "Unique participants by gender."
    )
    participants_by_age_gender = _crossed("Unique participants by age band and gender.")
    new_participants_by_age_band = _breakdown(
        "NewParticipantsByAgeBand", AGE_BAND_KEYS, "New participants by age."
    )
    new_participants_by_gender = _breakdown(
        "NewParticipantsByGender", GENDER_KEYS, "New participants by gender."
    )
    new_participants_by_age_gender = _crossed("New participants by age band and gender.")
    visits_by_time_band = _breakdown(
        "VisitsByTimeBand",
        [band for band, _, _ in TIME_BANDS],
        "Visits by local check-in time (07_12 is 07:00 to 11:59, 22_03 is 22:00 to 02:59).",
    )
    overdoses_staff_only = CountField(help_text="Overdoses without an ems_arrived action.")
    overdoses_ems_treated = CountField(help_text="Overdoses with an ems_arrived action.")
    overdoses_naloxone_by_staff = CountField(
        help_text="Overdoses with a naloxone action before any ems_arrived."
    )
    overdoses_without_naloxone = CountField(help_text="Overdoses with no naloxone action.")
    overdoses_with_oxygen = CountField()
    overdose_ems_calls = CountField(help_text="Overdoses with an ems_called action.")
    police_attended = CountField(help_text="Incidents of any kind the police attended.")
    incidents_by_kind = _breakdown(
        "IncidentsByKind", Incident.Kind.values, "Incidents of each kind."
    )
    turnaways_by_reason = _breakdown(
        "TurnawaysByReason",
        TurnAwayReason.values,
        "People turned away, by reason; a person who left the waiting list is one capacity "
        "turn-away.",
    )
    assisted_visits = CountField(help_text="Visits assisted by a peer or by staff.")
    shared_supply_visits = CountField(help_text="Visits splitting or sharing a supply.")
    restrictions_started = CountField(help_text="Service restrictions that started that day.")
    alerts_by_source = _breakdown(
        "AlertsBySource", Alert.Source.values, "Alerts posted, by source (each site's copy)."
    )
    complaints_by_category = _breakdown(
        "ComplaintsByCategory", Complaint.Category.values, "Complaints received, by category."
    )


class OperationSerializer(serializers.Serializer[dict[str, Any]]):
    """How a site operated over a period: never suppressed (no person is in it)."""

    days_open = serializers.IntegerField(
        help_text="Days open: by the site's weekly hours, or days with a visit when none are set."
    )
    hours_open = serializers.FloatField(
        allow_null=True, help_text="Hours open by the weekly hours; null when none are set."
    )
    booths_in_operation = serializers.IntegerField(
        help_text="The most booths in service on one day (the booths' history)."
    )
