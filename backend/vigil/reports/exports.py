"""Outputs that leave the site: flattened indicators, suppressed on request, and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from vigil.care.models import ReferralCategory
from vigil.incidents.rules import OVERDOSE_KINDS
from vigil.reports.metrics import AGE_BAND_KEYS, GENDER_KEYS, TIME_BANDS
from vigil.reports.models import DailyReport, Submission
from vigil.reports.profiles import AGE_LABELS, GENDER_LABELS, PROFILES, definition
from vigil.reports.suppression import COMPLEMENT, suppress


def _demographic_sums(total: str, who: str) -> list[tuple[str, list[str]]]:
    """The tables of unique (or new) participants: each margin adds up to the total, and the
    crossed table is protected by row (an age band) and by column (a gender)."""
    cell = f"{who}_by_age_gender"
    return [
        (total, [f"{who}_by_age_band.{band}" for band in AGE_BAND_KEYS]),
        (total, [f"{who}_by_gender.{gender}" for gender in GENDER_KEYS]),
        *(
            (f"{who}_by_age_band.{band}", [f"{cell}.{band}.{gender}" for gender in GENDER_KEYS])
            for band in AGE_BAND_KEYS
        ),
        *(
            (f"{who}_by_gender.{gender}", [f"{cell}.{band}.{gender}" for band in AGE_BAND_KEYS])
            for gender in GENDER_KEYS
        ),
    ]


# Indicators that are the sum of others, so that suppression protects them together.
SUMS: list[tuple[str, list[str]]] = [
    ("visits", ["consumption_visits", "service_only_visits"]),
    ("visits", [f"visits_by_time_band.{band}" for band, _, _ in TIME_BANDS]),
    ("referrals", ["referrals_onsite", "referrals_offsite"]),
    ("referrals", [f"referrals_by_category.{category}" for category in ReferralCategory.values]),
    ("overdoses", ["overdoses_staff_only", "overdoses_ems_treated"]),
    ("overdoses", ["overdoses_with_naloxone", "overdoses_without_naloxone"]),
    ("overdoses", [f"incidents_by_kind.{kind}" for kind in sorted(OVERDOSE_KINDS)]),
    ("other_medical_emergencies", ["incidents_by_kind.other_medical"]),
    *_demographic_sums("unique_participants", "participants"),
    *_demographic_sums("new_participants", "new_participants"),
]
# Rates and the counts they are computed from: withheld when one of those counts is hidden.
RATES: dict[str, list[str]] = {"overdoses_per_1000_visits": ["overdoses", "visits"]}
SUPPRESSION_NOTE = (
    'A count from 1 to the threshold minus one (10 by default) shows as "<10"; a cell hidden '
    f'only so that a small one cannot be worked out from a total shows as "{COMPLEMENT}" '
    "(it may be of any size); zero stays 0."
)
# Counts of distinct people: a total row cannot add them up over days.
DISTINCT = ("unique_", "new_", "participants_by_", "peak_")
# Figures that are not counts of people or events: never suppressed for being small.
NOT_COUNTS = {"median_visit_minutes", "days_open", "hours_open", "booths_in_operation", *RATES}


def flatten(values: dict[str, Any]) -> dict[str, Any]:
    """`{"visits_by_route": {"oral": 2}}` → `{"visits_by_route.oral": 2}`, and a crossed table
    `{"participants_by_age_gender": {"20_29": {"man": 3}}}` → `{"….20_29.man": 3}`."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            inner = flatten(dict(sorted(value.items())))
            flat.update({f"{key}.{name}": v for name, v in inner.items()})
        else:
            flat[key] = value
    return flat


