"""Voiding: records are never deleted; a voided record stays on record and leaves every count."""

from __future__ import annotations

from datetime import datetime
from typing import TypeVar

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.models import Role, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.errors import StaleVersion, field_error
from vigil.records.models import VoidableRecord
from vigil.records.recompute import request_recompute
from vigil.records.rules import check_can_edit, noun_words, stale_message
from vigil.sites.models import Site

R = TypeVar("R", bound=VoidableRecord)


@transaction.atomic
def void_record(
    record: R, *, by: User, role: Role, reason: str, noun: str, site: Site, report_time: datetime
) -> R:
    """Void `record` (a `noun` of `site`) with a reason.

    1. A reason is required; voiding a voided record answers with it unchanged.
    2. Staff void what they logged in the last 12 h; supervisors anything, with a reason.
    3. Conditional update on the version read: a change made meanwhile answers 412.
    4. Audited, and the report of the record's day is recomputed.
    """
    if not reason.strip():
        raise field_error(
            "reason", gettext("Say why this %(record)s is voided.") % {"record": noun_words(noun)}
        )
    if record.voided:
        return record
    check_can_edit(
        created_by_id=record.created_by_id,
        received_at=record.received_at,
        by=by,
        role=role,
        reason=reason,
    )
    now = timezone.now()
    updated = (
        type(record)
        ._default_manager.filter(pk=record.pk, version=record.version)
        .update(
            voided=True,
            void_reason=reason,
            voided_at=now,
            voided_by=by,
            version=record.version + 1,
            updated_at=now,
        )
    )
    if updated != 1:
        raise StaleVersion(stale_message(noun))
    record.refresh_from_db()
    audit_record(
        actor=by,
        action=AuditEvent.Action.VOID,
        obj=record,
        site=site,
        changes={"voided": [False, True]},
        reason=reason,
    )
    request_recompute(site=site, moments=[report_time])
    return record
