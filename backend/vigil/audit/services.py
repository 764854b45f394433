from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import models

from vigil.accounts.models import User
from vigil.audit.models import AuditEvent
from vigil.core.bulk import insert_rows, insert_together
from vigil.sites.models import Site

Change = dict[str, list[Any]]


def changes_between(
    before: dict[str, Any], after: dict[str, Any], *, fields: list[str] | None = None
) -> Change:
    """{field: [old, new]} for the fields whose value differs."""
    names = fields if fields is not None else sorted(set(before) | set(after))
    return {
        name: [before.get(name), after.get(name)]
        for name in names
        if before.get(name) != after.get(name)
    }


def audit_event(
    *,
    actor: User | None,
    action: AuditEvent.Action,
    obj: models.Model | None = None,
    site: Site | None = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """One audit event, not yet saved (`audit_record` saves one, `audit_events` several)."""
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        site=site,
        changes=changes or {},
        reason=reason,
    )


def audit_record(
    *,
    actor: User | None,
    action: AuditEvent.Action,
    obj: models.Model | None = None,
    site: Site | None = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Append one audit event. Call it inside the transaction of the write it describes."""
    event = audit_event(
        actor=actor, action=action, obj=obj, site=site, changes=changes, reason=reason
    )
    event.save(force_insert=True)
    return event


def audit_events(
    events: list[AuditEvent], *, with_rows: Sequence[Sequence[models.Model]] = ()
) -> None:
    """Append several audit events in one insert, in this order (inside the write's
    transaction); `with_rows`, the new rows of the write they describe (a group a table), go
    in the same statement (`insert_together`)."""
    insert_together(*with_rows, events)


def audit_created_rows(
    *,
    actor: User,
    model: type[models.Model],
    changes_by_id: Sequence[tuple[Any, dict[str, Any]]],
    site: Site | None,
    reason: str = "",
) -> None:
    """Append one creation event per (record id, changes), set-based (`insert_rows`), for
    records written in bulk without model instances (an import's chunk of thousands)."""
    object_type = model._meta.label_lower
    insert_rows(
        AuditEvent,
        [
            {
                "actor_id": actor.pk,
                "action": AuditEvent.Action.CREATE.value,
                "object_type": object_type,
                "object_id": str(pk),
                "site_id": site.pk if site is not None else None,
                "changes": changes,
                "reason": reason,
            }
            for pk, changes in changes_by_id
        ],
    )