def unflatten(flat: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, value in flat.items():
        *outer, last = key.split(".")
        level = values
        for name in outer:
            level = level.setdefault(name, {})
        level[last] = value
    return values


def _counts(flat: dict[str, Any]) -> dict[str, float | None]:
    """The counts and the rates of one report: what suppression looks at."""
    return {
        k: v
        for k, v in flat.items()
        if (k not in NOT_COUNTS and isinstance(v, int | None)) or k in RATES
    }


def suppressed_flat(flat: dict[str, Any]) -> dict[str, Any]:
    """Dotted indicators with small cells hidden (the sums above protected together, the
    rates withheld when a count they come from is hidden)."""
    return {**flat, **suppress(_counts(flat), SUMS, derived=list(RATES.items()))}


def suppressed_metrics(values: dict[str, Any]) -> dict[str, Any]:
    """One report's indicators with small cells hidden."""
    return unflatten(suppressed_flat(flatten(values)))


def daily_table(
    reports: Sequence[DailyReport], *, suppressed: bool
) -> tuple[list[str], list[list[Any]]]:
    """The header and rows of a daily export: one row per site-day and a total row; with
    suppression, each column is protected against its total and each row's sums against their
    parts. A cell is a number, a date, text, a suppression mark, or None (no figure)."""
    flats = [flatten(r.metrics) for r in reports]
    columns = sorted({k for flat in flats for k in flat if k not in NOT_COUNTS})
    columns += sorted({k for flat in flats for k in flat if k in NOT_COUNTS})
    cells: dict[tuple[int, str], Any] = {
        (row, col): flat.get(col) for row, flat in enumerate(flats) for col in columns
    }
    total_row = len(flats)
    additive = [c for c in columns if c not in NOT_COUNTS and not c.startswith(DISTINCT)]
    for col in additive:
        cells[(total_row, col)] = sum(cells[(row, col)] or 0 for row in range(total_row))
    if suppressed:
        counts = {
            k: v
            for k, v in cells.items()
            if (k[1] not in NOT_COUNTS and isinstance(v, int | None)) or k[1] in RATES
        }
        relations: list[tuple[tuple[int, str], list[tuple[int, str]]]] = [
            ((total_row, col), [(row, col) for row in range(total_row)]) for col in additive
        ]
        derived: list[tuple[tuple[int, str], list[tuple[int, str]]]] = []
        for row in range(total_row + 1):
            relations += [
                ((row, total), [(row, part) for part in parts])
                for total, parts in SUMS
                if (row, total) in counts
            ]
            derived += [
                ((row, rate), [(row, count) for count in inputs])
                for rate, inputs in RATES.items()
                if (row, rate) in counts
            ]
        cells.update(suppress(counts, relations, derived=derived))
    rows: list[list[Any]] = [
        [report.site.slug, report.date, report.status, *(cells[(row, c)] for c in columns)]
        for row, report in enumerate(reports)
    ]
    rows.append(["total", None, None, *(cells.get((total_row, c)) for c in columns)])
    return ["site", "date", "status", *columns], rows


def daily_csv(reports: Sequence[DailyReport], *, suppressed: bool) -> str:
    """The daily export as CSV (`daily_table`)."""
    header, rows = daily_table(reports, suppressed=suppressed)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([c.isoformat() if isinstance(c, date) else _text(c) for c in row])
    return out.getvalue()


def daily_xlsx(reports: Sequence[DailyReport], *, suppressed: bool) -> bytes:
    """The daily export as a spreadsheet (`daily_table`): a bold, frozen header row; counts as
    numbers, the dates as date cells, the suppression marks as text; a sheet of notes."""
    header, rows = daily_table(reports, suppressed=suppressed)
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook has its one sheet
    sheet.title = "Daily"
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "D2"
    for row in rows:
        sheet.append(row)
    for cell in sheet["B"][1:]:
        cell.number_format = "yyyy-mm-dd"
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 12
    notes = book.create_sheet("Notes")
    notes.append(["Suppressed figures", SUPPRESSION_NOTE if suppressed else "None suppressed."])
    notes.append(["Total row", "Sums of the days; distinct counts of people are not added up."])
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _form_rows(submission: Submission, figures: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(section, label, value) for each figure of the form, in the form's order."""
    profile = PROFILES[submission.profile]
    return [
        (section.title, figure.label, figures.get(figure.key))
        for section in profile.sections
        for figure in section.figures
    ]


def submission_csv(submission: Submission, figures: dict[str, Any]) -> str:
    """The form as CSV: one row per figure, with its section, name, label and value."""
    profile = PROFILES[submission.profile]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "indicator", "label", "value"])
    for section in profile.sections:
        for figure in section.figures:
            writer.writerow(
                [section.title, figure.key, figure.label, _text(figures.get(figure.key))]
            )
    return out.getvalue()


def submission_xlsx(submission: Submission, figures: dict[str, Any], *, status: str) -> bytes:
    """The form as a spreadsheet: a sheet laid out like the form (a heading, then each
    section's figures, the crossed table as a grid of age bands by gender), and a sheet of
    definitions."""
    profile = PROFILES[submission.profile]
    book = Workbook()
    form = book.active
    assert form is not None
    form.title = "Form"
    bold = Font(bold=True)
    form.append([profile.title])
    form["A1"].font = Font(bold=True, size=14)
    for label, value in (
        ("Site", submission.site.name),
        ("Month", f"{submission.month:%Y-%m}"),
        ("Version", submission.version),
        ("Submitted by", submission.submitted_by.display_name or submission.submitted_by.username),
        ("Submitted at", submission.submitted_at.astimezone(submission.site.zone).isoformat()),
        ("Status", status.replace("_", " ")),
        ("Small cells suppressed", "yes" if profile.suppressed else "no"),
    ):
        form.append([label, value])
    for section in profile.sections:
        form.append([])
        form.append([section.title])
        form.cell(row=form.max_row, column=1).font = bold
        crossed = [f for f in section.figures if f.key.count(".") == 2]
        if crossed:
            genders = list(dict.fromkeys(f.key.split(".")[2] for f in crossed))
            bands = list(dict.fromkeys(f.key.split(".")[1] for f in crossed))
            prefix = crossed[0].key.split(".")[0]
            form.append(["Age band", *(GENDER_LABELS.get(g, g) for g in genders)])
            for band in bands:
                form.append(
                    [
                        AGE_LABELS.get(band, band),
                        *(figures.get(f"{prefix}.{band}.{g}") for g in genders),
                    ]
                )
            continue
        for figure in section.figures:
            form.append([figure.label, figures.get(figure.key)])
    form.column_dimensions["A"].width = 42
    for column in "BCDE":
        form.column_dimensions[column].width = 16
    sheet = book.create_sheet("Definitions")
    sheet.append(["Indicator", "Label", "Definition"])
    for cell in sheet[1]:
        cell.font = bold
    for section in profile.sections:
        for figure in section.figures:
            sheet.append([figure.key, figure.label, definition(figure.key)])
    sheet.append([])
    sheet.append(["Suppressed figures", "", SUPPRESSION_NOTE])
    sheet.column_dimensions["A"].width = 44
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 90
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
