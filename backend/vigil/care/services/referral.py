"""Writes of referrals: record (replayable), follow the status machine, edit, void."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from vigil.accounts.models import Role, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record, changes_between
from vigil.care.models import (
    REFERRAL_TRANSITIONS,
    Referral,
    ReferralStatus,
    ReferralStatusChange,
)
from vigil.care.selectors import with_referral_details
from vigil.care.services.common import (
    check_visit,
    iso,
    local_time,
    person_of,
    relink,
    resolve_person,
)
from vigil.core.errors import Conflict, ReplayConflict, field_error
from vigil.participants.codes import code_digest
from vigil.participants.selectors import person_sent
from vigil.records.kit import (
    UNSET,
    audit_created,
    create_record,
    edit,
    edit_applies,
    keep_written,
    save_at_version,
)
from vigil.records.recompute import request_recompute
from vigil.records.rules import (
    check_record_time,
    fingerprint,
)
from vigil.records.voiding import void_record
from vigil.sites.models import Site
from vigil.visits.models import Visit

# A new referral can be recorded as offered, or answered on the spot.
REFERRAL_INITIAL_STATUSES = (
    ReferralStatus.OFFERED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.DECLINED,
)


class StatusRefused(Conflict):
    """A referral status move the machine does not allow; the API shows the stored referral."""

    def __init__(self, detail: str, *, record: Referral, allowed: Sequence[str]) -> None:
        super().__init__(
            detail,
            fields={"status": [detail]},
            extra={"status": record.status, "allowed": list(allowed)},
        )
        self.record = record


def referral_snapshot(referral: Referral) -> dict[str, Any]:
    """The audited fields of a referral: ids and values, never a code."""
    return {
        "visit": str(referral.visit_id) if referral.visit_id else None,
        "participant": str(referral.participant_id) if referral.participant_id else None,
        "at": iso(referral.at),
        "category": referral.category,
        "destination": referral.destination,
        "agency": referral.agency,
        "accompanied": referral.accompanied,
        "status": referral.status,
        "status_at": iso(referral.status_at),
        "voided": referral.voided,
    }


@dataclass(frozen=True)
class NewReferral:
    site: Site
    category: str
    destination: str
    accompanied: bool
    status: str = ReferralStatus.OFFERED
    agency: str = ""
    visit: Visit | None = None
    code: str | None = None
    at: datetime | None = None
    id: uuid.UUID | None = None
    # From an import of the site's past records: marked imported, its day left for the import
    # to recompute once at its end.
    imported: bool = False
    reason: str = ""  # of the audit event (an import names its file)


def referral_create(*, request: NewReferral, by: User, role: Role) -> tuple[Referral, bool]:
    """Record a referral, offered or answered on the spot. Returns (referral, created).

    1. A resent id is answered from what is stored (same content → it, other content → 409).
    2. The first status is offered, accepted or declined; outcomes (attended…) come later.
    3. Time rules as for every record; a visit must be of this site and not voided.
    4. Write the referral with its implied history (offered, then the answer at the same
       time) and its audit event in one transaction.
    """
    site = request.site
    if request.status not in REFERRAL_INITIAL_STATUSES:
        raise field_error(
            "status",
            gettext(
                "A new referral is offered, accepted or declined. "
                "Record whether the person attended later, as a follow-up."
            ),
        )
    digest = code_digest(request.code) if request.code else None
    agency = request.agency.strip()
    content_print = fingerprint(
        {
            "site": site.pk,
            "visit": request.visit.pk if request.visit else None,
            "code": digest,
            "category": request.category,
            "destination": request.destination,
            "agency": agency,
            "accompanied": request.accompanied,
            "status": request.status,
            "at": iso(request.at),
        }
    )
    referral_id = request.id or uuid.uuid4()

    def insert() -> Referral:
        now = timezone.now()
        at = request.at or now
        backdated = check_record_time(at=at, role=role, field="at", now=now)
        if request.visit is not None:
            check_visit(site=site, visit=request.visit, code=request.code)
        referral = Referral.objects.create(
            id=referral_id,
            site=site,
            visit=request.visit,
            participant=person_of(site=site, visit=request.visit, code=request.code, at=at, by=by),
            at=at,
            category=request.category,
            destination=request.destination,
            agency=agency,
            accompanied=request.accompanied,
            status=request.status,
            status_at=at,
            backdated=backdated,
            imported=request.imported,
            created_by=by,
            create_fingerprint=content_print,
        )
        steps = [ReferralStatus.OFFERED]
        if request.status != ReferralStatus.OFFERED:
            steps.append(ReferralStatus(request.status))
        history = ReferralStatusChange.objects.bulk_create(
            [
                ReferralStatusChange(
                    referral=referral, status=step, at=at, backdated=backdated, created_by=by
                )
                for step in steps
            ]
        )
        keep_written(referral, history=history)  # the answer, from what was written
        audit_created(
            referral, by=by, site=site, snapshot=referral_snapshot(referral), reason=request.reason
        )
        if not request.imported:
            request_recompute(site=site, moments=[referral.at])
        return referral

    referral, created = create_record(
        Referral, pk=request.id, owner=site, content_print=content_print, insert=insert
    )
    return (referral, True) if created else (with_referral_details(referral), False)


# A status as messages name it, in the request's language.
_STATUS_WORDS = {
    ReferralStatus.OFFERED: gettext_noop("offered"),
    ReferralStatus.ACCEPTED: gettext_noop("accepted"),
    ReferralStatus.DECLINED: gettext_noop("declined"),
    ReferralStatus.ATTENDED: gettext_noop("attended"),
    ReferralStatus.NOT_ATTENDED: gettext_noop("not attended"),
    ReferralStatus.UNKNOWN: gettext_noop("unknown"),
}


def _label(status: str) -> str:
    return gettext(_STATUS_WORDS[ReferralStatus(status)])


class _MovedMeanwhile(Exception):
    """The referral's status changed between reading it and moving it."""


