"""Imports of a site's past visits: checked first, then written once, by a Celery task.

Files are uploaded through the API as a supervisor would; the task runs as the worker would,
from the message the upload published (which carries the import's id only).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from tests.backend.conftest import ago, run_recomputes
from tests.backend.test_privacy import _database_dump, _leaks, every_log_at_debug  # noqa: F401
from tests.conftest import TabletClient, World
from vigil.accounts.models import Role
from vigil.audit.models import AuditEvent
from vigil.audit.services import changes_between
from vigil.care.models import Referral, Service
from vigil.imports.models import Import, ImportFile
from vigil.imports.tasks import run_import_task
from vigil.incidents.models import Incident, IncidentAction
from vigil.incidents.services import IncidentOpen, incident_open
from vigil.participants.models import Participant
from vigil.participants.services import participant_merge
from vigil.stock.models import StockMovement
from vigil.visits.models import Visit
from vigil.visits.services import visit_snapshot

HEADER = ["id", "checked_in_at", "checked_out_at", "kind", "booth", "code", "substances", "routes"]


def visit_row(**cells: Any) -> dict[str, Any]:
    """A good row: a consumption visit at booth 1, three days ago, 20 minutes long."""
    start = ago(days=3)
    row: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "checked_in_at": start.isoformat(),
        "checked_out_at": (start + timedelta(minutes=20)).isoformat(),
        "kind": "consumption",
        "booth": "1",
        "code": "zu-lu 7788",
        "substances": "fentanyl; crack",
        "routes": "inhalation",
    }
    row.update(cells)
    return row


def as_csv(rows: list[dict[str, Any]], header: list[str] = HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def as_xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(
    client: TabletClient,
    content: bytes,
    *,
    name: str = "visits.csv",
    site: str = "harbour",
    dry_run: bool = False,
    kind: str = "visits",
) -> Any:
    body = {
        "site": site,
        "kind": kind,
        "dry_run": "true" if dry_run else "false",
        "file": SimpleUploadedFile(name, content),
    }
    return client.post("/api/v1/imports/", body, format="multipart")


def run_imports(messages: list[dict[str, Any]]) -> None:
    """Run the import tasks published so far, as the worker would."""
    for message in [m for m in messages if m["task"] == "vigil.imports.run"]:
        run_import_task.apply(args=message["body"][0]).get()
        messages.remove(message)


@pytest.fixture
def imported(
    client_for: Callable[[str], TabletClient],
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> Callable[..., Any]:
    """Upload as Bob (supervisor at Harbour), run the task, answer GET /imports/{id}."""

    def run(content: bytes, *, client: TabletClient | None = None, **options: Any) -> Any:
        client = client or client_for("bob")
        with django_capture_on_commit_callbacks(execute=True):
            answer = upload(client, content, **options)
            assert answer.status_code == 202, answer.content
            assert answer.json()["status"] == "queued"
        with django_capture_on_commit_callbacks(execute=True):
            run_imports(celery_messages)
        return client.get(f"/api/v1/imports/{answer.json()['id']}").json()

    return run


def test_a_dry_run_names_every_bad_row_and_column_and_writes_nothing(
    world: World, imported: Callable[..., Any]
) -> None:
    rows = [
        visit_row(),
        visit_row(id="not-an-id", kind="sauna"),
        visit_row(checked_in_at="yesterday-ish", booth="99"),
        visit_row(code="NO!PE-ZZQ9", substances="fentanyl;glitter"),
        visit_row(checked_in_at=(ago(days=3) + timedelta(days=10)).isoformat()),
        visit_row(kind="service_only"),
    ]

    result = imported(as_csv(rows), dry_run=True)

    assert result["status"] == "done"
    assert result["progress"] == {"rows_done": 6, "rows_total": 6}
    assert {(e["row"], e["column"]) for e in result["errors"]} == {
        (3, "id"),
        (3, "kind"),
        (4, "checked_in_at"),
        (4, "booth"),
        (5, "code"),
        (5, "substances"),
        (6, "checked_in_at"),
        (7, "booth"),
    }
    messages = {(e["row"], e["column"]): e["message"] for e in result["errors"]}
    assert messages[(5, "substances")] == "Not a substance Vigil knows: glitter."
    assert "future" in messages[(6, "checked_in_at")]
    assert "NO!PE" not in str(result)
    assert Visit.objects.count() == 0
    assert Participant.objects.count() == 0
    assert ImportFile.objects.count() == 0


def test_a_run_with_errors_writes_nothing_and_fails(
    world: World, imported: Callable[..., Any]
) -> None:
    result = imported(as_csv([visit_row(), visit_row(kind="sauna")]))

    assert result["status"] == "failed"
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(3, "kind")]
    assert Visit.objects.count() == 0


def test_the_same_file_imported_twice_gives_each_visit_once(
    world: World,
    imported: Callable[..., Any],
    celery_messages: list[dict[str, Any]],
    client_for: Callable[[str], TabletClient],
) -> None:
    rows = [
        visit_row(),
        visit_row(booth="2", code="Quill Wren", checked_out_at=""),
        visit_row(kind="service_only", booth="", code="", substances="", routes=""),
        visit_row(checked_in_at=ago(days=40).isoformat(), checked_out_at=""),
    ]
    content = as_csv(rows)

    first = imported(content)
    second = imported(content)

    assert first["status"] == "done", first["errors"]
    assert first["progress"] == {"rows_done": 4, "rows_total": 4}
    assert first["rows_written"] == 4
    assert second["status"] == "done", second["errors"]
    assert second["rows_written"] == 0
    assert Visit.objects.count() == 4
    visit = Visit.objects.get(pk=rows[0]["id"])
    assert visit.imported
    assert visit.backdated
    assert visit.created_by.username == "bob"
    assert sorted(r.substance for r in visit.substance_rows.all()) == ["crack", "fentanyl"]
    assert visit.booth is not None
    assert visit.booth.label == "1"
    assert Visit.objects.filter(checked_out_at=None).count() == 2
    assert Participant.objects.count() == 2
    assert AuditEvent.objects.filter(object_type="visits.visit").count() == 4
    # Each visit's audit event holds what an edit's audit would show of it (written in bulk,
    # without a model instance per row).
    event = AuditEvent.objects.get(object_type="visits.visit", object_id=str(visit.pk))
    assert event.changes == changes_between({}, visit_snapshot(visit))
    assert (event.actor, event.site) == (visit.created_by, world.site_a)
    read = client_for("bob").get(f"/api/v1/visits/{visit.pk}").json()
    assert (read["imported"], read["backdated"]) == (True, True)
    # The days of the rows recompute once, at the end of the run that wrote them.
    assert run_recomputes(celery_messages) == {
        ago(days=3).astimezone(world.site_a.zone).date(),
        ago(days=40).astimezone(world.site_a.zone).date(),
    }


def test_an_xlsx_file_with_date_cells_in_the_sites_local_time(
    world: World, imported: Callable[..., Any]
) -> None:
    start = ago(days=5).astimezone(world.site_a.zone).replace(tzinfo=None, microsecond=0)
    visit_id = str(uuid.uuid4())
    content = as_xlsx(
        [
            [
                visit_id,
                start,
                start + timedelta(minutes=15),
                "consumption",
                3,
                "MAKO1933",
                "heroin",
                "injection",
            ]
        ]
    )

    result = imported(content, name="history.xlsx")

    assert result["status"] == "done", result["errors"]
    visit = Visit.objects.get(pk=visit_id)
    assert visit.checked_in_at.astimezone(world.site_a.zone).replace(tzinfo=None) == start
    assert visit.booth is not None
    assert visit.booth.label == "3"


def test_an_open_visit_in_the_file_may_not_share_a_booth(
    world: World, imported: Callable[..., Any]
) -> None:
    rows = [visit_row(checked_out_at=""), visit_row(checked_out_at="", code="Quill Wren")]

    result = imported(as_csv(rows), dry_run=True)

    assert [(e["row"], e["column"]) for e in result["errors"]] == [(3, "checked_out_at")]
    assert "row 2" in result["errors"][0]["message"]


def test_missing_and_unknown_columns_are_named_on_row_1(
    world: World, imported: Callable[..., Any]
) -> None:
    header = ["id", "kind", "substance"]
    result = imported(as_csv([{"id": str(uuid.uuid4()), "kind": "consumption"}], header))

    assert result["status"] == "failed"
    assert {(e["row"], e["column"]) for e in result["errors"]} == {
        (1, "checked_in_at"),
        (1, "substance"),
    }


def test_a_file_that_is_not_a_workbook_fails_in_plain_words(
    world: World, imported: Callable[..., Any]
) -> None:
    result = imported(b"PK not really", name="visits.xlsx")

    assert result["status"] == "failed"
    assert result["errors"] == [
        {"row": None, "column": None, "message": "The file is not an XLSX workbook Vigil can read."}
    ]
    assert ImportFile.objects.count() == 0


def test_only_a_supervisor_of_the_site_imports_and_not_yours_is_not_found(
    world: World,
    client_for: Callable[[str], TabletClient],
    imported: Callable[..., Any],
) -> None:
    content = as_csv([visit_row()])
    assert upload(client_for("alice"), content).status_code == 403
    assert upload(client_for("charlie"), content).status_code == 404
    assert upload(client_for("bob"), content, name="visits.txt").status_code == 400
    result = imported(content, client=client_for("erin"), dry_run=True)
    assert result["status"] == "done"

    assert client_for("charlie").get(f"/api/v1/imports/{result['id']}").status_code == 404
    assert client_for("alice").get(f"/api/v1/imports/{result['id']}").status_code == 403
    assert client_for("bob").get(f"/api/v1/imports/{result['id']}").status_code == 200


def test_a_run_stopped_after_a_batch_continues_where_it_stopped(
    world: World,
    imported: Callable[..., Any],
    client_for: Callable[[str], TabletClient],
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    """A worker dying mid-run: the message is delivered again and the run continues."""
    from vigil.imports import services

    settings.VIGIL_IMPORT_BATCH_ROWS = 2
    rows = [visit_row(booth=str(n), code=f"ABC{n}") for n in range(1, 6)]
    written = services.visits_import
    calls = 0

    def dies_on_the_second_batch(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise SystemExit("worker killed")  # not an Exception: the run is not marked failed
        return written(**kwargs)

    monkeypatch.setattr(services, "visits_import", dies_on_the_second_batch)
    bob = client_for("bob")
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(bob, as_csv(rows))
    message = celery_messages[-1]
    with pytest.raises(SystemExit):
        run_import_task.apply(args=message["body"][0], throw=True).get()
    stopped = Import.objects.get(pk=answer.json()["id"])
    assert (stopped.status, stopped.rows_done, Visit.objects.count()) == ("running", 2, 2)

    run_import_task.apply(args=message["body"][0]).get()

    result = bob.get(f"/api/v1/imports/{answer.json()['id']}").json()
    assert result["status"] == "done"
    assert result["progress"] == {"rows_done": 5, "rows_total": 5}
    assert result["rows_written"] == 5
    assert Visit.objects.count() == 5
    assert ImportFile.objects.count() == 0


def test_no_code_is_stored_logged_or_queued_and_the_file_is_gone(
    world: World,
    imported: Callable[..., Any],
    every_log_at_debug: pytest.LogCaptureFixture,  # noqa: F811
    celery_messages: list[dict[str, Any]],
) -> None:
    rows = [visit_row(), visit_row(booth="2", code="Quill Wren"), visit_row(code="NO!PE-ZZQ9")]
    assert imported(as_csv(rows))["status"] == "failed"
    result = imported(as_csv(rows[:2]))
    assert result["status"] == "done"
    services = [service_row(code="Quill Wren"), service_row(code="NO!PE-ZZQ9")]
    refused = imported(as_csv(services, SERVICE_HEADER), kind="services")
    assert refused["status"] == "failed"
    assert _leaks(str(refused)) == []
    assert imported(as_csv(services[:1], SERVICE_HEADER), kind="services")["status"] == "done"

    assert ImportFile.objects.count() == 0
    dump = _database_dump()
    assert {table: _leaks(text) for table, text in dump.items() if _leaks(text)} == {}
    assert _leaks(every_log_at_debug.text) == []
    assert [m["task"] for m in celery_messages if _leaks(repr(m))] == []
    assert _leaks(str(result)) == []


def test_the_templates_are_the_columns_the_import_reads(
    world: World, client_for: Callable[[str], TabletClient], imported: Callable[..., Any]
) -> None:
    bob = client_for("bob")
    csv_template = bob.get("/api/v1/imports/template?site=harbour&kind=visits&file_type=csv")
    assert csv_template.status_code == 200
    assert csv_template.content.decode().splitlines()[0].split(",")[:8] == HEADER

    answer = bob.get("/api/v1/imports/template?site=harbour&kind=visits&file_type=xlsx&lang=fr")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["visits", "notes", "valeurs permises"]
    allowed = {
        column[0].value: [c.value for c in column[1:] if c.value]
        for column in book["valeurs permises"].columns
    }
    assert allowed["kind"] == ["consumption", "service_only"]
    assert "fentanyl" in allowed["substances"]
    assert "1" in allowed["booth"]
    assert "haché" in str([c.value for c in book["notes"]["C"]])

    sheet = book["visits"]
    start = ago(days=2).astimezone(world.site_a.zone).replace(tzinfo=None, microsecond=0)
    sheet.append([str(uuid.uuid4()), start, None, "service_only", None, "Quill Wren"])
    filled = io.BytesIO()
    book.save(filled)
    result = imported(filled.getvalue(), name="filled.xlsx")
    assert (result["status"], result["rows_written"]) == ("done", 1), result["errors"]
    assert client_for("alice").get(csv_template.wsgi_request.get_full_path()).status_code == 403


def test_a_run_at_its_time_limit_sends_itself_again_and_continues(
    world: World,
    client_for: Callable[[str], TabletClient],
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    from celery.exceptions import SoftTimeLimitExceeded

    from vigil.imports import services

    settings.VIGIL_IMPORT_BATCH_ROWS = 2
    written = services.visits_import
    calls = 0

    def slice_ends_on_the_second_batch(**kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise SoftTimeLimitExceeded()
        return written(**kwargs)

    monkeypatch.setattr(services, "visits_import", slice_ends_on_the_second_batch)
    bob = client_for("bob")
    with django_capture_on_commit_callbacks(execute=True):
        answer = upload(bob, as_csv([visit_row(booth=str(n), code=f"ABC{n}") for n in range(1, 6)]))
    run_import_task.apply(args=celery_messages.pop()["body"][0]).get()
    assert Import.objects.get(pk=answer.json()["id"]).rows_done == 2
    assert [m["task"] for m in celery_messages] == ["vigil.imports.run"]  # the next slice

    with django_capture_on_commit_callbacks(execute=True):
        run_imports(celery_messages)

    result = bob.get(f"/api/v1/imports/{answer.json()['id']}").json()
    assert (result["status"], result["rows_written"], Visit.objects.count()) == ("done", 5, 5)
    assert result["progress"] == {"rows_done": 5, "rows_total": 5}


SERVICE_HEADER = [
    "id",
    "at",
    "kind",
    "code",
    "supplies",
    "expected_substance",
    "method",
    "fentanyl",
]
REFERRAL_HEADER = ["id", "at", "code", "category", "destination", "agency", "accompanied", "status"]


def service_row(**cells: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "at": ago(days=3).isoformat(),
        "kind": "wound_care",
        "code": "zu-lu 7788",
    }
    return row | cells


def referral_row(**cells: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "at": ago(days=4).isoformat(),
        "code": "zu-lu 7788",
        "category": "housing",
        "destination": "offsite",
        "agency": "Harbour Housing Desk",
        "accompanied": "yes",
        "status": "accepted",
    }
    return row | cells


def test_services_a_dry_run_names_bad_rows_then_a_rerun_writes_each_once_marked_imported(
    world: World,
    imported: Callable[..., Any],
    client_for: Callable[[str], TabletClient],
    celery_messages: list[dict[str, Any]],
) -> None:
    bad = [
        service_row(),
        service_row(kind="massage"),
        service_row(kind="supplies", supplies="syringe:ten"),
        service_row(kind="drug_checking"),  # no test results: the floor's own rule
        service_row(at=(ago(days=3) + timedelta(days=10)).isoformat()),
    ]
    checked = imported(as_csv(bad, SERVICE_HEADER), kind="services", dry_run=True)
    assert checked["status"] == "done"
    assert {(e["row"], e["column"]) for e in checked["errors"]} == {
        (3, "kind"),
        (4, "supplies"),
        (5, "method"),
        (6, "at"),
    }
    assert Service.objects.count() == 0
    assert Participant.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="care.service").exists()

    good = [
        service_row(),
        service_row(kind="supplies", supplies="syringe:10; naloxone_kit:1", code=""),
        service_row(
            kind="drug_checking", expected_substance="fentanyl", method="ftir", fentanyl="positive"
        ),
    ]
    content = as_csv(good, SERVICE_HEADER)
    first = imported(content, kind="services")
    second = imported(content, kind="services")

    assert (first["status"], first["rows_written"]) == ("done", 3), first["errors"]
    assert (second["status"], second["rows_written"]) == ("done", 0), second["errors"]
    assert Service.objects.filter(imported=True, backdated=True).count() == 3
    read = client_for("bob").get(f"/api/v1/services/{good[1]['id']}").json()
    assert read["imported"] is True
    assert sorted((line["item"], line["quantity"]) for line in read["supplies"]) == [
        ("naloxone_kit", 1),
        ("syringe", 10),
    ]
    check = client_for("bob").get(f"/api/v1/services/{good[2]['id']}").json()
    assert check["drug_check"]["fentanyl"] == "positive"
    event = AuditEvent.objects.get(object_type="care.service", object_id=good[0]["id"])
    assert first["id"] in event.reason
    assert run_recomputes(celery_messages) == {ago(days=3).astimezone(world.site_a.zone).date()}
    assert not ImportFile.objects.exists()


def test_referrals_are_imported_once_with_their_history_and_a_changed_row_is_named(
    world: World, imported: Callable[..., Any], client_for: Callable[[str], TabletClient]
) -> None:
    rows = [referral_row(), referral_row(status="", accompanied="", agency="", code="")]

    first = imported(as_csv(rows, REFERRAL_HEADER), kind="referrals")
    changed = imported(as_csv([rows[0] | {"category": "legal"}], REFERRAL_HEADER), kind="referrals")

    assert (first["status"], first["rows_written"]) == ("done", 2), first["errors"]
    read = client_for("bob").get(f"/api/v1/referrals/{rows[0]['id']}").json()
    assert (read["imported"], read["status"], read["accompanied"]) == (True, "accepted", True)
    assert [step["status"] for step in read["history"]] == ["offered", "accepted"]
    assert Referral.objects.get(pk=rows[1]["id"]).status == "offered"
    assert changed["status"] == "failed"
    assert [(e["row"], e["column"]) for e in changed["errors"]] == [(2, "id")]
    assert Referral.objects.get(pk=rows[0]["id"]).category == "housing"


@pytest.mark.parametrize("kind", ["services", "referrals", "incidents", "incident_actions"])
def test_the_templates_of_records_written_row_by_row_list_their_columns_and_values(
    world: World, client_for: Callable[[str], TabletClient], kind: str
) -> None:
    bob = client_for("bob")
    header = {
        "services": SERVICE_HEADER,
        "referrals": REFERRAL_HEADER,
        "incidents": INCIDENT_HEADER,
        "incident_actions": ACTION_HEADER,
    }[kind]
    csv_template = bob.get(f"/api/v1/imports/template?site=harbour&kind={kind}&file_type=csv")
    assert csv_template.content.decode().splitlines()[0].split(",")[: len(header)] == header
    for lang, values in (("en", "allowed values"), ("fr", "valeurs permises")):
        answer = bob.get(f"/api/v1/imports/template?site=harbour&kind={kind}&lang={lang}")
        book = load_workbook(io.BytesIO(answer.content))
        assert book.sheetnames == [kind, "notes", values]
        assert [c.value for c in book[kind][1]][: len(header)] == header


def test_a_merged_code_imports_to_the_participant_it_was_merged_into(
    world: World, imported: Callable[..., Any]
) -> None:
    imported(as_csv([visit_row(code="MAKO1993"), visit_row(code="MAKO1933", booth="2")]))
    right = Participant.objects.get(visits__booth__label="1")
    mistyped = Participant.objects.get(visits__booth__label="2")
    participant_merge(
        source=mistyped, into=right, site=world.site_a, by=world.users["bob"], reason="typo"
    )

    result = imported(as_csv([visit_row(code="MAKO1933", checked_in_at=ago(days=9).isoformat())]))

    assert (result["status"], result["rows_written"]) == ("done", 1), result["errors"]
    assert Visit.objects.filter(participant=right).count() == 3
    assert Participant.objects.count() == 2


INCIDENT_HEADER = [
    "id",
    "started_at",
    "kind",
    "location",
    "code",
    "signs",
    "suspected_substances",
    "ended_at",
    "outcome",
    "police_attended",
]
ACTION_HEADER = ["id", "incident_id", "kind", "at", "dose_mg", "route", "spo2", "resp_rate"]


def incident_row(**cells: Any) -> dict[str, Any]:
    """A good row: an opioid overdose in a booth three days ago, recovered after 25 minutes."""
    start = ago(days=3)
    row: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "started_at": start.isoformat(),
        "kind": "opioid_overdose",
        "location": "booth",
        "code": "zu-lu 7788",
        "signs": "unresponsive; slow_or_no_breathing",
        "suspected_substances": "fentanyl",
        "ended_at": (start + timedelta(minutes=25)).isoformat(),
        "outcome": "recovered_on_site",
        "police_attended": "",
    }
    return row | cells


def action_row(incident: dict[str, Any], minutes: int, kind: str, **cells: Any) -> dict[str, Any]:
    at = datetime.fromisoformat(incident["started_at"]) + timedelta(minutes=minutes)
    row: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "incident_id": incident["id"],
        "kind": kind,
        "at": at.isoformat(),
    }
    return row | cells


def test_incidents_then_their_actions_are_imported_once_counted_and_take_no_stock(
    world: World,
    imported: Callable[..., Any],
    client_for: Callable[[str], TabletClient],
    celery_messages: list[dict[str, Any]],
) -> None:
    bad = [
        incident_row(kind="fall"),
        incident_row(signs="unresponsive; drowsy"),
        incident_row(ended_at=ago(days=4).isoformat()),  # before its start: the service's rule
        incident_row(police_attended="maybe"),
    ]
    checked = imported(as_csv(bad, INCIDENT_HEADER), kind="incidents", dry_run=True)
    assert checked["status"] == "done"
    assert {(e["row"], e["column"]) for e in checked["errors"]} == {
        (2, "kind"),
        (3, "signs"),
        (4, "ended_at"),
        (5, "police_attended"),
    }
    assert not Incident.objects.exists()
    assert Participant.objects.count() == 0
    assert not AuditEvent.objects.filter(object_type="incidents.incident").exists()

    overdoses = [incident_row(), incident_row(code="", outcome="transported")]
    incidents = as_csv(overdoses, INCIDENT_HEADER)
    actions = as_csv(
        [
            action_row(overdoses[0], 1, "naloxone", dose_mg="0.4", route="IM"),
            action_row(overdoses[0], 4, "naloxone", dose_mg="0,4", route="in"),
            action_row(overdoses[0], 6, "vitals", spo2="94", resp_rate="12"),
            action_row(overdoses[1], 2, "ems_called"),
        ],
        ACTION_HEADER,
    )
    first = imported(incidents, kind="incidents")
    first_actions = imported(actions, kind="incident_actions")
    again = imported(incidents, kind="incidents")
    again_actions = imported(actions, kind="incident_actions")

    assert (first["status"], first["rows_written"]) == ("done", 2), first["errors"]
    assert (first_actions["status"], first_actions["rows_written"]) == ("done", 4), first_actions[
        "errors"
    ]
    assert (again["rows_written"], again_actions["rows_written"]) == (0, 0)
    assert Incident.objects.filter(imported=True, status="approved").count() == 2
    assert IncidentAction.objects.filter(imported=True, backdated=True).count() == 4
    assert not StockMovement.objects.exists()
    read = client_for("bob").get(f"/api/v1/incidents/{overdoses[0]['id']}").json()
    assert (read["imported"], read["outcome"], read["signs"]) == (
        True,
        "recovered_on_site",
        ["slow_or_no_breathing", "unresponsive"],
    )
    assert [a["kind"] for a in read["actions"]] == ["naloxone", "naloxone", "vitals"]
    # History reviewed in the former system: nothing to review, handle or debrief now.
    for query in ("status=open", "overdue=true", "debrief=due"):
        listed = client_for("bob").get(f"/api/v1/incidents/?site=harbour&{query}").json()
        assert not listed["results"], query
    event = AuditEvent.objects.get(
        object_type="incidents.incidentaction", object_id=first_id(actions)
    )
    assert first_actions["id"] in event.reason

    day = ago(days=3).astimezone(world.site_a.zone).date()
    assert run_recomputes(celery_messages) == {day}
    report = client_for("bob").get(f"/api/v1/reports/daily/?site=harbour&from={day}&to={day}")
    [metrics] = [r["metrics"] for r in report.json()]
    assert (metrics["overdoses"], metrics["naloxone_doses"]) == (2, 2)
    assert not ImportFile.objects.exists()
    assert "zu-lu 7788" not in _database_dump()


def first_id(content: bytes) -> str:
    """The id of the first row of a CSV file."""
    return next(csv.DictReader(io.StringIO(content.decode())))["id"]


def test_an_action_of_an_unknown_or_another_sites_incident_is_a_row_error(
    world: World, imported: Callable[..., Any]
) -> None:
    theirs = incident_row()
    incident_open(
        request=IncidentOpen(
            site=world.site_b, kind="opioid_overdose", location="booth", id=uuid.UUID(theirs["id"])
        ),
        by=world.users["charlie"],
        role=Role.STAFF,
    )
    theirs["started_at"] = ago(minutes=5).isoformat()
    rows = [
        action_row(theirs, 1, "oxygen"),
        action_row(incident_row(), 1, "oxygen"),
        action_row(theirs, 1, "naloxone", incident_id="not-an-id"),
    ]

    result = imported(as_csv(rows, ACTION_HEADER), kind="incident_actions")

    assert result["status"] == "failed"
    assert [(e["row"], e["column"]) for e in result["errors"]] == [
        (2, "incident_id"),
        (3, "incident_id"),
        (4, "incident_id"),
    ]
    assert not IncidentAction.objects.exists()


def test_an_actions_dry_run_names_each_bad_cell_by_the_timelines_rules_and_writes_nothing(
    world: World, imported: Callable[..., Any]
) -> None:
    overdose = incident_row()
    done = imported(as_csv([overdose], INCIDENT_HEADER), kind="incidents")
    assert done["rows_written"] == 1, done["errors"]
    rows = [
        action_row(overdose, 1, "naloxone", dose_mg="0.4", route="IM"),
        action_row(overdose, 2, "naloxone", route="IM"),  # no dose
        action_row(overdose, 3, "naloxone", dose_mg="0.4", route="oral"),
        action_row(overdose, 4, "vitals", spo2="12"),
        action_row(overdose, 5, "oxygen", dose_mg="0.4"),
        action_row(overdose, -30, "oxygen"),  # before the onset
    ]

    checked = imported(as_csv(rows, ACTION_HEADER), kind="incident_actions", dry_run=True)

    assert checked["status"] == "done"
    assert [(e["row"], e["column"]) for e in checked["errors"]] == [
        (3, "dose_mg"),
        (4, "route"),
        (5, "spo2"),
        (6, "dose_mg"),
        (7, "at"),
    ]
    assert not IncidentAction.objects.exists()
    assert Incident.objects.get().critical_reasons == []
