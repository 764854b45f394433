"""The import task: an import's id in, nothing of its content (the file stays in the database)."""

from __future__ import annotations

from celery import shared_task

from vigil.imports.services import RUN_IMPORT_TASK, import_run


# Redelivered when its worker dies (acks_late): `import_run` continues after the rows written.
@shared_task(
    name=RUN_IMPORT_TASK, acks_late=True, time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60
)
def run_import_task(import_id: str) -> str:
    return import_run(import_id=import_id).status
