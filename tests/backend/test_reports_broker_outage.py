"""Reports after a broker outage: a write to a past day is stored and answered while the broker
is away, its day stays pending, and the sweep (or the nightly run) recomputes it, closed days
included. Personas: bob supervisor at harbour (see tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from kombu.messaging import Producer

from tests.conftest import TabletClient, World
from vigil.core.calendar import local_today
from vigil.records.models import PendingRecompute
from vigil.reports.models import DailyReport
from vigil.reports.services import compute_site_day
from vigil.reports.tasks import compute_site_day_task, nightly_task, sweep_pending_task

Clients = Callable[[str], TabletClient]
RECOMPUTE = "vigil.reports.compute_site_day"


def broker_refuses(self: Producer, *args: Any, **kwargs: Any) -> None:
    raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def broker_away(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every publish fails as it does when Redis is down."""
    monkeypatch.setattr(Producer, "publish", broker_refuses)


def days_ago(world: World, days: int) -> date:
    return local_today(world.site_a) - timedelta(days=days)


def noon(world: World, day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=world.site_a.zone)


def backdated_visit(client: TabletClient, moment: datetime) -> Any:
    return client.post(
        "/api/v1/visits/",
        {"site": "harbour", "kind": "service_only", "checked_in_at": moment.isoformat()},
    )


def age_pending(hours: float = 1) -> None:
    PendingRecompute.objects.update(requested_at=timezone.now() - timedelta(hours=hours))


def run_published(messages: list[dict[str, Any]]) -> list[date]:
    days = []
    for message in messages:
        if message["task"] == RECOMPUTE:
            args = message["body"][0]
            compute_site_day_task.apply(args=args).get()
            days.append(date.fromisoformat(args[1]))
    messages.clear()
    return days


def visits_on(world: World, day: date) -> tuple[str, int]:
    report = DailyReport.objects.get(site=world.site_a, date=day)
    return str(report.status), int(report.metrics["visits"])


@pytest.mark.django_db(transaction=True)
def test_writes_to_a_past_day_are_answered_while_the_broker_is_away_and_stay_pending(
    world: World, client_for: Clients, broker_away: None
) -> None:
    bob = client_for("bob")
    day = days_ago(world, 3)

    first = backdated_visit(bob, noon(world, day))
    second = backdated_visit(bob, noon(world, day) + timedelta(hours=1))
    asked = bob.post("/api/v1/reports/recompute", {"site": "harbour", "date": str(day)})

    assert (first.status_code, second.status_code, asked.status_code) == (201, 201, 202)
    assert list(PendingRecompute.objects.values_list("site__slug", "date")) == [("harbour", day)]


def test_the_sweep_sends_a_recompute_the_broker_never_got_and_the_day_is_right(
    world: World,
    client_for: Clients,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob = client_for("bob")
    day = days_ago(world, 2)
    with monkeypatch.context() as patch:
        patch.setattr(Producer, "publish", broker_refuses)
        with django_capture_on_commit_callbacks(execute=True):
            assert backdated_visit(bob, noon(world, day)).status_code == 201
        with django_capture_on_commit_callbacks(execute=True):
            assert backdated_visit(bob, noon(world, day)).status_code == 201
    celery_messages.clear()  # (seen on their way out, but the broker was away)

    assert sweep_pending_task.apply().get() == 0, "too recent: its task may still be on its way"
    age_pending()
    assert sweep_pending_task.apply().get() == 1
    assert sweep_pending_task.apply().get() == 0, "sent once per interval, not every sweep"

    assert run_published(celery_messages) == [day]
    assert visits_on(world, day)[1] == 2
    assert not PendingRecompute.objects.exists()


def test_the_nightly_run_corrects_a_closed_day_left_pending_by_an_outage(
    world: World,
    client_for: Clients,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob = client_for("bob")
    closed = days_ago(world, 6)
    backdated_visit(bob, noon(world, closed))
    compute_site_day(site=world.site_a, day=closed)
    run_published(celery_messages)
    assert visits_on(world, closed) == ("final", 1)

    # The broker goes away: two late visits for that closed day are stored, its report is not.
    with monkeypatch.context() as patch:
        patch.setattr(Producer, "publish", broker_refuses)
        for hour in (1, 2):
            with django_capture_on_commit_callbacks(execute=True):
                response = backdated_visit(bob, noon(world, closed) + timedelta(hours=hour))
            assert response.status_code == 201
    celery_messages.clear()
    assert visits_on(world, closed) == ("final", 1)

    # Minutes later (not an hour), the nightly run recomputes it although it is closed.
    nightly_task.apply(args=(str(world.site_a.pk),)).get()

    assert visits_on(world, closed) == ("revised", 3)
    assert not PendingRecompute.objects.exists()