def _refusal(referral: Referral, wanted: str) -> StatusRefused:
    allowed = REFERRAL_TRANSITIONS[referral.status]
    words = {"status": _label(referral.status), "wanted": _label(wanted)}
    if not allowed:
        detail = (
            gettext(
                "This referral's status is %(status)s, which is final: it cannot be marked "
                "%(wanted)s."
            )
            % words
        )
    else:
        options = gettext(" or ").join(_label(s) for s in allowed)
        detail = gettext(
            "This referral's status is %(status)s, so it cannot be marked %(wanted)s. Next it "
            "can be marked %(options)s."
        ) % {**words, "options": options}
    return StatusRefused(detail, record=referral, allowed=allowed)


def _same_step(
    referral: Referral, *, status: str, at: datetime | None, change_id: uuid.UUID | None
) -> bool:
    """Whether this request resends the step that made the referral what it is now.

    1. A step id already stored: the same status of the same referral (and the same time, if
       one is given) is a resend; anything else is a 409.
    2. Without a known id, asking for the status the referral already has (other than the
       initial offer) is a resend, unless it names another time: a 409 saying when.
    A resend is answered 200 and changes nothing; every other move goes to the machine.
    """
    step = None
    if change_id is not None:
        step = ReferralStatusChange.objects.filter(pk=change_id).first()
        if step is not None and (step.referral_id != referral.pk or step.status != status):
            raise ReplayConflict(
                gettext("This record was already sent with other content."), record=referral
            )
    if step is None:
        if status != referral.status or status == ReferralStatus.OFFERED:
            return False
        step = ReferralStatusChange.objects.filter(referral=referral, status=status).first()
        if step is None:
            return False
    if at is not None and at != step.at:
        raise ReplayConflict(
            gettext("This referral was already marked %(status)s at %(time)s.")
            % {"status": _label(status), "time": local_time(step.at, referral.site)},
            record=referral,
        )
    return True


