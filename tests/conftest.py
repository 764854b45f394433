"""Shared fixtures: persona users at two sites, and an API client that behaves like a tablet.

Personas (after healthchecks' tests):
- alice: staff at site A        - bob: supervisor at site A     - dana: analyst at site A
- erin: admin at site A         - charlie: staff at site B (must see nothing of A)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from vigil.accounts.models import Membership, Role, User
from vigil.sites.models import Site
from vigil.sites.services import site_upsert

PASSWORD = "correct horse battery staple"


def pytest_report_header(config: pytest.Config) -> str:
    return _backends_line()


def pytest_terminal_summary(terminalreporter: Any) -> None:
    terminalreporter.write_line(_backends_line())


def _backends_line() -> str:
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    database = "PostgreSQL" if engine == "postgresql" else "SQLite"
    broker = settings.CELERY_BROKER_URL.split("://", 1)[0]
    broker_name = {"redis": "Redis", "filesystem": "filesystem broker"}.get(broker, broker)
    return f"Vigil tests used database: {database}; Celery broker: {broker_name}"


def on_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def e2e_required() -> bool:
    return os.environ.get("VIGIL_REQUIRE_E2E") == "1"


class TabletClient(APIClient):
    """An API client that enforces CSRF like a browser and logs in through the API: before an
    unsafe request it fetches the CSRF cookie when it has none, as the app does."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(enforce_csrf_checks=True, **kwargs)

    def sign_in(self, username: str, password: str = PASSWORD) -> Any:
        response = self.post(
            "/api/v1/auth/login",
            {"username": username, "password": password},
            format="json",
        )
        assert response.status_code == 200, response.content
        return response

    def _csrf(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        if "csrftoken" not in self.cookies:  # as the app does before signing in
            self.get("/api/v1/auth/csrf")
        token = self.cookies.get("csrftoken")
        if token is not None:
            kwargs.setdefault("HTTP_X_CSRFTOKEN", token.value)
        if "content_type" not in kwargs:
            kwargs.setdefault("format", "json")
        return kwargs

    def post(self, path: str, data: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().post(path, data, **self._csrf(kwargs))

    def patch(self, path: str, data: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().patch(path, data, **self._csrf(kwargs))

    def put(self, path: str, data: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().put(path, data, **self._csrf(kwargs))

    def delete(self, path: str, data: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().delete(path, data, **self._csrf(kwargs))


AUDIT_NO_TRUNCATE = "ALTER TABLE audit_auditevent {} TRIGGER audit_auditevent_no_truncate"


@pytest.fixture(scope="session", autouse=True)
def _flush_may_empty_the_audit_log() -> Iterator[None]:
    """Between transactional tests (live server, worker) Django empties every table with one
    TRUNCATE, which the audit log refuses on PostgreSQL (audit migration 0003). The harness, as
    the tables' owner, switches that trigger off for its own flush statement only."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self: DatabaseOperations, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements: list[str] = original(self, style, tables, **kwargs)
        if "audit_auditevent" not in tables or not statements:
            return statements
        return [
            AUDIT_NO_TRUNCATE.format("DISABLE"),
            *statements,
            AUDIT_NO_TRUNCATE.format("ENABLE"),
        ]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@dataclass
class World:
    site_a: Site
    site_b: Site
    users: dict[str, User]


PERSONAS: dict[str, tuple[str, Role]] = {
    "alice": ("a", Role.STAFF),
    "bob": ("a", Role.SUPERVISOR),
    "dana": ("a", Role.ANALYST),
    "erin": ("a", Role.ADMIN),
    "charlie": ("b", Role.STAFF),
}


def make_user(username: str, *, site: Site, role: Role) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, display_name=username.capitalize()
    )
    Membership.objects.create(user=user, site=site, role=role)
    return user


@pytest.fixture
def world(db: None) -> World:
    site_a, _ = site_upsert(
        slug="harbour",
        name="Harbour",
        timezone="America/Toronto",
        booths=12,
        inhalation_booths=2,
    )
    site_b, _ = site_upsert(
        slug="eastside", name="Eastside", timezone="America/Vancouver", booths=6
    )
    sites = {"a": site_a, "b": site_b}
    users = {
        name: make_user(name, site=sites[where], role=role)
        for name, (where, role) in PERSONAS.items()
    }
    return World(site_a=site_a, site_b=site_b, users=users)


@pytest.fixture
def client_for(world: World) -> Callable[[str], TabletClient]:
    """A logged-in tablet client for a persona: `client_for("alice")`."""

    def make(username: str) -> TabletClient:
        client = TabletClient()
        client.sign_in(username)
        return client

    return make


@pytest.fixture
def anonymous() -> TabletClient:
    return TabletClient()
