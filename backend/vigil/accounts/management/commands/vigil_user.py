from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from vigil.accounts.models import Role
from vigil.accounts.services import user_grant
from vigil.sites.models import Site


class Command(BaseCommand):
    help = "Create a user if needed and grant it a role at one or more sites."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--site", action="append", required=True, dest="sites", help="site slug (repeatable)"
        )
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--display-name")
        parser.add_argument(
            "--password-stdin", action="store_true", help="read the password from standard input"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slugs: list[str] = options["sites"]
        sites = list(Site.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {site.slug for site in sites})
        if missing:
            raise CommandError(f"No such site: {', '.join(missing)} (create it with vigil_site).")
        password = sys.stdin.readline().rstrip("\n") if options["password_stdin"] else None
        try:
            user, created = user_grant(
                username=options["username"],
                sites=sites,
                role=Role(options["role"]),
                password=password,
                display_name=options["display_name"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        verb = "Created" if created else "Updated"
        where = ", ".join(site.slug for site in sites)
        self.stdout.write(f"{verb} {user.username}: {options['role']} at {where}")
        if created and password is None:
            self.stdout.write("No password set: use --password-stdin to set one.")