def referral_status_change(
    *,
    referral: Referral,
    status: str,
    by: User,
    role: Role,
    at: datetime | None = None,
    change_id: uuid.UUID | None = None,
) -> tuple[Referral, bool]:
    """Move a referral along its status machine. Returns (referral, changed).

    offered → accepted | declined; accepted → attended | not_attended | unknown. Any other
    move is a 409 naming the current status and the moves it allows. A follow-up is a new
    fact, so any worker of the site may record it; its time follows the time rules (a
    follow-up entered now about an old referral is not backdated; one dated days back is, and
    needs a supervisor). A resent move answers 200 and changes nothing.
    """
    if referral.voided:
        raise Conflict(gettext("This referral was voided; its status cannot change."))
    if _same_step(referral, status=status, at=at, change_id=change_id):
        referral.refresh_from_db()
        return with_referral_details(referral), False
    if status not in REFERRAL_TRANSITIONS[referral.status]:
        raise _refusal(referral, status)
    site = referral.site
    now = timezone.now()
    moment = at or now
    backdated = check_record_time(at=moment, role=role, field="at", now=now)
    if moment < referral.status_at:
        raise field_error(
            "at",
            gettext("This is before the referral was %(status)s (%(time)s).")
            % {"status": _label(referral.status), "time": local_time(referral.status_at, site)},
        )
    before = referral_snapshot(referral)
    try:
        with transaction.atomic():
            ReferralStatusChange.objects.create(
                id=change_id or uuid.uuid4(),
                referral=referral,
                status=status,
                at=moment,
                backdated=backdated,
                created_by=by,
            )
            moved = Referral.objects.filter(
                pk=referral.pk, status=referral.status, voided=False
            ).update(status=status, status_at=moment, version=F("version") + 1, updated_at=now)
            if moved != 1:
                raise _MovedMeanwhile
            referral.refresh_from_db()
            audit_record(
                actor=by,
                action=AuditEvent.Action.UPDATE,
                obj=referral,
                site=site,
                changes=changes_between(before, referral_snapshot(referral)),
            )
            # "Accepted" counts on the day the referral was made.
            request_recompute(site=site, moments=[referral.at])
            with_referral_details(referral)  # the answer, read before the commit
    except _MovedMeanwhile:
        # Another worker moved or voided it since it was read: judge the move again against
        # what is stored now (a resend, a move still allowed, or a refusal naming the status).
        referral.refresh_from_db()
        return referral_status_change(
            referral=referral, status=status, by=by, role=role, at=at, change_id=change_id
        )
    except IntegrityError:
        # A concurrent resend of the same step won the race; it is answered like a resend.
        referral.refresh_from_db()
        if not _same_step(referral, status=status, at=at, change_id=change_id):
            raise
        return with_referral_details(referral), False
    return referral, True


def referral_update(
    *,
    referral: Referral,
    by: User,
    role: Role,
    version: int,
    reason: str = "",
    category: str = UNSET,
    destination: str = UNSET,
    agency: str = UNSET,
    accompanied: bool = UNSET,
    at: datetime = UNSET,
    visit: Visit | None = UNSET,
    code: str | None = UNSET,
) -> Referral:
    """Correct a referral's details (not its status: that moves by follow-ups), at the
    version the editor read: stale → 412 (a resend of an edit already applied gets the stored
    referral). Moving the offer time moves the first history step; it cannot pass a later
    step."""
    if not edit_applies(
        referral,
        by=by,
        role=role,
        reason=reason,
        version=version,
        noun="referral",
        sent=lambda: {
            "category": category,
            "destination": destination,
            "agency": agency if agency is UNSET else agency.strip(),
            "accompanied": accompanied,
            "at": at,
            "visit": visit,
            "participant": code if code is UNSET else person_sent(code),
        },
        stored=referral_snapshot,
    ):
        return referral
    site = referral.site
    old_at = referral.at
    now = timezone.now()
    values: dict[str, Any] = {}
    if category is not UNSET:
        values["category"] = category
    if destination is not UNSET:
        values["destination"] = destination
    if agency is not UNSET:
        values["agency"] = agency.strip()
    if accompanied is not UNSET:
        values["accompanied"] = accompanied
    backdated = referral.backdated
    new_at = referral.at
    if at is not UNSET:
        backdated |= check_record_time(at=at, role=role, field="at", now=now)
        later = referral.history.exclude(status=ReferralStatus.OFFERED).order_by("at").first()
        if later is not None and at > later.at:
            raise field_error(
                "at",
                gettext(
                    "The referral was %(status)s at %(time)s: it cannot have been offered after "
                    "that."
                )
                % {"status": _label(later.status), "time": local_time(later.at, site)},
            )
        new_at = values["at"] = at
        if referral.status == ReferralStatus.OFFERED:
            values["status_at"] = at
    new_visit, person, relinked = relink(
        site=site,
        current_visit=referral.visit,
        current_participant=referral.participant,
        visit=visit,
        code=code,
    )
    with edit(referral, by=by, site=site, snapshot=referral_snapshot, reason=reason) as change:
        if relinked:
            values["visit"] = new_visit
            values["participant"] = resolve_person(person, site=site, at=new_at, by=by)
        save_at_version(referral, version=version, noun="referral", **values, backdated=backdated)
        if "at" in values:
            referral.history.filter(status=ReferralStatus.OFFERED).update(at=new_at)
        referral.refresh_from_db()
        change.recompute(old_at, referral.at)
        with_referral_details(referral)  # the answer, read before the commit
    return referral


@transaction.atomic
def referral_void(*, referral: Referral, by: User, role: Role, reason: str) -> Referral:
    """Void a referral with a reason: it stays on record, leaves every count and every
    follow-up list."""
    voided = void_record(
        referral,
        by=by,
        role=role,
        reason=reason,
        noun="referral",
        site=referral.site,
        report_time=referral.at,
    )
    return with_referral_details(voided)  # the answer, read before the commit
