"""Rules shared by service and referral writes: who a record is about, and resends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.models import User
from vigil.core.errors import field_error
from vigil.participants.models import Participant
from vigil.participants.selectors import participant_by_code
from vigil.participants.services import participant_resolve
from vigil.records.kit import UNSET
from vigil.sites.models import Site
from vigil.visits.models import Visit


def local_time(moment: datetime, site: Site) -> str:
    return f"{timezone.localtime(moment, site.zone):%Y-%m-%d %H:%M}"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- Who a record is about -------------------------------------------------------------------


def check_visit(*, site: Site, visit: Visit, code: str | None) -> None:
    """A record attached to a visit is about the visit's person, at the visit's site."""
    if visit.site_id != site.pk:
        raise field_error("visit", gettext("This visit is not at this site."))
    if visit.voided:
        raise field_error("visit", gettext("This visit was voided. Choose another visit."))
    if code:
        known = participant_by_code(code=code)
        if known is None or known.pk != visit.participant_id:
            raise field_error(
                "code",
                gettext(
                    "This code is not the code of the visit's person. "
                    "Leave the code out when you choose a visit."
                ),
            )


def person_of(*, site: Site, visit: Visit | None, code: str | None, at: datetime, by: User) -> Any:
    """The participant of the record: the visit's, the code's (created on first sight), or none.

    Call inside the write's transaction: resolving a code may create the participant.
    """
    if visit is not None:
        return visit.participant
    if code:
        return participant_resolve(site=site, code=code, at=at, by=by)
    return None


def relink(
    *,
    site: Site,
    current_visit: Visit | None,
    current_participant: Participant | None,
    visit: Visit | None,
    code: str | None,
) -> tuple[Visit | None, Any, bool]:
    """The person link after an edit: (visit, participant or a code to resolve, changed).

    Returns the code itself (to be resolved inside the write's transaction) when the person
    now comes from a code.
    """
    if visit is UNSET and code is UNSET:
        return current_visit, current_participant, False
    new_visit = current_visit if visit is UNSET else visit
    code_given = code if code is not UNSET else None
    if new_visit is not None:
        check_visit(site=site, visit=new_visit, code=code_given)
        return new_visit, new_visit.participant, True
    if code is UNSET:
        return None, current_participant, True
    return None, code or None, True


def resolve_person(person: Any, *, site: Site, at: datetime, by: User) -> Any:
    if isinstance(person, str):
        return participant_resolve(site=site, code=person, at=at, by=by)
    return person
