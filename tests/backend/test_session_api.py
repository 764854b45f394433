from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.conftest import PASSWORD, TabletClient, World
from vigil.accounts.models import Session
from vigil.audit.models import AuditEvent


def test_login_sets_session_and_csrf_cookies_and_returns_the_user(
    world: World, anonymous: TabletClient
) -> None:
    response = anonymous.sign_in("alice")

    assert response.json() == {
        "user": {
            "username": "alice",
            "display_name": "Alice",
            "memberships": [{"site": "harbour", "site_name": "Harbour", "role": "staff"}],
            "idle_minutes": 15,
        }
    }
    assert settings.SESSION_COOKIE_NAME in response.cookies
    assert "csrftoken" in response.cookies
    assert AuditEvent.objects.filter(action="login", actor=world.users["alice"]).count() == 1


def test_me_lists_every_membership_with_its_role(world: World, anonymous: TabletClient) -> None:
    from vigil.accounts.models import Membership, Role

    Membership.objects.create(user=world.users["bob"], site=world.site_b, role=Role.STAFF)
    anonymous.sign_in("bob")

    response = anonymous.get("/api/v1/me")

    assert response.status_code == 200
    assert response.json()["memberships"] == [
        {"site": "eastside", "site_name": "Eastside", "role": "staff"},
        {"site": "harbour", "site_name": "Harbour", "role": "supervisor"},
    ]


def test_me_without_a_session_is_401(world: World, anonymous: TabletClient) -> None:
    response = anonymous.get("/api/v1/me")

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "fields": {},
    }


def test_a_wrong_password_is_401_in_plain_words_and_audited(
    world: World, anonymous: TabletClient
) -> None:
    response = anonymous.post("/api/v1/auth/login", {"username": "alice", "password": "nope"})

    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong username or password.", "fields": {}}
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.actor is None
    assert failed.changes == {"username": "alice"}
    assert "nope" not in str(failed.changes)


def test_a_login_without_fields_names_each_missing_field(
    world: World, anonymous: TabletClient
) -> None:
    response = anonymous.post("/api/v1/auth/login", {})

    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"username", "password"}
    assert response.json()["fields"]["username"] == ["This field is required."]


def test_repeated_failures_are_throttled_with_429_even_with_the_right_password(
    world: World, anonymous: TabletClient
) -> None:
    statuses = [
        anonymous.post("/api/v1/auth/login", {"username": "alice", "password": "x"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    right = anonymous.post("/api/v1/auth/login", {"username": "alice", "password": PASSWORD})

    assert statuses[:-1] == [401] * (settings.AXES_FAILURE_LIMIT - 1)
    assert statuses[-1] == 429
    assert right.status_code == 429
    assert "Too many failed sign-ins" in right.json()["detail"]


def test_logout_ends_the_session(world: World, anonymous: TabletClient) -> None:
    anonymous.sign_in("alice")

    assert anonymous.post("/api/v1/auth/logout").status_code == 204
    assert anonymous.get("/api/v1/me").status_code == 401
    assert AuditEvent.objects.filter(action="logout", actor=world.users["alice"]).exists()


def test_unsafe_requests_need_the_csrf_header(world: World, anonymous: TabletClient) -> None:
    anonymous.sign_in("alice")

    response = anonymous.post("/api/v1/auth/logout", HTTP_X_CSRFTOKEN="forged")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_session_ends_after_the_idle_timeout(world: World, anonymous: TabletClient) -> None:
    anonymous.sign_in("alice")
    assert settings.SESSION_COOKIE_AGE == 15 * 60

    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))

    assert anonymous.get("/api/v1/me").status_code == 401


def test_each_request_renews_the_idle_timeout(world: World, anonymous: TabletClient) -> None:
    anonymous.sign_in("alice")
    soon = timezone.now() + timedelta(minutes=1)
    Session.objects.update(expire_date=soon)

    assert anonymous.get("/api/v1/me").status_code == 200
    assert Session.objects.get().expire_date > soon + timedelta(minutes=10)


@pytest.mark.parametrize("username", ["ghost", ""])
def test_unknown_users_get_the_same_answer_as_a_wrong_password(
    world: World, anonymous: TabletClient, username: str
) -> None:
    response = anonymous.post("/api/v1/auth/login", {"username": username or " ", "password": "x"})

    assert response.status_code in {400, 401}
    if response.status_code == 401:
        assert response.json()["detail"] == "Wrong username or password."
