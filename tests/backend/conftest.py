"""Helpers for the floor records' tests: booths by label, check-ins through the API, times.

Times are always sent as ISO 8601 with their offset (a naive time is refused), and tests never
sleep: a record is created at an explicit time in the past, or its time is moved in the
database.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from celery.signals import before_task_publish
from django.utils import timezone
from kombu.messaging import Producer

from tests.conftest import TabletClient
from vigil.reports.tasks import compute_site_day_task
from vigil.sites.models import Booth, Site


def booth_of(site: Site, label: str) -> str:
    """The id of a site's booth, as the tablet sends it."""
    return str(Booth.objects.get(site=site, label=label).pk)


def ago(**delta: float) -> datetime:
    return timezone.now() - timedelta(**delta)


def iso(moment: datetime) -> str:
    """A time as a tablet sends it: ISO 8601 with its UTC offset."""
    return moment.isoformat()


def check_in(client: TabletClient, **fields: Any) -> Any:
    """POST /api/v1/visits/ with a fresh id unless one is given; harbour, consumption by default."""
    body: dict[str, Any] = {"id": str(uuid.uuid4()), "site": "harbour", "kind": "consumption"}
    body.update(fields)
    return client.post("/api/v1/visits/", body)


def lookup(client: TabletClient, code: str, site: str = "harbour") -> Any:
    return client.post("/api/v1/participants/lookup", {"site": site, "code": code})


@pytest.fixture
def celery_messages(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Every Celery message published while the test runs; nothing reaches the broker.

    Captured from `before_task_publish`, so a task added later (enqueued on commit) shows up
    here without changing the tests that use this fixture.
    """
    messages: list[dict[str, Any]] = []

    def capture(sender: Any = None, body: Any = None, headers: Any = None, **kwargs: Any) -> None:
        messages.append({"task": sender, "body": body, "headers": headers, **kwargs})

    def deliver_nowhere(self: Producer, body: Any, *args: Any, **kwargs: Any) -> None:
        return None

    monkeypatch.setattr(Producer, "publish", deliver_nowhere)
    before_task_publish.connect(capture, weak=False)
    try:
        yield messages
    finally:
        before_task_publish.disconnect(capture)


def run_recomputes(messages: list[dict[str, Any]]) -> set[date]:
    """Run the compute_site_day tasks published so far (see `celery_messages`), as the worker
    would; the days they computed."""
    days = set()
    for message in messages:
        if message["task"] == "vigil.reports.compute_site_day":
            args = message["body"][0]
            compute_site_day_task.apply(args=args).get()
            days.add(date.fromisoformat(args[1]))
    messages.clear()
    return days
