"""What the history keeps of an incident, and what the audit log records of it."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from vigil.incidents import rules
from vigil.incidents.models import Incident, IncidentAction, IncidentSign, IncidentSubstance


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _dose(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def action_snapshot(action: IncidentAction) -> dict[str, Any]:
    return {
        "id": str(action.pk),
        "kind": action.kind,
        "at": _iso(action.at),
        "dose_mg": _dose(action.dose_mg),
        "route": action.route,
        "spo2": action.spo2,
        "resp_rate": action.resp_rate,
        "voided": action.voided,
        "void_reason": action.void_reason,
    }


def incident_snapshot(incident: Incident) -> dict[str, Any]:
    """The whole incident as stored now: fields, timeline and figures (read fresh)."""
    return _snapshot(
        incident,
        actions=list(
            IncidentAction.objects.filter(incident=incident).order_by("at", "received_at")
        ),
        responders=list(incident.responders.values_list("username", flat=True)),
        signs=list(IncidentSign.objects.filter(incident=incident).values_list("sign", flat=True)),
        suspected_substances=list(
            IncidentSubstance.objects.filter(incident=incident).values_list("substance", flat=True)
        ),
    )


def new_incident_snapshot(
    incident: Incident, *, signs: Sequence[str], suspected_substances: Sequence[str]
) -> dict[str, Any]:
    """`incident_snapshot` of an incident just inserted with these signs and substances (no
    responders or actions yet), without reading it back."""
    return _snapshot(
        incident,
        actions=[],
        responders=[],
        signs=sorted(set(signs)),
        suspected_substances=sorted(set(suspected_substances)),
    )


def _snapshot(
    incident: Incident,
    *,
    actions: list[IncidentAction],
    responders: list[str],
    signs: Sequence[str],
    suspected_substances: Sequence[str],
) -> dict[str, Any]:
    figures = asdict(
        rules.figures_of(
            started_at=incident.started_at, ended_at=incident.ended_at, actions=actions
        )
    )
    figures["naloxone_total_mg"] = float(figures["naloxone_total_mg"])
    return {
        "version": incident.version,
        "status": incident.status,
        "kind": incident.kind,
        "location": incident.location,
        "visit": str(incident.visit_id) if incident.visit_id else None,
        "participant": str(incident.participant_id) if incident.participant_id else None,
        "started_at": _iso(incident.started_at),
        "ended_at": _iso(incident.ended_at),
        "outcome": incident.outcome,
        "police_attended": incident.police_attended,
        "narrative": incident.narrative,
        "responders": sorted(responders),
        "signs": sorted(signs),
        "suspected_substances": sorted(suspected_substances),
        "critical": incident.critical,
        "critical_reasons": list(incident.critical_reasons),
        "review_due_at": _iso(incident.review_due_at),
        "reviewed_by": incident.reviewed_by.username if incident.reviewed_by else None,
        "reviewed_at": _iso(incident.reviewed_at),
        "review_comment": incident.review_comment,
        "voided": incident.voided,
        "actions": [action_snapshot(a) for a in actions],
        "figures": figures,
    }


REVIEW_FIELDS = ("critical", "critical_reasons", "review_due_at")


def review_snapshot(incident: Incident) -> dict[str, Any]:
    """The review fields of `incident_snapshot`, as it writes them, from the instance alone."""
    return {
        "critical": incident.critical,
        "critical_reasons": list(incident.critical_reasons),
        "review_due_at": _iso(incident.review_due_at),
    }


def audited(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The audited view of a snapshot. The narrative is free text that may, against the rule,
    name someone: the append-only log records that it changed (length and a short digest),
    never its words. Actions are audited as their own records."""
    view = {k: v for k, v in snapshot.items() if k not in {"actions", "figures", "version"}}
    narrative = snapshot["narrative"]
    digest = hashlib.sha256(narrative.encode()).hexdigest()[:8]
    view["narrative"] = f"{len(narrative)} characters #{digest}" if narrative else ""
    return view
