from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Max
from django.utils.translation import gettext
from rest_framework.exceptions import NotFound, PermissionDenied

from vigil.accounts.access import RECORD_WRITERS, site_for
from vigil.accounts.models import Membership, Role, User
from vigil.care.models import OPEN_REFERRAL_STATUSES, Referral, Service
from vigil.care.selectors import open_referrals_of
from vigil.incidents.models import Incident
from vigil.incidents.selectors import had_recent_overdose, last_overdose_at
from vigil.participants.codes import code_digest
from vigil.participants.models import Participant, ParticipantSite
from vigil.safety.selectors import restriction_for_door
from vigil.sites.models import Site
from vigil.visits.models import Visit


def participant_by_code(*, code: str) -> Participant | None:
    """The participant a code stands for, following merges; None if never seen."""
    participant = Participant.objects.filter(code_digest=code_digest(code)).first()
    while participant is not None and participant.merged_into_id is not None:
        participant = participant.merged_into
    return participant


# Who a code never seen stands for: a person not yet on record, so no stored value equals it.
_NEW_PERSON = object()


def person_sent(code: str | None) -> Any:
    """The participant an edit's code names, in snapshot form (their id), or None."""
    if not code:
        return None
    known = participant_by_code(code=code)
    return str(known.pk) if known is not None else _NEW_PERSON


def participant_for_user(
    *, user: User, participant_id: Any, roles: frozenset[Role] = RECORD_WRITERS
) -> tuple[Participant, list[Site]]:
    """A participant seen at one of the user's sites, and the sites where the user may act.

    Not seen at any of the user's sites answers like not-found (404); seen, but the user's
    role there may not do this, answers 403.
    """
    participant = Participant.objects.filter(pk=participant_id, merged_into=None).first()
    memberships = list(
        Membership.objects.select_related("site").filter(
            user=user, site__participant_links__participant_id=participant_id
        )
    )
    if participant is None or not memberships:
        raise NotFound(gettext("Not found."))
    sites = [m.site for m in memberships if m.role in roles]
    if not sites:
        raise PermissionDenied(gettext("Your role at this site does not allow this."))
    return participant, sites


def participant_lookup(*, code: str, site: Site) -> dict[str, Any]:
    """What a worker at `site` sees after typing a code: what this site knows of the person
    (visits, details, referrals still waiting for an answer or an outcome), never the code.

    Of other sites only one yes/no crosses over: an overdose in the last 7 days anywhere in the
    network (the risk travels with the person); no time, no site, no details. A person seen
    only elsewhere is not known here.
    """
    participant = participant_by_code(code=code)
    recent_overdose = participant is not None and had_recent_overdose(participant=participant)
    if participant is None or not participant.sites.filter(site=site).exists():
        return {
            "known": False,
            "visits_count": 0,
            "last_visit_at": None,
            "birth_year": None,
            "gender": None,
            "open_referrals": [],
            "recent_overdose": recent_overdose,
            "restriction": None,
            "inside": None,
        }
    stats = Visit.objects.filter(participant=participant, site=site, voided=False).aggregate(
        visits_count=Count("id"), last_visit_at=Max("checked_in_at")
    )
    return {
        "id": participant.id,
        "known": True,
        "visits_count": stats["visits_count"],
        "last_visit_at": stats["last_visit_at"],
        "birth_year": participant.birth_year,
        "gender": participant.gender,
        # For a correction (PATCH) made from the lookup without reading the person again.
        "version": participant.version,
        "open_referrals": open_referrals_of(participant=participant, site=site),
        "recent_overdose": recent_overdose,
        # Only "restricted (scope) until DATE": never the reason or the note.
        "restriction": restriction_for_door(participant_id=participant.pk, site=site),
        "inside": _inside(participant=participant, site=site),
    }


def _inside(*, participant: Participant, site: Site) -> dict[str, Any] | None:
    """The person's open visit at this site (never another site's): its booth label, if any,
    so the door says "already inside" instead of checking them in twice."""
    visit = (
        Visit.objects.select_related("booth")
        .filter(participant=participant, site=site, checked_out_at=None, voided=False)
        .first()
    )
    if visit is None:
        return None
    return {"booth_label": visit.booth.label if visit.booth is not None else None}


def participant_at_site(
    *, user: User, participant_id: Any, slug: str, roles: frozenset[Role] = RECORD_WRITERS
) -> tuple[Participant, Site, datetime]:
    """A participant seen at the site `slug`, the site, and when they were first seen there.

    Not a member of the site, or the person never seen there (or merged away), answers like
    not-found (404); a member whose role may not do this gets 403.
    """
    site, _ = site_for(user=user, slug=slug, roles=roles)
    seen = (
        ParticipantSite.objects.select_related("participant")
        .filter(participant_id=participant_id, site=site, participant__merged_into=None)
        .first()
    )
    if seen is None:
        raise NotFound(gettext("Not found."))
    return seen.participant, site, seen.first_seen_at


def participant_detail(
    *, participant: Participant, site: Site, first_seen_at: datetime
) -> dict[str, Any]:
    """A person's details and what they have at this site: counts of visits, incidents,
    services and open referrals (voided records left out), as a supervisor reviews them before
    a correction or a merge. Never the code; records at other sites are only counted as sites."""
    visits = Visit.objects.filter(participant=participant, site=site, voided=False).aggregate(
        count=Count("id"), last=Max("checked_in_at")
    )
    referrals = Referral.objects.filter(participant=participant, site=site, voided=False)
    return {
        "id": participant.id,
        "site": site.slug,
        "birth_year": participant.birth_year,
        "gender": participant.gender,
        "version": participant.version,
        "first_seen_at": first_seen_at,
        "visits_count": visits["count"],
        "last_visit_at": visits["last"],
        "incidents_count": Incident.objects.filter(
            participant=participant, site=site, voided=False
        ).count(),
        "services_count": Service.objects.filter(
            participant=participant, site=site, voided=False
        ).count(),
        "referrals_count": referrals.count(),
        "open_referrals_count": referrals.filter(status__in=OPEN_REFERRAL_STATUSES).count(),
        "last_overdose_at": last_overdose_at(participant=participant, site=site),
        "seen_at_other_sites": ParticipantSite.objects.filter(participant=participant)
        .exclude(site=site)
        .count(),
    }
