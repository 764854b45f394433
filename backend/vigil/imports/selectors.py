from __future__ import annotations

from typing import Any

from vigil.accounts.access import SUPERVISORS
from vigil.accounts.models import User
from vigil.imports.models import Import
from vigil.records.selectors import record_for_user


def import_for_user(*, user: User, import_id: Any) -> Import:
    """An import of a site where the user is a supervisor (or admin); not-yours is not-found."""
    found, _ = record_for_user(
        Import.objects.select_related("site"), user=user, pk=import_id, roles=SUPERVISORS
    )
    return found
