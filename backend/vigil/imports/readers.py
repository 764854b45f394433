"""Reading an uploaded CSV or XLSX file as rows of cells, numbered as a spreadsheet shows them.

The header is row 1; the first data row is row 2. Blank rows are skipped but keep their number.
A cell is a string (stripped, "" when empty) or a datetime (an XLSX date cell).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any

from openpyxl import load_workbook

Cell = str | datetime
Row = dict[str, Cell]


# A header as people type it: "Checked in at" and "checked_in_at" name one column.
def column_name(header: object) -> str:
    return "_".join(str(header or "").strip().lower().replace("-", " ").split())


class UnreadableFile(Exception):
    """The file is not a CSV or XLSX file this module can read; the message says so plainly."""


def read_rows(content: bytes, *, file_name: str) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    """The file's columns (normalised header names) and its rows, numbered from 2."""
    if file_name.lower().endswith(".xlsx"):
        return _xlsx(content)
    return _csv(content)


def _csv(content: bytes) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableFile("The file is not UTF-8 text. Save it as CSV UTF-8.") from exc
    first_line = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = next(reader, None)
    if header is None:
        raise UnreadableFile("The file is empty.")
    columns = [column_name(h) for h in header]

    def rows() -> Iterator[tuple[int, Row]]:
        for number, values in enumerate(reader, start=2):
            row: Row = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
            if any(row.values()):
                yield number, row

    return columns, rows()


def _xlsx(content: bytes) -> tuple[list[str], Iterator[tuple[int, Row]]]:
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableFile("The file is not an XLSX workbook Vigil can read.") from exc
    sheet = book.worksheets[0]
    cells = sheet.iter_rows(values_only=True)
    header = next(cells, None)
    if header is None:
        raise UnreadableFile("The first sheet is empty.")
    columns = [column_name(h) for h in header]

    def rows() -> Iterator[tuple[int, Row]]:
        try:
            for number, values in enumerate(cells, start=2):
                row = {c: _cell(v) for c, v in zip(columns, values, strict=False) if c}
                if any(row.values()):
                    yield number, row
        finally:
            book.close()

    return columns, rows()


def _cell(value: object) -> Cell:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
