"""The record-write kit: what every create, edit and void of a record does the same way.

A new record type's service, on the kit (see `vigil.alerts.services` for a small one):

    def thing_create(*, request: NewThing, by: User, role: Role) -> tuple[Thing, bool]:
        content_print = fingerprint({"site": request.site.pk, "what": request.what})

        def insert() -> Thing:  # checks, writes, audits; one transaction
            at = request.at or timezone.now()
            backdated = check_record_time(at=at, role=role, field="at")
            thing = Thing(id=request.id or uuid.uuid4(), site=request.site, at=at,
                backdated=backdated, created_by=by, create_fingerprint=content_print)
            # The record and its audit event in one statement (PostgreSQL).
            audit_created(thing, by=by, site=request.site, snapshot=thing_snapshot(thing),
                          rows=[[thing]])
            request_recompute(site=request.site, moments=[at])
            return thing

        return create_record(Thing, pk=request.id, owner=request.site,
                             content_print=content_print, insert=insert, noun="thing")

    def thing_update(*, thing: Thing, by: User, role: Role, version: int, reason: str = "",
                     what: str = UNSET) -> Thing:
        if not edit_applies(thing, by=by, role=role, reason=reason, version=version,
                            noun="thing", sent=lambda: {"what": what}, stored=thing_snapshot):
            return thing  # a resend of an edit already applied
        with edit(thing, by=by, site=thing.site, snapshot=thing_snapshot, reason=reason) as change:
            save_at_version(thing, version=version, noun="thing",
                            **({} if what is UNSET else {"what": what}))
            thing.refresh_from_db()
            change.recompute(thing.at)
        return thing

Voiding is `vigil.records.voiding.void_record`; reading one record for a user is
`vigil.records.selectors.record_for_user`; the PATCH body's serializer derives from
`vigil.records.serializers.EditInput`; the API class from `AuthenticatedApi`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar, cast

from django.db import IntegrityError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.models import Role, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_event, audit_events, audit_record, changes_between
from vigil.core.bulk import insert_together
from vigil.core.errors import ApplicationError, Conflict, ReplayConflict, StaleVersion
from vigil.records.models import VersionedRecord, VoidableRecord
from vigil.records.recompute import request_recompute
from vigil.records.rules import (
    check_can_edit,
    noun_words,
    refuse_stale_unless_resent,
    stale_message,
)
from vigil.sites.models import Site

# A keyword argument an edit leaves out (None is a value an edit may set).
UNSET: Any = object()

R = TypeVar("R", bound=models.Model)

Snapshot = Callable[[Any], Mapping[str, Any]]


class _Printed(Protocol):
    """A record created from a client's request keeps the digest of that request."""

    create_fingerprint: str


# --- Replay: a create sent again ------------------------------------------------------------


def check_replay(stored: R, *, same_owner: bool, content_print: str, noun: str = "record") -> R:
    """A create resent with a stored id: the stored record if it carries the same content.

    1. The id belongs to another site's (or incident's) record: 409, showing nothing of it.
    2. Other content under the same id: 409 carrying the stored record (ReplayConflict).
    3. Same content: the stored record, answered as it is now; nothing is written.
    """
    if not same_owner:
        raise Conflict(gettext("This record id is already in use."))
    if cast(_Printed, stored).create_fingerprint != content_print:
        raise ReplayConflict(
            gettext("This %(record)s was already sent with other content.")
            % {"record": noun_words(noun)},
            record=stored,
        )
    return stored


def stored_replay(
    records: type[R] | models.QuerySet[R],
    *,
    pk: Any,
    owner: Any,
    content_print: str,
    noun: str = "record",
    owner_field: str = "site_id",
) -> R | None:
    """The stored record a resend names (see `check_replay`); None if the id is new.

    `owner` is the site (or the incident of a timeline action) the resend is sent to.
    """
    if pk is None:
        return None
    found = records._default_manager.all() if isinstance(records, type) else records
    stored = found.filter(pk=pk).first()
    if stored is None:
        return None
    return check_replay(
        stored,
        same_owner=getattr(stored, owner_field) == owner.pk,
        content_print=content_print,
        noun=noun,
    )


