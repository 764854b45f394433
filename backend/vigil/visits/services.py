"""Writes of visits: check-in, check-out, edit, void. Each is one transaction with its audit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.models import Role, User
from vigil.audit.services import audit_created_rows
from vigil.core.bulk import insert_rows
from vigil.core.errors import Conflict, field_error
from vigil.participants.codes import code_digest
from vigil.participants.selectors import participant_by_code, person_sent
from vigil.participants.services import (
    participant_resolve,
    participant_sight,
    participants_resolve_digests,
)
from vigil.records.kit import (
    UNSET,
    audit_created,
    choice_rows,
    create_record,
    edit,
    edit_applies,
    replace_choice_rows,
    save_at_version,
)
from vigil.records.recompute import request_recompute
from vigil.records.rules import (
    check_record_time,
    fingerprint,
)
from vigil.records.voiding import void_record
from vigil.safety.models import WaitlistEntry
from vigil.safety.selectors import restrictions_in_force_by_code
from vigil.safety.services import restriction_gate, restriction_override_record, waitlist_take
from vigil.sites.models import Booth, Site
from vigil.visits.first_visits import (
    first_visits,
    request_recompute_of_first_visit_left,
    request_recompute_of_moved_first_visits,
)
from vigil.visits.models import Visit, VisitRoute, VisitSubstance


def _minutes_since(moment: datetime) -> int:
    return max(0, int((timezone.now() - moment).total_seconds() // 60))


def _check_booth(*, site: Site, kind: str, booth: Booth | None) -> None:
    if kind == Visit.Kind.SERVICE_ONLY and booth is not None:
        raise field_error("booth", gettext("A service-only visit has no booth."))
    if booth is not None and (booth.site_id != site.pk or not booth.active):
        raise field_error("booth", gettext("This booth is not in use at this site."))
    if (
        kind == Visit.Kind.CONSUMPTION
        and booth is None
        and site.booths.filter(active=True).exists()
    ):
        raise field_error("booth", gettext("Choose a booth for a consumption visit."))


def _open_visit_conflict(
    *, site: Site, booth: Booth | None, participant_id: Any, exclude: Any
) -> Conflict | None:
    """Explain which floor rule a refused write broke: an occupied booth or a person inside."""
    open_visits = Visit.objects.filter(checked_out_at=None, voided=False).exclude(pk=exclude)
    if booth is not None:
        occupant = open_visits.filter(booth=booth).first()
        if occupant is not None:
            minutes = _minutes_since(occupant.checked_in_at)
            return Conflict(
                gettext(
                    "Booth %(booth)s is occupied (for %(minutes)s min). Check that visit out first."
                )
                % {"booth": booth.label, "minutes": minutes},
                fields={
                    "booth": [
                        gettext("Booth %(booth)s has been occupied for %(minutes)s min.")
                        % {"booth": booth.label, "minutes": minutes}
                    ]
                },
                extra={"visit": str(occupant.pk), "occupied_minutes": minutes},
            )
    if participant_id is not None:
        current = open_visits.filter(site=site, participant_id=participant_id).first()
        if current is not None:
            where = (
                gettext("booth %(booth)s") % {"booth": current.booth.label}
                if current.booth
                else gettext("a service visit")
            )
            minutes = _minutes_since(current.checked_in_at)
            return Conflict(
                gettext(
                    "This person already has an open visit (%(where)s, %(minutes)s min). "
                    "Check it out first."
                )
                % {"where": where, "minutes": minutes},
                fields={"code": [gettext("This person already has an open visit at this site.")]},
                extra={"visit": str(current.pk)},
            )
    return None


def visit_snapshot(visit: Visit) -> dict[str, Any]:
    """The audited fields of a visit: ids and values, never a code."""
    return {
        "participant": str(visit.participant_id) if visit.participant_id else None,
        "kind": visit.kind,
        "booth": str(visit.booth_id) if visit.booth_id else None,
        "checked_in_at": visit.checked_in_at.isoformat() if visit.checked_in_at else None,
        "checked_out_at": visit.checked_out_at.isoformat() if visit.checked_out_at else None,
        "did_not_consume_reason": visit.did_not_consume_reason,
        "assisted": visit.assisted,
        "shared_supply": visit.shared_supply,
        "substances": sorted(r.substance for r in visit.substance_rows.all()),
        "routes": sorted(r.route for r in visit.route_rows.all()),
        "voided": visit.voided,
    }


@dataclass(frozen=True)
class CheckIn:
    site: Site
    kind: str
    booth: Booth | None = None
    code: str | None = None
    checked_in_at: datetime | None = None
    substances: Sequence[str] = ()
    routes: Sequence[str] = ()
    id: uuid.UUID | None = None
    assisted: str = Visit.Assisted.NONE
    shared_supply: bool = False
    # Checking in a person restricted at the site needs a reason (audited).
    override_reason: str = ""
    # Checked in from the waiting list: takes the entry off it (and its person, when no code).
    waitlist: WaitlistEntry | None = None


def _flags_print(request: CheckIn) -> dict[str, Any]:
    """The flags and the waiting-list entry of a check-in, only when set: a resend of a visit
    sent before they existed keeps its digest."""
    extra: dict[str, Any] = {}
    if request.assisted != Visit.Assisted.NONE:
        extra["assisted"] = request.assisted
    if request.shared_supply:
        extra["shared_supply"] = True
    if request.waitlist is not None:
        extra["waitlist"] = request.waitlist.pk
    return extra


def visit_check_in(*, request: CheckIn, by: User, role: Role) -> tuple[Visit, bool]:
    """Open a visit. Returns (visit, created); a resend of the same content returns the stored one.

    1. Refuse a future time; a time older than 12 h is backdated (supervisors only).
    2. Check the booth belongs to the site, is free of this rule's contradictions. A resend of
       a stored visit is answered with it even if these rules now refuse it.
    3. A person restricted at the site is refused (409) unless an override reason is given;
       an override is kept beside the restriction and audited. A check-in from the waiting
       list takes the entry off it.
    4. Insert under database constraints (one open visit per booth and per person); never
       check-then-insert. On IntegrityError, tell a resend (same id, same content → stored
       record), a conflicting resend (409 with the stored record) and a floor conflict (409
       naming the booth or the person) apart.
    """
    site = request.site
    now = timezone.now()
    at = request.checked_in_at or now
    digest = code_digest(request.code) if request.code else None
    content_print = fingerprint(
        {
            "site": site.pk,
            "code": digest,
            "kind": request.kind,
            "booth": request.booth.pk if request.booth else None,
            "checked_in_at": request.checked_in_at.isoformat() if request.checked_in_at else None,
            "substances": sorted(set(request.substances)),
            "routes": sorted(set(request.routes)),
            **_flags_print(request),
        }
    )
    visit_id = request.id or uuid.uuid4()
    participant = None

    def insert() -> Visit:
        nonlocal participant
        backdated = check_record_time(at=at, role=role, field="checked_in_at", now=now)
        _check_booth(site=site, kind=request.kind, booth=request.booth)
        sighting = (
            participant_sight(
                site=site,
                code=request.code,
                at=at,
                also={"restriction": restrictions_in_force_by_code(digest=digest, site=site)},
            )
            if request.code and digest
            else None
        )
        if sighting is not None:
            participant = sighting.participant
        elif request.waitlist is not None:
            participant = request.waitlist.participant
        overridden = restriction_gate(
            site=site,
            participant_id=participant.pk if participant else None,
            kind=request.kind,
            override_reason=request.override_reason,
            # Read with the code: no restriction in force, nothing more to read.
            known_free=sighting is not None
            and "restriction" in sighting.also
            and sighting.also["restriction"] is None,
        )
        # A code's first visit came with its sighting; a waiting-list person's is read.
        first_before = first_visits(
            participant_ids=[participant.pk] if participant and sighting is None else []
        )
        visit = Visit(
            id=visit_id,
            site=site,
            participant=participant,
            kind=request.kind,
            booth=request.booth,
            checked_in_at=at,
            assisted=request.assisted,
            shared_supply=request.shared_supply,
            backdated=backdated,
            created_by=by,
            create_fingerprint=content_print,
        )
        # The visit, its rows and its audit in one statement (a broken open-visit rule raises
        # there); then what refers to it.
        choices = choice_rows(
            visit,
            substance_rows=("substance", request.substances),
            route_rows=("route", request.routes),
        )
        audit_created(
            visit,
            by=by,
            site=site,
            snapshot=visit_snapshot(visit),
            also=[sighting.participant] if sighting and sighting.created else [],
            rows=[[visit], *choices],
        )
        if overridden is not None:
            restriction_override_record(
                restriction=overridden, visit=visit, reason=request.override_reason, by=by, at=at
            )
        if request.waitlist is not None:
            waitlist_take(entry=request.waitlist, visit=visit, by=by)
        request_recompute(site=site, moments=[at])
        if sighting:
            request_recompute_of_first_visit_left(was=sighting.first_visit, site=site, at=at)
        request_recompute_of_moved_first_visits(before=first_before)
        return visit

    try:
        return create_record(
            Visit, pk=request.id, owner=site, content_print=content_print, insert=insert
        )
    except IntegrityError:
        participant_id = participant.pk if participant else None
        if participant_id is None and request.code:
            known = participant_by_code(code=request.code)
            participant_id = known.pk if known else None
        conflict = _open_visit_conflict(
            site=site, booth=request.booth, participant_id=participant_id, exclude=visit_id
        )
        if conflict is None:
            raise
        raise conflict from None


def visit_check_out(
    *,
    visit: Visit,
    by: User,
    role: Role,
    checked_out_at: datetime | None = None,
    did_not_consume_reason: str = "",
) -> Visit:
    """Close a visit. A resend of the same check-out answers with the stored visit."""
    if visit.voided:
        raise Conflict(gettext("This visit was voided."))
    if visit.checked_out_at is not None:
        same_time = checked_out_at is None or checked_out_at == visit.checked_out_at
        same_reason = did_not_consume_reason in ("", visit.did_not_consume_reason)
        if same_time and same_reason:
            return visit
        local = timezone.localtime(visit.checked_out_at, visit.site.zone)
        raise Conflict(
            gettext("This visit was already checked out at %(time)s.") % {"time": f"{local:%H:%M}"}
        )
    if did_not_consume_reason and visit.kind != Visit.Kind.CONSUMPTION:
        raise field_error(
            "did_not_consume_reason", gettext("Only a consumption visit can end without use.")
        )
    now = timezone.now()
    at = checked_out_at or now
    backdated = check_record_time(at=at, role=role, field="checked_out_at", now=now)
    if at < visit.checked_in_at:
        local = timezone.localtime(visit.checked_in_at, visit.site.zone)
        raise field_error(
            "checked_out_at",
            gettext("Check-out is before check-in (%(time)s).") % {"time": f"{local:%H:%M}"},
        )
    with edit(visit, by=by, site=visit.site, snapshot=visit_snapshot) as change:
        updated = Visit.objects.filter(
            pk=visit.pk, checked_out_at=None, version=visit.version
        ).update(
            checked_out_at=at,
            did_not_consume_reason=did_not_consume_reason,
            backdated=visit.backdated or backdated,
            version=visit.version + 1,
            updated_at=now,
        )
        if updated != 1:
            raise Conflict(
                gettext("This visit was changed at the same moment. Reload it and try again.")
            )
        # Exactly what the UPDATE wrote (no read back: the site, booth and choices are unchanged).
        visit.checked_out_at = at
        visit.did_not_consume_reason = did_not_consume_reason
        visit.backdated = visit.backdated or backdated
        visit.version += 1
        visit.updated_at = now
        change.recompute(visit.checked_in_at)
    return visit


def visit_update(
    *,
    visit: Visit,
    by: User,
    role: Role,
    version: int,
    reason: str = "",
    code: str | None = UNSET,
    kind: str = UNSET,
    booth: Booth | None = UNSET,
    checked_in_at: datetime = UNSET,
    checked_out_at: datetime | None = UNSET,
    did_not_consume_reason: str = UNSET,
    substances: Sequence[str] = UNSET,
    routes: Sequence[str] = UNSET,
    assisted: str = UNSET,
    shared_supply: bool = UNSET,
) -> Visit:
    """Edit a visit named at the version the editor read: stale → 412, never a silent overwrite
    (a resend of an edit already applied gets the stored visit)."""
    if not edit_applies(
        visit,
        by=by,
        role=role,
        reason=reason,
        version=version,
        noun="visit",
        sent=lambda: {
            "participant": code if code is UNSET else person_sent(code),
            "kind": kind,
            "booth": booth,
            "checked_in_at": checked_in_at,
            "checked_out_at": checked_out_at,
            "did_not_consume_reason": did_not_consume_reason,
            "substances": substances,
            "routes": routes,
            "assisted": assisted,
            "shared_supply": shared_supply,
        },
        stored=visit_snapshot,
    ):
        return visit
    site = visit.site
    old_start = visit.checked_in_at
    now = timezone.now()
    fields: dict[str, Any] = {}
    backdated = visit.backdated
    if kind is not UNSET:
        fields["kind"] = kind
    if booth is not UNSET:
        fields["booth"] = booth
    if checked_in_at is not UNSET:
        backdated |= check_record_time(at=checked_in_at, role=role, field="checked_in_at", now=now)
        fields["checked_in_at"] = checked_in_at
    if checked_out_at is not UNSET:
        if checked_out_at is not None:
            backdated |= check_record_time(
                at=checked_out_at, role=role, field="checked_out_at", now=now
            )
        fields["checked_out_at"] = checked_out_at
    if did_not_consume_reason is not UNSET:
        fields["did_not_consume_reason"] = did_not_consume_reason
    if assisted is not UNSET:
        fields["assisted"] = assisted
    if shared_supply is not UNSET:
        fields["shared_supply"] = shared_supply
    new_kind = fields.get("kind", visit.kind)
    new_booth = fields.get("booth", visit.booth)
    if "kind" in fields and new_kind == Visit.Kind.SERVICE_ONLY and "booth" not in fields:
        new_booth = fields["booth"] = None
    _check_booth(site=site, kind=new_kind, booth=new_booth)
    if new_kind != Visit.Kind.CONSUMPTION and fields.get(
        "did_not_consume_reason", visit.did_not_consume_reason
    ):
        raise field_error(
            "did_not_consume_reason", gettext("Only a consumption visit can end without use.")
        )
    start = fields.get("checked_in_at", visit.checked_in_at)
    end = fields.get("checked_out_at", visit.checked_out_at)
    if end is not None and end < start:
        raise field_error("checked_out_at", gettext("Check-out is before check-in."))
    try:
        with edit(visit, by=by, site=site, snapshot=visit_snapshot, reason=reason) as change:
            if code is not UNSET:
                fields["participant"] = (
                    participant_resolve(site=site, code=code, at=start, by=by) if code else None
                )
            new_participant = fields.get("participant", visit.participant)
            first_before = first_visits(
                participant_ids=[
                    visit.participant_id,
                    new_participant.pk if new_participant else None,
                ]
            )
            save_at_version(visit, version=version, noun="visit", **fields, backdated=backdated)
            visit.refresh_from_db()
            if substances is not UNSET or routes is not UNSET:
                replace_choice_rows(
                    visit,
                    substance_rows=(
                        "substance",
                        change.before["substances"] if substances is UNSET else substances,
                    ),
                    route_rows=("route", change.before["routes"] if routes is UNSET else routes),
                )
            change.recompute(old_start, visit.checked_in_at)
            request_recompute_of_moved_first_visits(before=first_before)
    except IntegrityError:
        participant = fields.get("participant", visit.participant)
        conflict = _open_visit_conflict(
            site=site,
            booth=new_booth,
            participant_id=participant.pk if participant else None,
            exclude=visit.pk,
        )
        if conflict is None:
            raise
        raise conflict from None
    return visit


@transaction.atomic
def visit_void(*, visit: Visit, by: User, role: Role, reason: str) -> Visit:
    """Void a visit with a reason: it stays on record and leaves every count (and a first
    visit voided makes the person new on the day of their next one)."""
    first_before = first_visits(participant_ids=[visit.participant_id])
    voided = void_record(
        visit,
        by=by,
        role=role,
        reason=reason,
        noun="visit",
        site=visit.site,
        report_time=visit.checked_in_at,
    )
    request_recompute_of_moved_first_visits(before=first_before)
    return voided


# --- Imports: a site's past visits, written in bulk under the same rules --------------------


@dataclass(frozen=True, slots=True)
class ImportedVisit:
    """One visit of a site's past records, its code already replaced by its digest."""

    id: uuid.UUID
    kind: str
    checked_in_at: datetime
    booth: Booth | None = None
    checked_out_at: datetime | None = None
    code_digest: str | None = None
    did_not_consume_reason: str = ""
    substances: tuple[str, ...] = ()
    routes: tuple[str, ...] = ()

    def content_print(self, site: Site) -> str:
        """The digest a rerun of the same row is recognised by (no code: its digest)."""
        return fingerprint(
            {
                "site": site.pk,
                "code": self.code_digest,
                "kind": self.kind,
                "booth": self.booth.pk if self.booth else None,
                "checked_in_at": self.checked_in_at.isoformat(),
                "checked_out_at": self.checked_out_at.isoformat() if self.checked_out_at else None,
                "did_not_consume_reason": self.did_not_consume_reason,
                "substances": sorted(set(self.substances)),
                "routes": sorted(set(self.routes)),
            }
        )


