from __future__ import annotations

from datetime import datetime
from typing import Any

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

LOCKED_OUT = gettext_noop("Too many failed sign-ins. Wait a few minutes, or ask a supervisor.")


# How login lockout works (django-axes, settings AXES_*): VIGIL_LOGIN_FAILURE_LIMIT failed
# sign-ins for one username from one address lock that username out from that address for
# VIGIL_LOGIN_COOLOFF_HOURS, even with the right password. Behind nginx the address is the
# client's; on a site whose tablets share one address, every tablet of the site is locked out.
# It ends by itself after the cool-off, or when a supervisor or admin of a site the user belongs
# to lifts it (vigil.accounts.services.lockout_lift); a successful sign-in clears the failures.


def locked_out_until(*, usernames: list[str]) -> dict[str, datetime]:
    """The usernames among `usernames` locked out now, and when each lockout ends by itself."""
    cool_off = get_cool_off()
    assert cool_off is not None
    latest = (
        AccessAttempt.objects.filter(
            username__in=usernames,
            failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
            attempt_time__gte=timezone.now() - cool_off,
        )
        .values("username")
        .annotate(last=Max("attempt_time"))
    )
    return {row["username"]: row["last"] + cool_off for row in latest}


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """django-axes lockout answer, in the API's error shape."""
    return JsonResponse({"detail": gettext(LOCKED_OUT), "fields": {}}, status=429)


def client_ip(request: HttpRequest) -> str | None:
    """The client address nginx passes in X-Real-IP (the web port is never published)."""
    real: str | None = request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR")
    return real
