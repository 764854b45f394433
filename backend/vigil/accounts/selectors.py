from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from vigil.accounts.lockout import locked_out_until
from vigil.accounts.models import Membership, User
from vigil.sites.models import Site


def user_with_memberships(*, user: User) -> User:
    """The user with its memberships and their sites loaded (two queries)."""
    memberships = Membership.objects.select_related("site").order_by("site__name")
    return User.objects.prefetch_related(Prefetch("memberships", queryset=memberships)).get(
        pk=user.pk
    )


def locked_out_members(*, site: Site) -> list[dict[str, Any]]:
    """The members of `site` locked out of signing in now, and when each lockout ends."""
    members = {
        m.user.username: m.user for m in Membership.objects.select_related("user").filter(site=site)
    }
    until = locked_out_until(usernames=list(members))
    return [
        {"username": name, "display_name": members[name].display_name, "locked_until": at}
        for name, at in sorted(until.items())
    ]
