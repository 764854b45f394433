from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.sites.models import Site
from vigil.sites.services import site_upsert


class Command(BaseCommand):
    help = "Create or update a site and its booths (labelled 1…N)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", required=True, help="IANA zone, e.g. America/Toronto")
        parser.add_argument("--booths", type=int, required=True)
        parser.add_argument(
            "--inhalation-booths",
            type=int,
            default=0,
            help="how many of the last booths are inhalation rooms",
        )
        parser.add_argument("--kind", choices=[k.value for k in Site.Kind], default="fixed")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["inhalation_booths"] <= options["booths"] <= 200:
            raise CommandError("--booths must be 0 to 200; --inhalation-booths at most --booths.")
        try:
            site, created = site_upsert(
                slug=options["slug"],
                name=options["name"],
                timezone=options["timezone"],
                booths=options["booths"],
                inhalation_booths=options["inhalation_booths"],
                kind=Site.Kind(options["kind"]),
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        verb = "Created" if created else "Updated"
        self.stdout.write(
            f"{verb} site {site.slug} ({site.timezone}) with {options['booths']} booths"
        )
