from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from vigil.accounts.access import RECORD_WRITERS
from vigil.accounts.models import Membership, Role, User
from vigil.core.calendar import local_day_bounds
from vigil.core.prepared import Param
from vigil.incidents.models import Debrief, Incident, IncidentAction
from vigil.incidents.rules import OVERDOSE_KINDS
from vigil.participants.models import Participant
from vigil.records.selectors import RecordRead, record_for_user
from vigil.sites.models import Site


def incidents_with_details() -> QuerySet[Incident]:
    """Incidents with everything their serializer shows, in a constant number of queries."""
    return Incident.objects.select_related(
        "site",
        "visit__booth",
        "created_by",
        "submitted_by",
        "reviewed_by",
        "debrief__recorded_by",
    ).prefetch_related(
        "sign_rows",
        "substance_rows",
        "responders",
        "actions__created_by",
    )


_INCIDENT_WITH_DETAILS = RecordRead(
    lambda: incidents_with_details().prefetch_related("history__amended_by", "reviews__reviewed_by")
)
_INCIDENT = RecordRead(lambda: Incident.objects.select_related("site"))
_ACTION = RecordRead(
    lambda: IncidentAction.objects.select_related("incident__site", "created_by").filter(
        incident_id=Param("incident", Incident._meta.pk)
    ),
    site="incident__site",
)


def incident_for_user(
    *, user: User, incident_id: Any, roles: frozenset[Role], details: bool = True
) -> tuple[Incident, Role]:
    """An incident of one of the user's sites with its history, and the user's role there.

    Not a member of its site answers like not-found (404); a role that may not do this, 403.
    `details=False` reads the incident and its site alone, for a write that re-reads (locks)
    the incident itself and answers without showing it.
    """
    read = _INCIDENT_WITH_DETAILS if details else _INCIDENT
    return record_for_user(read, user=user, pk=incident_id, roles=roles)


def action_for_user(
    *, user: User, incident_id: Any, action_id: Any, roles: frozenset[Role]
) -> tuple[IncidentAction, Role]:
    return record_for_user(_ACTION, user=user, pk=action_id, roles=roles, incident=incident_id)


def overdue_q(now: datetime | None = None) -> Q:
    """Past its review due time and not yet approved."""
    return Q(review_due_at__lt=now or timezone.now()) & ~Q(status=Incident.Status.APPROVED)


def debrief_q(debrief: str, now: datetime | None = None) -> Q:
    """`due`: a critical incident whose debrief is not recorded (`overdue`: past its due
    time); `held`, `declined`: as recorded. An imported incident (history from the site's
    former system) has no debrief due."""
    if debrief in (Debrief.Status.HELD, Debrief.Status.DECLINED):
        return Q(debrief__status=debrief)
    due = Q(critical=True, debrief__isnull=True, imported=False)
    if debrief == "overdue":
        since = (now or timezone.now()) - timedelta(hours=settings.VIGIL_DEBRIEF_HOURS)
        ended_before = Q(ended_at__isnull=False, ended_at__lt=since)
        due &= ended_before | Q(ended_at__isnull=True, started_at__lt=since)
    return due


def incident_queue(
    *,
    site: Site,
    user: User,
    debrief: str | None = None,
    status: str | None = None,
    critical: bool | None = None,
    overdue: bool | None = None,
    day: date | None = None,
    kind: str | None = None,
    mine: bool = False,
    participant_id: uuid.UUID | None = None,
) -> QuerySet[Incident]:
    """A site's incidents (voided ones left out), critical first, then by review due time.

    `mine` keeps the incidents the user logged or responded to: a returned one comes back
    there with the supervisor's comment. `day` is the site's local day of the onset.
    `participant_id` keeps one participant's incidents at this site. `debrief` keeps the
    critical incidents whose debrief is due, overdue, held or declined.
    """
    incidents = incidents_with_details().filter(site=site, voided=False)
    if debrief:
        incidents = incidents.filter(debrief_q(debrief))
    if participant_id is not None:
        incidents = incidents.filter(participant_id=participant_id)
    if status:
        incidents = incidents.filter(status=status)
    if critical is not None:
        incidents = incidents.filter(critical=critical)
    if overdue is not None:
        incidents = incidents.filter(overdue_q()) if overdue else incidents.exclude(overdue_q())
    if day is not None:
        start, end = local_day_bounds(day, site.zone)
        incidents = incidents.filter(started_at__gte=start, started_at__lt=end)
    if kind:
        incidents = incidents.filter(kind=kind)
    if mine:
        responded = Incident.responders.through.objects.filter(
            incident_id=OuterRef("pk"), user_id=user.pk
        )
        incidents = incidents.filter(Q(created_by=user) | Exists(responded))
    return incidents.order_by("-critical", "review_due_at", "-started_at", "id")


