"""Blank files to fill in: the visits columns as a CSV header, or an XLSX workbook with the
columns, a sheet of notes (English or French) and a sheet of the values each column allows.

The column names stay the API's in both languages: they are what the import reads.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from vigil.imports.visits import COLUMNS, REQUIRED
from vigil.sites.models import Site
from vigil.visits.models import Route, Substance, Visit

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
SHEETS = {
    "en": ("visits", "notes", "allowed values", "column", "required", "note", "yes", "no"),
    "fr": ("visits", "notes", "valeurs permises", "colonne", "obligatoire", "note", "oui", "non"),
}


def visits_template_csv() -> bytes:
    return (",".join(COLUMNS) + "\r\n").encode()


def visits_template_xlsx(*, site: Site, lang: str) -> bytes:
    rows_sheet, notes_sheet, values_sheet, column, required, note, yes, no = SHEETS[lang]
    book = Workbook()
    rows = book.active
    assert rows is not None  # a new workbook has its one sheet
    rows.title = rows_sheet
    rows.append(list(COLUMNS))
    for cell in rows[1]:
        cell.font = Font(bold=True)
    notes = book.create_sheet(notes_sheet)
    notes.append([column, required, note])
    for name in COLUMNS:
        notes.append([name, yes if name in REQUIRED else no, NOTES[lang][name]])
    allowed = {
        "kind": Visit.Kind.values,
        "booth": list(site.booths.filter(active=True).values_list("label", flat=True)),
        "substances": Substance.values,
        "routes": Route.values,
        "did_not_consume_reason": Visit.DidNotConsume.values,
    }
    values = book.create_sheet(values_sheet)
    values.append(list(allowed))
    longest = max(len(v) for v in allowed.values())
    for i in range(longest):
        values.append([v[i] if i < len(v) else None for v in allowed.values()])
    for sheet in (notes, values):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