def _imported_snapshot(visit: ImportedVisit, people: dict[str, Any]) -> dict[str, Any]:
    """`visit_snapshot` of the visit `visits_import` writes for this row (built from the row:
    the bulk write makes no model instance)."""
    participant = people[visit.code_digest] if visit.code_digest else None
    return {
        "participant": str(participant) if participant else None,
        "kind": visit.kind,
        "booth": str(visit.booth.pk) if visit.booth else None,
        "checked_in_at": visit.checked_in_at.isoformat(),
        "checked_out_at": visit.checked_out_at.isoformat() if visit.checked_out_at else None,
        "did_not_consume_reason": visit.did_not_consume_reason,
        "assisted": Visit.Assisted.NONE.value,
        "shared_supply": False,
        "substances": sorted(set(visit.substances)),
        "routes": sorted(set(visit.routes)),
        "voided": False,
    }


class ImportedVisits(NamedTuple):
    """What `visits_import` wrote: how many visits, and the times whose site-days to recompute."""

    written: int
    moments: list[tuple[Any, datetime]]


def visit_import_check(
    *, site: Site, visit: ImportedVisit, role: Role, now: datetime | None = None
) -> bool:
    """The rules a check-in and a check-out apply, for one imported visit: times (future
    refused, backdated allowed to supervisors), booth, check-out after check-in, a reason not
    to consume only for a consumption. Raises the API's error; returns whether it is backdated.
    """
    now = now or timezone.now()
    backdated = check_record_time(at=visit.checked_in_at, role=role, field="checked_in_at", now=now)
    if visit.checked_out_at is not None:
        backdated |= check_record_time(
            at=visit.checked_out_at, role=role, field="checked_out_at", now=now
        )
        if visit.checked_out_at < visit.checked_in_at:
            raise field_error("checked_out_at", gettext("Check-out is before check-in."))
    _check_booth(site=site, kind=visit.kind, booth=visit.booth)
    if visit.did_not_consume_reason and visit.kind != Visit.Kind.CONSUMPTION:
        raise field_error(
            "did_not_consume_reason", gettext("Only a consumption visit can end without use.")
        )
    return backdated


