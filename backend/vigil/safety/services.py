"""Writes of floor safety: restrictions and their overrides, turn-aways, the waiting list,
complaints. Each is one transaction with its audit, on the record kit (vigil.records.kit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from vigil.accounts.models import Role, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.errors import Conflict, field_error
from vigil.participants.codes import code_digest
from vigil.participants.models import Participant, ParticipantSite
from vigil.participants.services import participant_sight
from vigil.records.kit import audit_created, create_record, edit, keep_written, save_at_version
from vigil.records.recompute import request_recompute
from vigil.records.rules import check_record_time, fingerprint
from vigil.records.voiding import void_record
from vigil.safety.models import (
    Complaint,
    Restriction,
    RestrictionOverride,
    RestrictionReviewOutcome,
    TurnAway,
    TurnAwayReason,
    WaitlistEntry,
)
from vigil.safety.selectors import (
    restriction_in_force,
    restriction_is_active,
    restriction_until,
)
from vigil.sites.models import Site

# A restriction's scope as messages name it, in the request's language.
_SCOPE_WORDS = {
    Restriction.Scope.ALL_SERVICES: gettext_noop("all services"),
    Restriction.Scope.CONSUMPTION_ONLY: gettext_noop("consumption only"),
}


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _person(*, site: Site, code: str | None, at: datetime) -> tuple[Participant | None, list[Any]]:
    """The person a code names (created on first sight), or None (anonymous); with the rows
    created, whose audit event goes with the record's (`audit_created(also=...)`)."""
    if not code:
        return None, []
    sighting = participant_sight(site=site, code=code, at=at)
    return sighting.participant, [sighting.participant] if sighting.created else []


# --- Restrictions ------------------------------------------------------------------------------


def restriction_snapshot(restriction: Restriction) -> dict[str, Any]:
    """The audited fields: ids, scope, reason and dates (the note stays out of the log)."""
    return {
        "participant": str(restriction.participant_id),
        "scope": restriction.scope,
        "reason": restriction.reason,
        "starts_at": _iso(restriction.starts_at),
        "ends_at": _iso(restriction.ends_at),
        "review_at": _iso(restriction.review_at),
        "ended_at": _iso(restriction.ended_at),
        "reviewed_at": _iso(restriction.reviewed_at),
    }


@dataclass(frozen=True)
class RestrictionRequest:
    site: Site
    scope: str
    reason: str
    code: str | None = None
    participant: uuid.UUID | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    review_at: datetime | None = None
    note: str = ""
    id: uuid.UUID | None = None


def _restricted_person(
    request: RestrictionRequest, *, at: datetime
) -> tuple[Participant, list[Any]]:
    if request.code:
        person, created = _person(site=request.site, code=request.code, at=at)
        assert person is not None
        return person, created
    assert request.participant is not None
    seen = ParticipantSite.objects.filter(
        participant_id=request.participant, site=request.site, participant__merged_into=None
    ).first()
    if seen is None:
        raise field_error("participant", gettext("This person was never seen at this site."))
    return seen.participant, []


