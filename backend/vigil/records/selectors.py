"""Reading one record for a user: not-yours answers exactly like not-found."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, OuterRef, QuerySet, Subquery
from django.utils.translation import gettext
from rest_framework.exceptions import NotFound, PermissionDenied

from vigil.accounts.models import Membership, Role, User
from vigil.core.prepared import Param, Prepared

R = TypeVar("R", bound=Model)


class RecordRead(Generic[R]):
    """How one record type is read for a user (`record_for_user`): the record by its id, with
    what `records` selects and prefetches, and the user's role at its site, in one statement
    compiled once (see core/prepared.py).

    `site` is the path from the record to its site (`incident__site` for an incident's
    action). `records` may filter on more values with `Param`s, bound by `record_for_user`'s
    `values`.
    """

    def __init__(self, records: Callable[[], QuerySet[R]], *, site: str = "site") -> None:
        def build() -> QuerySet[R]:
            found = records()
            role_there = Membership.objects.filter(
                user_id=Param("user", User._meta.pk), site_id=OuterRef(f"{site}_id")
            ).values("role")
            read: QuerySet[R] = found.annotate(role_of_user=Subquery(role_there[:1])).filter(
                pk=Param("pk", found.model._meta.pk)
            )[:1]
            return read

        self.prepared = Prepared(build)


def record_for_user(
    read: RecordRead[R], *, user: User, pk: Any, roles: frozenset[Role], **values: Any
) -> tuple[R, Role]:
    """The record `pk` that `read` reads and the user's role at its site, in one query.

    1. No such record (or a malformed id), or the user is not a member of its site: 404, the
       same answer, so that an id tells nothing about another site.
    2. A member whose role is not one of `roles`: 403.
    """
    try:
        found = read.prepared.records(user=user.pk, pk=pk, **values)
    except ValidationError:  # not an id at all
        found = []
    record = found[0] if found else None
    role = getattr(record, "role_of_user", None)
    if record is None or role is None:
        raise NotFound(gettext("Not found."))
    if role not in roles:
        raise PermissionDenied(gettext("Your role at this site does not allow this."))
    return record, Role(role)
