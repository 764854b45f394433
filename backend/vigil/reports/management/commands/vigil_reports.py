from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.reports.services import compute_site_day
from vigil.sites.models import Site

BAR = 30


class Command(BaseCommand):
    help = "Recompute the daily reports of sites over a date range (backfill), with progress."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site", action="append", dest="sites", help="site slug (repeatable; default all)"
        )
        parser.add_argument("--from", dest="first", required=True, type=date.fromisoformat)
        parser.add_argument("--to", dest="last", required=True, type=date.fromisoformat)

    def handle(self, *args: Any, **options: Any) -> None:
        first: date = options["first"]
        last: date = options["last"]
        if last < first:
            raise CommandError("--to is before --from.")
        sites = Site.objects.order_by("slug")
        if options["sites"]:
            sites = sites.filter(slug__in=options["sites"])
            missing = set(options["sites"]) - set(sites.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No such site: {', '.join(sorted(missing))}")
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        work = [(site, day) for site in sites for day in days]
        for done, (site, day) in enumerate(work, start=1):
            report = compute_site_day(site=site, day=day)
            filled = BAR * done // len(work)
            self.stdout.write(
                f"\r[{'#' * filled}{'.' * (BAR - filled)}] {done}/{len(work)} "
                f"{site.slug} {day} {report.status:<11}",
                ending="",
            )
            self.stdout.flush()
        self.stdout.write(f"\nRecomputed {len(work)} site-days.")
