"""What the import screen reads: the kinds a site imports (columns, allowed values, templates)
and the site's past imports, newest first (issue 18)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from openpyxl import load_workbook

from tests.backend.test_imports_api import as_csv, imported, visit_row  # noqa: F401
from tests.conftest import TabletClient, World

Clients = Callable[[str], TabletClient]


def test_the_kinds_list_each_column_its_allowed_values_and_working_templates(
    world: World, client_for: Clients
) -> None:
    bob = client_for("bob")
    bob.cookies["vigil_lang"] = "fr"

    answer = bob.get("/api/v1/imports/kinds?site=harbour")

    assert answer.status_code == 200
    visits, *others = answer.json()
    assert (visits["kind"], visits["label"]) == ("visits", "Visites")
    assert [(k["kind"], k["label"]) for k in others] == [
        ("services", "Services"),
        ("referrals", "Orientations"),
        ("incidents", "Incidents"),
        ("incident_actions", "Gestes d\N{RIGHT SINGLE QUOTATION MARK}intervention"),
    ]
    columns = {c["name"]: c for c in visits["columns"]}
    assert [c["name"] for c in visits["columns"]][:3] == ["id", "checked_in_at", "checked_out_at"]
    assert columns["kind"]["required"]
    assert not columns["booth"]["required"]
    assert columns["kind"]["allowed"] == ["consumption", "service_only"]
    assert "1" in columns["booth"]["allowed"]
    assert columns["code"]["allowed"] is None
    assert "haché" in columns["code"]["note"]
    book = load_workbook(io.BytesIO(bob.get(visits["templates"]["xlsx"]).content))
    assert "valeurs permises" in book.sheetnames
    header = bob.get(visits["templates"]["csv"]).content.decode().splitlines()[0]
    assert header.split(",") == [c["name"] for c in visits["columns"]]

    english = client_for("erin").get("/api/v1/imports/kinds?site=harbour").json()
    assert english[0]["label"] == "Visits"
    assert "lang=en" in english[0]["templates"]["xlsx"]
    # The app names its language: the screen follows a switch at once.
    asked = bob.get("/api/v1/imports/kinds?site=harbour&lang=en").json()
    assert (asked[0]["label"], asked[0]["columns"][0]["note"][:6]) == ("Visits", "A UUID")


def test_past_imports_newest_first_with_their_counts_for_supervisors_of_the_site(
    world: World,
    client_for: Clients,
    imported: Callable[..., Any],  # noqa: F811 (the fixture of test_imports_api)
) -> None:
    checked = imported(as_csv([visit_row(), visit_row(kind="sauna")]), dry_run=True)
    written = imported(as_csv([visit_row(), visit_row()]), name="march.csv")

    answer = client_for("bob").get("/api/v1/imports/?site=harbour")

    assert answer.status_code == 200
    latest, first = answer.json()
    assert [latest["id"], first["id"]] == [written["id"], checked["id"]]
    assert latest["file_name"] == "march.csv"
    assert (latest["status"], latest["rows_written"], latest["errors_count"]) == ("done", 2, 0)
    assert latest["progress"] == {"rows_done": 2, "rows_total": 2}
    assert latest["created_by"] == str(world.users["bob"])
    assert (first["dry_run"], first["errors_count"]) == (True, 1)
    assert "errors" not in first
    assert client_for("alice").get("/api/v1/imports/?site=harbour").status_code == 403
    assert client_for("charlie").get("/api/v1/imports/?site=harbour").status_code == 404
    refused = client_for("bob").get("/api/v1/imports/")
    assert refused.status_code == 400
    assert "site" in refused.json()["fields"]
