"""Database sessions read with their user in one query, renewed by a write once a minute.

1. One query per request for who is signed in: the session row carries its user's id
   (`accounts.Session.user`, set whenever the session is saved), so loading the session joins
   the user and the authentication middleware takes that user instead of reading it again.
   It checks what Django's `get_user` checks (the session's backend, an active account, the
   password hash the session was signed in with); anything else goes Django's own way.
2. SESSION_SAVE_EVERY_REQUEST renews the idle timeout (SESSION_COOKIE_AGE) on every request,
   which meant an UPDATE and a commit of the session row on every API call. This store
   remembers the expiry it loaded and skips that write while the session is unchanged and its
   expiry would move by at most RENEW_AFTER. A session therefore still ends after
   SESSION_COOKIE_AGE idle at the latest, and never more than RENEW_AFTER earlier. Any change
   to the session (sign-in, sign-out, a new key) is written as before.

Use: SESSION_ENGINE = "vigil.accounts.sessions", and this module's AuthenticationMiddleware
in place of Django's.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangoAuthentication
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends import db
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject

from vigil.accounts.models import Session, User

RENEW_AFTER = timedelta(minutes=1)


class SessionStore(db.SessionStore):
    def __init__(self, session_key: str | None = None) -> None:
        super().__init__(session_key)
        self._stored_expiry: datetime | None = None
        # The user the stored row names, read with it (None until loaded, or nobody).
        self.stored_user: User | None = None

    @classmethod
    def get_model_class(cls) -> type[Session]:
        return Session

    def _get_session_from_db(self) -> Any:
        stored = super()._get_session_from_db()  # type: ignore[misc]
        self._stored_expiry = stored.expire_date if stored is not None else None
        self.stored_user = stored.user if stored is not None else None
        return stored

    def create_model_instance(self, data: dict[str, Any]) -> Session:
        row = super().create_model_instance(data)
        assert isinstance(row, Session)
        row.user_id = data.get(auth.SESSION_KEY)
        return row

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


def _signed_in(request: HttpRequest) -> Any:
    session = request.session
    user = getattr(session, "stored_user", None) if auth.SESSION_KEY in session else None
    if (
        user is not None
        and str(user.pk) == session[auth.SESSION_KEY]
        and session.get(auth.BACKEND_SESSION_KEY) in settings.AUTHENTICATION_BACKENDS
        and user.is_active
        and constant_time_compare(
            session.get(auth.HASH_SESSION_KEY, ""), user.get_session_auth_hash()
        )
    ):
        return user
    # Nobody signed in, or a session Django must judge (a changed password: it signs it out).
    return auth.get_user(request) if auth.SESSION_KEY in session else AnonymousUser()


def _user(request: HttpRequest) -> Any:
    if not hasattr(request, "_cached_user"):
        request._cached_user = _signed_in(request)  # type: ignore[attr-defined]
    return request._cached_user  # type: ignore[attr-defined]


class AuthenticationMiddleware(DjangoAuthentication):
    """Django's, taking the user read with the session (see the module)."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))  # type: ignore[assignment]
