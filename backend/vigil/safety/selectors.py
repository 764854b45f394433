"""Reads of floor safety: restrictions in force, the waiting list, complaints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from vigil.accounts.models import Role, User
from vigil.core.calendar import local_day_bounds, local_today
from vigil.records.selectors import RecordRead, record_for_user
from vigil.safety.models import Complaint, Restriction, TurnAway, WaitlistEntry
from vigil.sites.models import Site


def restriction_active_q(now: datetime | None = None) -> Q:
    """In force now: started, not ended early, not voided, and before its end date (a
    restriction with only a review date stays in force until a supervisor ends it)."""
    now = now or timezone.now()
    return Q(starts_at__lte=now, ended_at=None, voided=False) & (
        Q(ends_at=None) | Q(ends_at__gt=now)
    )


def restriction_is_active(restriction: Restriction, now: datetime | None = None) -> bool:
    """The same rule as `restriction_active_q`, for a restriction already read."""
    now = now or timezone.now()
    return (
        restriction.starts_at <= now
        and restriction.ended_at is None
        and not restriction.voided
        and (restriction.ends_at is None or restriction.ends_at > now)
    )


def _review_day_end(site: Site) -> datetime:
    """A review date comes due on its local day: everything before the end of today."""
    return local_day_bounds(local_today(site), site.zone)[1]


def restriction_review_due_q(site: Site) -> Q:
    """In force, its review date come (today or before), and not reviewed since that date."""
    return (
        restriction_active_q()
        & Q(review_at__lt=_review_day_end(site))
        & (Q(reviewed_at=None) | Q(reviewed_at__lt=F("review_at")))
    )


def restriction_review_is_due(restriction: Restriction) -> bool:
    """The same rule as `restriction_review_due_q`, for a restriction already read."""
    review_at, reviewed_at = restriction.review_at, restriction.reviewed_at
    return (
        restriction_is_active(restriction)
        and review_at is not None
        and review_at < _review_day_end(restriction.site)
        and (reviewed_at is None or reviewed_at < review_at)
    )


def restrictions_due_for_review(*, site: Site) -> QuerySet[Restriction]:
    """The supervisor's review queue of a site's restrictions: the longest due first."""
    return (
        Restriction.objects.select_related("site", "created_by", "ended_by")
        .prefetch_related("overrides__created_by")
        .filter(restriction_review_due_q(site), site=site)
        .order_by("review_at", "id")
    )


def restriction_in_force(*, participant_id: Any, site: Site) -> Restriction | None:
    """The participant's restriction at `site` in force now (the widest scope, then the one
    that lasts longest), or None."""
    found = list(
        Restriction.objects.filter(restriction_active_q(), site=site, participant_id=participant_id)
    )
    if not found:
        return None
    return min(
        found,
        key=lambda r: (
            r.scope != Restriction.Scope.ALL_SERVICES,
            -(restriction_until(r) or timezone.now()).timestamp(),
        ),
    )


def restrictions_in_force_by_code(*, digest: str, site: Site) -> QuerySet[Restriction, Any]:
    """The ids of the restrictions in force at `site` of the person a code digest names, to be
    read with the code's resolution (`participant_sight(also=...)`)."""
    return Restriction.objects.filter(
        restriction_active_q(), site=site, participant__code_digest=digest
    ).values_list("pk", flat=True)


def restriction_until(restriction: Restriction) -> datetime | None:
    """The date the door shows: the end, or the review when there is no end."""
    return restriction.ends_at or restriction.review_at


def restriction_for_door(*, participant_id: Any, site: Site) -> dict[str, Any] | None:
    """What a worker at the door sees: `{scope, until}`, never the reason or the note."""
    restriction = restriction_in_force(participant_id=participant_id, site=site)
    if restriction is None:
        return None
    return {"scope": restriction.scope, "until": restriction_until(restriction)}


def restrictions_of_site(
    *, site: Site, active_only: bool = False, review_due: bool = False
) -> QuerySet[Restriction]:
    """A site's restrictions, newest first; `active_only` those in force now; `review_due`
    those due for review (`restrictions_due_for_review`, the longest due first)."""
    if review_due:
        return restrictions_due_for_review(site=site)
    restrictions = Restriction.objects.select_related(
        "site", "created_by", "ended_by"
    ).prefetch_related("overrides__created_by")
    restrictions = restrictions.filter(site=site)
    if active_only:
        restrictions = restrictions.filter(restriction_active_q())
    return restrictions.order_by("-starts_at", "id")


_RESTRICTION = RecordRead(lambda: Restriction.objects.select_related("site"))
_WAITLIST_ENTRY = RecordRead(lambda: WaitlistEntry.objects.select_related("site"))
_TURNAWAY = RecordRead(lambda: TurnAway.objects.select_related("site", "created_by"))
_COMPLAINT = RecordRead(lambda: Complaint.objects.select_related("site"))


def restriction_for_user(
    *, user: User, restriction_id: Any, roles: frozenset[Role]
) -> tuple[Restriction, Role]:
    """A restriction of one of the user's sites; not a member answers like not-found."""
    return record_for_user(_RESTRICTION, user=user, pk=restriction_id, roles=roles)


def waitlist_entry_for_user(
    *, user: User, entry_id: Any, roles: frozenset[Role]
) -> tuple[WaitlistEntry, Role]:
    return record_for_user(_WAITLIST_ENTRY, user=user, pk=entry_id, roles=roles)


def turnaway_for_user(
    *, user: User, turnaway_id: Any, roles: frozenset[Role]
) -> tuple[TurnAway, Role]:
    return record_for_user(_TURNAWAY, user=user, pk=turnaway_id, roles=roles)


def turnaways_of_today(*, site: Site) -> QuerySet[TurnAway]:
    """The site's turn-aways of its local today (not voided), newest first."""
    start, end = local_day_bounds(local_today(site), site.zone)
    return (
        TurnAway.objects.select_related("site", "created_by")
        .filter(site=site, at__gte=start, at__lt=end, voided=False)
        .order_by("-at", "id")
    )


def waitlist_of_site(*, site: Site) -> QuerySet[WaitlistEntry]:
    """Who is waiting now, first come first."""
    return WaitlistEntry.objects.filter(
        site=site, status=WaitlistEntry.Status.WAITING, voided=False
    ).order_by("added_at", "id")


def complaint_for_user(
    *, user: User, complaint_id: Any, roles: frozenset[Role]
) -> tuple[Complaint, Role]:
    return record_for_user(_COMPLAINT, user=user, pk=complaint_id, roles=roles)


def complaints_of_site(*, site: Site, open_only: bool = False) -> QuerySet[Complaint]:
    """A site's complaints, the response due soonest first; `open_only` those not closed."""
    complaints = Complaint.objects.select_related("site", "created_by").filter(
        site=site, voided=False
    )
    if open_only:
        complaints = complaints.exclude(status=Complaint.Status.CLOSED)
    return complaints.order_by("status", "response_due_on", "received_at")
