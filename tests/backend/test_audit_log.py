from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from tests.conftest import World, on_postgres
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record, changes_between

needs_postgres = pytest.mark.skipif(
    not on_postgres(), reason="the append-only trigger is PostgreSQL's (production database)"
)


@needs_postgres
def test_the_database_refuses_to_update_an_audit_event(world: World) -> None:
    event = audit_record(actor=world.users["bob"], action=AuditEvent.Action.EXPORT)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="tampered")

    event.refresh_from_db()
    assert event.reason == ""


@needs_postgres
def test_the_database_refuses_to_delete_an_audit_event(world: World) -> None:
    event = audit_record(actor=world.users["bob"], action=AuditEvent.Action.EXPORT)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_changes_between_keeps_only_what_changed() -> None:
    before = {"gender": "unknown", "birth_year": 1990, "booth": "3"}
    after = {"gender": "woman", "birth_year": 1990, "booth": "4"}

    assert changes_between(before, after) == {"booth": ["3", "4"], "gender": ["unknown", "woman"]}
