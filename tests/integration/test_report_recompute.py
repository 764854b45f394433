"""Late data through a real worker: a write to a past day recomputes that day's report."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from celery.signals import before_task_publish
from django.utils import timezone

from tests.conftest import TabletClient, World
from vigil.reports.models import DailyReport

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published() -> Iterator[list[str]]:
    """Names of the tasks this process publishes to the broker."""
    names: list[str] = []

    def record(sender: str | None = None, **kwargs: Any) -> None:
        names.append(str(sender))

    before_task_publish.connect(record, weak=False)
    yield names
    before_task_publish.disconnect(record)


def wait_for(predicate: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail("the worker did not update the report in time")
        time.sleep(0.3)


def visits_on(world: World, day: Any) -> int | None:
    report = DailyReport.objects.filter(site=world.site_a, date=day).first()
    return report.metrics["visits"] if report else None


def three_days_ago(world: World) -> datetime:
    local = timezone.localtime(timezone.now(), world.site_a.zone) - timedelta(days=3)
    return local.replace(hour=14, minute=0, second=0, microsecond=0)


def test_a_backdated_visit_updates_the_report_of_its_day(
    celery_worker_process: str,
    world: World,
    client_for: Callable[[str], TabletClient],
    settings: Any,
    published: list[str],
) -> None:
    settings.VIGIL_RECOMPUTE_DELAY_SECONDS = 1
    when = three_days_ago(world)

    response = client_for("bob").post(
        "/api/v1/visits/",
        {"site": "harbour", "kind": "service_only", "checked_in_at": when.isoformat()},
    )

    assert response.status_code == 201
    assert response.json()["backdated"] is True
    wait_for(lambda: visits_on(world, when.date()) == 1)
    assert published == ["vigil.reports.compute_site_day"]


def test_a_burst_of_50_writes_to_one_past_day_recomputes_it_a_few_times_at_most(
    celery_worker_process: str,
    world: World,
    client_for: Callable[[str], TabletClient],
    settings: Any,
    published: list[str],
) -> None:
    settings.VIGIL_RECOMPUTE_DELAY_SECONDS = 2
    when = three_days_ago(world)
    bob = client_for("bob")

    for n in range(50):
        moment = when + timedelta(minutes=n)
        response = bob.post(
            "/api/v1/visits/",
            {"site": "harbour", "kind": "service_only", "checked_in_at": moment.isoformat()},
        )
        assert response.status_code == 201

    wait_for(lambda: visits_on(world, when.date()) == 50)
    assert 1 <= len(published) <= 3, published
