"""Rules every floor record follows: replayable creates, record times, versions, who may edit."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from rest_framework import status
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from vigil.accounts.access import SUPERVISORS
from vigil.accounts.models import Role
from vigil.core.errors import ApplicationError, Conflict, ReplayConflict, StaleVersion, field_error
from vigil.core.serializers import shown_by

FUTURE_TOLERANCE = timedelta(minutes=5)
# No record of a site predates this: an earlier time is a typing error (year 0001, 1926...).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


# The words naming a record in messages ("Someone changed this incident…"): the `noun` the
# record types pass to the kit, marked here for the catalogues.
RECORD_NOUNS = (
    gettext_noop("record"),
    gettext_noop("action"),
    gettext_noop("alert"),
    gettext_noop("complaint"),
    gettext_noop("incident"),
    gettext_noop("person's details"),
    gettext_noop("referral"),
    gettext_noop("restriction"),
    gettext_noop("service"),
    gettext_noop("turn-away"),
    gettext_noop("visit"),
    gettext_noop("waiting-list entry"),
)


def noun_words(noun: str) -> str:
    """A record's noun in the request's language (one of RECORD_NOUNS)."""
    return gettext(noun)


def stale_message(noun: str) -> str:
    """The 412 of an edit made on an older version of the record."""
    return gettext("Someone changed this %(record)s since you opened it. Reload it.") % {
        "record": noun_words(noun)
    }


def fingerprint(payload: dict[str, Any]) -> str:
    """A stable digest of a create request, to recognise a resend of the same content.

    The payload must already hold no visit code (callers pass the participant id instead).
    """
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def backdate_limit() -> timedelta:
    return timedelta(hours=settings.VIGIL_BACKDATE_HOURS)


def check_record_time(*, at: datetime, role: Role, field: str, now: datetime | None = None) -> bool:
    """Refuse a time in the future; say whether it is backdated (allowed to supervisors only).

    1. Before 2000, or more than 5 minutes ahead of the server clock: refused (400).
    2. More than VIGIL_BACKDATE_HOURS (12) in the past: backdated; staff are refused (403).
    Returns True when the time is backdated.
    """
    now = now or timezone.now()
    if at < EARLIEST:
        raise field_error(field, gettext("This time is before 2000. Check the date."))
    if at > now + FUTURE_TOLERANCE:
        raise field_error(field, gettext("This time is in the future. Check the tablet's clock."))
    backdated = at < now - backdate_limit()
    if backdated and role not in SUPERVISORS:
        hours = settings.VIGIL_BACKDATE_HOURS
        raise ApplicationError(
            gettext("Only a supervisor can enter a record more than %(hours)s hours old.")
            % {"hours": hours},
            fields={
                field: [
                    gettext("More than %(hours)s hours ago: ask a supervisor to enter it.")
                    % {"hours": hours}
                ]
            },
            status_code=status.HTTP_403_FORBIDDEN,
        )
    return backdated


def require_version(data: dict[str, Any]) -> int:
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise field_error(
            "version", gettext("Send the version you read, to avoid overwriting a newer edit.")
        )
    return version


def comparable(value: Any) -> Any:
    """A value in the form a record's snapshot holds it: times as UTC ISO 8601, records and
    ids as id strings, lists as sorted sets (the order of choices never matters)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {str(key): comparable(inner) for key, inner in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return sorted({comparable(item) for item in value})
    return value


def refuse_stale_unless_resent(
    *, sent: Mapping[str, Any], unset: object, stored: Mapping[str, Any], noun: str
) -> None:
    """An edit named a stale version: 412, unless it is a resend of an edit already applied,
    which the caller answers with the stored record, writing nothing (no new version, no
    audit event).

    A tablet's outbox sends a PATCH again when the answer to the first copy was lost; by then
    the first copy has moved the record on, so the resend names a stale version.

    1. `sent` holds each field of the edit, keyed as in the record's snapshot `stored`; a
       field left as `unset` is not part of the edit.
    2. Every field the edit sets already holds the value it sends (compared in `comparable`
       form): a resend. Applying it would change nothing, so nothing newer is overwritten.
    3. Any other value, or an edit that sets no field at all: 412.
    """
    fields = {name: value for name, value in sent.items() if value is not unset}
    if fields and all(
        name in stored and comparable(stored[name]) == comparable(value)
        for name, value in fields.items()
    ):
        return
    raise StaleVersion(stale_message(noun))


def check_can_edit(
    *, created_by_id: Any, received_at: datetime, by: Any, role: Role, reason: str
) -> None:
    """Staff edit what they logged in the last 12 h; supervisors edit anything, with a reason.

    A supervisor's own recent record needs no reason.
    """
    own_recent = created_by_id == by.pk and received_at >= timezone.now() - backdate_limit()
    if role in SUPERVISORS:
        if not own_recent and not reason.strip():
            raise field_error(
                "reason", gettext("Say why you are changing someone else's or an older record.")
            )
        return
    if not own_recent:
        raise ApplicationError(
            gettext(
                "Only a supervisor can change a record logged by someone else or more than "
                "%(hours)s hours ago."
            )
            % {"hours": settings.VIGIL_BACKDATE_HOURS},
            status_code=status.HTTP_403_FORBIDDEN,
        )


def create_answer(
    shown: type[Serializer[Any]],
    write: Callable[[], tuple[Any, bool]],
    *,
    resent: Callable[[Any], Any] | None = None,
    conflicts: Callable[[type[Serializer[Any]]], AbstractContextManager[None]] | None = None,
) -> Response:
    """The answer of a create API (its service is `write`, returning (record, created)):
    201 with the record as written; 200 for a resend of the same content, with the stored record
    (`resent` reads it again as the API shows it, when the service's is not enough); a resend
    with other content, 409 carrying the stored record (`conflicts`: the record type's own
    refusals that carry it too, `replay_conflicts_show` by default)."""
    with (conflicts or replay_conflicts_show)(shown):
        record, created = write()
    if not created and resent is not None:
        record = resent(record)
    return Response(
        shown_by(shown, record), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
    )


@contextmanager
def replay_conflicts_show(serializer_class: type[Serializer[Any]]) -> Iterator[None]:
    """Turn a conflicting resend into a 409 that carries the stored record."""
    try:
        yield
    except ReplayConflict as exc:
        raise Conflict(
            exc.detail, extra={"current": shown_by(serializer_class, exc.record)}
        ) from exc
