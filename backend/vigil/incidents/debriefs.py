"""Debriefs after critical incidents: a supervisor records one as held or declined."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from rest_framework import status as http

from vigil.accounts.access import SUPERVISORS
from vigil.accounts.models import Role, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record, changes_between
from vigil.core.errors import ApplicationError, Conflict
from vigil.incidents.models import Debrief, Incident
from vigil.incidents.services import bad, locked
from vigil.records.rules import check_record_time


def _content(debrief: Debrief | None) -> dict[str, Any]:
    if debrief is None:
        return {}
    return {
        "status": debrief.status,
        "held_at": debrief.held_at.isoformat() if debrief.held_at else None,
        "attendees": debrief.attendees,
        "supports": sorted(debrief.supports),
    }


def debrief_record(
    *,
    incident: Incident,
    by: User,
    role: Role,
    status: str,
    held_at: datetime | None = None,
    attendees: int | None = None,
    supports: Sequence[str] = (),
) -> Debrief:
    """Record (or correct) the debrief of a critical incident: supervisors only.

    1. Only a critical incident that is not voided has a debrief.
    2. Held: when (not before the incident, not in the future) and how many attended;
       declined: neither. `none` is not offered together with another support.
    3. A resend of the same content changes nothing; a correction is audited.
    """
    if role not in SUPERVISORS:
        raise ApplicationError(
            "Only a supervisor records a debrief.", status_code=http.HTTP_403_FORBIDDEN
        )
    chosen = sorted(set(supports))
    if Debrief.Support.NONE in chosen and len(chosen) > 1:
        raise bad("supports", "Choose 'none' alone, or the supports that were offered.")
    held = status == Debrief.Status.HELD
    if held:
        if held_at is None:
            raise bad("held_at", "Say when the debrief was held.")
        if attendees is None:
            raise bad("attendees", "Say how many people attended.")
    else:
        if held_at is not None:
            raise bad("held_at", "A declined debrief has no time. Choose held.")
        if attendees is not None:
            raise bad("attendees", "A declined debrief has no attendees. Choose held.")
    with transaction.atomic():
        incident = locked(incident)
        if incident.voided:
            raise Conflict("This incident was voided.")
        if not incident.critical:
            raise Conflict("Only a critical incident has a debrief.")
        if held_at is not None:
            check_record_time(at=held_at, role=role, field="held_at")
            if held_at < incident.started_at:
                raise bad("held_at", "The debrief is held after the incident. Check the date.")
        stored = Debrief.objects.filter(incident=incident).first()
        before = _content(stored)
        debrief = stored or Debrief(incident=incident)
        debrief.status = status
        debrief.held_at = held_at
        debrief.attendees = attendees
        debrief.supports = chosen
        after = _content(debrief)
        if before == after:
            return debrief
        debrief.recorded_by = by
        debrief.recorded_at = timezone.now()
        debrief.save()
        audit_record(
            actor=by,
            action=AuditEvent.Action.CREATE if stored is None else AuditEvent.Action.UPDATE,
            obj=debrief,
            site=incident.site,
            changes=changes_between(before, after),
        )
    return debrief
