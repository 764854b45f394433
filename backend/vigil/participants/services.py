from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from django.db import IntegrityError, connection, models, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.models import User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_created_rows, audit_record
from vigil.core.bulk import insert_rows
from vigil.core.errors import Conflict, field_error
from vigil.participants.codes import code_digest
from vigil.participants.models import Gender, Participant, ParticipantSite
from vigil.records.kit import UNSET, as_read, edit, row_as_record, save_at_version
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
    # What the caller asked to read with the upsert (`participant_sight(also=...)`), each the
    # first value of its query (raw, as the database returns it), None when it found nothing;
    # absent when it could not be read with it (a merged code: the caller reads it itself).
    also: Mapping[str, Any] = field(default_factory=dict)


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


def _sight_upsert(
    *, site: Site, digest: str, at: datetime, also: Mapping[str, models.QuerySet[Any]]
) -> tuple[Participant, bool, Any, dict[str, Any]]:
    """The participant of `digest`, inserted or, when known, its first sighting moved to `at`
    if earlier (unless merged), in one statement; with when it was first seen at `site` and
    where and when its first live visit was (read in the same statement, before it).

    Returns (participant, created, (seen here at, first visit at, first visit site id), the
    first value of each `also` query).
    """
    meta = Participant._meta
    table = connection.ops.quote_name(meta.db_table)
    fields = meta.concrete_fields
    new_id = uuid.uuid4()
    values = {
        "id": new_id,
        "code_digest": digest,
        "birth_year": None,
        "gender": Gender.UNKNOWN,
        "first_seen_site": site.pk,
        "first_seen_at": at,
        "merged_into": None,
        "merged_at": None,
        "version": 1,
        "created_at": timezone.now(),
    }
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    older = (
        f"{table}.merged_into_id IS NULL AND ({table}.first_seen_at IS NULL "
        f"OR excluded.first_seen_at < {table}.first_seen_at)"
    )
    seen = connection.ops.quote_name(ParticipantSite._meta.db_table)
    visits = connection.ops.quote_name(Visit._meta.db_table)
    first_visit = (
        f"FROM {visits} v WHERE v.participant_id = {table}.id AND v.voided = %s "
        "ORDER BY v.checked_in_at, v.id LIMIT 1"
    )
    live = Visit._meta.get_field("voided").get_db_prep_save(False, connection)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))}) "  # noqa: S608
        f"ON CONFLICT (code_digest) DO UPDATE SET "
        f"first_seen_site_id = CASE WHEN {older} THEN excluded.first_seen_site_id "
        f"ELSE {table}.first_seen_site_id END, "
        f"first_seen_at = CASE WHEN {older} THEN excluded.first_seen_at "
        f"ELSE {table}.first_seen_at END "
        f"RETURNING {', '.join(f'{table}.{connection.ops.quote_name(f.column)}' for f in fields)}, "
        f"(SELECT s.first_seen_at FROM {seen} s WHERE s.participant_id = {table}.id "
        f"AND s.site_id = %s), "
        f"(SELECT v.checked_in_at {first_visit}), (SELECT v.site_id {first_visit})"
    )
    site_param = Site._meta.pk.get_db_prep_value(site.pk, connection)
    extra_params: list[Any] = []
    for query in also.values():
        extra_sql, extra = query[:1].query.sql_with_params()
        sql += f", ({extra_sql})"
        extra_params += extra
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, site_param, live, live, *extra_params])
        row = cursor.fetchone()
    count = len(fields)
    participant = row_as_record(Participant, row[:count])
    seen_here_at, visit_at, visit_site = row[count : count + 3]
    extra = (
        as_read(ParticipantSite._meta.get_field("first_seen_at"), seen_here_at),
        as_read(Visit._meta.get_field("checked_in_at"), visit_at),
        as_read(Visit._meta.get_field("site"), visit_site),
    )
    read = dict(zip(also, row[count + 3 :], strict=True))
    return participant, participant.pk == new_id, extra, read


def participant_sight(
    *, site: Site, code: str, at: datetime, also: Mapping[str, models.QuerySet[Any]] | None = None
) -> Sighting:
    """The participant a visit code stands for at `site`, created on first sight, with what a
    new record of theirs changes: one upsert (INSERT … ON CONFLICT … RETURNING) for the
    participant, its first sighting and its first visit; one insert more when the code is new
    here. A merged code's participant is followed to the one it was merged into.

    `also`: queries about the code's participant (filtered by `participant__code_digest`, the
    digest of `code`) whose first value is read in the same statement (`Sighting.also`).

    Safe under concurrency: two tablets creating the same code at once end with one row.
    """
    digest = code_digest(code)
    participant, created, (seen_here_at, visit_at, visit_site), read = _sight_upsert(
        site=site, digest=digest, at=at, also=also or {}
    )
    if created:
        ParticipantSite.objects.create(participant=participant, site=site, first_seen_at=at)
        return Sighting(participant=participant, created=True, first_visit=None, also=read)
    if participant.merged_into_id is not None:
        return _sight_merged(participant, site=site, at=at)
    _seen_here(participant, site=site, at=at, seen_here_at=seen_here_at)
    first_visit = (visit_site, visit_at) if visit_at else None
    return Sighting(participant=participant, created=False, first_visit=first_visit, also=read)


