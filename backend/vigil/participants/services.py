from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.db import IntegrityError, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from vigil.accounts.models import User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record, audit_records
from vigil.core.errors import Conflict, field_error
from vigil.participants.codes import code_digest
from vigil.participants.models import Gender, Participant, ParticipantSite
from vigil.records.kit import UNSET, edit, save_at_version
from vigil.records.recompute import request_recompute
from vigil.records.rules import refuse_stale_unless_resent
from vigil.sites.models import Site
from vigil.visits.first_visits import first_visits, request_recompute_of_moved_first_visits
from vigil.visits.models import Visit


@dataclass(frozen=True)
class Sighting:
    """A visit code resolved at a site, inside the transaction of the record that names it."""

    participant: Participant
    # First sight of this code: the participant's audit event is the caller's to write.
    created: bool
    # Where (site id) and when the participant's first live visit was before this write.
    first_visit: tuple[Any, datetime] | None


def _follow_merges(participant: Participant) -> Participant:
    while participant.merged_into_id is not None:
        participant = Participant.objects.get(pk=participant.merged_into_id)
    return participant


def _with_sightings(participants: models.QuerySet[Participant], site: Site) -> Any:
    """Each participant with when it was first seen at `site` and its first live visit."""
    first = Visit.objects.filter(participant=OuterRef("pk"), voided=False).order_by(
        "checked_in_at", "pk"
    )
    seen_here = ParticipantSite.objects.filter(participant=OuterRef("pk"), site=site)
    return participants.annotate(
        seen_here_at=Subquery(seen_here.values("first_seen_at")[:1]),
        first_visit_at=Subquery(first.values("checked_in_at")[:1]),
        first_visit_site=Subquery(first.values("site_id")[:1]),
    )


def participant_sight(*, site: Site, code: str, at: datetime) -> Sighting:
    """The participant a visit code stands for at `site`, created on first sight, with what a
    new record of theirs changes (one read for a known code, one insert more for a new one).

    Safe under concurrency: two tablets creating the same code at once end with one row.
    """
    digest = code_digest(code)
    found = _with_sightings(Participant.objects.filter(code_digest=digest), site).first()
    if found is None:
        try:
            with transaction.atomic():
                participant = Participant.objects.create(
                    code_digest=digest, first_seen_site=site, first_seen_at=at
                )
        except IntegrityError:  # another tablet created it at this moment
            return participant_sight(site=site, code=code, at=at)
        ParticipantSite.objects.create(participant=participant, site=site, first_seen_at=at)
        return Sighting(participant=participant, created=True, first_visit=None)
    while found.merged_into_id is not None:
        found = _with_sightings(Participant.objects.filter(pk=found.merged_into_id), site).get()
    if found.first_seen_at is None or at < found.first_seen_at:
        Participant.objects.filter(pk=found.pk).update(first_seen_site=site, first_seen_at=at)
    if found.seen_here_at is None:
        ParticipantSite.objects.bulk_create(
            [ParticipantSite(participant=found, site=site, first_seen_at=at)],
            ignore_conflicts=True,  # another record of theirs at this site at this moment
        )
    elif at < found.seen_here_at:
        ParticipantSite.objects.filter(participant=found, site=site).update(first_seen_at=at)
    first_visit = (found.first_visit_site, found.first_visit_at) if found.first_visit_at else None
    return Sighting(participant=found, created=False, first_visit=first_visit)


def participant_resolve(*, site: Site, code: str, at: datetime, by: User) -> Participant:
    """The participant a visit code stands for at `site`, created (and audited) on first sight."""
    sighting = participant_sight(site=site, code=code, at=at)
    if sighting.created:
        audit_record(actor=by, action=AuditEvent.Action.CREATE, obj=sighting.participant, site=site)
    return sighting.participant


def participants_resolve_digests(
    *, site: Site, first_seen: Mapping[str, datetime], by: User, reason: str = ""
) -> dict[str, Participant]:
    """`participant_resolve` for many code digests at once (an import's batch of rows), with
    the same bookkeeping in a fixed number of queries: each digest's participant, created on
    first sight (audited), merges followed, and the first sightings moved earlier when
    `first_seen` (each digest's earliest time in the batch) is earlier.
    """
    if not first_seen:
        return {}
    known = {p.code_digest: p for p in Participant.objects.filter(code_digest__in=list(first_seen))}
    new = [
        Participant(code_digest=digest, first_seen_site=site, first_seen_at=at)
        for digest, at in first_seen.items()
        if digest not in known
    ]
    if new:
        Participant.objects.bulk_create(new, ignore_conflicts=True)
        created = Participant.objects.filter(code_digest__in=[p.code_digest for p in new])
        known.update({p.code_digest: p for p in created})
        audit_records(
            actor=by,
            action=AuditEvent.Action.CREATE,
            changes_of=[(known[p.code_digest], {}) for p in new],
            site=site,
            reason=reason,
        )
    resolved = {digest: _follow_merges(p) for digest, p in known.items()}
    earliest: dict[Any, datetime] = {}
    for digest, at in first_seen.items():
        pk = resolved[digest].pk
        earliest[pk] = min(at, earliest.get(pk, at))
    people = {p.pk: p for p in resolved.values()}
    moved = []
    for pk, at in earliest.items():
        person = people[pk]
        if person.first_seen_at is None or at < person.first_seen_at:
            person.first_seen_site, person.first_seen_at = site, at
            moved.append(person)
    Participant.objects.bulk_update(moved, ["first_seen_site", "first_seen_at"])
    seen = {
        s.participant_id: s
        for s in ParticipantSite.objects.filter(site=site, participant_id__in=earliest)
    }
    ParticipantSite.objects.bulk_create(
        [
            ParticipantSite(participant_id=pk, site=site, first_seen_at=at)
            for pk, at in earliest.items()
            if pk not in seen
        ],
        ignore_conflicts=True,
    )
    earlier = [s for pk, s in seen.items() if earliest[pk] < s.first_seen_at]
    for s in earlier:
        s.first_seen_at = earliest[s.participant_id]
    ParticipantSite.objects.bulk_update(earlier, ["first_seen_at"])
    return resolved