def restriction_create(
    *, request: RestrictionRequest, by: User, role: Role
) -> tuple[Restriction, bool]:
    """Restrict a person at a site. Returns (restriction, created); a resend of the same
    content returns the stored one.

    1. The person: a code (known or not) or a participant seen at the site, not both.
    2. An end date or a review date is required, after the start (default now).
    3. Audited (never the note) and counted on the start's day.
    """
    site = request.site
    if bool(request.code) == (request.participant is not None):
        raise field_error(
            "code", gettext("Give the person's code, or choose the person (not both).")
        )
    now = timezone.now()
    starts_at = request.starts_at or now
    note = request.note.strip()
    content_print = fingerprint(
        {
            "site": site.pk,
            "code": code_digest(request.code) if request.code else None,
            "participant": request.participant,
            "scope": request.scope,
            "reason": request.reason,
            "starts_at": _iso(request.starts_at),
            "ends_at": _iso(request.ends_at),
            "review_at": _iso(request.review_at),
            "note": note,
        }
    )

    def insert() -> Restriction:
        if request.ends_at is None and request.review_at is None:
            raise field_error(
                "ends_at", gettext("Give an end date, or a date to review the restriction.")
            )
        for name, moment in (("ends_at", request.ends_at), ("review_at", request.review_at)):
            if moment is not None and moment <= starts_at:
                raise field_error(
                    name, gettext("This date is before the start of the restriction.")
                )
        backdated = check_record_time(at=starts_at, role=role, field="starts_at", now=now)
        person, created = _restricted_person(request, at=starts_at)
        restriction = Restriction(
            id=request.id or uuid.uuid4(),
            site=site,
            participant=person,
            scope=request.scope,
            reason=request.reason,
            starts_at=starts_at,
            ends_at=request.ends_at,
            review_at=request.review_at,
            note=note,
            backdated=backdated,
            created_by=by,
            create_fingerprint=content_print,
        )
        audit_created(
            restriction,
            by=by,
            site=site,
            snapshot=restriction_snapshot(restriction),
            also=created,
            rows=[[restriction]],
        )
        request_recompute(site=site, moments=[starts_at])
        keep_written(restriction, overrides=[])  # the answer, from what was written
        return restriction

    return create_record(
        Restriction,
        pk=request.id,
        owner=site,
        content_print=content_print,
        insert=insert,
        noun="restriction",
    )


def restriction_end(*, restriction: Restriction, by: User, reason: str) -> Restriction:
    """End a restriction now, with a reason. Ending an ended one answers it unchanged."""
    if not reason.strip():
        raise field_error("reason", gettext("Say why the restriction ends early."))
    if restriction.voided:
        raise Conflict(gettext("This restriction was voided."))
    if restriction.ended_at is not None:
        return restriction
    now = timezone.now()
    with edit(
        restriction,
        by=by,
        site=restriction.site,
        snapshot=restriction_snapshot,
        reason=reason.strip(),
    ):
        save_at_version(
            restriction,
            version=restriction.version,
            noun="restriction",
            when=Q(ended_at=None),
            ended_at=now,
            ended_by=by,
            end_reason=reason.strip(),
        )
        restriction.refresh_from_db()
    return restriction


def _end_of_local_day(day: date, site: Site) -> datetime:
    """A date chosen on a review: in force through that local day."""
    return datetime.combine(day, time(23, 59), tzinfo=site.zone)


def restriction_review(
    *,
    restriction: Restriction,
    by: User,
    version: int,
    outcome: str,
    note: str = "",
    review_on: date | None = None,
    ends_on: date | None = None,
) -> Restriction:
    """A supervisor's review of a restriction due for it; it leaves the review queue.

    1. keep: as it is, with the next review date if given (required without an end date, so
       it comes back); extend: a later end date, or a next review date (at least one);
       end: it ends now, the note saying why.
    2. Only a restriction in force is reviewed (409); a stale version is 412.
    3. Audited with the note as the reason (the restriction's own note stays out of the log).
    """
    note = note.strip()
    if restriction.voided or not restriction_is_active(restriction):
        raise Conflict(gettext("This restriction is no longer in force."))
    if outcome == RestrictionReviewOutcome.END:
        if not note:
            raise field_error("note", gettext("Say why the restriction ends."))
        values: dict[str, Any] = {"ended_at": timezone.now(), "ended_by": by, "end_reason": note}
    else:
        values = _review_dates(
            restriction,
            extend=outcome == RestrictionReviewOutcome.EXTEND,
            review_on=review_on,
            ends_on=ends_on,
        )
    values["reviewed_at"] = timezone.now()
    with edit(
        restriction, by=by, site=restriction.site, snapshot=restriction_snapshot, reason=note
    ):
        save_at_version(restriction, version=version, noun="restriction", **values)
        restriction.refresh_from_db()
    return restriction


