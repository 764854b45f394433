from __future__ import annotations

from rest_framework import authentication
from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    """Session cookie + CSRF, answering 401 (not 403) when nobody is logged in."""

    def authenticate_header(self, request: Request) -> str:
        return "Session"


def enforce_csrf(request: Request) -> None:
    """Refuse an unsafe request without a valid CSRF token (403), signed in or not: DRF checks
    only for a session it authenticated, so a view without authentication classes calls this."""
    SessionAuthentication().enforce_csrf(request)
