from __future__ import annotations

from typing import Any

from vigil.accounts.access import SUPERVISORS
from vigil.accounts.models import User
from vigil.imports.models import Import
from vigil.records.selectors import RecordRead, record_for_user
from vigil.sites.models import Site

_IMPORT = RecordRead(lambda: Import.objects.select_related("site"))


def import_for_user(*, user: User, import_id: Any) -> Import:
    """An import of a site where the user is a supervisor (or admin); not-yours is not-found."""
    found, _ = record_for_user(_IMPORT, user=user, pk=import_id, roles=SUPERVISORS)
    return found


# The past imports the screen lists: the latest, enough to see a history's last steps.
RECENT_IMPORTS = 50


def imports_of(*, site: Site) -> list[Import]:
    """A site's latest imports, newest first, with who made them."""
    return list(
        Import.objects.filter(site=site)
        .select_related("created_by")
        .order_by("-created_at")[:RECENT_IMPORTS]
    )
