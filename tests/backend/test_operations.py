from __future__ import annotations

import pytest
from django.test import Client

from config.celery import app as celery_app


def test_healthz_answers_without_a_session(db: None) -> None:
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_200_when_the_database_and_broker_answer(db: None) -> None:
    response = Client().get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "broker": "ok"}


def test_readyz_is_503_naming_the_broker_when_it_does_not_answer(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The web process only publishes, so readiness probes the write connection.
    monkeypatch.setattr(celery_app.conf, "broker_write_url", "redis://127.0.0.1:1/0")

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json() == {"status": "not ready", "database": "ok", "broker": "down"}


def test_the_openapi_schema_and_docs_are_served_without_a_cdn(db: None) -> None:
    schema = Client().get("/api/schema/", {"format": "json"})
    docs = Client().get("/api/docs/")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/auth/login", "/api/v1/auth/logout", "/api/v1/me", "/api/v1/sites/"} <= set(
        paths
    )
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn." not in html


def test_the_app_shell_sets_the_csrf_cookie_on_any_non_api_path(db: None) -> None:
    for path in ["/", "/floor/booth/3"]:
        response = Client().get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "csrftoken" in response.cookies


def test_unknown_api_paths_are_json_404s(db: None) -> None:
    response = Client().get("/api/v1/nothing-here")

    assert response.status_code == 404
