"""The import task: an import's id in, nothing of its content (the file stays in the database)."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task, shared_task
from celery.signals import worker_ready

from vigil.imports.models import Import
from vigil.imports.services import RUN_IMPORT_TASK, import_run

logger = logging.getLogger(__name__)


# Redelivered when its worker dies (acks_late): `import_run` continues after the rows written.
# It keeps the default time limits (under the broker's visibility timeout, so a run still going
# is never handed to a second worker): a long import stops at the soft limit and sends itself
# again, and the new message continues where it stopped.
@shared_task(bind=True, name=RUN_IMPORT_TASK, acks_late=True)
def run_import_task(self: Task[[str], str], import_id: str) -> str:
    run = import_run(import_id=import_id)
    if run.again:
        self.apply_async(args=(import_id,))
    return run.upload.status


@worker_ready.connect
def resume_imports_left_running(sender: Any, **kwargs: Any) -> None:
    """On a broker that never delivers a message again (the filesystem broker of development
    and tests moves a message out of its folder when a worker takes it, so a worker killed
    mid-task loses it), a starting worker sends again each import left `running`. Were its
    first run still going, one of the two stops at its next chunk (`import_run`'s claim)."""
    if not sender.app.conf.broker_url.startswith("filesystem://"):
        return  # Redis delivers an unacknowledged message again after its visibility timeout
    for import_id in Import.objects.filter(status=Import.Status.RUNNING).values_list(
        "pk", flat=True
    ):
        logger.warning("Import %s was left running: sent again.", import_id)
        run_import_task.apply_async(args=(str(import_id),))