def _review_dates(
    restriction: Restriction, *, extend: bool, review_on: date | None, ends_on: date | None
) -> dict[str, Any]:
    """The dates a keep or an extend sets, checked: each after today, an end later than now."""
    site = restriction.site
    values: dict[str, Any] = {}
    today = timezone.localtime(timezone.now(), site.zone).date()
    for name, day in (("review_on", review_on), ("ends_on", ends_on)):
        if day is not None and day <= today:
            raise field_error(name, gettext("Choose a date after today."))
    if ends_on is not None:
        if not extend:
            raise field_error("ends_on", gettext("To change the end date, extend the restriction."))
        ends_at = _end_of_local_day(ends_on, site)
        if restriction.ends_at is not None and ends_at <= restriction.ends_at:
            raise field_error("ends_on", gettext("Choose an end date later than the current one."))
        values["ends_at"] = ends_at
    if review_on is not None:
        values["review_at"] = _end_of_local_day(review_on, site)
    if extend and not values:
        raise field_error("ends_on", gettext("Give the new end date, or the next review date."))
    if not extend and review_on is None and restriction.ends_at is None:
        raise field_error(
            "review_on", gettext("This restriction has no end date: give the next review date.")
        )
    return values


def restriction_gate(
    *, site: Site, participant_id: Any, kind: str, override_reason: str, known_free: bool = False
) -> Restriction | None:
    """At check-in: 409 for a person restricted for this kind of visit, unless the worker gave
    an override reason; returns the restriction overridden (to record with the visit).
    `known_free`: the caller has read that no restriction is in force (nothing to read)."""
    if participant_id is None or known_free:
        return None
    restriction = restriction_in_force(participant_id=participant_id, site=site)
    if restriction is None:
        return None
    if restriction.scope == Restriction.Scope.CONSUMPTION_ONLY and kind != "consumption":
        return None
    if override_reason.strip():
        return restriction
    until = restriction_until(restriction)
    day = f"{timezone.localtime(until, site.zone):%Y-%m-%d}" if until else ""
    scope = gettext(_SCOPE_WORDS[Restriction.Scope(restriction.scope)])
    raise Conflict(
        gettext(
            "This person is restricted (%(scope)s) until %(day)s. "
            "Check them in only with a reason for the override."
        )
        % {"scope": scope, "day": day},
        fields={"override_reason": [gettext("Give the reason to let this person in despite it.")]},
        extra={"restriction": {"scope": restriction.scope, "until": _iso(until)}},
    )


def restriction_override_record(
    *, restriction: Restriction, visit: Any, reason: str, by: User, at: datetime
) -> RestrictionOverride:
    """Keep an override beside the restriction (supervisors see it) and audit it. Call inside
    the check-in's transaction."""
    override = RestrictionOverride.objects.create(
        restriction=restriction, visit=visit, reason=reason.strip(), created_by=by, at=at
    )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=override,
        site=restriction.site,
        changes={"restriction": [None, str(restriction.pk)], "visit": [None, str(visit.pk)]},
        reason=reason.strip(),
    )
    return override


# --- Turn-aways and the waiting list ----------------------------------------------------------


def _turnaway_snapshot(turnaway: TurnAway) -> dict[str, Any]:
    return {
        "participant": str(turnaway.participant_id) if turnaway.participant_id else None,
        "reason": turnaway.reason,
        "at": _iso(turnaway.at),
        "waitlist_entry": str(turnaway.waitlist_entry_id) if turnaway.waitlist_entry_id else None,
    }


def turnaway_record(
    *,
    site: Site,
    reason: str,
    by: User,
    role: Role,
    code: str | None = None,
    at: datetime | None = None,
    id: uuid.UUID | None = None,
) -> tuple[TurnAway, bool]:
    """Record a person turned away. Returns (turn-away, created); a resend answers the stored."""
    now = timezone.now()
    moment = at or now
    content_print = fingerprint(
        {
            "site": site.pk,
            "code": code_digest(code) if code else None,
            "reason": reason,
            "at": _iso(at),
        }
    )

    def insert() -> TurnAway:
        backdated = check_record_time(at=moment, role=role, field="at", now=now)
        person, created = _person(site=site, code=code, at=moment)
        turnaway = TurnAway(
            id=id or uuid.uuid4(),
            site=site,
            participant=person,
            reason=reason,
            at=moment,
            backdated=backdated,
            created_by=by,
            create_fingerprint=content_print,
        )
        audit_created(
            turnaway,
            by=by,
            site=site,
            snapshot=_turnaway_snapshot(turnaway),
            also=created,
            rows=[[turnaway]],
        )
        request_recompute(site=site, moments=[moment])
        return turnaway

    return create_record(
        TurnAway, pk=id, owner=site, content_print=content_print, insert=insert, noun="turn-away"
    )


