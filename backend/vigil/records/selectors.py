"""Reading one record for a user: not-yours answers exactly like not-found."""

from __future__ import annotations

from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext
from rest_framework.exceptions import NotFound, PermissionDenied

from vigil.accounts.models import Membership, Role, User

R = TypeVar("R", bound=Model)


def record_for_user(
    records: QuerySet[R], *, user: User, pk: Any, roles: frozenset[Role], site: str = "site"
) -> tuple[R, Role]:
    """The record `pk` of `records` and the user's role at its site, in one query.

    1. No such record (or a malformed id), or the user is not a member of its site: 404, the
       same answer, so that an id tells nothing about another site.
    2. A member whose role is not one of `roles`: 403.
    `site` is the path from the record to its site (`incident__site` for an incident's action).
    """
    role_there = Membership.objects.filter(user=user, site_id=OuterRef(f"{site}_id")).values("role")
    try:
        record = records.annotate(role_of_user=Subquery(role_there[:1])).filter(pk=pk).first()
    except ValidationError:  # not an id at all
        record = None
    role = getattr(record, "role_of_user", None)
    if record is None or role is None:
        raise NotFound(gettext("Not found."))
    if role not in roles:
        raise PermissionDenied(gettext("Your role at this site does not allow this."))
    return record, Role(role)
