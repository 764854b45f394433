"""The OpenAPI schema describes what the service and referral routes really answer.

Generated input rarely reaches a 201 or a 409 (it would have to name a real site and a real
record), so these cases send real requests through the WSGI application and hold each answer to
the schema: documented status, content type and body (schemathesis' own checks).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

from config.wsgi import application
from tests.conftest import PASSWORD, World

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def _requests_share_the_test_transaction() -> Iterator[None]:
    """Django's WSGI handler closes the connection around each request, which would end the
    test's transaction; Django's own test client unhooks it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class Caller:
    """Sends one real request as a signed-in persona and validates the answer."""

    def __init__(self, username: str) -> None:
        client = Client(application)
        client.get("/api/v1/auth/csrf")
        token = client.get_cookie("csrftoken")
        assert token is not None
        response = client.post(
            "/api/v1/auth/login",
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRFToken": token.value},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        session, csrf = client.get_cookie("sessionid"), client.get_cookie("csrftoken")
        assert session is not None
        assert csrf is not None
        self.cookies = {"sessionid": session.value, "csrftoken": csrf.value}
        self.headers = {"X-CSRFToken": csrf.value}
        self.schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

    def __call__(
        self, method: str, path: str, status: int, *, body: Any = None, **params: Any
    ) -> Any:
        operation = self.schema[f"/api/v1{path}"][method]
        kwargs: dict[str, Any] = {}
        path_params = {k: v for k, v in params.items() if k.endswith("_id")}
        query = {k: v for k, v in params.items() if not k.endswith("_id")}
        if body is not None:
            kwargs["body"] = body
            kwargs["media_type"] = "application/json"
        case = operation.Case(
            path_parameters=path_params or None,
            query=query or None,
            cookies=self.cookies,
            headers=dict(self.headers),
            **kwargs,
        )
        response = case.call()
        assert response.status_code == status, response.text
        case.validate_response(response, checks=CHECKS)
        return response.json()


@pytest.fixture
def bob(world: World) -> Caller:
    return Caller("bob")


def test_service_answers_match_the_schema(bob: Caller) -> None:
    service_id = str(uuid.uuid4())
    check = {"expected_substance": "heroin", "method": "ftir", "fentanyl": "positive"}
    new = {"id": service_id, "site": "harbour", "kind": "drug_checking", "drug_check": check}
    lines = [{"item": "syringe", "quantity": 10}]

    bob("POST", "/services/", 201, body=new)
    bob("POST", "/services/", 200, body=new)
    conflict = bob("POST", "/services/", 409, body={**new, "kind": "first_aid"})
    bob("POST", "/services/", 201, body={"site": "harbour", "kind": "supplies", "supplies": lines})
    bob("POST", "/services/", 400, body={"site": "harbour", "kind": "supplies"})
    bob("GET", "/services/", 200, site="harbour")
    bob("GET", "/services/", 400)
    bob("GET", "/services/{service_id}", 200, service_id=service_id)
    bob("GET", "/services/{service_id}", 404, service_id=str(uuid.uuid4()))
    negative = {"version": 1, "drug_check": {**check, "fentanyl": "negative"}}
    bob("PATCH", "/services/{service_id}", 200, service_id=service_id, body=negative)
    bob("PATCH", "/services/{service_id}", 412, service_id=service_id, body={"version": 1})
    bob("POST", "/services/{service_id}/void", 200, service_id=service_id, body={"reason": "x"})

    assert conflict["current"]["id"] == service_id


def test_referral_answers_match_the_schema(bob: Caller) -> None:
    referral_id = str(uuid.uuid4())
    new = {
        "id": referral_id,
        "site": "harbour",
        "category": "oat",
        "destination": "onsite_connected",
        "accompanied": True,
        "status": "offered",
        "code": "KIWI77",
    }

    bob("POST", "/referrals/", 201, body=new)
    bob("POST", "/referrals/", 200, body=new)
    bob("POST", "/referrals/", 409, body={**new, "category": "housing"})
    bob("GET", "/referrals/", 200, site="harbour", open=True)
    bob("GET", "/referrals/{referral_id}", 200, referral_id=referral_id)
    status = "/referrals/{referral_id}/status"
    bob("POST", status, 200, referral_id=referral_id, body={"status": "declined"})
    refused = bob("POST", status, 409, referral_id=referral_id, body={"status": "attended"})
    unaccompanied = {"version": 2, "accompanied": False}
    bob("PATCH", "/referrals/{referral_id}", 200, referral_id=referral_id, body=unaccompanied)
    bob("PATCH", "/referrals/{referral_id}", 412, referral_id=referral_id, body={"version": 2})
    lookup = bob("POST", "/participants/lookup", 200, body={"site": "harbour", "code": "KIWI77"})
    bob("POST", "/referrals/{referral_id}/void", 200, referral_id=referral_id, body={"reason": "x"})

    assert (refused["status"], refused["allowed"]) == ("declined", [])
    assert lookup["open_referrals"] == []
