"""The idle timeout is renewed without writing the session row on every request: an unchanged
session is written once its expiry would move by more than a minute, so it still ends after
the idle timeout at the latest, and never more than a minute earlier."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import TabletClient, World
from vigil.accounts.models import Session
from vigil.accounts.sessions import RENEW_AFTER
from vigil.accounts.tasks import clear_expired_sessions_task


def _session_writes(client: TabletClient) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/me").status_code == 200
    return sum('UPDATE "accounts_session"' in q["sql"] for q in queries.captured_queries)


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


def test_the_session_and_its_user_are_read_in_one_query(
    world: World, anonymous: TabletClient
) -> None:
    anonymous.sign_in("alice")
    assert str(Session.objects.get().user_id) == str(world.users["alice"].pk)

    with CaptureQueriesContext(connection) as queries:
        assert anonymous.get("/api/v1/auth/csrf").status_code in (200, 204)
    reads = [q["sql"] for q in queries.captured_queries]
    assert len(reads) == 1
    assert '"accounts_session"' in reads[0]
    assert '"accounts_user"' in reads[0]


def test_a_changed_password_signs_the_other_sessions_out(
    world: World, anonymous: TabletClient
) -> None:
    anonymous.sign_in("alice")
    alice = world.users["alice"]
    alice.set_password("a new and long passphrase")
    alice.save()

    assert anonymous.get("/api/v1/me").status_code == 401


def test_a_deactivated_account_is_signed_out_at_its_next_request(
    world: World, anonymous: TabletClient
) -> None:
    anonymous.sign_in("alice")
    type(world.users["alice"]).objects.filter(username="alice").update(is_active=False)

    assert anonymous.get("/api/v1/me").status_code == 401


def test_beat_clears_the_expired_sessions_and_keeps_the_others(
    world: World, anonymous: TabletClient, client_for: Any
) -> None:
    anonymous.sign_in("alice")
    bob = client_for("bob")
    Session.objects.filter(user=world.users["alice"]).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    assert settings.CELERY_BEAT_SCHEDULE["expired-sessions"]["task"] == (
        clear_expired_sessions_task.name
    )
    assert clear_expired_sessions_task.apply().get() == 1
    assert list(Session.objects.values_list("user__username", flat=True)) == ["bob"]
    assert bob.get("/api/v1/me").status_code == 200