def create_record(
    records: type[R] | models.QuerySet[R],
    *,
    pk: Any,
    owner: Any,
    content_print: str,
    insert: Callable[[], R],
    noun: str = "record",
    owner_field: str = "site_id",
) -> tuple[R, bool]:
    """Create a record, or answer a resend of it. Returns (record, created).

    `insert` checks the content and writes the record, its rows and its audit event, in one
    transaction. No read precedes it: a resend is recognised when it fails.
    1. It succeeds: (record, True).
    2. It fails (a rule refuses the content, or the id is taken) and `pk` names a stored record
       of this owner with the same content: (stored record, False), whatever the rules say now
       (its time has since passed the backdating limit, its booth was retired...).
    3. Same id, other content: 409 carrying the stored record; another owner's id: 409.
    4. Otherwise the failure stands (the caller may explain an IntegrityError).
    """
    try:
        with transaction.atomic():
            return insert(), True
    except (IntegrityError, ApplicationError):
        stored = stored_replay(
            records,
            pk=pk,
            owner=owner,
            content_print=content_print,
            noun=noun,
            owner_field=owner_field,
        )
        if stored is None:
            raise
        return stored, False


def audit_created(
    record: models.Model,
    *,
    by: User,
    site: Site | None,
    snapshot: Mapping[str, Any],
    reason: str = "",
    also: Sequence[models.Model] = (),
    rows: Sequence[Sequence[models.Model]] = (),
) -> None:
    """The audit event of a new record: every field of its snapshot, from nothing; first, in
    the same insert, the creation of the rows `also` names (a participant on first sight).

    `rows`: the record's own rows not yet inserted (the record, then its child rows, a group a
    table), written in the same statement as its audit events (`insert_together`): a record
    and its audit reach the database in one round trip."""
    created = [
        audit_event(actor=by, action=AuditEvent.Action.CREATE, obj=row, site=site) for row in also
    ]
    record_event = audit_event(
        actor=by,
        action=AuditEvent.Action.CREATE,
        obj=record,
        site=site,
        changes=changes_between({}, dict(snapshot)),
        reason=reason,
    )
    audit_events([*created, record_event], with_rows=rows)


# --- The answer of a write: built from what it wrote, never read back ---------------------------


def keep_written(record: models.Model, **related: Any) -> None:
    """Keep the rows a write has just made as the record's related rows, as a read would leave
    them (`prefetch_related` for a many side, the cache of a one-to-one), so that its snapshot
    and its answer are built from them without reading them back.

    `related` maps a relation's name to its rows (a list; ordered as the answer shows them),
    or to the one row (None: there is none) of a reverse one-to-one.
    """
    descriptors = type(record)
    cache: dict[str, Any] = record.__dict__.setdefault("_prefetched_objects_cache", {})
    for name, rows in related.items():
        descriptor = getattr(descriptors, name)
        if isinstance(rows, list):
            rows_qs = getattr(record, name).get_queryset()
            rows_qs._result_cache = rows
            rows_qs._prefetch_done = True
            cache[name] = rows_qs
        else:
            descriptor.related.set_cached_value(record, rows)


def choice_rows(record: models.Model, **choices: tuple[str, Sequence[str]]) -> list[list[Any]]:
    """A record's rows of chosen values (a visit's substances, an incident's signs), not yet
    inserted: for each relation named, `(field, values)`, one row of its model a distinct value
    (sorted), kept as the record's rows (`keep_written`). Insert them with the record's audit
    event (`audit_created(rows=…)`)."""
    groups: dict[str, list[Any]] = {}
    for relation, (field_name, values) in choices.items():
        descriptor = getattr(type(record), relation)
        model, owner = descriptor.rel.related_model, descriptor.field.name
        groups[relation] = [model(**{owner: record, field_name: v}) for v in sorted(set(values))]
    keep_written(record, **groups)
    return list(groups.values())


def replace_choice_rows(record: models.Model, **choices: tuple[str, Sequence[str]]) -> None:
    """Replace a stored record's rows of chosen values (see `choice_rows`)."""
    for relation in choices:
        descriptor = getattr(type(record), relation)
        descriptor.rel.related_model._default_manager.filter(
            **{descriptor.field.name: record}
        ).delete()
    insert_together(*choice_rows(record, **choices))


# --- One statement instead of a read and a write (INSERT … ON CONFLICT … RETURNING) -------------