def visits_import(
    *, site: Site, visits: Sequence[ImportedVisit], by: User, role: Role, reason: str
) -> ImportedVisits:
    """Write a batch of imported visits in bulk: what `visit_check_in` (and a check-out) write,
    in a fixed number of queries, in one transaction.

    1. A visit whose id is stored is skipped (a rerun writes nothing twice); the caller checked
       beforehand that the stored one carries the same content (`visit_import_check` too).
    2. Participants are resolved from the digests (`participants_resolve_digests`).
    3. Each visit is marked imported and backdated as its times say, audited with `reason`.
    4. No recompute is requested: the (site id, time) pairs returned in `moments` (the visits' own, and the
       first visits they may have displaced, at any site) are for the caller to recompute once,
       at the end of the import.
    """
    with transaction.atomic():
        stored = set(
            Visit.objects.filter(pk__any_of=[v.id for v in visits]).values_list("pk", flat=True)
        )
        fresh = [v for v in visits if v.id not in stored]
        if not fresh:
            return ImportedVisits(written=0, moments=[])
        now = timezone.now()
        backdated = {
            v.id: visit_import_check(site=site, visit=v, role=role, now=now) for v in fresh
        }
        first_seen: dict[str, datetime] = {}
        for v in fresh:
            if v.code_digest:
                first_seen[v.code_digest] = min(
                    v.checked_in_at, first_seen.get(v.code_digest, v.checked_in_at)
                )
        people = participants_resolve_digests(
            site=site, first_seen=first_seen, by=by, reason=reason
        )
        # The first visits these may displace: who was new on those days may not be any more.
        displaced = list(
            Visit.objects.filter(participant_id__any_of=list(people.values()), voided=False)
            .values("participant_id", "site_id")
            .annotate(first=Min("checked_in_at"))
            .values_list("site_id", "first")
        )
        written = insert_rows(
            Visit,
            [
                {
                    "id": v.id,
                    "site_id": site.pk,
                    "participant_id": people[v.code_digest] if v.code_digest else None,
                    "kind": v.kind,
                    "booth_id": v.booth.pk if v.booth else None,
                    "checked_in_at": v.checked_in_at,
                    "checked_out_at": v.checked_out_at,
                    "did_not_consume_reason": v.did_not_consume_reason,
                    "backdated": backdated[v.id],
                    "imported": True,
                    "created_by_id": by.pk,
                    "create_fingerprint": v.content_print(site),
                }
                for v in fresh
            ],
            skip_conflicts_on=["id"],
        )
        insert_rows(
            VisitSubstance,
            [{"visit_id": v.id, "substance": s} for v in fresh for s in sorted(set(v.substances))],
        )
        insert_rows(
            VisitRoute,
            [{"visit_id": v.id, "route": r} for v in fresh for r in sorted(set(v.routes))],
        )
        audit_created_rows(
            actor=by,
            model=Visit,
            changes_by_id=[
                (v.id, {k: [None, value] for k, value in snapshot.items() if value is not None})
                for v in fresh
                for snapshot in [_imported_snapshot(v, people)]
            ],
            site=site,
            reason=reason,
        )
    return ImportedVisits(
        written=written, moments=[(site.pk, v.checked_in_at) for v in fresh] + displaced
    )
