"""A Celery worker survives Redis going away while it holds unacknowledged messages (issue 14,
item 14): Celery 5.7.0's worker exited there with `AttributeError: 'NoneType' object has no
attribute 'hostname'`. Runs its own redis-server on a free port, never the shared one."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from tests.conftest import World
from tests.integration.processes import RedisServer, celery_worker, process_env, wait_until
from vigil.core.calendar import local_today
from vigil.reports.models import DailyReport
from vigil.reports.tasks import compute_site_day_task

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HELD = 4


def test_the_worker_survives_a_redis_restart_while_it_holds_unacknowledged_messages(
    world: World, tmp_path: Path
) -> None:
    redis = RedisServer(tmp_path)
    redis.start()
    worker = celery_worker("outage", process_env(CELERY_BROKER_URL=redis.url), tmp_path / "w.log")
    worker.start()
    site = str(world.site_a.pk)
    today = local_today(world.site_a)
    try:
        worker.wait_for_line("ready.")
        # Recomputes due in a minute: the worker takes them and holds them unacknowledged.
        with redis.connection() as connection:
            for n in range(1, HELD + 1):
                day = (today - timedelta(days=n)).isoformat()
                compute_site_day_task.apply_async(
                    args=(site, day), countdown=60, producer=connection.Producer()
                )
        wait_until(
            "the worker did not take the delayed tasks",
            lambda: worker.output().count("compute_site_day") >= HELD,
        )

        redis.kill()
        worker.wait_for_line("Connection to broker lost")
        redis.start()
        worker.wait_for_line("Connected to redis", times=2)

        assert worker.alive(), worker.output()[-4000:]
        assert "Unrecoverable error" not in worker.output()
        # And it still works: a recompute sent now is carried out.
        fresh = today - timedelta(days=HELD + 1)
        with redis.connection() as connection:
            compute_site_day_task.apply_async(
                args=(site, fresh.isoformat()), producer=connection.Producer()
            )
        wait_until(
            "the worker did not carry out a task after the restart",
            DailyReport.objects.filter(site=world.site_a, date=fresh).exists,
        )
    finally:
        worker.stop()
        redis.kill()
