"""The kinds of file an import reads, in one registry: each kind's columns (the header of its
template, in this order), which are required, a note per column in English and French, and
the values each column allows at a site. The import screen lists them from here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from vigil.imports import care, incidents, visits
from vigil.imports.models import Import
from vigil.imports.rows import RecordRows
from vigil.sites.models import Site


@dataclass(frozen=True)
class ImportKind:
    kind: str
    label: str  # marked for the catalogue; translated when read
    columns: tuple[str, ...]
    required: tuple[str, ...]
    # language → column → what the column holds
    notes: Mapping[str, Mapping[str, str]]
    allowed: Callable[[Site], dict[str, list[str]]]
    # How its rows are read and written one by one; None for visits (written in bulk).
    records: RecordRows | None = None


KINDS: dict[str, ImportKind] = {
    Import.Kind.VISITS: ImportKind(
        kind=Import.Kind.VISITS,
        label=gettext_noop("Visits"),
        columns=visits.COLUMNS,
        required=visits.REQUIRED,
        notes=visits.NOTES,
        allowed=visits.visit_allowed_values,
    ),
    Import.Kind.SERVICES: ImportKind(
        kind=Import.Kind.SERVICES,
        label=gettext_noop("Services"),
        columns=care.SERVICE_COLUMNS,
        required=care.SERVICE_REQUIRED,
        notes=care.SERVICE_NOTES,
        allowed=care.service_allowed_values,
        records=care.SERVICE_ROWS,
    ),
    Import.Kind.REFERRALS: ImportKind(
        kind=Import.Kind.REFERRALS,
        label=gettext_noop("Referrals"),
        columns=care.REFERRAL_COLUMNS,
        required=care.REFERRAL_REQUIRED,
        notes=care.REFERRAL_NOTES,
        allowed=care.referral_allowed_values,
        records=care.REFERRAL_ROWS,
    ),
    Import.Kind.INCIDENTS: ImportKind(
        kind=Import.Kind.INCIDENTS,
        label=gettext_noop("Incidents"),
        columns=incidents.INCIDENT_COLUMNS,
        required=incidents.INCIDENT_REQUIRED,
        notes=incidents.INCIDENT_NOTES,
        allowed=incidents.incident_allowed_values,
        records=incidents.INCIDENT_ROWS,
    ),
    # Imported after the incidents: each row names its incident.
    Import.Kind.INCIDENT_ACTIONS: ImportKind(
        kind=Import.Kind.INCIDENT_ACTIONS,
        label=gettext_noop("Incident actions"),
        columns=incidents.ACTION_COLUMNS,
        required=incidents.ACTION_REQUIRED,
        notes=incidents.ACTION_NOTES,
        allowed=incidents.action_allowed_values,
        records=incidents.ACTION_ROWS,
    ),
}