def as_read(field: models.Field[Any, Any], value: Any) -> Any:
    """A value a raw statement returned for `field`'s column, as the ORM would read it (a raw
    cursor skips the converters: SQLite returns text for a UUID, a date or a time)."""
    col = field.get_col(field.model._meta.db_table)
    for convert in connection.ops.get_db_converters(col) + col.get_db_converters(connection):
        value = convert(value, col, connection)
    return value


def row_as_record(model: type[R], row: Sequence[Any]) -> R:
    """A row of every concrete column of `model` (in `_meta.concrete_fields` order), returned by
    a raw statement, as the instance a read would give."""
    fields = model._meta.concrete_fields
    return model.from_db(
        connection.alias,
        [f.attname for f in fields],
        [as_read(f, value) for f, value in zip(fields, row, strict=True)],
    )


# --- Edits: conditional on the version read ---------------------------------------------------


def save_at_version(
    record: models.Model,
    *,
    version: int,
    noun: str = "record",
    stale: str = "",
    when: Q | None = None,
    **values: Any,
) -> None:
    """Write `values` if the record is still at `version` (and matches `when`): version + 1.

    Otherwise 412 (saying someone changed this `noun`, or `stale`), never a silent overwrite.
    The instance is not refreshed: the caller reads back what it needs.
    """
    if isinstance(record, VersionedRecord):
        values.setdefault("updated_at", timezone.now())
    updated = (
        type(record)
        ._default_manager.filter(when or Q(), pk=record.pk, version=version)
        .update(**values, version=version + 1)
    )
    if updated != 1:
        raise StaleVersion(stale or stale_message(noun))


def edit_applies(
    record: VoidableRecord,
    *,
    by: User,
    role: Role,
    reason: str,
    version: int,
    noun: str,
    sent: Callable[[], Mapping[str, Any]],
    stored: Snapshot,
) -> bool:
    """Whether an edit of a floor record is to be applied; False: it is a resend of an edit
    already applied, answered with the stored record (nothing written).

    1. Staff edit what they logged in the last 12 h; supervisors anything, with a reason.
    2. A voided record is not edited (409).
    3. A stale version: 412, unless every field `sent()` names already holds the value sent
       (see `refuse_stale_unless_resent`; `stored` is the record's snapshot).
    """
    check_can_edit(
        created_by_id=record.created_by_id,
        received_at=record.received_at,
        by=by,
        role=role,
        reason=reason,
    )
    if record.voided:
        raise Conflict(
            gettext("This %(record)s was voided; it cannot be edited.")
            % {"record": noun_words(noun)}
        )
    if version != record.version:
        refuse_stale_unless_resent(sent=sent(), unset=UNSET, stored=stored(record), noun=noun)
        return False
    return True


class _Unchanged(Exception):
    """An edit that changed nothing: its writes are rolled back."""


@dataclass
class Edit(Generic[R]):
    """What `edit` gives the service inside the block."""

    record: R
    before: Mapping[str, Any]
    moments: list[datetime | None] = field(default_factory=list)

    def recompute(self, *moments: datetime | None) -> None:
        """Recompute the reports of the site-days these times fall on, once the edit commits."""
        self.moments.extend(moments)


@contextmanager
def edit(
    record: R,
    *,
    by: User,
    site: Site | None,
    snapshot: Snapshot,
    reason: str = "",
    action: AuditEvent.Action = AuditEvent.Action.UPDATE,
    before: Mapping[str, Any] | None = None,
) -> Iterator[Edit[R]]:
    """One audited edit of `record`, in one transaction.

    The service writes inside the block (`save_at_version`, its rows...) and leaves the
    instance as stored. On leaving the block:
    1. The change is the difference between the snapshots before and after.
    2. Nothing changed: every write of the block is rolled back and the record read back as it
       was: no new version, no audit event, no recompute (a PATCH that changes nothing).
    3. Otherwise one audit event with the change and the reason, and a recompute of the
       site-days the edit named (`Edit.recompute`).
    `before` is the snapshot already read, if the service read it to check the edit.
    """
    change = Edit(record, dict(snapshot(record) if before is None else before))
    try:
        with transaction.atomic():
            yield change
            changes = changes_between(dict(change.before), dict(snapshot(record)))
            if not changes:
                raise _Unchanged
            audit_record(
                actor=by, action=action, obj=record, site=site, changes=changes, reason=reason
            )
            if site is not None:
                request_recompute(site=site, moments=change.moments)
    except _Unchanged:
        record.refresh_from_db()
