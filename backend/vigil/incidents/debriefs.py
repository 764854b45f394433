"""Debriefs after critical incidents: a supervisor records one as held or declined."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import status as http

from vigil.accounts.access import SUPERVISORS
from vigil.accounts.models import Role, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_event, audit_events, changes_between
from vigil.core.errors import ApplicationError, Conflict, field_error
from vigil.incidents.models import Debrief, Incident
from vigil.records.rules import check_record_time


def debrief_snapshot(debrief: Debrief | None) -> dict[str, Any]:
    """An incident's debrief as audited: `debrief_*` fields, empty while it is due."""
    if debrief is None:
        return {}
    return {
        "debrief_status": debrief.status,
        "debrief_held_at": debrief.held_at.isoformat() if debrief.held_at else None,
        "debrief_attendees": debrief.attendees,
        "debrief_supports": sorted(debrief.supports),
    }


def _check(
    status: str, held_at: datetime | None, attendees: int | None, supports: list[str]
) -> None:
    if Debrief.Support.NONE in supports and len(supports) > 1:
        raise field_error(
            "supports", gettext("Choose 'none' alone, or the supports that were offered.")
        )
    if status == Debrief.Status.HELD:
        if held_at is None:
            raise field_error("held_at", gettext("Say when the debrief was held."))
        if attendees is None:
            raise field_error("attendees", gettext("Say how many people attended."))
    elif held_at is not None or attendees is not None:
        name = "held_at" if held_at is not None else "attendees"
        raise field_error(
            name, gettext("A declined debrief has no time or attendees. Choose held.")
        )


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
            gettext("Only a supervisor records a debrief."), status_code=http.HTTP_403_FORBIDDEN
        )
    chosen = sorted(set(supports))
    _check(status, held_at, attendees, chosen)
    with transaction.atomic():
        # The incident under its row lock, with its debrief (if recorded) in the same read.
        incident = (
            Incident.objects.select_for_update(of=("self",))
            .select_related("site", "debrief")
            .get(pk=incident.pk)
        )
        if incident.voided:
            raise Conflict(gettext("This incident was voided."))
        if not incident.critical:
            raise Conflict(gettext("Only a critical incident has a debrief."))
        if held_at is not None:
            check_record_time(at=held_at, role=role, field="held_at")
            if held_at < incident.started_at:
                raise field_error(
                    "held_at", gettext("The debrief is held after the incident. Check the date.")
                )
        stored: Debrief | None = getattr(incident, "debrief", None)
        values = {
            "status": status,
            "held_at": held_at,
            "attendees": attendees,
            "supports": chosen,
            "recorded_by": by,
            "recorded_at": timezone.now(),
        }
        # By id: setting the relation would make the incident show it before it is written.
        debrief = Debrief(incident_id=incident.pk, **values)
        changes = changes_between(debrief_snapshot(stored), debrief_snapshot(debrief))
        if stored is not None and not changes:
            return stored  # a resend of what is recorded: nothing written, nothing audited
        incident.debrief = debrief  # the incident, as the answer shows it, with what is written
        if stored is not None:
            Debrief.objects.filter(incident=incident).update(**values)
        event = audit_event(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=incident,
            site=incident.site,
            changes=changes,
        )
        # A first debrief and its audit event in one statement (PostgreSQL).
        audit_events([event], with_rows=[[debrief]] if stored is None else [])
        return debrief
