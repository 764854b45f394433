from __future__ import annotations

from rest_framework import authentication
from rest_framework.request import Request


class SessionAuthentication(authentication.SessionAuthentication):
    """Session cookie + CSRF, answering 401 (not 403) when nobody is logged in."""

    def authenticate_header(self, request: Request) -> str:
        return "Session"
