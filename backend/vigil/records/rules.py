"""Rules every floor record follows: replayable creates, record times, versions, who may edit."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import status
from rest_framework.serializers import Serializer

from vigil.accounts.access import SUPERVISORS
from vigil.accounts.models import Role
from vigil.core.errors import ApplicationError, Conflict, ReplayConflict, StaleVersion, field_error

FUTURE_TOLERANCE = timedelta(minutes=5)
# No record of a site predates this: an earlier time is a typing error (year 0001, 1926...).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


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
        raise field_error(field, "This time is before 2000. Check the date.")
    if at > now + FUTURE_TOLERANCE:
        raise field_error(field, "This time is in the future. Check the tablet's clock.")
    backdated = at < now - backdate_limit()
    if backdated and role not in SUPERVISORS:
        hours = settings.VIGIL_BACKDATE_HOURS
        raise ApplicationError(
            f"Only a supervisor can enter a record more than {hours} hours old.",
            fields={field: [f"More than {hours} hours ago: ask a supervisor to enter it."]},
            status_code=status.HTTP_403_FORBIDDEN,
        )
    return backdated


def require_version(data: dict[str, Any]) -> int:
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise field_error(
            "version", "Send the version you read, to avoid overwriting a newer edit."
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
    raise StaleVersion(f"Someone changed this {noun} since you opened it. Reload it.")


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


@contextmanager
def replay_conflicts_show(serializer_class: type[Serializer[Any]]) -> Iterator[None]:
    """Turn a conflicting resend into a 409 that carries the stored record."""
    try:
        yield
    except ReplayConflict as exc:
        raise Conflict(exc.detail, extra={"current": serializer_class(exc.record).data}) from exc
