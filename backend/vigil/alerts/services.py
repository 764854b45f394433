"""Writes of alerts: post a notice, edit it, end it early. Each is one transaction with its
audit."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from vigil.accounts.models import User
from vigil.alerts.models import Alert
from vigil.alerts.suggestions import suggestion_of
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.errors import Conflict, StaleVersion, field_error
from vigil.records.kit import UNSET, audit_created, create_record, edit, save_at_version
from vigil.records.rules import fingerprint, refuse_stale_unless_resent
from vigil.sites.models import Site

ENDED = gettext_noop("This alert has ended. Post a new one instead.")

# A drug alert can stay up for weeks; past this it is a standing instruction, not an alert.
ALERT_MAX_DAYS = 90


def alert_snapshot(alert: Alert) -> dict[str, str | None]:
    return {
        "message": alert.message,
        "level": alert.level,
        "expires_at": alert.expires_at.isoformat(),
        "ended_at": alert.ended_at.isoformat() if alert.ended_at else None,
        "source": alert.source,
        "network": str(alert.network) if alert.network else None,
    }


def _check_expiry(expires_at: datetime, *, now: datetime) -> None:
    if expires_at <= now:
        raise field_error("expires_at", gettext("The expiry is already past. Choose a later time."))
    if expires_at > now + timedelta(days=ALERT_MAX_DAYS):
        raise field_error(
            "expires_at",
            gettext("An alert lasts at most %(days)s days.") % {"days": ALERT_MAX_DAYS},
        )


@dataclass(frozen=True)
class AlertPost:
    site: Site
    message: str
    level: str
    expires_at: datetime
    id: uuid.UUID | None = None
    # A network alert: the same notice on these other sites' tablets too.
    other_sites: Sequence[Site] = ()
    # Posted from this suggestion (see alerts.suggestions): the alert keeps its source.
    suggestion: uuid.UUID | None = None


def _network_print(request: AlertPost, sites: Sequence[Site]) -> dict[str, Any]:
    """The network and the suggestion of a post, only when set (older digests stay valid)."""
    extra: dict[str, Any] = {}
    if len(sites) > 1:
        extra["sites"] = sorted(str(site.pk) for site in sites)
    if request.suggestion is not None:
        extra["suggestion"] = str(request.suggestion)
    return extra


def _source_of(site: Site, suggestion: uuid.UUID | None) -> dict[str, Any]:
    """What an alert posted from a suggestion keeps of it: its source, key and evidence."""
    if suggestion is None:
        return {}
    suggested = suggestion_of(site=site, suggestion_id=suggestion)
    if suggested is None:
        raise field_error(
            "suggestion", gettext("This suggestion was already posted, or is no longer open.")
        )
    return {
        "source": suggested.source,
        "suggestion": suggested.id,
        "suggestion_key": suggested.key,
        "evidence": suggested.evidence,
    }


def alert_post(*, request: AlertPost, by: User) -> tuple[Alert, bool]:
    """Post a notice on every tablet of a site (and of `other_sites`: a network alert, one
    copy per site sharing a network id) until `expires_at`. Returns (the site's alert,
    created); a resend of the same id and content returns the stored alert.

    Posted from a suggestion still open, the alert keeps its source and evidence (and the
    suggestion closes); a suggestion already posted or gone answers 400.
    """
    site = request.site
    sites = [site, *{s.pk: s for s in request.other_sites if s.pk != site.pk}.values()]
    message = request.message.strip()
    content_print = fingerprint(
        {
            "site": site.pk,
            "message": message,
            "level": request.level,
            "expires_at": request.expires_at.isoformat(),
            **_network_print(request, sites),
        }
    )
    alert_id = request.id or uuid.uuid4()
    network = alert_id if len(sites) > 1 else None

    def insert() -> Alert:
        if not message:
            raise field_error("message", gettext("Write the notice."))
        _check_expiry(request.expires_at, now=timezone.now())
        source = _source_of(site, request.suggestion)
        copies = []
        for where in sites:
            copy = Alert(
                id=alert_id if where is site else uuid.uuid5(alert_id, where.slug),
                site=where,
                message=message,
                level=request.level,
                expires_at=request.expires_at,
                network=network,
                created_by=by,
                create_fingerprint=content_print,
                **source,
            )
            audit_created(copy, by=by, site=where, snapshot=alert_snapshot(copy), rows=[[copy]])
            copies.append(copy)
        return copies[0]

    return create_record(
        Alert, pk=request.id, owner=site, content_print=content_print, insert=insert, noun="alert"
    )


def alert_update(
    *,
    alert: Alert,
    by: User,
    version: int,
    message: str = UNSET,
    level: str = UNSET,
    expires_at: datetime = UNSET,
) -> Alert:
    """Correct a notice still shown on the tablets: its words, level or expiry.

    1. Refuse an alert that has ended or expired (409): it is off the tablets, and its record
       stays as it was shown.
    2. Check the new values: a message, an expiry in the future and within the limit.
    3. Write only if the version read is still the stored one (412 otherwise), and audit it.
    """
    now = timezone.now()
    if alert.ended_at is not None or alert.expires_at <= now:
        raise Conflict(gettext(ENDED))
    if version != alert.version:
        # A resend of an edit already applied answers the stored alert, writing nothing.
        refuse_stale_unless_resent(
            sent={"message": message, "level": level, "expires_at": expires_at},
            unset=UNSET,
            stored={"message": alert.message, "level": alert.level, "expires_at": alert.expires_at},
            noun="alert",
        )
        return alert
    values: dict[str, Any] = {}
    if message is not UNSET:
        values["message"] = message.strip()
        if not values["message"]:
            raise field_error("message", gettext("Write the notice."))
    if level is not UNSET:
        values["level"] = level
    if expires_at is not UNSET:
        _check_expiry(expires_at, now=now)
        values["expires_at"] = expires_at
    with edit(alert, by=by, site=alert.site, snapshot=alert_snapshot):
        try:
            save_at_version(
                alert,
                version=version,
                noun="alert",
                when=Q(ended_at=None, expires_at__gt=now),
                **values,
            )
        except StaleVersion:
            alert.refresh_from_db()
            if alert.ended_at is not None or alert.expires_at <= now:
                raise Conflict(gettext(ENDED)) from None
            raise
        alert.refresh_from_db()
    return alert


@transaction.atomic
def alert_expire(*, alert: Alert, by: User) -> Alert:
    """End an alert now. An alert already ended or past its expiry answers as it is."""
    now = timezone.now()
    ended = Alert.objects.filter(pk=alert.pk, ended_at=None, expires_at__gt=now).update(
        ended_at=now, ended_by=by, version=F("version") + 1
    )
    alert.refresh_from_db()
    if ended:
        audit_record(
            actor=by,
            action=AuditEvent.Action.UPDATE,
            obj=alert,
            site=alert.site,
            changes={"ended_at": [None, now.isoformat()]},
        )
    return alert