def waitlist_add(
    *, site: Site, by: User, code: str | None = None, id: uuid.UUID | None = None
) -> tuple[WaitlistEntry, bool]:
    """Put a person (by code, or anonymous) on the waiting list. A person already waiting at
    the site answers 409."""
    now = timezone.now()
    content_print = fingerprint({"site": site.pk, "code": code_digest(code) if code else None})

    def insert() -> WaitlistEntry:
        person, created = _person(site=site, code=code, at=now)
        entry = WaitlistEntry(
            id=id or uuid.uuid4(),
            site=site,
            participant=person,
            added_at=now,
            created_by=by,
            create_fingerprint=content_print,
        )
        audit_created(
            entry,
            by=by,
            site=site,
            snapshot={"participant": str(person.pk) if person else None, "status": entry.status},
            also=created,
            rows=[[entry]],
        )
        return entry

    try:
        return create_record(
            WaitlistEntry,
            pk=id,
            owner=site,
            content_print=content_print,
            insert=insert,
            noun="waiting-list entry",
        )
    except IntegrityError:
        raise Conflict(
            gettext("This person is already on the waiting list."),
            fields={"code": [gettext("Already waiting at this site.")]},
        ) from None


def _waitlist_snapshot(entry: WaitlistEntry) -> dict[str, Any]:
    return {"status": entry.status, "visit": str(entry.visit_id) if entry.visit_id else None}


_NOT_WAITING = gettext_noop("This person is no longer on the waiting list.")


def waitlist_leave(
    *, entry: WaitlistEntry, by: User, reason: str = TurnAwayReason.CAPACITY
) -> WaitlistEntry:
    """The person left without a booth: off the list, and a turn-away (capacity by default).
    A resend answers the entry as it is."""
    if entry.status == WaitlistEntry.Status.LEFT:
        return entry
    if entry.status != WaitlistEntry.Status.WAITING or entry.voided:
        raise Conflict(gettext(_NOT_WAITING))
    now = timezone.now()
    with edit(entry, by=by, site=entry.site, snapshot=_waitlist_snapshot):
        save_at_version(
            entry,
            version=entry.version,
            noun="waiting-list entry",
            when=Q(status=WaitlistEntry.Status.WAITING),
            status=WaitlistEntry.Status.LEFT,
            ended_at=now,
        )
        entry.refresh_from_db()
        turnaway = TurnAway.objects.create(
            site=entry.site,
            participant=entry.participant,
            reason=reason,
            at=now,
            waitlist_entry=entry,
            created_by=by,
            create_fingerprint=fingerprint({"waitlist_entry": entry.pk}),
        )
        audit_created(turnaway, by=by, site=entry.site, snapshot=_turnaway_snapshot(turnaway))
    return entry


def waitlist_take(*, entry: WaitlistEntry, visit: Any, by: User) -> None:
    """A check-in from the list takes the person off it. Call inside the check-in's
    transaction; an entry no longer waiting answers 409 (the check-in is not written)."""
    if entry.status != WaitlistEntry.Status.WAITING or entry.voided:
        raise Conflict(
            gettext(_NOT_WAITING),
            fields={"waitlist": [gettext("No longer waiting: they left or were checked in.")]},
        )
    with edit(entry, by=by, site=entry.site, snapshot=_waitlist_snapshot):
        save_at_version(
            entry,
            version=entry.version,
            noun="waiting-list entry",
            when=Q(status=WaitlistEntry.Status.WAITING),
            status=WaitlistEntry.Status.CHECKED_IN,
            ended_at=timezone.now(),
            visit=visit,
        )
        entry.refresh_from_db()


