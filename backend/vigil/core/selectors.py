from __future__ import annotations

import logging

from django.db import connection

from config.celery import app as celery_app

logger = logging.getLogger(__name__)


def database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return bool(cursor.fetchone() == (1,))
    except Exception:
        logger.warning("readiness: database did not answer", exc_info=True)
        return False


def broker_ready() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("readiness: broker did not answer", exc_info=True)
        return False


def readiness() -> dict[str, bool]:
    return {"database": database_ready(), "broker": broker_ready()}
