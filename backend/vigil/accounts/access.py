"""Who may do what at which site.

Every read and write names a site; these helpers turn (user, site) into the site itself or a
refusal. Not being a member answers exactly like a site that does not exist (404); being a
member whose role may not do the thing answers 403.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext
from rest_framework.exceptions import NotFound, PermissionDenied

from vigil.accounts.models import Membership, Role, User
from vigil.sites.models import Site

RECORD_WRITERS = frozenset({Role.STAFF, Role.SUPERVISOR, Role.ADMIN})
SUPERVISORS = frozenset({Role.SUPERVISOR, Role.ADMIN})
REPORT_READERS = frozenset({Role.SUPERVISOR, Role.ANALYST, Role.ADMIN})


def role_at(*, user: User, site: Site) -> Role | None:
    membership = Membership.objects.filter(user=user, site=site).only("role").first()
    return Role(membership.role) if membership else None


def site_for(*, user: User, slug: str, roles: Iterable[Role]) -> tuple[Site, Role]:
    """The site `slug` and the user's role there, if that role is one of `roles`."""
    membership = (
        Membership.objects.select_related("site").filter(user=user, site__slug=slug).first()
    )
    if membership is None:
        raise NotFound(gettext("Not found."))
    role = Role(membership.role)
    if role not in set(roles):
        raise PermissionDenied(gettext("Your role at this site does not allow this."))
    return membership.site, role


def require_role(*, user: User, site: Site, roles: Iterable[Role]) -> Role:
    """The user's role at `site` if it is one of `roles`; 404 for non-members, 403 otherwise."""
    role = role_at(user=user, site=site)
    if role is None:
        raise NotFound(gettext("Not found."))
    if role not in set(roles):
        raise PermissionDenied(gettext("Your role at this site does not allow this."))
    return role
