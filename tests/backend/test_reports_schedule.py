"""When reports are computed: the nightly beat entry per site, the nightly run, the backfill."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from tests.conftest import PASSWORD, World
from vigil.accounts.models import Role, User
from vigil.records.models import PendingRecompute
from vigil.reports.models import DailyReport
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


def _nightly(slug: str) -> CrontabSchedule:
    entries = list(PeriodicTask.objects.filter(name=f"Nightly reports: {slug}"))
    assert len(entries) == 1
    assert entries[0].crontab is not None
    return entries[0].crontab


def test_a_site_moved_to_another_time_zone_by_vigil_site_runs_at_half_past_two_there(
    world: World,
) -> None:
    call_command(
        "vigil_site",
        "harbour",
        "--name",
        "Harbour",
        "--timezone",
        "America/Halifax",
        "--booths",
        "12",
        stdout=io.StringIO(),
    )

    crontab = _nightly("harbour")
    assert (crontab.minute, crontab.hour, str(crontab.timezone)) == ("30", "2", "America/Halifax")
    assert str(_nightly("eastside").timezone) == "America/Vancouver"


def test_a_time_zone_changed_in_the_admin_moves_the_nightly_entry_to_the_new_zone(
    world: World,
) -> None:
    site = world.site_a
    admin = User.objects.create_superuser(username="root", password=PASSWORD)
    client = Client()
    client.force_login(admin)
    booths = list(site.booths.order_by("position"))
    form = {
        "name": site.name,
        "slug": site.slug,
        "timezone": "America/Winnipeg",
        "opening_hours": site.opening_hours,
        "kind": site.kind,
        "observe_amber_minutes": site.observe_amber_minutes,
        "observe_red_minutes": site.observe_red_minutes,
        "naloxone_usual_dose_mg": site.naloxone_usual_dose_mg,
        "naloxone_usual_route": site.naloxone_usual_route,
        "complaint_response_days": site.complaint_response_days,
        "booths-TOTAL_FORMS": len(booths),
        "booths-INITIAL_FORMS": len(booths),
        "booths-MIN_NUM_FORMS": 0,
        "booths-MAX_NUM_FORMS": 1000,
        "weekly_hours-TOTAL_FORMS": 0,
        "weekly_hours-INITIAL_FORMS": 0,
        "weekly_hours-MIN_NUM_FORMS": 0,
        "weekly_hours-MAX_NUM_FORMS": 1000,
    }
    for n, booth in enumerate(booths):
        form |= {
            f"booths-{n}-id": booth.pk,
            f"booths-{n}-site": site.pk,
            f"booths-{n}-label": booth.label,
            f"booths-{n}-kind": booth.kind,
            f"booths-{n}-active": "on",
            f"booths-{n}-position": booth.position,
        }

    response = client.post(f"/admin/sites/site/{site.pk}/change/", form)

    assert response.status_code == 302, response.content
    site.refresh_from_db()
    assert site.timezone == "America/Winnipeg"
    crontab = _nightly("harbour")
    assert (crontab.minute, crontab.hour, str(crontab.timezone)) == ("30", "2", "America/Winnipeg")


def test_a_nightly_time_edited_in_the_admin_is_kept_in_the_new_zone(world: World) -> None:
    task = PeriodicTask.objects.get(name="Nightly reports: harbour")
    task.crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="15", hour="4", timezone="America/Toronto"
    )
    task.enabled = False
    task.save()

    site_upsert(slug="harbour", name="Harbour", timezone="Europe/Lisbon", booths=12)

    crontab = _nightly("harbour")
    assert (crontab.minute, crontab.hour, str(crontab.timezone)) == ("15", "4", "Europe/Lisbon")
    assert not PeriodicTask.objects.get(name="Nightly reports: harbour").enabled


def _days_ago(world: World, days: int) -> date:
    return local_today(world.site_a) - timedelta(days=days)


def test_the_nightly_run_computes_yesterday_open_days_and_every_pending_recompute(
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
    # One asked for a minute ago: its task may be lost too (the broker was away).
    fresh = PendingRecompute.objects.create(site=world.site_a, date=_days_ago(world, 6)).date
    start = timezone.localtime(timezone.now(), world.site_a.zone) - timedelta(days=9)
    visit_check_in(
        request=CheckIn(site=world.site_a, kind="service_only", checked_in_at=start),
        by=world.users["bob"],
        role=Role.SUPERVISOR,
    )

    computed = nightly_task.apply(args=(str(world.site_a.pk),)).get()

    assert computed == 4
    reports = {r.date: r for r in DailyReport.objects.filter(site=world.site_a).order_by("date")}
    assert sorted(reports) == [forgotten, fresh, open_day, yesterday]
    assert reports[yesterday].status == "provisional"
    assert reports[open_day].status == "final"
    assert (reports[forgotten].status, reports[forgotten].metrics["visits"]) == ("final", 1)
    assert not PendingRecompute.objects.exists()
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
