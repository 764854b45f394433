"""The idle timeout is renewed without writing the session row on every request: an unchanged
session is written once its expiry would move by more than a minute, so it still ends after
the idle timeout at the latest, and never more than a minute earlier."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import TabletClient, World
from vigil.accounts.sessions import RENEW_AFTER


def _session_writes(client: TabletClient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me").status_code == 200
    return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)


def test_a_request_soon_after_the_last_renewal_writes_no_session(
    world: World, anonymous: TabletClient
) -> None:
    anonymous.sign_in("alice")
    stored = Session.objects.get().expire_date

    assert _session_writes(anonymous) == 0
    assert Session.objects.get().expire_date == stored
    # Never later than the idle timeout after this request.
    assert stored <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_a_request_renews_once_the_expiry_would_move_by_more_than_a_minute(
    world: World, anonymous: TabletClient
) -> None:
    anonymous.sign_in("alice")
    behind = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE) - RENEW_AFTER * 2
    Session.objects.update(expire_date=behind)

    assert _session_writes(anonymous) == 1
    renewed = Session.objects.get().expire_date
    assert renewed > behind + RENEW_AFTER
    assert _session_writes(anonymous) == 0


def test_signing_out_still_ends_the_session_at_once(world: World, anonymous: TabletClient) -> None:
    anonymous.sign_in("alice")
    assert anonymous.post("/api/v1/auth/logout").status_code in (200, 204)

    assert not Session.objects.exists()
    assert anonymous.get("/api/v1/me").status_code == 401
