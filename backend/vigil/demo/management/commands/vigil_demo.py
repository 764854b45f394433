from __future__ import annotations

import time
from datetime import time as time_of_day
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from vigil.accounts.models import Role
from vigil.accounts.services import user_grant
from vigil.demo.records import (
    DemoSummary,
    load_demo_records,
    load_demo_shift_check,
    load_demo_stock,
)
from vigil.sites.models import Site, WeeklyHours
from vigil.sites.services import site_upsert
from vigil.visits.models import Visit

DEMO_SITE = "harbour"
DEMO_USERS = [
    ("staff", "Sam (staff)", Role.STAFF),
    ("supervisor", "Alex (supervisor)", Role.SUPERVISOR),
    ("analyst", "Robin (analyst)", Role.ANALYST),
    ("admin", "Jordan (admin)", Role.ADMIN),
]


class Command(BaseCommand):
    help = (
        "Load the demo site `harbour`, its four demo users and a few realistic days of records "
        "(never in production)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when any site already exists"
        )
        parser.add_argument(
            "--days", type=int, default=7, help="past days of records to load (default 7)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "VIGIL_REFUSE_DEMO_PASSWORD", False):
            raise CommandError("The demo cannot be loaded under production settings.")
        if options["if_empty"] and Site.objects.exists():
            self.stdout.write("Database already holds sites: demo not loaded.")
            return
        started = time.monotonic()
        # One transaction: the demo loads whole or not at all.
        with transaction.atomic():
            site, _ = site_upsert(
                slug=DEMO_SITE,
                name="Harbour Street OPS",
                timezone="America/Toronto",
                booths=12,
                inhalation_booths=2,
            )
            # Open every day from 09:00 to 21:00: the regulator's "days and hours open".
            for weekday in WeeklyHours.Weekday.values:
                WeeklyHours.objects.get_or_create(
                    site=site,
                    weekday=weekday,
                    opens=time_of_day(9),
                    defaults={"closes": time_of_day(21)},
                )
            users = {
                username: user_grant(
                    username=username,
                    sites=[site],
                    role=role,
                    password=settings.VIGIL_DEMO_PASSWORD,
                    display_name=display_name,
                )[0]
                for username, display_name, role in DEMO_USERS
            }
            loaded = Visit.objects.filter(site=site).exists()
            if not loaded:
                load_demo_stock(site=site, by=users["supervisor"])
                summary = load_demo_records(site=site, users=users, days=max(0, options["days"]))
                load_demo_shift_check(site=site, by=users["staff"])
        self.stdout.write(f"Demo site {site.slug} ({site.timezone}, 12 booths) is ready.")
        if loaded:
            self.stdout.write("It already holds records: no records added.")
        else:
            self.report(summary, seconds=time.monotonic() - started)
        self.stdout.write(
            "Demo logins (password vigil-demo): " + ", ".join(u for u, _, _ in DEMO_USERS)
        )

    def report(self, summary: DemoSummary, *, seconds: float) -> None:
        for report in summary.reports:
            m = report.metrics
            self.stdout.write(
                f"  {report.date:%a %Y-%m-%d}: {m['visits']} visits, "
                f"{m['unique_participants']} people, {m['overdoses']} overdoses, "
                f"{m['naloxone_doses']} naloxone doses, {m['ems_calls']} EMS calls"
            )
        onset = timezone.localtime(summary.live.started_at, summary.live.site.zone)
        self.stdout.write(
            f"  Today: {summary.visits_today} visits, {summary.open_visits} open now, an "
            f"overdose being recorded since {onset:%H:%M}; alert: {summary.alert.message}"
        )
        queue = ", ".join(f"{count} {state}" for state, count in summary.queue.items())
        self.stdout.write(f"  Incidents: {queue}. Loaded in {seconds:.0f} s.")
