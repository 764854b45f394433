"""The visits file: its columns, each row read into an `ImportedVisit` (the code hashed as the
row is read), and the checks across rows and against what is stored.

The rules of a single visit are the visits service's own (`visit_import_check`), and the
rows are written by `visits_import`, beside the service of a check-in.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone

from vigil.accounts.models import Role
from vigil.core.errors import ApplicationError
from vigil.imports.readers import Cell, Row
from vigil.participants.codes import code_digest
from vigil.sites.models import Booth, Site
from vigil.visits.models import Route, Substance, Visit
from vigil.visits.services import ImportedVisit, visit_import_check

COLUMNS = (
    "id",
    "checked_in_at",
    "checked_out_at",
    "kind",
    "booth",
    "code",
    "substances",
    "routes",
    "did_not_consume_reason",
)
REQUIRED = ("id", "checked_in_at", "kind")
# What each column holds, in the templates' notes sheet.
NOTES = {
    "en": {
        "id": "A UUID per row, made once and kept: importing the file again skips rows already in.",
        "checked_in_at": "Date and time of arrival (2025-03-01 14:05); the site's local time.",
        "checked_out_at": "Date and time of leaving; empty if the visit is still open.",
        "kind": "consumption or service_only.",
        "booth": "The booth's label (empty for a service visit).",
        "code": "The person's visit code; hashed as the file is read, never stored.",
        "substances": "Substances used, separated by ;",
        "routes": "Routes, separated by ;",
        "did_not_consume_reason": "Why a consumption visit ended without use, if it did.",
    },
    "fr": {
        "id": "Un UUID par ligne, créé une fois et gardé : réimporter le fichier saute les lignes déjà entrées.",
        "checked_in_at": "Date et heure d'arrivée (2025-03-01 14:05), à l'heure locale du site.",
        "checked_out_at": "Date et heure de départ ; vide si la visite est encore ouverte.",
        "kind": "consumption (consommation) ou service_only (service seulement).",
        "booth": "Le libellé de la cabine (vide pour une visite de service).",
        "code": "Le code de visite de la personne ; haché à la lecture, jamais conservé.",
        "substances": "Substances consommées, séparées par ;",
        "routes": "Voies de consommation, séparées par ;",
        "did_not_consume_reason": "Pourquoi une visite de consommation s'est terminée sans consommation, le cas échéant.",
    },
}
# The allowed values, once (an enum's `.values` is rebuilt on each read: 200,000 rows read it).
KINDS = frozenset(Visit.Kind.values)
SUBSTANCES = frozenset(Substance.values)
ROUTES = frozenset(Route.values)
REASONS = frozenset(Visit.DidNotConsume.values)


@dataclass(frozen=True)
class RowError:
    row: int | None
    column: str | None
    message: str

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


def read_time(value: Cell, *, zone: Any) -> datetime:
    """A time from a date cell or text (ISO 8601; without an offset, the site's local time)."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment, zone)


def _choices(value: str, allowed: frozenset[str]) -> tuple[tuple[str, ...], list[str]]:
    items = tuple(v.strip().lower() for v in value.split(";") if v.strip())
    return items, [v for v in items if v not in allowed]


def read_visit(
    *, site: Site, booths: Mapping[str, Booth], role: Role, number: int, row: Row
) -> tuple[ImportedVisit | None, list[RowError]]:
    """One row as a visit, or every error found in it (its code is hashed here, never kept)."""
    errors: list[RowError] = []

    def refuse(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    def text(column: str) -> str:
        value = row.get(column, "")
        return value.isoformat() if isinstance(value, datetime) else value

    for column in REQUIRED:
        if not row.get(column):
            refuse(column, "This cell is empty; it is required.")
    visit_id = None
    if row.get("id"):
        try:
            visit_id = uuid.UUID(text("id"))
        except ValueError:
            refuse("id", "This is not an id: give each row a UUID (like 3f2b8c1e-…).")
    times: dict[str, datetime | None] = {"checked_in_at": None, "checked_out_at": None}
    for column in times:
        if row.get(column):
            try:
                times[column] = read_time(row[column], zone=site.zone)
            except ValueError:
                refuse(column, "This is not a date and time: write it like 2025-03-01 14:05.")
    kind = text("kind").lower()
    if kind and kind not in KINDS:
        refuse("kind", f"Write one of: {', '.join(Visit.Kind.values)}.")
    booth = None
    if text("booth"):
        booth = booths.get(text("booth"))
        if booth is None:
            refuse("booth", "No booth of this site has this label.")
    digest = None
    if text("code"):
        try:
            digest = code_digest(text("code"))
        except ApplicationError as exc:  # its message never repeats the code
            refuse("code", exc.fields["code"][0])
    substances, unknown = _choices(text("substances"), SUBSTANCES)
    if unknown:
        refuse("substances", f"Not a substance Vigil knows: {', '.join(unknown)}.")
    routes, unknown = _choices(text("routes"), ROUTES)
    if unknown:
        refuse("routes", f"Not a route Vigil knows: {', '.join(unknown)}.")
    reason = text("did_not_consume_reason").lower()
    if reason and reason not in REASONS:
        refuse("did_not_consume_reason", f"Write one of: {', '.join(Visit.DidNotConsume.values)}.")
    checked_in_at = times["checked_in_at"]
    if errors or visit_id is None or checked_in_at is None:
        return None, errors
    visit = ImportedVisit(
        id=visit_id,
        kind=kind,
        checked_in_at=checked_in_at,
        booth=booth,
        checked_out_at=times["checked_out_at"],
        code_digest=digest,
        did_not_consume_reason=reason,
        substances=substances,
        routes=routes,
    )
    try:
        visit_import_check(site=site, visit=visit, role=role)
    except ApplicationError as exc:
        fields = exc.fields or {"": [exc.detail]}
        return None, [RowError(number, c or None, m) for c, ms in fields.items() for m in ms]
    return visit, []


def visit_allowed_values(site: Site) -> dict[str, list[str]]:
    """The values each column of the visits file allows (the templates' allowed-values sheet)."""
    return {
        "kind": Visit.Kind.values,
        "booth": list(site.booths.filter(active=True).values_list("label", flat=True)),
        "substances": Substance.values,
        "routes": Route.values,
        "did_not_consume_reason": Visit.DidNotConsume.values,
    }


class VisitRowsCheck:
    """What the rows of a file must not contradict, in the file and in what is stored: an id
    on two rows or already used by another record, two open visits in one booth or of one
    person (the API's one-open-visit rules)."""

    def __init__(self, *, site: Site) -> None:
        self.site = site
        self.ids: dict[uuid.UUID, int] = {}
        self.open_booths: dict[Any, int | None] = {}
        self.open_people: dict[str, int | None] = {}
        for pk, booth_id, digest in Visit.objects.filter(
            site=site, checked_out_at=None, voided=False
        ).values_list("pk", "booth_id", "participant__code_digest"):
            if booth_id:
                self.open_booths[booth_id] = None
            if digest:
                self.open_people[digest] = None
            self.ids[pk] = 0  # a stored open visit: its own row may be in the file

    def batch(self, rows: list[tuple[int, ImportedVisit]]) -> list[RowError]:
        errors: list[RowError] = []
        stored = {
            pk: (site_id, content)
            for pk, site_id, content in Visit.objects.filter(
                pk__any_of=[v.id for _, v in rows]
            ).values_list("pk", "site_id", "create_fingerprint")
        }
        for number, visit in rows:
            earlier = self.ids.get(visit.id)
            if earlier:
                errors.append(RowError(number, "id", f"Row {earlier} has this id too."))
                continue
            self.ids[visit.id] = number
            if visit.id in stored:
                if stored[visit.id] != (self.site.pk, visit.content_print(self.site)):
                    errors.append(
                        RowError(number, "id", "This id is already used by another record.")
                    )
                continue  # already imported: skipped when the import runs
            if visit.checked_out_at is None:
                errors.extend(self._open(number, visit))
        return errors

    def _open(self, number: int, visit: ImportedVisit) -> list[RowError]:
        errors = []
        if visit.booth is not None:
            other = self.open_booths.setdefault(visit.booth.pk, number)
            if other != number:
                where = f"on row {other}" if other else "already"
                errors.append(
                    RowError(
                        number,
                        "checked_out_at",
                        f"Booth {visit.booth.label} has an open visit {where}: give a check-out time.",
                    )
                )
        if visit.code_digest is not None:
            other = self.open_people.setdefault(visit.code_digest, number)
            if other != number:
                where = f"on row {other}" if other else "already"
                errors.append(
                    RowError(
                        number,
                        "checked_out_at",
                        f"This person has an open visit {where}: give a check-out time.",
                    )
                )
        return errors
