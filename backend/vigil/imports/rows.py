"""What the kinds of record written one row at a time share (services, referrals, incidents,
incident actions): the notes of their common columns, the reading of a row's cells with its
errors named by column, and `RecordRows`, how a kind's rows are read and written by its
record's own create service."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from vigil.accounts.models import Role, User
from vigil.core.errors import ApplicationError, ReplayConflict
from vigil.imports.readers import Row
from vigil.imports.visits import RowError, read_time
from vigil.sites.models import Site

YES = frozenset({"yes", "y", "true", "1", "oui", "o", "vrai"})
NO = frozenset({"no", "n", "false", "0", "non", "faux", ""})

ID_NOTE = {
    "en": "A UUID per row, made once and kept: importing the file again skips rows already in.",
    "fr": "Un UUID par ligne, créé une fois et gardé : réimporter le fichier saute les lignes déjà entrées.",
}
AT_NOTE = {
    "en": "Date and time (2025-03-01 14:05); the site's local time.",
    "fr": "Date et heure (2025-03-01 14:05), à l'heure locale du site.",
}
CODE_NOTE = {
    "en": "The person's visit code, if known; hashed as the file is read, never stored.",
    "fr": "Le code de visite de la personne, s'il est connu ; haché à la lecture, jamais conservé.",
}


@dataclass(frozen=True)
class RecordRows:
    """How the rows of a kind of record are read and written, one row at a time."""

    read: Callable[[Site, int, Row], tuple[Any, list[RowError]]]
    # (request, by, role) → the time whose report day the written row changes; None when the
    # row was already stored (nothing written).
    write: Callable[[Any, User, Role], datetime | None]
    # The file's column a service's field error belongs to, where their names differ ("": an
    # error of the whole record).
    columns_of: dict[str, str]

    def write_row(
        self, number: int, request: Any, *, by: User, role: Role
    ) -> tuple[datetime | None, list[RowError]]:
        """Write one row (or find it stored: None); its refusals as errors of its row."""
        try:
            return self.write(request, by, role), []
        except ReplayConflict:
            return None, [RowError(number, "id", "This id is already used by another record.")]
        except ApplicationError as exc:
            fields = exc.fields or {"": [exc.detail]}
            return None, [
                RowError(number, self.columns_of.get(c, c) or None, m)
                for c, ms in fields.items()
                for m in ms
            ]


class Cells:
    """One row's cells and the errors found reading them."""

    def __init__(self, site: Site, number: int, row: Row) -> None:
        self.site, self.number, self.row = site, number, row
        self.errors: list[RowError] = []

    def refuse(self, column: str, message: str) -> None:
        self.errors.append(RowError(self.number, column, message))

    def text(self, column: str) -> str:
        value = self.row.get(column, "")
        return value.isoformat() if isinstance(value, datetime) else value

    def required(self, columns: tuple[str, ...]) -> None:
        for column in columns:
            if not self.row.get(column):
                self.refuse(column, "This cell is empty; it is required.")

    def id_in(self, column: str) -> uuid.UUID | None:
        if not self.row.get(column):
            return None
        try:
            return uuid.UUID(self.text(column))
        except ValueError:
            self.refuse(column, "This is not an id: give each row a UUID (like 3f2b8c1e-…).")
            return None

    def id(self) -> uuid.UUID | None:
        return self.id_in("id")

    def time(self, column: str) -> datetime | None:
        if not self.row.get(column):
            return None
        try:
            return read_time(self.row[column], zone=self.site.zone)
        except ValueError:
            self.refuse(column, "This is not a date and time: write it like 2025-03-01 14:05.")
            return None

    def choice(self, column: str, allowed: list[str], *, default: str = "") -> str:
        value = self.text(column).lower() or default
        if value and value not in allowed:
            self.refuse(column, f"Write one of: {', '.join(allowed)}.")
        return value

    def choices(self, column: str, allowed: list[str]) -> list[str]:
        """Values separated by ; each one of `allowed`."""
        values = [v.strip().lower() for v in self.text(column).split(";") if v.strip()]
        wrong = [v for v in values if v not in allowed]
        if wrong:
            self.refuse(
                column, f"Not allowed: {', '.join(wrong)}. Write any of: {', '.join(allowed)}."
            )
        return [v for v in values if v in allowed]

    def yes_no(self, column: str) -> bool:
        value = self.text(column).lower()
        if value not in YES | NO:
            self.refuse(column, "Write yes or no.")
        return value in YES

    def decimal(self, column: str) -> Decimal | None:
        if not self.row.get(column):
            return None
        try:
            value = Decimal(self.text(column).replace(",", "."))
        except InvalidOperation:
            self.refuse(column, "This is not a number.")
            return None
        if not value.is_finite():
            self.refuse(column, "This is not a number.")
            return None
        return value

    def integer(self, column: str) -> int | None:
        if not self.row.get(column):
            return None
        text = self.text(column)
        if not text.isdigit():
            self.refuse(column, "This is not a whole number.")
            return None
        return int(text)
