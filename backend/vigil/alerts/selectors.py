from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from vigil.accounts.models import Role, User
from vigil.alerts.models import Alert
from vigil.records.selectors import RecordRead, record_for_user
from vigil.sites.models import Site


def active_q(now: datetime | None = None) -> Q:
    return Q(ended_at=None, expires_at__gt=now or timezone.now())


def alerts_of_site(*, site: Site, active_only: bool = False) -> QuerySet[Alert]:
    """A site's alerts, newest first; `active_only` keeps those shown on the tablets now."""
    alerts = Alert.objects.select_related("site", "created_by").filter(site=site)
    if active_only:
        alerts = alerts.filter(active_q())
    return alerts.order_by("-created_at", "id")


def alerts_on_floor(*, site: Site) -> QuerySet[Alert]:
    """The active alerts as the floor shows them: danger first, then warning, then info."""
    severity = Case(
        When(level=Alert.Level.DANGER, then=Value(0)),
        When(level=Alert.Level.WARNING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return alerts_of_site(site=site, active_only=True).order_by(severity, "-created_at", "id")


_ALERT = RecordRead(lambda: Alert.objects.select_related("site", "created_by"))


def alert_for_user(*, user: User, alert_id: Any, roles: frozenset[Role]) -> tuple[Alert, Role]:
    """An alert of one of the user's sites; not a member answers like not-found."""
    return record_for_user(_ALERT, user=user, pk=alert_id, roles=roles)
