"""Debriefs after critical incidents: a supervisor records one as held or declined."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import transaction
from rest_framework import status as http

from vigil.accounts.access import SUPERVISORS
from vigil.accounts.models import Role, User
from vigil.core.errors import ApplicationError, Conflict, field_error
from vigil.incidents.models import Debrief, Incident
from vigil.incidents.services import locked
from vigil.records.kit import edit
from vigil.records.rules import check_record_time


def debrief_snapshot(incident: Incident) -> dict[str, Any]:
    """The incident's debrief as audited: `debrief_*` fields, empty while it is due."""
    debrief = Debrief.objects.filter(incident=incident).first()
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
        raise field_error("supports", "Choose 'none' alone, or the supports that were offered.")
    if status == Debrief.Status.HELD:
        if held_at is None:
            raise field_error("held_at", "Say when the debrief was held.")
        if attendees is None:
            raise field_error("attendees", "Say how many people attended.")
    elif held_at is not None or attendees is not None:
        name = "held_at" if held_at is not None else "attendees"
        raise field_error(name, "A declined debrief has no time or attendees. Choose held.")


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
    _check(status, held_at, attendees, chosen)
    with transaction.atomic():
        incident = locked(incident)
        if incident.voided:
            raise Conflict("This incident was voided.")
        if not incident.critical:
            raise Conflict("Only a critical incident has a debrief.")
        if held_at is not None:
            check_record_time(at=held_at, role=role, field="held_at")
            if held_at < incident.started_at:
                raise field_error(
                    "held_at", "The debrief is held after the incident. Check the date."
                )
        with edit(incident, by=by, site=incident.site, snapshot=debrief_snapshot):
            Debrief.objects.update_or_create(
                incident=incident,
                defaults={
                    "status": status,
                    "held_at": held_at,
                    "attendees": attendees,
                    "supports": chosen,
                    "recorded_by": by,
                },
            )
        return Debrief.objects.get(incident=incident)
