"""Give the application's database role exactly the rights it needs (PostgreSQL).

Run as the owner of the tables, after every `migrate` (ops/migrate.sh does both). The role the
web and workers connect as owns nothing, so it cannot drop or disable the audit log's triggers,
and it may only read and append to the log: a compromised application cannot erase its trail.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

AUDIT_TABLE = "audit_auditevent"


class Command(BaseCommand):
    help = "Grant the application's database role read/write on the tables, read/append-only on the audit log."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="the role the web and workers connect as")

    def handle(self, *args: Any, role: str, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist only on PostgreSQL.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"There is no database role {role!r}: create it first.")
            cursor.execute(
                "SELECT 1 FROM pg_tables WHERE tablename = %s AND tableowner = %s",
                [AUDIT_TABLE, role],
            )
            if cursor.fetchone() is not None:
                raise CommandError(f"{role!r} owns the tables: the application needs its own role.")
        name = connection.ops.quote_name(role)
        statements = [
            f"GRANT USAGE ON SCHEMA public TO {name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {name}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}",
            # The audit log: read and append, nothing else.
            f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {AUDIT_TABLE} FROM {name}",
            # Migrations are the owner's business.
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON django_migrations FROM {name}",
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Granted {role}: tables read/write, {AUDIT_TABLE} read/append only.")
