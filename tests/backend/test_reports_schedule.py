"""When reports are computed: the nightly beat entry per site, the nightly run, the backfill."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from tests.conftest import World
from vigil.accounts.models import Role
from vigil.reports.models import DailyReport, PendingRecompute
from vigil.reports.services import local_today
from vigil.reports.tasks import nightly_task
from vigil.sites.services import site_upsert
from vigil.visits.services import CheckIn, visit_check_in


def test_each_site_has_a_nightly_entry_at_its_local_half_past_two(world: World) -> None:
    entries = {
        task.name: task for task in PeriodicTask.objects.select_related("crontab").order_by("name")
    }

    assert sorted(entries) == ["Nightly reports: eastside", "Nightly reports: harbour"]
    harbour = entries["Nightly reports: harbour"]
    assert (harbour.task, harbour.queue, harbour.enabled) == (
        "vigil.reports.nightly",
        "reports",
        True,
    )
    assert json.loads(harbour.kwargs) == {"site_id": str(world.site_a.pk)}
    crontab = harbour.crontab
    assert crontab is not None
    assert (crontab.minute, crontab.hour, str(crontab.timezone)) == ("30", "2", "America/Toronto")
    eastside = entries["Nightly reports: eastside"].crontab
    assert eastside is not None
    assert str(eastside.timezone) == "America/Vancouver"


def test_updating_a_site_keeps_its_nightly_entry_as_edited_in_the_admin(world: World) -> None:
    PeriodicTask.objects.filter(name="Nightly reports: harbour").update(enabled=False)

    site_upsert(slug="harbour", name="Harbour", timezone="America/Toronto", booths=12)

    entries = PeriodicTask.objects.filter(name="Nightly reports: harbour")
    assert [task.enabled for task in entries] == [False]


def _days_ago(world: World, days: int) -> date:
    return local_today(world.site_a) - timedelta(days=days)


def test_the_nightly_run_computes_yesterday_open_days_and_forgotten_recomputes(
    world: World,
) -> None:
    yesterday, open_day, forgotten = (_days_ago(world, n) for n in (1, 4, 9))
    # A day computed while still open, never computed again since it closed.
    DailyReport.objects.create(
        site=world.site_a,
        date=open_day,
        status=DailyReport.Status.PROVISIONAL,
        computed_at=timezone.now() - timedelta(days=3),
        metrics={},
    )
    # A recompute asked for two hours ago whose task was lost (a broker restart).
    pending = PendingRecompute.objects.create(site=world.site_a, date=forgotten)
    PendingRecompute.objects.filter(pk=pending.pk).update(
        requested_at=timezone.now() - timedelta(hours=2)
    )
    fresh = PendingRecompute.objects.create(site=world.site_a, date=_days_ago(world, 6))
    start = timezone.localtime(timezone.now(), world.site_a.zone) - timedelta(days=9)
    visit_check_in(
        request=CheckIn(site=world.site_a, kind="service_only", checked_in_at=start),
        by=world.users["bob"],
        role=Role.SUPERVISOR,
    )

    computed = nightly_task.apply(args=(str(world.site_a.pk),)).get()

    assert computed == 3
    reports = {r.date: r for r in DailyReport.objects.filter(site=world.site_a).order_by("date")}
    assert sorted(reports) == [forgotten, open_day, yesterday]
    assert reports[yesterday].status == "provisional"
    assert reports[open_day].status == "final"
    assert (reports[forgotten].status, reports[forgotten].metrics["visits"]) == ("final", 1)
    assert list(PendingRecompute.objects.values_list("pk", flat=True)) == [fresh.pk], (
        "a recompute asked for minutes ago is left to its own task"
    )
    assert not DailyReport.objects.filter(site=world.site_b).exists()


def test_the_backfill_recomputes_each_site_day_and_shows_its_progress(world: World) -> None:
    first, last = date(2026, 10, 1), date(2026, 10, 3)
    out = io.StringIO()

    call_command(
        "vigil_reports", "--site", "harbour", "--from", str(first), "--to", str(last), stdout=out
    )

    text = out.getvalue()
    assert "[##########....................] 1/3 harbour 2026-10-01 final" in text
    assert "[##############################] 3/3 harbour 2026-10-03 final" in text
    assert text.rstrip().endswith("Recomputed 3 site-days.")
    assert sorted(DailyReport.objects.filter(site=world.site_a).values_list("date", flat=True)) == [
        first,
        first + timedelta(days=1),
        last,
    ]
    assert not DailyReport.objects.filter(site=world.site_b).exists()


def test_the_backfill_covers_every_site_unless_told(world: World) -> None:
    out = io.StringIO()

    call_command("vigil_reports", "--from", "2026-10-01", "--to", "2026-10-01", stdout=out)

    assert "Recomputed 2 site-days." in out.getvalue()
    assert DailyReport.objects.count() == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "nowhere", "--from", "2026-10-01", "--to", "2026-10-02"], "No such site"),
        (["--from", "2026-10-02", "--to", "2026-10-01"], "--to is before --from"),
    ],
)
def test_the_backfill_refuses_an_unknown_site_or_an_inverted_range(
    world: World, args: list[str], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("vigil_reports", *args, stdout=io.StringIO())
