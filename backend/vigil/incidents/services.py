"""Writes of incidents: open, completion, submission, review, amendment, void (the live
actions are in vigil.incidents.timeline).

Each write is one transaction holding its audit events. The incident row is locked first
(`select_for_update`), so two tablets tapping actions on one incident at once both count in the
critical flags computed from the stored timeline.

Who may change an incident, by status:
- open or returned: staff who logged it or responded to it complete it; any supervisor, with a
  reason when it is not theirs. Any staff member of the site may tap actions (two workers on two
  tablets during one response) and void a mis-tap.
- submitted: waiting for review; only supervisors change it.
- approved: locked; a supervisor amends it with a reason, and the version shown before the
  amendment is kept in the incident's history.
- voided: nobody.

The incident's `version` counts edits of its fields, submissions, reviews, voids and
amendments. A live action tap does not change it, so a tablet completing the record is never
refused because another tablet tapped an action meanwhile.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Aggregate, CharField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from rest_framework import status

from vigil.accounts.access import RECORD_WRITERS, SUPERVISORS
from vigil.accounts.models import Membership, Role, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.errors import ApplicationError, Conflict, field_error
from vigil.core.prepared import Param, Prepared
from vigil.incidents import rules
from vigil.incidents.models import (
    Incident,
    IncidentAction,
    IncidentReview,
    IncidentVersion,
)
from vigil.incidents.snapshots import audited, incident_snapshot, new_incident_snapshot
from vigil.participants.codes import code_digest
from vigil.participants.services import participant_sight
from vigil.records.kit import (
    UNSET,
    audit_created,
    choice_rows,
    create_record,
    edit,
    keep_written,
    replace_choice_rows,
    save_at_version,
)
from vigil.records.recompute import request_recompute
from vigil.records.rules import (
    FUTURE_TOLERANCE,
    check_record_time,
    fingerprint,
    refuse_stale_unless_resent,
)
from vigil.records.voiding import void_record
from vigil.sites.models import Site
from vigil.visits.models import Visit

# An incident's status as messages name it, in the request's language.
_STATUS_WORDS = {
    Incident.Status.OPEN: gettext_noop("open"),
    Incident.Status.SUBMITTED: gettext_noop("submitted"),
    Incident.Status.RETURNED: gettext_noop("returned"),
    Incident.Status.APPROVED: gettext_noop("approved"),
}


def local_time(moment: datetime, site: Site) -> str:
    return f"{timezone.localtime(moment, site.zone):%H:%M}"


def check_time(*, at: datetime, role: Role, field: str, now: datetime, reference: datetime) -> bool:
    """A time of an incident: never in the future; backdated when entered late.

    Late is measured from `reference`: now for a new incident, and for a time added to an
    incident already on record, the moment the server first received that incident. A worker
    completing a returned incident two days later, with times from the response itself, is
    not entering a late record; a time more than 12 h before the incident was first received
    is one (supervisors only, flagged).
    """
    if at < rules.EARLIEST_PLAUSIBLE_TIME:
        raise field_error(field, gettext("This date is not plausible. Check the year."))
    if at > now + FUTURE_TOLERANCE:
        return check_record_time(at=at, role=role, field=field, now=now)
    return check_record_time(at=at, role=role, field=field, now=max(reference, at))


def locked(incident: Incident) -> Incident:
    """The incident re-read under a row lock (its own row only), with its site."""
    return (
        Incident.objects.select_for_update(of=("self",)).select_related("site").get(pk=incident.pk)
    )


def check_state(*, incident: Incident, role: Role, reason: str) -> bool:
    """Whether the incident's status allows a change; True when the change amends an approval."""
    if incident.voided:
        raise Conflict(gettext("This incident was voided; it cannot be changed."))
    if incident.status == Incident.Status.APPROVED:
        if role not in SUPERVISORS:
            raise Conflict(
                gettext("This incident is approved and locked. Ask a supervisor to amend it.")
            )
        if not reason.strip():
            raise field_error("reason", gettext("Say why you are amending an approved incident."))
        return True
    if incident.status == Incident.Status.SUBMITTED and role not in SUPERVISORS:
        raise Conflict(
            gettext(
                "This incident is waiting for review. Ask a supervisor to return it to you "
                "if it needs a change."
            )
        )
    return False