def _seen_here(participant: Participant, *, site: Site, at: datetime, seen_here_at: Any) -> None:
    """Keep when the participant was first seen at `site`."""
    if seen_here_at is None:
        ParticipantSite.objects.bulk_create(
            [ParticipantSite(participant=participant, site=site, first_seen_at=at)],
            ignore_conflicts=True,  # another record of theirs at this site at this moment
        )
    elif at < seen_here_at:
        ParticipantSite.objects.filter(participant=participant, site=site).update(first_seen_at=at)


def _sight_merged(merged: Participant, *, site: Site, at: datetime) -> Sighting:
    """A code whose participant was merged into another: that one's sighting."""
    found: Any = merged
    while found.merged_into_id is not None:
        found = _with_sightings(Participant.objects.filter(pk=found.merged_into_id), site).get()
    if found.first_seen_at is None or at < found.first_seen_at:
        Participant.objects.filter(pk=found.pk).update(first_seen_site=site, first_seen_at=at)
    _seen_here(found, site=site, at=at, seen_here_at=found.seen_here_at)
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
) -> dict[str, Any]:
    """`participant_resolve` for many code digests at once (an import's chunk of rows), with
    the same bookkeeping in a fixed number of set-based statements: each digest's participant
    id, the participant created on first sight (audited), merges followed, and the first
    sightings moved earlier when `first_seen` (each digest's earliest time) is earlier.
    """
    if not first_seen:
        return {}
    found = Participant.objects.filter(code_digest__any_of=list(first_seen)).values_list(
        "code_digest", "pk"
    )
    known: dict[str, Any] = dict(found)
    new = {digest: uuid.uuid4() for digest in first_seen if digest not in known}
    if new:
        insert_rows(
            Participant,
            [
                {
                    "id": pk,
                    "code_digest": digest,
                    "first_seen_site_id": site.pk,
                    "first_seen_at": first_seen[digest],
                }
                for digest, pk in new.items()
            ],
            skip_conflicts_on=["code_digest"],  # another tablet created it at this moment
        )
        known.update(dict(found.filter(code_digest__any_of=list(new))))
        audit_created_rows(
            actor=by,
            model=Participant,
            changes_by_id=[(pk, {}) for digest, pk in new.items() if known[digest] == pk],
            site=site,
            reason=reason,
        )
    resolved = _follow_merges_of(known)
    earliest: dict[Any, datetime] = {}
    for digest, at in first_seen.items():
        pk = resolved[digest]
        earliest[pk] = min(at, earliest.get(pk, at))
    stored = Participant.objects.filter(pk__any_of=list(earliest)).values_list(
        "pk", "first_seen_at"
    )
    Participant.objects.bulk_update(
        [
            Participant(pk=pk, first_seen_site=site, first_seen_at=earliest[pk])
            for pk, at in stored
            if at is None or earliest[pk] < at
        ],
        ["first_seen_site", "first_seen_at"],
    )
    here = ParticipantSite.objects.filter(site=site, participant_id__any_of=list(earliest))
    seen = {
        pk: (link, at) for link, pk, at in here.values_list("pk", "participant_id", "first_seen_at")
    }
    insert_rows(
        ParticipantSite,
        [
            {"participant_id": pk, "site_id": site.pk, "first_seen_at": at}
            for pk, at in earliest.items()
            if pk not in seen
        ],
        skip_conflicts_on=["participant", "site"],
    )
    ParticipantSite.objects.bulk_update(
        [
            ParticipantSite(pk=link, first_seen_at=earliest[pk])
            for pk, (link, at) in seen.items()
            if earliest[pk] < at
        ],
        ["first_seen_at"],
    )
    return resolved


def _follow_merges_of(ids: Mapping[str, Any]) -> dict[str, Any]:
    """Each digest's participant id after following merges (one query per step of a chain)."""
    resolved = dict(ids)
    merged: dict[Any, Any] = {}
    pending = set(resolved.values())
    while pending:
        step = dict(
            Participant.objects.filter(
                pk__any_of=list(pending), merged_into__isnull=False
            ).values_list("pk", "merged_into_id")
        )
        merged.update(step)
        pending = set(step.values()) - set(merged)
    for digest, pk in resolved.items():
        while pk in merged:
            pk = merged[pk]
        resolved[digest] = pk
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
            stale=gettext("Someone changed this person's details since you opened them."),
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
        raise field_error("into", gettext("Choose another participant."))
    if not reason.strip():
        raise field_error("reason", gettext("Say why these are one person."))
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
            gettext("Both have an open visit at the same site. Check one of them out first.")
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