@transaction.atomic
def participant_update(
    *,
    participant: Participant,
    site: Site,
    by: User,
    version: int,
    birth_year: int | None = UNSET,
    gender: str = UNSET,
) -> Participant:
    """Correct birth year and gender; refuses an edit made on a stale version (412), except a
    resend of an edit already applied, which answers the stored participant."""
    before = _details(participant)
    if version != participant.version:
        refuse_stale_unless_resent(
            sent={"birth_year": birth_year, "gender": gender},
            unset=UNSET,
            stored=before,
            noun="person's details",
        )
        return participant
    after = dict(before)
    if birth_year is not UNSET:
        after["birth_year"] = birth_year
    if gender is not UNSET:
        after["gender"] = gender
    with edit(participant, by=by, site=site, snapshot=_details, before=before):
        save_at_version(
            participant,
            version=version,
            stale="Someone changed this person's details since you opened them.",
            **after,
        )
        participant.refresh_from_db()
    if after != before:
        _recompute_days_of(participant)
    return participant


def _recompute_days_of(participant: Participant) -> None:
    """The reports count people by age and gender on each day they visited: recompute those
    past site-days (once each, after the commit)."""
    visits = Visit.objects.filter(participant=participant, voided=False)
    for site in Site.objects.filter(pk__in=visits.values("site")):
        request_recompute(
            site=site, moments=visits.filter(site=site).values_list("checked_in_at", flat=True)
        )


def _details(participant: Participant) -> dict[str, Any]:
    return {"birth_year": participant.birth_year, "gender": participant.gender}


@transaction.atomic
def participant_merge(
    *, source: Participant, into: Participant, site: Site, by: User, reason: str
) -> Participant:
    """Merge a mistyped code into the right one: every record of `source` moves to `into`.

    1. Refuse merging a participant into itself, or without a reason.
    2. Move every record that points at `source` (visits, incidents, services, referrals…),
       found from the model relations so that new record types are moved too.
    3. Union the sites both were seen at; keep the earliest first sighting.
    4. Mark `source` merged (its code now resolves to `into`) and audit it.
    """
    if source.pk == into.pk:
        raise field_error("into", "Choose another participant.")
    if not reason.strip():
        raise field_error("reason", "Say why these are one person.")
    moved: dict[str, int] = {}
    touched: dict[Any, list[datetime]] = {}
    # The days of `source`'s records are recomputed below; `into` may stop being new on its
    # own first day when `source` was seen earlier.
    first_before = first_visits(participant_ids=[into.pk])
    try:
        with transaction.atomic():
            for relation in Participant._meta.related_objects:
                model = cast(type[models.Model], relation.related_model)
                if model in (Participant, ParticipantSite) or not relation.one_to_many:
                    continue
                field = relation.field.name
                records = model._base_manager.filter(**{field: source})
                time_field = getattr(model, "REPORT_TIME_FIELD", None)
                if time_field:
                    for site_id, moment in records.values_list("site_id", time_field):
                        touched.setdefault(site_id, []).append(moment)
                count = records.update(**{field: into})
                if count:
                    moved[model._meta.label_lower] = count
    except IntegrityError as exc:
        raise Conflict(
            "Both have an open visit at the same site. Check one of them out first."
        ) from exc

    for seen in ParticipantSite.objects.filter(participant=source):
        target, created = ParticipantSite.objects.get_or_create(
            participant=into, site=seen.site, defaults={"first_seen_at": seen.first_seen_at}
        )
        if not created and seen.first_seen_at < target.first_seen_at:
            ParticipantSite.objects.filter(pk=target.pk).update(first_seen_at=seen.first_seen_at)
    if source.first_seen_at and (
        into.first_seen_at is None or source.first_seen_at < into.first_seen_at
    ):
        into.first_seen_at = source.first_seen_at
        into.first_seen_site = source.first_seen_site
    if into.birth_year is None:
        into.birth_year = source.birth_year
    if into.gender == Gender.UNKNOWN:
        into.gender = source.gender
    into.version += 1
    into.save(update_fields=["first_seen_at", "first_seen_site", "birth_year", "gender", "version"])
    Participant.objects.filter(pk=source.pk).update(
        merged_into=into, merged_at=timezone.now(), version=source.version + 1
    )
    for touched_site in Site.objects.filter(pk__in=touched):
        request_recompute(site=touched_site, moments=touched[touched_site.pk])
    request_recompute_of_moved_first_visits(before=first_before)
    audit_record(
        actor=by,
        action=AuditEvent.Action.MERGE,
        obj=source,
        site=site,
        changes={"merged_into": [None, str(into.pk)], "moved": moved},
        reason=reason,
    )
    return into
