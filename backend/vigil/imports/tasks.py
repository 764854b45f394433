"""The import task: an import's id in, nothing of its content (the file stays in the database)."""

from __future__ import annotations

from celery import Task, shared_task

from vigil.imports.models import Import
from vigil.imports.services import RUN_IMPORT_TASK, import_run


# Redelivered when its worker dies (acks_late): `import_run` continues after the rows written.
# It keeps the default time limits (under the broker's visibility timeout, so a run still going
# is never handed to a second worker): a long import stops at the soft limit and sends itself
# again, and the new message continues where it stopped.
@shared_task(bind=True, name=RUN_IMPORT_TASK, acks_late=True)
def run_import_task(self: Task[[str], str], import_id: str) -> str:
    upload = import_run(import_id=import_id)
    if upload.status == Import.Status.RUNNING:
        self.apply_async(args=(import_id,))
    return upload.status
