"""Submissions through the HTTP API: a site-month's form frozen, downloaded, revised by a late
record, resubmitted (docs/domain.md, "What regulators ask for besides")."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.backend.conftest import run_recomputes
from tests.backend.incidents_support import open_incident
from tests.conftest import TabletClient, World
from vigil.accounts.models import Membership, Role
from vigil.audit.models import AuditEvent
from vigil.sites.models import Booth, WeeklyHours

TORONTO = ZoneInfo("America/Toronto")
OCTOBER = date(2026, 10, 1)
Clients = Callable[[str], TabletClient]


def at(day: int, hour: int, minute: int = 0) -> str:
    return datetime(2026, 10, day, hour, minute, tzinfo=TORONTO).isoformat()


def visit(client: TabletClient, when: str, code: str | None = None) -> Any:
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "kind": "service_only",
        "checked_in_at": when,
    }
    if code:
        body["code"] = code
    created = client.post("/api/v1/visits/", body)
    assert created.status_code == 201, created.content
    out = (datetime.fromisoformat(when) + timedelta(minutes=5)).isoformat()
    done = client.post(f"/api/v1/visits/{created.json()['id']}/check-out", {"checked_out_at": out})
    assert done.status_code == 200, done.content
    return done.json()


def submit(
    client: TabletClient, profile: str = "ontario_cts_monthly", month: str = "2026-10"
) -> Any:
    return client.post(
        "/api/v1/reports/submissions/", {"site": "harbour", "profile": profile, "month": month}
    )


def listed(client: TabletClient) -> list[dict[str, Any]]:
    response = client.get("/api/v1/reports/submissions/?site=harbour")
    assert response.status_code == 200, response.content
    result: list[dict[str, Any]] = response.json()
    return result


@pytest.fixture
def october(world: World, client_for: Clients) -> TabletClient:
    """Harbour's October: open 09:00-17:00 on weekdays and 10:00-14:00 on Saturdays, booth 12
    out of service from October 1st; 12 visits of 3 people and 2 anonymous, one overdose."""
    for weekday in range(5):
        WeeklyHours.objects.create(
            site=world.site_a, weekday=weekday, opens=time(9), closes=time(17)
        )
    WeeklyHours.objects.create(site=world.site_a, weekday=5, opens=time(10), closes=time(14))
    Booth.objects.filter(site=world.site_a, label="12").update(in_service_until=date(2026, 9, 30))
    bob = client_for("bob")
    for n in range(10):
        visit(bob, at(1 + n, 10), ["ANNA1990", "BEN1985", "CARL2001"][n % 3])
    visit(bob, at(20, 23, 30))
    visit(bob, at(21, 2))
    open_incident(bob, started_at=at(5, 11))
    return bob


def test_a_submission_freezes_the_form_with_who_and_when(
    october: TabletClient, client_for: Clients
) -> None:
    response = submit(october)

    assert response.status_code == 201, response.content
    sent = response.json()
    assert (sent["site"], sent["profile"], sent["month"], sent["version"]) == (
        "harbour",
        "ontario_cts_monthly",
        "2026-10",
        1,
    )
    assert sent["submitted_by"] == "Bob"
    assert sent["status"] == "current"
    assert sent["changed"] == {}
    figures = sent["figures"]
    # October 2026: 22 weekdays of 8 hours and 5 Saturdays of 4; booth 12 out of service.
    assert (figures["days_open"], figures["hours_open"], figures["booths_in_operation"]) == (
        27,
        196.0,
        11,
    )
    assert (figures["visits"], figures["unique_participants"], figures["overdoses"]) == (12, 3, 1)
    assert figures["visits_by_time_band.22_03"] == 2
    assert figures["overdoses_staff_only"] == 1
    assert AuditEvent.objects.filter(action="submit", object_id=sent["id"]).count() == 1


def test_only_a_supervisor_of_the_site_submits_a_month_that_is_over(
    october: TabletClient, client_for: Clients
) -> None:
    assert submit(client_for("alice")).status_code == 403  # staff
    assert submit(client_for("dana")).status_code == 403  # analyst
    assert submit(client_for("charlie")).status_code == 404  # another site's staff
    unfinished = submit(october, month=f"{date.today():%Y-%m}")
    assert unfinished.status_code == 400
    assert "month" in unfinished.json()["fields"]
    wrong = submit(october, profile="quarterly", month="October")
    assert set(wrong.json()["fields"]) == {"profile", "month"}


def test_the_spreadsheet_opens_and_holds_the_figures_and_their_definitions(
    october: TabletClient, client_for: Clients
) -> None:
    sent = submit(october).json()

    response = october.get(f"/api/v1/reports/submissions/{sent['id']}/download?format=xlsx")

    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Form", "Definitions"]
    rows = [tuple(row) for row in book["Form"].iter_rows(values_only=True)]
    assert rows[0][0] == "Ontario consumption and treatment service: monthly report"
    by_label = {row[0]: row[1] for row in rows if row and row[0]}
    assert (by_label["Site"], by_label["Month"], by_label["Version"]) == ("Harbour", "2026-10", 1)
    assert (by_label["Days open"], by_label["Visits"], by_label["Unique clients"]) == (27, 12, 3)
    assert by_label["Treated solely by staff"] == 1
    definitions = {row[0]: row[2] for row in book["Definitions"].iter_rows(values_only=True)}
    assert "ems_arrived" not in str(definitions["overdoses_staff_only"])
    assert "treated solely by site staff" in str(definitions["overdoses_staff_only"])
    assert AuditEvent.objects.filter(action="export", object_id=sent["id"]).count() == 1


def test_the_csv_download_lists_each_figure_of_the_form(october: TabletClient) -> None:
    sent = submit(october).json()

    response = october.get(f"/api/v1/reports/submissions/{sent['id']}/download?format=csv")

    assert response.status_code == 200, response.content
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    values = {row["indicator"]: row["value"] for row in rows}
    assert (values["visits"], values["hours_open"], values["participants_by_gender.unknown"]) == (
        "12",
        "196.0",
        "3",
    )
    assert rows[0]["section"] == "Operation"


def test_the_health_canada_form_is_suppressed_as_its_profile_says(
    october: TabletClient, client_for: Clients
) -> None:
    sent = submit(october, profile="health_canada_monthly").json()

    assert sent["suppressed"] is True
    assert sent["figures"]["visits"] == 12
    assert sent["figures"]["unique_participants"] == "<10"
    assert sent["figures"]["anonymous_visits"] == "<10"
    # Nobody outside the site reads another site's submissions.
    other = client_for("charlie").get(f"/api/v1/reports/submissions/{sent['id']}/download")
    assert other.status_code == 404


def test_a_late_record_marks_the_submission_revised_and_a_resubmission_keeps_both(
    october: TabletClient,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    first = submit(october).json()

    with django_capture_on_commit_callbacks(execute=True):
        visit(october, at(15, 18), "DORA1970")  # a paper sheet entered in November
    run_recomputes(celery_messages)

    (revised,) = listed(october)
    assert revised["status"] == "revised_since_submission"
    assert revised["changed"]["visits"] == [12, 13]
    assert revised["changed"]["unique_participants"] == [3, 4]
    assert revised["changed"]["visits_by_time_band.17_22"] == [0, 1]
    assert revised["figures"]["visits"] == 12  # as it was sent

    again = submit(october)

    assert again.status_code == 201, again.content
    assert (again.json()["version"], again.json()["status"]) == (2, "current")
    versions = listed(october)
    assert [(s["version"], s["status"], s["figures"]["visits"]) for s in versions] == [
        (2, "current", 13),
        (1, "revised_since_submission", 12),
    ]
    assert versions[1]["id"] == first["id"]


def test_the_period_report_of_one_site_says_how_it_operated_and_of_several_says_nothing(
    october: TabletClient, world: World
) -> None:
    Membership.objects.create(user=world.users["bob"], site=world.site_b, role=Role.SUPERVISOR)
    one = october.get("/api/v1/reports/period/?site=harbour&from=2026-10-01&to=2026-10-31")
    network = october.get("/api/v1/reports/period/?from=2026-10-01&to=2026-10-31")

    assert one.status_code == 200, one.content
    assert one.json()["operation"] == {
        "days_open": 27,
        "hours_open": 196.0,
        "booths_in_operation": 11,
    }
    assert network.status_code == 200, network.content
    assert len(network.json()["sites"]) > 1
    assert network.json()["operation"] is None
