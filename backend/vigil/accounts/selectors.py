from __future__ import annotations

from django.db.models import Prefetch

from vigil.accounts.models import Membership, User


def user_with_memberships(*, user: User) -> User:
    """The user with its memberships and their sites loaded (two queries)."""
    memberships = Membership.objects.select_related("site").order_by("site__name")
    return User.objects.prefetch_related(Prefetch("memberships", queryset=memberships)).get(
        pk=user.pk
    )
