from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

LOCKED_OUT = "Too many failed sign-ins. Wait a few minutes, or ask a supervisor."


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """django-axes lockout answer, in the API's error shape."""
    return JsonResponse({"detail": LOCKED_OUT, "fields": {}}, status=429)


def client_ip(request: HttpRequest) -> str | None:
    """The client address nginx passes in X-Real-IP (the web port is never published)."""
    real: str | None = request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")
    return real
