"""Writes of the response timeline: one tap per action, replayable; a mis-tap is voided.

Same locking, status rules and audit as vigil.incidents.services (see its docstring).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.models import Role, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record, changes_between
from vigil.core.errors import FieldErrors, field_error
from vigil.incidents import rules
from vigil.incidents.models import Incident, IncidentAction
from vigil.incidents.services import (
    check_state,
    check_time,
    keep_version,
    local_time,
    locked,
    locked_with_kinds,
    refresh_review,
)
from vigil.incidents.snapshots import (
    REVIEW_FIELDS,
    action_snapshot,
    incident_snapshot,
    review_snapshot,
)
from vigil.records.kit import audit_created, create_record
from vigil.records.recompute import request_recompute
from vigil.records.rules import fingerprint
from vigil.stock.models import Item
from vigil.stock.services import source_of, stock_settle

_CENTS = Decimal("0.01")


@dataclass(frozen=True)
class ActionTap:
    kind: str
    at: datetime | None = None
    dose_mg: Decimal | None = None
    route: str = ""
    spo2: int | None = None
    resp_rate: int | None = None
    id: uuid.UUID | None = None


def _check_tap(tap: ActionTap, *, at: datetime, incident: Incident) -> None:
    """Each bound of rules.py, with every bad field named at once."""
    fields: dict[str, list[str]] = {}
    naloxone = tap.kind == IncidentAction.Kind.NALOXONE
    vitals = tap.kind == IncidentAction.Kind.VITALS
    if naloxone:
        if tap.dose_mg is None:
            fields["dose_mg"] = [gettext("Give the naloxone dose in mg.")]
        elif not rules.NALOXONE_DOSE_MG_MIN <= tap.dose_mg <= rules.NALOXONE_DOSE_MG_MAX:
            fields["dose_mg"] = [
                gettext("A naloxone dose is between %(low)s and %(high)s mg. Check the number.")
                % {"low": rules.NALOXONE_DOSE_MG_MIN, "high": rules.NALOXONE_DOSE_MG_MAX}
            ]
        if not tap.route:
            fields["route"] = [gettext("Say how the naloxone was given: IM, IN or IV.")]
    else:
        if tap.dose_mg is not None:
            fields["dose_mg"] = [gettext("Only naloxone has a dose.")]
        if tap.route:
            fields["route"] = [gettext("Only naloxone has a route.")]
    if vitals:
        if tap.spo2 is None and tap.resp_rate is None:
            fields["spo2"] = [gettext("Give the SpO2, the breaths per minute, or both.")]
        if tap.spo2 is not None and not rules.SPO2_MIN <= tap.spo2 <= rules.SPO2_MAX:
            fields["spo2"] = [
                gettext("SpO2 is between %(low)s and %(high)s %%.")
                % {"low": rules.SPO2_MIN, "high": rules.SPO2_MAX}
            ]
        if tap.resp_rate is not None and not (
            rules.RESP_RATE_MIN <= tap.resp_rate <= rules.RESP_RATE_MAX
        ):
            fields["resp_rate"] = [
                gettext("Breaths per minute are between %(low)s and %(high)s.")
                % {"low": rules.RESP_RATE_MIN, "high": rules.RESP_RATE_MAX}
            ]
    else:
        if tap.spo2 is not None:
            fields["spo2"] = [gettext("Only vitals have an SpO2 reading.")]
        if tap.resp_rate is not None:
            fields["resp_rate"] = [gettext("Only vitals have a breathing rate.")]
    if at < incident.started_at - rules.ACTION_BEFORE_ONSET:
        onset = local_time(incident.started_at, incident.site)
        fields["at"] = [
            gettext(
                "This is before the incident started (%(time)s). Check the time, or correct the "
                "start of the incident."
            )
            % {"time": onset}
        ]
    if fields:
        raise FieldErrors(fields)


def incident_action_record(
    *,
    incident: Incident,
    tap: ActionTap,
    by: User,
    role: Role,
    reason: str = "",
    imported: bool = False,
) -> tuple[IncidentAction, bool]:
    """Record one tap of the response timeline. Returns (action, created).

    1. A resend (same id) is answered first, even once the incident is submitted or approved:
       same content → the stored action, other content → 409 with it.
    2. The incident's status must allow the change (see the module's docstring).
    3. Bounds (rules.py): naloxone needs a dose (0.04 to 10 mg) and a route (IM, IN, IV);
       vitals need SpO2 (30 to 100 %) or breaths/min (0 to 60); no action more than 5 min
       before the onset, none in the future.
    4. Insert, audit, and recompute the critical flags from the stored timeline.

    An imported action (`imported`, from an import of the site's past records) is marked so,
    takes no naloxone from today's stock, and leaves its day for the import to recompute once
    at its end. Added to an imported incident, it completes that history rather than amending
    an approval; added to an incident recorded in Vigil, the status rules above apply.
    """
    dose = tap.dose_mg.quantize(_CENTS) if tap.dose_mg is not None else None
    content_print = fingerprint(
        {
            "incident": incident.pk,
            "kind": tap.kind,
            "at": tap.at.isoformat() if tap.at else None,
            "dose_mg": str(dose) if dose is not None else None,
            "route": tap.route,
            "spo2": tap.spo2,
            "resp_rate": tap.resp_rate,
        }
    )

    def insert() -> IncidentAction:
        # Inside the create's one transaction: the incident re-read under its row lock, so that
        # two taps on one incident settle its review flags one after the other.
        current, kinds = locked_with_kinds(incident)
        history = imported and current.imported and not current.voided
        amendment = False if history else check_state(incident=current, role=role, reason=reason)
        now = timezone.now()
        at = tap.at or now
        backdated = check_time(at=at, role=role, field="at", now=now, reference=current.received_at)
        _check_tap(tap, at=at, incident=current)
        before = _before(current, amendment=amendment)
        action = IncidentAction(
            id=tap.id or uuid.uuid4(),
            incident=current,
            kind=tap.kind,
            at=at,
            dose_mg=dose,
            route=tap.route,
            spo2=tap.spo2,
            resp_rate=tap.resp_rate,
            backdated=backdated,
            imported=imported,
            created_by=by,
            create_fingerprint=content_print,
        )
        audit_created(
            action,
            by=by,
            site=current.site,
            snapshot=action_snapshot(action),
            reason=reason,
            rows=[[action]],
        )
        if not imported:
            _use_naloxone(action, incident=current, units=1, by=by, new=True)
        _after_timeline_change(
            incident=current,
            before=before,
            amendment=amendment,
            by=by,
            reason=reason,
            now=now,
            kinds=[*kinds, action.kind],
            recompute=not imported,
        )
        return action

    return create_record(
        IncidentAction,
        pk=tap.id,
        owner=incident,
        owner_field="incident_id",
        content_print=content_print,
        insert=insert,
        noun="action",
    )


def _use_naloxone(
    action: IncidentAction, *, incident: Incident, units: int, by: User, new: bool = False
) -> None:
    """A naloxone dose uses one unit of the site's usual form; a voided one gives it back."""
    if action.kind == IncidentAction.Kind.NALOXONE:
        stock_settle(
            site=incident.site,
            item=Item.NALOXONE,
            source=source_of(action),
            units=units,
            by=by,
            at=action.at,
            new=new,
        )


def _before(incident: Incident, *, amendment: bool) -> dict[str, Any]:
    """What a timeline change needs of the incident before it: the whole snapshot when it
    amends an approval (kept as the approved version), else only the review fields, the only
    ones a tap can change (read from the locked incident, no query)."""
    return incident_snapshot(incident) if amendment else review_snapshot(incident)


def _after_timeline_change(
    *,
    incident: Incident,
    before: dict[str, Any],
    amendment: bool,
    by: User,
    reason: str,
    now: datetime,
    kinds: Sequence[str] | None = None,
    recompute: bool = True,
) -> None:
    """Recompute the flags (from the live actions' `kinds` when the caller has them); keep the
    approved version and count an amendment as an edit; ask for the day's report recompute
    (unless an import does it once at its end)."""
    if amendment:
        keep_version(before=before, incident=incident, by=by, reason=reason)
        Incident.objects.filter(pk=incident.pk).update(version=incident.version + 1, updated_at=now)
        incident.version += 1
    refresh_review(incident, kinds=kinds)
    # Naloxone doses and EMS calls count on the day the incident started.
    if recompute:
        request_recompute(site=incident.site, moments=[incident.started_at])
    # audited() leaves these fields as they are: compared as snapshotted.
    changes = changes_between(before, review_snapshot(incident), fields=list(REVIEW_FIELDS))
    if changes:
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=incident,
            site=incident.site,
            changes=changes,
            reason=reason,
        )


def incident_action_void(
    *, action: IncidentAction, by: User, role: Role, reason: str
) -> IncidentAction:
    """Void a mis-tapped action: it stays on the timeline, marked, and leaves every figure."""
    if not reason.strip():
        raise field_error(
            "reason", gettext("Say why this action is voided (for example: tapped by mistake).")
        )
    with transaction.atomic():
        incident = locked(action.incident)
        action = IncidentAction.objects.get(pk=action.pk)
        if action.voided:
            return action
        amendment = check_state(incident=incident, role=role, reason=reason)
        before = _before(incident, amendment=amendment)
        now = timezone.now()
        IncidentAction.objects.filter(pk=action.pk, voided=False).update(
            voided=True, void_reason=reason, voided_at=now, voided_by=by
        )
        action.refresh_from_db()
        _use_naloxone(action, incident=incident, units=0, by=by)
        audit_record(
            actor=by,
            action=AuditEvent.Action.VOID,
            obj=action,
            site=incident.site,
            changes={"voided": [False, True]},
            reason=reason,
        )
        _after_timeline_change(
            incident=incident, before=before, amendment=amendment, by=by, reason=reason, now=now
        )
    return action
