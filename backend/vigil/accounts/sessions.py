"""Database sessions whose idle-timeout renewal costs a write once a minute, not per request.

SESSION_SAVE_EVERY_REQUEST renews the idle timeout (SESSION_COOKIE_AGE) on every request, which
meant an UPDATE and a commit of the session row on every API call. This store remembers the
expiry it loaded and skips that write while the session is unchanged and its expiry would move
by at most RENEW_AFTER. A session therefore still ends after SESSION_COOKIE_AGE idle at the
latest (the stored expiry never lies ahead of the last request plus the idle timeout), and
never more than RENEW_AFTER earlier. Any change to the session (sign-in, sign-out, a new key)
is written as before.

Use: SESSION_ENGINE = "vigil.accounts.sessions".
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.contrib.sessions.backends import db

RENEW_AFTER = timedelta(minutes=1)


class SessionStore(db.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._stored_expiry: datetime | None = None

    def _get_session_from_db(self) -> Any:
        stored = super()._get_session_from_db()  # type: ignore[misc]
        self._stored_expiry = stored.expire_date if stored is not None else None
        return stored

    def save(self, must_create: bool = False) -> None:
        if (
            not must_create
            and not self.modified
            and self.session_key is not None
            and self._stored_expiry is not None
            and self.get_expiry_date() - self._stored_expiry <= RENEW_AFTER
        ):
            return
        super().save(must_create=must_create)
        self._stored_expiry = None
