"""The audit log cannot be erased by the application's own database role (issue 14, item 4).

On PostgreSQL the web and workers connect as a role that owns nothing (`vigil_db_grants`):
it reads and appends to the audit log and can neither change, delete, truncate nor switch off
its triggers. TRUNCATE is refused even to the owner.
"""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from tests.conftest import World, on_postgres
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.bulk import insert_rows

pytestmark = pytest.mark.skipif(not on_postgres(), reason="database roles are PostgreSQL's")

ERASERS = [
    "UPDATE audit_auditevent SET reason = 'rewritten'",
    "DELETE FROM audit_auditevent",
    "TRUNCATE audit_auditevent",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL",
    "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only",
    "DROP TRIGGER audit_auditevent_append_only ON audit_auditevent",
    "DROP TABLE audit_auditevent CASCADE",
]


@pytest.fixture
def app_role(world: World) -> str:
    """A role like the compose file's vigil_app, granted by the command ops/migrate.sh runs.
    Created inside the test's transaction: the rollback removes it."""
    role = f"vigil_test_app_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    call_command("vigil_db_grants", role, stdout=io.StringIO())
    audit_record(actor=None, action=AuditEvent.Action.LOGIN_FAILED, reason="before")
    return role


def _as(role: str, statement: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:  # a savepoint per attempt
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute(statement)


@pytest.mark.parametrize("statement", ERASERS)
def test_the_app_role_cannot_erase_the_audit_log(app_role: str, statement: str) -> None:
    with pytest.raises(DatabaseError):
        _as(app_role, statement)

    assert AuditEvent.objects.filter(reason="before").exists()


def test_the_app_role_reads_and_appends_to_the_audit_log_and_writes_records(
    app_role: str,
) -> None:
    _as(app_role, "SELECT count(*) FROM audit_auditevent")
    _as(
        app_role,
        "INSERT INTO audit_auditevent (id, at, action, object_type, object_id, changes, reason)"
        " VALUES (gen_random_uuid(), now(), 'logout', '', '', '{}', 'appended')",
    )
    _as(app_role, "UPDATE sites_site SET name = name")
    _as(app_role, "DELETE FROM accounts_session")

    assert AuditEvent.objects.filter(reason="appended").exists()


def test_the_app_role_cannot_change_the_schema_or_the_migrations(app_role: str) -> None:
    for statement in (
        "CREATE TABLE vigil_intruder (id int)",
        "DELETE FROM django_migrations",
        "ALTER TABLE sites_site ADD COLUMN intruder int",
    ):
        with pytest.raises(DatabaseError):
            _as(app_role, statement)


def test_truncate_is_refused_even_to_the_owner(world: World) -> None:
    audit_record(actor=None, action=AuditEvent.Action.LOGIN_FAILED, reason="kept")

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks in the way
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            cursor.execute("TRUNCATE audit_auditevent")

    assert AuditEvent.objects.filter(reason="kept").exists()


def test_the_command_refuses_the_owner_itself(world: World) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_auditevent'")
        owner = cursor.fetchone()[0]

    with pytest.raises(Exception, match="owns the tables"):
        call_command("vigil_db_grants", owner)


def test_the_app_role_writes_an_import_chunk_in_bulk(app_role: str) -> None:
    """The import's set-based insert needs nothing beyond the role's grants (no temporary
    table: the role may not create one where the database refuses PUBLIC its TEMP right)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {app_role}")
        insert_rows(AuditEvent, [{"action": "logout", "reason": "bulk"}] * 2)

    assert AuditEvent.objects.filter(reason="bulk").count() == 2