def turnaway_void(*, turnaway: TurnAway, by: User, role: Role, reason: str) -> TurnAway:
    """Void a turn-away recorded by mistake: it stays on record and leaves the counts."""
    return void_record(
        turnaway,
        by=by,
        role=role,
        reason=reason,
        noun="turn-away",
        site=turnaway.site,
        report_time=turnaway.at,
    )


@transaction.atomic
def waitlist_entry_void(
    *, entry: WaitlistEntry, by: User, role: Role, reason: str
) -> WaitlistEntry:
    """Void a waiting-list entry made by mistake; the turn-away its leaving made goes with it
    (same reason). A person checked in from the list keeps the visit."""
    voided = void_record(
        entry,
        by=by,
        role=role,
        reason=reason,
        noun="waiting-list entry",
        site=entry.site,
        report_time=entry.added_at,
    )
    left = TurnAway.objects.filter(waitlist_entry=voided, voided=False).first()
    if left is not None:
        turnaway_void(turnaway=left, by=by, role=role, reason=reason)
    return voided


# --- Complaints ------------------------------------------------------------------------------


def _complaint_snapshot(complaint: Complaint) -> dict[str, Any]:
    return {
        "received_at": _iso(complaint.received_at),
        "category": complaint.category,
        "response_due_on": complaint.response_due_on.isoformat(),
        "status": complaint.status,
        "responded_at": _iso(complaint.responded_at),
        "closed_at": _iso(complaint.closed_at),
    }


def response_due_on(*, site: Site, received_at: datetime) -> date:
    received = timezone.localtime(received_at, site.zone).date()
    return received + timedelta(days=site.complaint_response_days)


def complaint_record(
    *,
    site: Site,
    category: str,
    summary: str,
    by: User,
    received_at: datetime | None = None,
    id: uuid.UUID | None = None,
) -> tuple[Complaint, bool]:
    """Register a complaint; its response is due the site's set days after it was received."""
    now = timezone.now()
    moment = received_at or now
    content_print = fingerprint(
        {
            "site": site.pk,
            "category": category,
            "summary": summary.strip(),
            "received_at": _iso(received_at),
        }
    )

    def insert() -> Complaint:
        if not summary.strip():
            raise field_error(
                "summary", gettext("Say what the complaint is about (never name anyone).")
            )
        check_record_time(at=moment, role=Role.SUPERVISOR, field="received_at", now=now)
        complaint = Complaint.objects.create(
            id=id or uuid.uuid4(),
            site=site,
            category=category,
            summary=summary.strip(),
            received_at=moment,
            response_due_on=response_due_on(site=site, received_at=moment),
            created_by=by,
            create_fingerprint=content_print,
        )
        audit_created(complaint, by=by, site=site, snapshot=_complaint_snapshot(complaint))
        request_recompute(site=site, moments=[moment])
        return complaint

    return create_record(
        Complaint, pk=id, owner=site, content_print=content_print, insert=insert, noun="complaint"
    )


def complaint_respond(
    *, complaint: Complaint, by: User, response: str, close: bool = False
) -> Complaint:
    """Record the response given (and close the complaint when `close`). A closed complaint
    is no longer changed (409)."""
    if complaint.status == Complaint.Status.CLOSED:
        raise Conflict(gettext("This complaint is closed."))
    if not response.strip():
        raise field_error("response", gettext("Write the response given."))
    now = timezone.now()
    values: dict[str, Any] = {
        "response": response.strip(),
        "responded_at": complaint.responded_at or now,
        "status": Complaint.Status.CLOSED if close else Complaint.Status.RESPONDED,
    }
    if close:
        values |= {"closed_at": now, "closed_by": by}
    with edit(complaint, by=by, site=complaint.site, snapshot=_complaint_snapshot):
        save_at_version(complaint, version=complaint.version, noun="complaint", **values)
        complaint.refresh_from_db()
    return complaint


def complaint_void(*, complaint: Complaint, by: User, role: Role, reason: str) -> Complaint:
    """Void a complaint registered by mistake (a duplicate): it leaves the counts."""
    return void_record(
        complaint,
        by=by,
        role=role,
        reason=reason,
        noun="complaint",
        site=complaint.site,
        report_time=complaint.received_at,
    )
