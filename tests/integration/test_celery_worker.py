from __future__ import annotations

import uuid

import pytest

from vigil.core.tasks import ping

pytestmark = pytest.mark.integration


def test_a_real_worker_round_trips_a_task_through_the_broker(celery_worker_process: str) -> None:
    token = uuid.uuid4().hex

    result = ping.delay(token)

    assert result.get(timeout=30) == f"pong:{token}"


def test_report_tasks_are_routed_to_the_reports_queue() -> None:
    from config.celery import app

    route = app.amqp.router.route({}, "vigil.reports.compute_site_day")

    assert route["queue"].name == "reports"
