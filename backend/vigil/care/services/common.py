"""Rules shared by service and referral writes: who a record is about, and resends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.models import User
from vigil.care.models import Referral, Service
from vigil.core.errors import ApplicationError, Conflict, ReplayConflict
from vigil.participants.models import Participant
from vigil.participants.selectors import participant_by_code
from vigil.participants.services import participant_resolve
from vigil.sites.models import Site
from vigil.visits.models import Visit

UNSET: Any = object()


def bad_input(name: str, message: str) -> ApplicationError:
    return ApplicationError(gettext("Some fields need attention."), fields={name: [message]})


def local_time(moment: datetime, site: Site) -> str:
    return f"{timezone.localtime(moment, site.zone):%Y-%m-%d %H:%M}"


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# --- Who a record is about -------------------------------------------------------------------


def check_visit(*, site: Site, visit: Visit, code: str | None) -> None:
    """A record attached to a visit is about the visit's person, at the visit's site."""
    if visit.site_id != site.pk:
        raise bad_input("visit", "This visit is not at this site.")
    if visit.voided:
        raise bad_input("visit", "This visit was voided. Choose another visit.")
    if code:
        known = participant_by_code(code=code)
        if known is None or known.pk != visit.participant_id:
            raise bad_input(
                "code",
                "This code is not the code of the visit's person. "
                "Leave the code out when you choose a visit.",
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


def replayed(model: type[Service] | type[Referral], *, pk: Any, site: Site, print_: str) -> Any:
    """The stored record for a resent id with the same content; 409 for other content."""
    stored = model.objects.filter(pk=pk).first()
    if stored is None:
        return None
    if stored.site_id != site.pk:
        raise Conflict("This record id is already in use.")
    if stored.create_fingerprint == print_:
        return stored
    raise ReplayConflict("This record was already sent with other content.", record=stored)


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
