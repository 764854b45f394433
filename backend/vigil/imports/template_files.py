"""Blank files to fill in: a kind's columns (`KINDS`) as a CSV header, or an XLSX workbook
with the columns, a sheet of notes (English or French) and a sheet of the values each column
allows.

The column names stay the API's in both languages: they are what the import reads.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from vigil.imports.kinds import KINDS
from vigil.sites.models import Site

SHEETS = {
    "en": ("notes", "allowed values", "column", "required", "note", "yes", "no"),
    "fr": ("notes", "valeurs permises", "colonne", "obligatoire", "note", "oui", "non"),
}


def template_csv(*, kind: str) -> bytes:
    return (",".join(KINDS[kind].columns) + "\r\n").encode()


def template_xlsx(*, kind: str, site: Site, lang: str) -> bytes:
    spec = KINDS[kind]
    notes_sheet, values_sheet, column, required, note, yes, no = SHEETS[lang]
    book = Workbook()
    rows = book.active
    assert rows is not None  # a new workbook has its one sheet
    rows.title = kind  # the column names and the kind stay the API's
    rows.append(list(spec.columns))
    for cell in rows[1]:
        cell.font = Font(bold=True)
    notes = book.create_sheet(notes_sheet)
    notes.append([column, required, note])
    for name in spec.columns:
        notes.append([name, yes if name in spec.required else no, spec.notes[lang][name]])
    allowed = spec.allowed(site)
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
