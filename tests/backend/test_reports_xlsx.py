"""The daily export as a spreadsheet: the CSV's figures, suppression and audit, in typed cells
(issue 18)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime, timedelta

from openpyxl import load_workbook

from tests.backend.test_reports_daily import DAY, at, visit
from tests.conftest import TabletClient, World
from vigil.audit.models import AuditEvent

Clients = Callable[[str], TabletClient]


def _sheet_rows(content: bytes) -> list[dict[str, object]]:
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Daily", "Notes"]
    header, *rows = book["Daily"].iter_rows(values_only=True)
    return [dict(zip(header, row, strict=True)) for row in rows]


def _same_figures(*sheet_rows: dict[str, object], as_csv: str) -> None:
    """The sheet's rows hold the CSV's figures, cell for cell."""
    csv_rows = list(csv.DictReader(io.StringIO(as_csv)))
    for sheet_row, csv_row in zip(sheet_rows, csv_rows, strict=True):
        for column, value in sheet_row.items():
            if isinstance(value, int | float):  # a number cell: 5.0 reads back as 5
                assert value == float(csv_row[column]), column
            elif column != "date":
                assert ("" if value is None else value) == csv_row[column], column


def test_the_xlsx_has_the_csvs_figures_in_typed_cells_suppressed_for_analysts_and_audited(
    world: World, client_for: Clients
) -> None:
    for n in range(12):
        visit(
            world,
            at(DAY, 8 + n // 4, (n % 4) * 10),
            booth=str(n % 10 + 1) if n < 10 else None,
            minutes=5,
        )
    visit(world, at(DAY + timedelta(days=1), 9), minutes=5)
    query = f"site=harbour&from={DAY}&to={DAY + timedelta(days=1)}"

    supervisor = client_for("bob").get(f"/api/v1/reports/daily.xlsx?{query}")
    analyst = client_for("dana").get(f"/api/v1/reports/daily.xlsx?{query}")
    as_csv = client_for("bob").get(f"/api/v1/reports/daily.csv?{query}").content.decode()

    assert supervisor.status_code == 200
    assert supervisor["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="vigil-daily-harbour-' in supervisor["Content-Disposition"]
    first, second, total = _sheet_rows(supervisor.content)
    assert (first["site"], first["visits"], first["service_only_visits"]) == ("harbour", 12, 2)
    assert isinstance(first["date"], datetime)
    assert first["date"].date() == DAY
    assert second["visits"] == 1
    assert (total["site"], total["date"], total["visits"]) == ("total", None, 13)
    _same_figures(first, second, total, as_csv=as_csv)

    shown = _sheet_rows(analyst.content)
    assert shown[0]["service_only_visits"] == "<10"
    assert shown[1]["visits"] == "<10"
    analyst_csv = client_for("dana").get(f"/api/v1/reports/daily.csv?{query}").content.decode()
    _same_figures(*shown, as_csv=analyst_csv)
    exports = AuditEvent.objects.filter(action="export")
    assert sorted((e.changes["file_type"], e.changes["suppressed"]) for e in exports) == [
        ("csv", False),
        ("csv", True),
        ("xlsx", False),
        ("xlsx", True),
    ]
