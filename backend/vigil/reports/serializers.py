"""Report figures as the API shows them: every indicator by name, so the schema lists them."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vigil.care.models import ReferralCategory, ServiceKind, SupplyItem
from vigil.reports.suppression import COMPLEMENT
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