def incidents_on_floor(*, site: Site) -> QuerySet[Incident]:
    """Incidents being handled on the floor: open, or returned to the staff to fix."""
    return (
        Incident.objects.select_related("visit__booth")
        .filter(
            site=site,
            voided=False,
            status__in=[Incident.Status.OPEN, Incident.Status.RETURNED],
        )
        .order_by("started_at")
    )


def overdoses_since(*, since: datetime) -> QuerySet[Incident]:
    return Incident.objects.filter(kind__in=OVERDOSE_KINDS, voided=False, started_at__gte=since)


def recent_overdose(participant_ref: OuterRef, *, days: int = 7) -> Exists:
    """Whether the participant had an overdose in the last `days` at any site of the network:
    one EXISTS subquery, whatever the number of rows it annotates."""
    since = timezone.now() - timedelta(days=days)
    return Exists(overdoses_since(since=since).filter(participant=participant_ref))


def had_recent_overdose(*, participant: Participant, days: int = 7) -> bool:
    """Whether the participant had an overdose in the last `days` at any site of the network:
    all another site's staff may learn of what happened elsewhere (no time, no site)."""
    since = timezone.now() - timedelta(days=days)
    return overdoses_since(since=since).filter(participant=participant).exists()


def last_overdose_at(*, participant: Participant, site: Site) -> datetime | None:
    """The onset of the participant's latest overdose at this site."""
    latest: datetime | None = Incident.objects.filter(
        participant=participant, site=site, kind__in=OVERDOSE_KINDS, voided=False
    ).aggregate(latest=Max("started_at"))["latest"]
    return latest


@dataclass(frozen=True)
class StaffResponses:
    username: str
    display_name: str
    # {"YYYY-MM": overdose responses taken part in}, every month of the view.
    months: dict[str, int]


@dataclass(frozen=True)
class MonthDebriefs:
    month: str
    critical: int
    held: int
    declined: int
    due: int


@dataclass(frozen=True)
class Responders:
    months: list[str]
    staff: list[StaffResponses]
    debriefs: list[MonthDebriefs]


def _months_back(today: date, count: int) -> list[date]:
    """The first days of this month and of the `count - 1` months before it, oldest first."""
    first = today.replace(day=1)
    months = [first]
    for _ in range(count - 1):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def responders_by_month(*, site: Site, months: int = 4) -> Responders:
    """For a supervisor planning support, privately: how many overdose responses each staff
    member of the site took part in (as a responder) this month and the months before, and
    the debriefs of each month's critical incidents. Months are the site's local months of the
    onset. Never part of an export: nothing outside this view reads it."""
    zone = site.zone
    today = timezone.localtime(timezone.now(), zone).date()
    firsts = _months_back(today, months)
    keys = [f"{first:%Y-%m}" for first in firsts]
    since, _ = local_day_bounds(firsts[0], zone)
    incidents = list(
        Incident.objects.filter(site=site, voided=False, started_at__gte=since)
        .select_related("debrief")
        .prefetch_related("responders")
    )
    members = Membership.objects.filter(site=site, role__in=RECORD_WRITERS).select_related("user")
    counts = {m.user.username: dict.fromkeys(keys, 0) for m in members}
    names = {m.user.username: m.user.display_name for m in members}
    debriefs = {key: {"critical": 0, "held": 0, "declined": 0, "due": 0} for key in keys}
    for incident in incidents:
        key = f"{timezone.localtime(incident.started_at, zone):%Y-%m}"
        if incident.kind in OVERDOSE_KINDS:
            for user in incident.responders.all():
                names.setdefault(user.username, user.display_name)
                counts.setdefault(user.username, dict.fromkeys(keys, 0))[key] += 1
        if incident.critical:
            row = debriefs[key]
            row["critical"] += 1
            recorded = getattr(incident, "debrief", None)
            row[recorded.status if recorded else "due"] += 1
    return Responders(
        months=keys,
        staff=[
            StaffResponses(username=name, display_name=names[name], months=counts[name])
            for name in sorted(counts, key=lambda n: (-sum(counts[n].values()), n))
        ],
        debriefs=[MonthDebriefs(month=key, **debriefs[key]) for key in keys],
    )
