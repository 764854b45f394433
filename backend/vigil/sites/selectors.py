from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from vigil.accounts.models import User
from vigil.sites.models import Booth, Site


def sites_for_user(*, user: User) -> QuerySet[Site]:
    """The sites the user is a member of, with their booths in floor order."""
    return (
        Site.objects.filter(memberships__user=user)
        .prefetch_related(Prefetch("booths", queryset=Booth.objects.order_by("position", "label")))
        .order_by("name")
    )
