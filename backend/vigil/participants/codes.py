"""Visit codes: normalised, validated, and replaced by an HMAC before anything is stored.

The raw code is never stored, logged, put in a URL, an audit record, a task message or an
error message. A plain hash would be reversible by trying every code, so the digest is keyed
with a secret pepper that lives in the settings, never in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from django.conf import settings
from django.utils.translation import gettext

from vigil.core.errors import field_error

_SEPARATORS = re.compile(r"[\s\-]+")


def normalise(code: str) -> str:
    """Upper-case, spaces and hyphens removed: `ma-ko 1993` → `MAKO1993`."""
    return _SEPARATORS.sub("", code).upper()


def code_digest(code: str, *, field: str = "code") -> str:
    """The HMAC-SHA256 that stands for a visit code; refuses a code that breaks the pattern."""
    normalised = normalise(code)
    if not re.fullmatch(settings.VIGIL_CODE_PATTERN, normalised):
        # Never echo the code back: it would land in logs and error reports.
        raise field_error(
            field,
            gettext("A visit code is 3 to 16 letters or digits (spaces and hyphens are ignored)."),
        )
    pepper = settings.VIGIL_CODE_PEPPER.encode()
    return hmac.new(pepper, normalised.encode(), hashlib.sha256).hexdigest()
