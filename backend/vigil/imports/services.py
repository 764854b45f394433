"""Imports of a site's past records: an upload queued, then checked and (unless a dry run)
written by a Celery task, resumable, with its progress on the import record. The kinds of file
and their columns are in `vigil.imports.kinds.KINDS`.

The run, in `import_run`:
1. Read the whole file and check every row, each error named by row and column. Codes are
   hashed as the rows are read (visits), or by the record's own service as its row is tried
   (services, referrals, incidents); nothing of a code is kept.
2. A dry run, or a file with errors, ends there: nothing is written.
3. Otherwise write the rows in chunks: visits set-based (`visits_import`), other records each
   by its create service. Each chunk's transaction first claims the chunk by moving
   `rows_done` on, so a run continued after a worker restart starts after the last chunk
   written, a second run of the same import at once stops, and a row whose id is stored is
   skipped: nothing is written twice.
4. At the end, the site-days the rows touched are recomputed, once each; the file is deleted
   (after a failure too) and the import audited.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from functools import partial
from itertools import islice
from typing import Any, NamedTuple

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.access import SUPERVISORS, role_at
from vigil.accounts.models import Role, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.imports.kinds import KINDS
from vigil.imports.models import Import, ImportFile
from vigil.imports.readers import UnreadableFile, read_rows
from vigil.imports.rows import RecordRows
from vigil.imports.visits import RowError, VisitRowsCheck, read_visit
from vigil.records.recompute import request_recompute_many
from vigil.sites.models import Site
from vigil.visits.services import ImportedVisit, visits_import

logger = logging.getLogger(__name__)

RUN_IMPORT_TASK = "vigil.imports.run"
# The errors an import keeps: enough to name every bad row of a file typed by hand; beyond
# that, a count.
MAX_ERRORS = 1000


def import_create(
    *, site: Site, kind: str, dry_run: bool, file_name: str, content: bytes, by: User
) -> Import:
    """Keep the upload and queue its run (the task takes the import's id only)."""
    with transaction.atomic():
        upload = Import.objects.create(
            site=site, kind=kind, dry_run=dry_run, file_name=file_name[:200], created_by=by
        )
        ImportFile.objects.create(upload=upload, content=content)
        transaction.on_commit(partial(_enqueue, import_id=upload.pk))
    return upload


def _enqueue(*, import_id: Any) -> None:
    current_app.signature(RUN_IMPORT_TASK, args=(str(import_id),)).apply_async()


class ImportRun(NamedTuple):
    upload: Import
    # Stopped at the task's time limit with rows left: run it again to continue.
    again: bool = False


class Overtaken(Exception):
    """Another run of this import moved its progress on: this one stops and leaves it there."""


def import_run(*, import_id: Any) -> ImportRun:
    """Run (or continue) an import; done or failed imports are left as they are.

    Two runs of one import at once (a message delivered again, or an import resumed when a
    worker starts, while its first run still goes) never write a chunk twice: each chunk is
    claimed by moving `rows_done` on from the value the run read, and the run that finds it
    moved stops there (`Overtaken`), leaving the import to the other.
    """
    upload = Import.objects.select_related("site", "created_by").get(pk=import_id)
    if upload.status in (Import.Status.DONE, Import.Status.FAILED):
        return ImportRun(upload)
    Import.objects.filter(pk=upload.pk).update(status=Import.Status.RUNNING)
    upload.status = Import.Status.RUNNING
    try:
        errors = _run(upload)
    except SoftTimeLimitExceeded:
        # The task's time slice is over (under the broker's visibility timeout): the chunk in
        # hand is rolled back, and the task sends itself again to continue after `rows_done`.
        return ImportRun(upload, again=True)
    except Overtaken:
        return ImportRun(upload)
    except UnreadableFile as exc:
        errors = [RowError(None, None, str(exc))]
    except RowsRefused as exc:
        errors = exc.errors
    except Exception:
        # The message names the import only: a row's content never reaches a log.
        logger.exception("Import %s stopped on an unexpected error.", upload.pk)
        errors = [
            RowError(
                None,
                None,
                "The import stopped on an unexpected error. Upload the file again: the rows "
                "already written are skipped.",
            )
        ]
    return ImportRun(_finish(upload, errors=errors))


def _run(upload: Import) -> list[RowError]:
    site = upload.site
    role = role_at(user=upload.created_by, site=site)
    if role not in SUPERVISORS:
        return [
            RowError(None, None, gettext("Only a supervisor of this site can import its records."))
        ]
    stored = ImportFile.objects.filter(upload=upload).first()
    if stored is None:
        return [RowError(None, None, gettext("The uploaded file is gone. Upload it again."))]
    content = bytes(stored.content)
    if upload.rows_total is None:
        columns, _ = read_rows(content, file_name=upload.file_name)
        errors = _check_columns(columns, kind=upload.kind)
        if errors:
            return errors
    records = KINDS[upload.kind].records
    if records is not None:
        return _run_records(upload, content=content, role=role, records=records)
    return _run_visits(upload, content=content, role=role)


def _run_visits(upload: Import, *, content: bytes, role: Role) -> list[RowError]:
    """Visits: checked chunk by chunk against the file and what is stored, then written in
    bulk (`visits_import`), a chunk per transaction."""
    site = upload.site

    def rows(skip: int = 0) -> Iterator[tuple[int, ImportedVisit | None, list[RowError]]]:
        _, cells = read_rows(content, file_name=upload.file_name)
        booths = {b.label: b for b in site.booths.all()}
        for number, row in islice(cells, skip, None):
            visit, errors = read_visit(site=site, booths=booths, role=role, number=number, row=row)
            yield number, visit, errors

    size = settings.VIGIL_IMPORT_BATCH_ROWS
    # `rows_total` is stored once every row has passed the check: a run continued (after a
    # restart, or in a new time slice) goes straight on writing.
    if upload.rows_total is None:
        errors: list[RowError] = []
        check = VisitRowsCheck(site=site)
        total = 0
        for batch in _batched(rows(), size):
            total += len(batch)
            errors.extend(e for _, _, row_errors in batch for e in row_errors)
            errors.extend(check.batch([(n, v) for n, v, _ in batch if v is not None]))
        upload.rows_total = total
        if errors or upload.dry_run:
            upload.rows_done = total if upload.dry_run else 0
            return errors  # saved with the outcome by `_finish`
        Import.objects.filter(pk=upload.pk).update(rows_total=total)
    reason = f"Imported from {upload.file_name} (import {upload.pk})."
    for batch in _batched(rows(skip=upload.rows_done), size):
        visits = [v for _, v, _ in batch if v is not None]
        with transaction.atomic():
            _claim(upload, rows=len(batch))
            written = visits_import(
                site=site, visits=visits, by=upload.created_by, role=role, reason=reason
            )
            _note_written(upload, written=written.written, moments=written.moments)
        upload.rows_done += len(batch)
    return []


def _run_records(
    upload: Import, *, content: bytes, role: Role, records: RecordRows
) -> list[RowError]:
    """Services, referrals, incidents and their actions: each row written by its record's
    create service (marked imported), a chunk per transaction. The check tries every row in a
    transaction rolled back at its end: the very rules of the floor, and nothing stays."""
    site, by = upload.site, upload.created_by
    reason = f"Imported from {upload.file_name} (import {upload.pk})."

    def rows(skip: int = 0) -> Iterator[tuple[int, Any, list[RowError]]]:
        _, cells = read_rows(content, file_name=upload.file_name)
        for number, row in islice(cells, skip, None):
            request, errors = records.read(site, number, row)
            yield number, (replace(request, reason=reason) if request else None), errors

    if upload.rows_total is None:
        errors: list[RowError] = []
        ids: dict[Any, int] = {}
        total = 0
        with transaction.atomic():
            for number, request, row_errors in rows():
                total += 1
                errors.extend(row_errors)
                if request is None:
                    continue
                if request.id in ids:
                    errors.append(RowError(number, "id", f"Row {ids[request.id]} has this id too."))
                    continue
                ids[request.id] = number
                errors.extend(records.write_row(number, request, by=by, role=role)[1])
            transaction.set_rollback(True)
        upload.rows_total = total
        if errors or upload.dry_run:
            upload.rows_done = total if upload.dry_run else 0
            return errors  # saved with the outcome by `_finish`
        Import.objects.filter(pk=upload.pk).update(rows_total=total)
    for batch in _batched(rows(skip=upload.rows_done), settings.VIGIL_IMPORT_BATCH_ROWS):
        with transaction.atomic():
            _claim(upload, rows=len(batch))
            moments = []
            for number, request, _ in batch:
                moment, errors = records.write_row(number, request, by=by, role=role)
                if errors:  # a rule that held at the check refuses it now: the chunk is undone
                    raise RowsRefused(errors)
                if moment is not None:
                    moments.append((site.pk, moment))
            _note_written(upload, written=len(moments), moments=moments)
        upload.rows_done += len(batch)
    return []


class RowsRefused(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("rows refused")
        self.errors = errors


def _claim(upload: Import, *, rows: int) -> None:
    """Move `rows_done` on from the value this run read, or stop (`Overtaken`). First in a
    chunk's transaction: on PostgreSQL it locks the import's row until the chunk commits."""
    claimed = Import.objects.filter(pk=upload.pk, rows_done=upload.rows_done).update(
        rows_done=upload.rows_done + rows
    )
    if not claimed:
        raise Overtaken


def _note_written(upload: Import, *, written: int, moments: list[tuple[Any, datetime]]) -> None:
    """Count a chunk's rows written and add their site-days to recompute at the end (in the
    chunk's transaction, read again: another run may have added days)."""
    upload.recompute = Import.objects.values_list("recompute", flat=True).get(pk=upload.pk)
    _note_recompute(upload, moments)
    Import.objects.filter(pk=upload.pk).update(
        rows_written=F("rows_written") + written, recompute=upload.recompute
    )


def _batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while batch := list(islice(items, size)):
        yield batch


def _check_columns(columns: list[str], *, kind: str) -> list[RowError]:
    spec = KINDS[kind]
    errors = [
        RowError(1, column, "This column is missing; it is required.")
        for column in spec.required
        if column not in columns
    ]
    errors += [
        RowError(
            1,
            column,
            f"Vigil does not import this column. The columns are: {', '.join(spec.columns)}.",
        )
        for column in columns
        if column and column not in spec.columns
    ]
    return errors


def _note_recompute(upload: Import, moments: list[tuple[Any, datetime]]) -> None:
    """Add the site-days of these times to the import's days to recompute at the end."""
    zones = {upload.site.pk: upload.site.zone}
    for site_id, moment in moments:
        if site_id not in zones:
            zones[site_id] = Site.objects.get(pk=site_id).zone
        days = upload.recompute.setdefault(str(site_id), {})
        days.setdefault(
            timezone.localtime(moment, zones[site_id]).date().isoformat(), moment.isoformat()
        )


def _finish(upload: Import, *, errors: list[RowError]) -> Import:
    """End the run: status, errors, the file deleted, the days recomputed once, an audit event."""
    failed = bool(errors) and not upload.dry_run
    with transaction.atomic():
        ImportFile.objects.filter(upload=upload).delete()
        upload.status = Import.Status.FAILED if failed else Import.Status.DONE
        upload.errors = [e.as_json() for e in errors[:MAX_ERRORS]]
        if len(errors) > MAX_ERRORS:
            upload.errors.append(
                RowError(None, None, f"And {len(errors) - MAX_ERRORS} more errors.").as_json()
            )
        upload.finished_at = timezone.now()
        upload.save(update_fields=["status", "errors", "finished_at", "rows_total", "rows_done"])
        request_recompute_many(
            days={
                uuid.UUID(site_id): [date.fromisoformat(day) for day in days]
                for site_id, days in upload.recompute.items()
            }
        )
        audit_record(
            actor=upload.created_by,
            action=AuditEvent.Action.CREATE,
            obj=upload,
            site=upload.site,
            changes={
                "kind": upload.kind,
                "dry_run": upload.dry_run,
                "status": upload.status,
                "rows": upload.rows_total,
                "written": Import.objects.get(pk=upload.pk).rows_written,
            },
        )
    return upload