def _check_author(*, incident: Incident, by: User, role: Role) -> None:
    """Completing and submitting the record is for the staff who logged it or responded to it,
    and for supervisors."""
    if role not in SUPERVISORS and not incident.involves(by.pk):
        raise ApplicationError(
            gettext(
                "Only the staff who logged or responded to this incident, or a supervisor, "
                "can change it."
            ),
            status_code=status.HTTP_403_FORBIDDEN,
        )


def _check_editor(*, incident: Incident, by: User, role: Role, reason: str) -> None:
    """As `_check_author`; a supervisor changing an incident that is not theirs says why."""
    _check_author(incident=incident, by=by, role=role)
    if role in SUPERVISORS and not incident.involves(by.pk) and not reason.strip():
        raise field_error(
            "reason", gettext("Say why you are changing an incident you did not respond to.")
        )


def keep_version(*, before: dict[str, Any], incident: Incident, by: User, reason: str) -> None:
    IncidentVersion.objects.create(
        incident=incident, version=before["version"], snapshot=before, amended_by=by, reason=reason
    )


class _Joined(Aggregate):
    """The values of a text column joined with commas (in no particular order)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra)


def _locked_with_kinds() -> QuerySet[Incident]:
    kinds = (
        IncidentAction.objects.filter(incident=OuterRef("pk"), voided=False)
        .order_by()
        .values("incident")
        .annotate(joined=_Joined("kind"))
        .values("joined")
    )
    return (
        Incident.objects.select_for_update(of=("self",))
        .select_related("site")
        .annotate(action_kinds=Subquery(kinds))
        .filter(pk=Param("incident", Incident._meta.pk))
    )


_LOCKED_WITH_KINDS = Prepared(_locked_with_kinds)


def locked_with_kinds(incident: Incident) -> tuple[Incident, list[str]]:
    """`locked`, with the kinds of its live actions read in the same statement."""
    (found,) = _LOCKED_WITH_KINDS.records(incident=incident.pk)
    joined: str | None = found.action_kinds  # type: ignore[attr-defined]
    return found, joined.split(",") if joined else []


def refresh_review(incident: Incident, *, kinds: Sequence[str] | None = None) -> None:
    """Recompute critical, its reasons and the review due time from the stored record (the
    kinds of its live actions: read here unless given)."""
    if kinds is None:
        kinds = list(
            IncidentAction.objects.filter(incident=incident, voided=False).values_list(
                "kind", flat=True
            )
        )
    review = rules.review_of(
        kind=incident.kind,
        outcome=incident.outcome,
        police_attended=incident.police_attended,
        started_at=incident.started_at,
        action_kinds=kinds,
    )
    current = (incident.critical, list(incident.critical_reasons), incident.review_due_at)
    if current == (review.critical, review.reasons, review.due_at):
        return
    Incident.objects.filter(pk=incident.pk).update(
        critical=review.critical, critical_reasons=review.reasons, review_due_at=review.due_at
    )
    incident.critical = review.critical
    incident.critical_reasons = review.reasons
    incident.review_due_at = review.due_at


def _responders_of(site: Site, usernames: Sequence[str]) -> list[User]:
    names = sorted(set(usernames))
    users = list(
        User.objects.filter(
            username__in=names,
            is_active=True,
            memberships__site=site,
            memberships__role__in=RECORD_WRITERS,
        )
    )
    missing = sorted(set(names) - {user.username for user in users})
    if missing:
        raise field_error(
            "responders",
            gettext("Not staff of this site: %(names)s.") % {"names": ", ".join(missing)},
        )
    return users


# --- Open an incident ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentOpen:
    site: Site
    kind: str
    location: str
    visit: Visit | None = None
    code: str | None = None
    started_at: datetime | None = None
    signs: Sequence[str] = ()
    suspected_substances: Sequence[str] = ()
    id: uuid.UUID | None = None
    # From an import of the site's past records: the incident comes whole (its end, outcome
    # and police attendance too), already reviewed in the site's former system. It is stored
    # approved (not in the review queue, not on the floor, no debrief due) and marked
    # imported; its day is left for the import to recompute once at its end.
    imported: bool = False
    ended_at: datetime | None = None
    outcome: str = ""
    police_attended: bool = False
    reason: str = ""  # of the audit event (an import names its file)


def incident_open(*, request: IncidentOpen, by: User, role: Role) -> tuple[Incident, bool]:
    """Open an incident. Returns (incident, created); a resend returns the stored one.

    1. A resend (same id) is answered first, whatever happened to the incident since: the same
       content gives the stored incident, other content a 409 with it.
    2. Refuse a future onset; one older than 12 h is backdated (supervisors only).
    3. Link a visit of this site (its participant is used), or a visit code, or nobody.
    4. Insert under the primary key; a concurrent resend is recognised from the IntegrityError.
    An imported incident (`request.imported`) is stored whole and approved (see `IncidentOpen`).
    """
    site = request.site
    visit = request.visit
    if visit is not None and request.code:
        raise field_error("code", gettext("Choose the visit or type a code, not both."))
    digest = code_digest(request.code) if request.code else None
    content_print = fingerprint(
        {
            "site": site.pk,
            "kind": request.kind,
            "visit": visit.pk if visit else None,
            "code": digest,
            "location": request.location,
            "started_at": request.started_at.isoformat() if request.started_at else None,
            "signs": sorted(set(request.signs)),
            "suspected_substances": sorted(set(request.suspected_substances)),
            **(
                {
                    "ended_at": request.ended_at.isoformat() if request.ended_at else None,
                    "outcome": request.outcome,
                    "police_attended": request.police_attended,
                }
                if request.imported
                else {}
            ),
        }
    )
    incident_id = request.id or uuid.uuid4()

    def insert() -> Incident:
        now = timezone.now()
        at = request.started_at or now
        backdated = check_time(at=at, role=role, field="started_at", now=now, reference=now)
        if request.ended_at is not None:
            check_time(at=request.ended_at, role=role, field="ended_at", now=now, reference=now)
            if request.ended_at < at:
                raise field_error(
                    "ended_at",
                    gettext("The end is before the start (%(time)s).")
                    % {"time": local_time(at, site)},
                )
        if visit is not None and (visit.site_id != site.pk or visit.voided):
            raise field_error("visit", gettext("This visit is not on record at this site."))
        review = rules.review_of(
            kind=request.kind,
            outcome=request.outcome,
            police_attended=request.police_attended,
            started_at=at,
            action_kinds=(),
        )
        sighting = (
            participant_sight(site=site, code=request.code, at=at)
            if visit is None and request.code
            else None
        )
        if visit is not None:
            participant_id = visit.participant_id
        else:
            participant_id = sighting.participant.pk if sighting else None
        incident = Incident(
            id=incident_id,
            site=site,
            visit=visit,
            participant_id=participant_id,
            kind=request.kind,
            location=request.location,
            started_at=at,
            ended_at=request.ended_at,
            outcome=request.outcome,
            police_attended=request.police_attended,
            status=Incident.Status.APPROVED if request.imported else Incident.Status.OPEN,
            critical=review.critical,
            critical_reasons=review.reasons,
            review_due_at=review.due_at,
            backdated=backdated,
            imported=request.imported,
            created_by=by,
            create_fingerprint=content_print,
        )
        choices = choice_rows(
            incident,
            sign_rows=("sign", request.signs),
            substance_rows=("substance", request.suspected_substances),
        )
        snapshot = new_incident_snapshot(
            incident, signs=request.signs, suspected_substances=request.suspected_substances
        )
        audit_created(
            incident,
            by=by,
            site=site,
            snapshot=audited(snapshot),
            reason=request.reason,
            also=[sighting.participant] if sighting and sighting.created else [],
            rows=[[incident], *choices],
        )
        if not request.imported:
            request_recompute(site=site, moments=[incident.started_at])
        # A new incident has no responders, actions, reviews, versions or debrief yet: its
        # answer is built from what was written.
        keep_written(incident, responders=[], actions=[], reviews=[], history=[], debrief=None)
        return incident

    return create_record(
        Incident,
        pk=request.id,
        owner=site,
        content_print=content_print,
        insert=insert,
        noun="incident",
    )


def _audited_snapshot(incident: Incident) -> dict[str, Any]:
    return audited(incident_snapshot(incident))


# --- Completing, submitting, reviewing ----------------------------------------------------------


def incident_update(
    *,
    incident: Incident,
    by: User,
    role: Role,
    version: int,
    reason: str = "",
    kind: str = UNSET,
    location: str = UNSET,
    started_at: datetime = UNSET,
    ended_at: datetime | None = UNSET,
    outcome: str = UNSET,
    police_attended: bool = UNSET,
    narrative: str = UNSET,
    signs: Sequence[str] = UNSET,
    suspected_substances: Sequence[str] = UNSET,
    responders: Sequence[str] = UNSET,
) -> Incident:
    """Complete or correct an incident named at the version the editor read (stale → 412; a
    resend of an edit already applied gets the stored incident).

    After approval this is an amendment: supervisors only, with a reason; the incident as it
    was shown before is kept in its history.
    """
    with transaction.atomic():
        incident = locked(incident)
        old_start = incident.started_at
        amendment = check_state(incident=incident, role=role, reason=reason)
        if not amendment:
            _check_editor(incident=incident, by=by, role=role, reason=reason)
        if version != incident.version:
            refuse_stale_unless_resent(
                sent={
                    "kind": kind,
                    "location": location,
                    "started_at": started_at,
                    "ended_at": ended_at,
                    "outcome": outcome,
                    "police_attended": police_attended,
                    "narrative": narrative,
                    "signs": signs,
                    "suspected_substances": suspected_substances,
                    "responders": responders,
                },
                unset=UNSET,
                stored=incident_snapshot(incident),
                noun="incident",
            )
            return incident
        site = incident.site
        now = timezone.now()
        fields: dict[str, Any] = {}
        backdated = incident.backdated
        for name, value in (
            ("kind", kind),
            ("location", location),
            ("outcome", outcome),
            ("police_attended", police_attended),
            ("narrative", narrative),
        ):
            if value is not UNSET:
                fields[name] = value
        if started_at is not UNSET:
            backdated |= check_time(
                at=started_at,
                role=role,
                field="started_at",
                now=now,
                reference=incident.received_at,
            )
            fields["started_at"] = started_at
        if ended_at is not UNSET:
            if ended_at is not None:
                check_time(
                    at=ended_at,
                    role=role,
                    field="ended_at",
                    now=now,
                    reference=incident.received_at,
                )
            fields["ended_at"] = ended_at
        start = fields.get("started_at", incident.started_at)
        end = fields.get("ended_at", incident.ended_at)
        if end is not None and end < start:
            raise field_error(
                "ended_at",
                gettext("The end is before the start (%(time)s).")
                % {"time": local_time(start, site)},
            )
        if "started_at" in fields:
            first = (
                IncidentAction.objects.filter(incident=incident, voided=False)
                .order_by("at")
                .first()
            )
            if first is not None and first.at < start - rules.ACTION_BEFORE_ONSET:
                raise field_error(
                    "started_at",
                    gettext(
                        "An action is recorded at %(time)s, before this start. Void that action "
                        "or choose an earlier start."
                    )
                    % {"time": local_time(first.at, site)},
                )
        responder_users = _responders_of(site, responders) if responders is not UNSET else None
        before = incident_snapshot(incident)
        with edit(
            incident,
            by=by,
            site=site,
            snapshot=_audited_snapshot,
            reason=reason,
            before=audited(before),
        ) as change:
            save_at_version(
                incident, version=version, noun="incident", **fields, backdated=backdated
            )
            incident.refresh_from_db()
            if signs is not UNSET or suspected_substances is not UNSET:
                replace_choice_rows(
                    incident,
                    sign_rows=("sign", before["signs"] if signs is UNSET else signs),
                    substance_rows=(
                        "substance",
                        before["suspected_substances"]
                        if suspected_substances is UNSET
                        else suspected_substances,
                    ),
                )
            if responder_users is not None:
                incident.responders.set(responder_users)
            if amendment:
                keep_version(before=before, incident=incident, by=by, reason=reason)
            refresh_review(incident)
            change.recompute(old_start, incident.started_at)
    return incident


def incident_submit(*, incident: Incident, by: User, role: Role) -> Incident:
    """Send a completed incident for review. A resend of the submission answers the same.

    An overdose needs its outcome and its end time first.
    """
    with transaction.atomic():
        incident = locked(incident)
        if incident.voided:
            raise Conflict(gettext("This incident was voided; it cannot be submitted."))
        if incident.status == Incident.Status.SUBMITTED:
            return incident
        if incident.status == Incident.Status.APPROVED:
            raise Conflict(gettext("This incident is already approved."))
        _check_author(incident=incident, by=by, role=role)
        missing: dict[str, list[str]] = {}
        if incident.kind in rules.OVERDOSE_KINDS:
            if not incident.outcome:
                missing["outcome"] = [gettext("Say how the overdose ended before submitting.")]
            if incident.ended_at is None:
                missing["ended_at"] = [
                    gettext("Give the time the response ended before submitting.")
                ]
        if missing:
            raise ApplicationError(
                gettext("Complete the record before submitting it."), fields=missing
            )
        now = timezone.now()
        previous = incident.status
        save_at_version(
            incident,
            version=incident.version,
            noun="incident",
            when=Q(status=previous),
            status=Incident.Status.SUBMITTED,
            submitted_at=now,
            submitted_by=by,
            updated_at=now,
        )
        incident.refresh_from_db()
        audit_record(
            actor=by,
            action=AuditEvent.Action.SUBMIT,
            obj=incident,
            site=incident.site,
            changes={"status": [previous, incident.status]},
        )
    return incident


def _check_may_review(*, incident: Incident, by: User) -> None:
    """Nobody reviews an incident they logged or responded to while another supervisor (or
    admin) of the site can; alone, they may when VIGIL_REVIEW_OWN_INCIDENTS_WHEN_ALONE."""
    if not incident.involves(by.pk):
        return
    another = (
        Membership.objects.filter(site_id=incident.site_id, role__in=SUPERVISORS)
        .exclude(user=by)
        .filter(user__is_active=True)
        .exists()
    )
    if another or not settings.VIGIL_REVIEW_OWN_INCIDENTS_WHEN_ALONE:
        raise ApplicationError(
            gettext("You logged or responded to this incident: another supervisor must review it."),
            status_code=status.HTTP_403_FORBIDDEN,
        )


def incident_review(
    *, incident: Incident, by: User, role: Role, decision: str, comment: str
) -> Incident:
    """A supervisor approves a submitted incident (locked from then on) or returns it to its
    authors with a comment saying what to fix. A resend of the same decision answers the same.
    """
    if role not in SUPERVISORS:
        raise ApplicationError(
            gettext("Only a supervisor reviews incidents."), status_code=status.HTTP_403_FORBIDDEN
        )
    approve = decision == IncidentReview.Decision.APPROVE
    if not approve and not comment.strip():
        raise field_error(
            "comment", gettext("Say what needs fixing, for the staff who will fix it.")
        )
    outcome = Incident.Status.APPROVED if approve else Incident.Status.RETURNED
    with transaction.atomic():
        incident = locked(incident)
        if incident.voided:
            raise Conflict(gettext("This incident was voided."))
        if incident.status != Incident.Status.SUBMITTED:
            last = incident.reviews.order_by("-reviewed_at").first()
            if (
                incident.status == outcome
                and last is not None
                and last.reviewed_by_id == by.pk
                and last.decision == decision
                and last.comment == comment
            ):
                return incident
            raise Conflict(
                gettext("This incident is not waiting for review (it is %(status)s).")
                % {"status": gettext(_STATUS_WORDS[Incident.Status(incident.status)])}
            )
        _check_may_review(incident=incident, by=by)
        now = timezone.now()
        save_at_version(
            incident,
            version=incident.version,
            noun="incident",
            when=Q(status=Incident.Status.SUBMITTED),
            status=outcome,
            reviewed_at=now,
            reviewed_by=by,
            review_comment=comment,
            updated_at=now,
        )
        incident.refresh_from_db()
        IncidentReview.objects.create(
            incident=incident,
            decision=decision,
            comment=comment,
            reviewed_by=by,
            incident_version=incident.version,
        )
        audit_record(
            actor=by,
            action=AuditEvent.Action.REVIEW,
            obj=incident,
            site=incident.site,
            changes={"status": [Incident.Status.SUBMITTED, outcome]},
            reason=comment,
        )
    return incident


def incident_void(*, incident: Incident, by: User, role: Role, reason: str) -> Incident:
    """Void an incident (entered twice, wrong site): it stays on record and leaves every count,
    the queue and the floor."""
    if role not in SUPERVISORS:
        raise ApplicationError(
            gettext("Only a supervisor voids an incident."), status_code=status.HTTP_403_FORBIDDEN
        )
    return void_record(
        incident,
        by=by,
        role=role,
        reason=reason,
        noun="incident",
        site=incident.site,
        report_time=incident.started_at,
    )
