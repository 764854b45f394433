from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from vigil.accounts.models import User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.errors import Conflict, field_error
from vigil.participants.codes import code_digest
from vigil.participants.models import Gender, Participant, ParticipantSite
from vigil.records.kit import UNSET, edit, save_at_version
from vigil.records.recompute import request_recompute
from vigil.records.rules import refuse_stale_unless_resent
from vigil.sites.models import Site
from vigil.visits.first_visits import first_visits, request_recompute_of_moved_first_visits


def _follow_merges(participant: Participant) -> Participant:
    while participant.merged_into_id is not None:
        participant = Participant.objects.get(pk=participant.merged_into_id)
    return participant


def participant_resolve(*, site: Site, code: str, at: datetime, by: User) -> Participant:
    """The participant a visit code stands for at `site`, created on first sight.

    Safe under concurrency: two tablets creating the same code at once end with one row.
    """
    digest = code_digest(code)
    participant, created = Participant.objects.get_or_create(
        code_digest=digest, defaults={"first_seen_site": site, "first_seen_at": at}
    )
    if created:
        audit_record(actor=by, action=AuditEvent.Action.CREATE, obj=participant, site=site)
    participant = _follow_merges(participant)
    if participant.first_seen_at is None or at < participant.first_seen_at:
        Participant.objects.filter(pk=participant.pk).update(first_seen_site=site, first_seen_at=at)
    seen, seen_created = ParticipantSite.objects.get_or_create(
        participant=participant, site=site, defaults={"first_seen_at": at}
    )
    if not seen_created and at < seen.first_seen_at:
        ParticipantSite.objects.filter(pk=seen.pk).update(first_seen_at=at)
    return participant


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
    return participant


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
