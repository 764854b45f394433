"""Imports of a site's past visits: checked first, then written once, by a Celery task.

Files are uploaded through the API as a supervisor would; the task runs as the worker would,
from the message the upload published (which carries the import's id only).
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from tests.backend.conftest import ago, run_recomputes
from tests.backend.test_privacy import _database_dump, _leaks, every_log_at_debug  # noqa: F401
from tests.conftest import TabletClient, World
from vigil.audit.models import AuditEvent
from vigil.imports.models import Import, ImportFile
from vigil.imports.tasks import run_import_task
from vigil.participants.models import Participant
from vigil.visits.models import Visit

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
) -> Any:
    body = {
        "site": site,
        "kind": "visits",
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
    world: World, imported: Callable[..., Any], celery_messages: list[dict[str, Any]]
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
