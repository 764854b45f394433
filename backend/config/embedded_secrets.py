"""Secrets of the embedded mode (`make run`), made on first run when the environment has none.

A published development pepper would make every stored code digest reversible (codes are short:
anyone holding the pepper can hash every possible code), so each install gets its own, kept in a
file only its owner can read.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
from pathlib import Path


def embedded_secrets(path: Path) -> dict[str, str]:
    """SECRET_KEY and VIGIL_CODE_PEPPER from `path` (JSON, mode 0600), written on first use.

    Several processes start at once (web workers, the Celery worker): the file is written under
    a temporary name and linked into place, so each reads the one complete file that won.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        values = {
            "SECRET_KEY": secrets.token_urlsafe(64),
            "VIGIL_CODE_PEPPER": secrets.token_urlsafe(48),
        }
        descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".secrets-")  # 0600
        try:
            with os.fdopen(descriptor, "w") as file:
                json.dump(values, file)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, path)
        finally:
            os.unlink(temporary)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    stored: dict[str, str] = json.loads(path.read_text())
    return stored
