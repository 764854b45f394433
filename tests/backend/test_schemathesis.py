"""Property-based guard over the served OpenAPI schema (schemathesis, in process, over WSGI).

Every operation of /api/schema/ is called with generated valid and invalid input against the
Django WSGI application and the pytest-django test database. A test fails on any 5xx and on
any answer that does not match the schema: undocumented status code, wrong content type, body
or headers that do not match the documented response.

Every phase schemathesis has: examples, coverage and fuzzing (one test item per operation, in
two runs below), and the stateful phase (`test_api_workflows_signed_in`). The two runs:
- signed in as bob (supervisor at harbour): his session cookie and X-CSRFToken header on every
  request, over every operation except login and logout (bad logins for bob would lock him out
  through django-axes, a logout would end the session mid-run). schemathesis also drops the
  cookie and forges one on its own, so the 401 of every protected operation is exercised;
- anonymous, over the operations the schema lets anyone call: login (400, 401, 429), logout and
  the probes.

New endpoints are picked up from the schema: nothing to add here when the API grows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import AuthContext, Case, CheckContext, Response
from schemathesis.openapi.checks import UndefinedStatusCode
from schemathesis.specs.openapi.checks import ignored_auth, status_code_conformance
from werkzeug.test import Client

from config.wsgi import application
from tests.conftest import PASSWORD, World

SCHEMA_PATH = "/api/schema/?format=json"
ANONYMOUS_CSRF = "anonymous0csrf0token0of032chars0"
SESSION_OPERATIONS = r"^/api/v1/auth/(login|logout)$"

# The statuses of the error contract (docs/api.md), all answered as {"detail": str, "fields": {...}}.
# See `documented_status` for when an undocumented one is tolerated.
API_ERROR_STATUSES = frozenset({400, 401, 403, 404, 405, 409, 412, 415, 429})

# Random slugs, codes and ids only ever reach 400 and 404. Half of the generated values come
# from these instead, so the happy paths and their response schemas are reached too: bob's
# site, a site that is not his, a known and a new visit code, the visit `bob_session` opens.
KNOWN_SITES = ["harbour", "eastside"]
KNOWN_CODE = "QX7H2"
KNOWN_VISIT = "5c1f0e0a-7d65-4c6a-9a57-0b6f1e3c2d41"

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20260101,
        "dictionaries": {
            "sites": {"values": KNOWN_SITES},
            "codes": {"values": [KNOWN_CODE, "NEW42"]},
            "visits": {"values": [KNOWN_VISIT]},
        },
        "parameters": {
            "path.slug": {"dictionary": "sites", "probability": 0.5},
            "query.site": {"dictionary": "sites", "probability": 0.5},
            "body.site": {"dictionary": "sites", "probability": 0.5},
            "body.code": {"dictionary": "codes", "probability": 0.5},
            "path.visit_id": {"dictionary": "visits", "probability": 0.5},
        },
        "checks": {
            # Replaced by `documented_status` (the same check, plus a transition allowance).
            "status_code_conformance": {"enabled": False},
            # DRF is lenient by design ("5" is an integer, a bad page_size falls back to the
            # default) and business rules refuse schema-valid input (a site that is not yours),
            # so these two fail on correct behaviour. Valid and invalid input are still sent,
            # and every answer still goes through the 5xx and conformance checks.
            "negative_data_rejection": {"enabled": False},
            "positive_data_acceptance": {"enabled": False},
        },
        "operations": [
            {
                # Documented: 503 names the dependency that does not answer. A crash is a 500.
                "include-path": "/readyz",
                "checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", 503]}},
            }
        ],
    }
)

SCHEMA = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=CONFIG)

# Modest and reproducible: the guard runs on every push and grows with each endpoint. Besides
# these examples, schemathesis' coverage phase sends its own boundary and negative cases.
FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


def _is_api_error(response: Response) -> bool:
    content_type = response.headers.get("content-type", [""])[0]
    if content_type.split(";")[0].strip() != "application/json":
        return False
    try:
        body = json.loads(response.content)
    except ValueError:
        return False
    return (
        isinstance(body, dict)
        and isinstance(body.get("detail"), str)
        and isinstance(body.get("fields"), dict)
        and all(
            isinstance(messages, list) and all(isinstance(message, str) for message in messages)
            for messages in body["fields"].values()
        )
    )


def documented_status(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """schemathesis' status_code_conformance, with one transition allowance.

    An operation whose schema documents no 4xx at all (its errors are not written down yet)
    may answer an error status of docs/api.md, as JSON in the API error shape. As soon as an operation
    documents any 4xx, it is held to the strict check: every status it answers is documented,
    and schemathesis validates the error body against the documented schema.
    """
    try:
        return status_code_conformance(ctx, response, case)
    except UndefinedStatusCode:
        documents_errors = any(
            code.startswith("4") for code in case.operation.responses.status_codes
        )
        if (
            not documents_errors
            and response.status_code in API_ERROR_STATUSES
            and _is_api_error(response)
        ):
            return None
        raise


def session_holds(ctx: CheckContext, response: Response, case: Case[Any]) -> bool | None:
    """A signed-in run whose session or CSRF token is refused would quietly test nothing.

    Cases without bob's cookie are schemathesis trying no or made-up credentials (the schema
    declares the session cookie as the security scheme): a 401 is their expected answer.
    """
    if case.cookies.get("sessionid") != BobSession.signed_in.get("sessionid"):
        return None
    assert response.status_code != 401, "bob's session cookie was refused"
    if response.status_code == 403:
        assert "CSRF" not in response.text, "bob's X-CSRFToken header was refused"
    return None


def _requires_credentials(ctx: Any) -> bool:
    """An operation the schema does not let anyone call: security required, `{}` not among it."""
    security = ctx.operation.definition.raw.get("security", SCHEMA.raw_schema.get("security"))
    return security is not None and {} not in security


class BobSession:
    """schemathesis auth provider: bob's session cookie and CSRF token on each generated case.

    Through schemathesis' auth (rather than cookies added to the call) these count as real
    credentials: generated ones are dropped, and `ignored_auth` replays each success without
    them and with made-up ones, expecting a 401.
    """

    signed_in: ClassVar[dict[str, str]] = {}
    # Coverage cases are built while pytest collects, before any fixture has run: they get this
    # stand-in, which the test swaps for the live session (`_with_live_session`).
    STAND_IN: ClassVar[dict[str, str]] = {"sessionid": "live-session", "csrf": "live-csrf-token"}

    def get(self, case: Case[Any], ctx: AuthContext) -> dict[str, str]:
        return self.signed_in or self.STAND_IN

    def set(self, case: Case[Any], data: dict[str, str], ctx: AuthContext) -> None:
        _put_session(case, data)


def _put_session(case: Case[Any], data: dict[str, str]) -> None:
    case.cookies = {**case.cookies, "sessionid": data["sessionid"], "csrftoken": data["csrf"]}
    case.headers["X-CSRFToken"] = data["csrf"]


def _with_live_session(case: Case[Any]) -> Case[Any]:
    assert BobSession.signed_in, "bob is not signed in"
    if case.cookies.get("sessionid") == BobSession.STAND_IN["sessionid"]:
        _put_session(case, BobSession.signed_in)
    return case


@pytest.fixture(autouse=True)
def _requests_share_the_test_transaction() -> Iterator[None]:
    """Django's WSGI handler closes the database connection around each request, which would
    end the test's transaction; Django's own test client unhooks it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bob_session(world: World) -> Iterator[None]:
    """Sign bob in through the login API, as a tablet does, and check in one visit."""
    client = Client(application)
    client.get("/api/v1/auth/csrf")
    token = client.get_cookie("csrftoken")
    assert token is not None
    response = client.post(
        "/api/v1/auth/login",
        json={"username": "bob", "password": PASSWORD},
        headers={"X-CSRFToken": token.value},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    session = client.get_cookie("sessionid")
    csrf = client.get_cookie("csrftoken")
    assert session is not None
    assert csrf is not None
    sites = client.get("/api/v1/sites/").get_json()["results"]
    booth = next(site for site in sites if site["slug"] == "harbour")["booths"][0]["id"]
    checked_in = client.post(
        "/api/v1/visits/",
        json={
            "id": KNOWN_VISIT,
            "site": "harbour",
            "code": KNOWN_CODE,
            "kind": "consumption",
            "booth": booth,
        },
        headers={"X-CSRFToken": csrf.value},
    )
    assert checked_in.status_code == 201, checked_in.get_data(as_text=True)
    BobSession.signed_in = {"sessionid": session.value, "csrf": csrf.value}
    yield
    BobSession.signed_in = {}


@SCHEMA.exclude(path_regex=SESSION_OPERATIONS).parametrize()
@FUZZ
@SCHEMA.auth(BobSession, refresh_interval=None)
@pytest.mark.usefixtures("bob_session")
def test_api_matches_its_schema_signed_in(case: Case[Any]) -> None:
    _with_live_session(case).call_and_validate(additional_checks=[documented_status, session_holds])


class SignedInWorkflow(SCHEMA.exclude(path_regex=SESSION_OPERATIONS).as_state_machine()):  # type: ignore[misc]
    """The stateful phase: chains of calls that feed one answer's ids into the next request
    (links schemathesis infers from the schema: a visit checked in, then read, edited, voided),
    as bob, with the same checks."""

    def before_call(self, case: Case[Any]) -> None:
        _put_session(case, BobSession.signed_in)

    def validate_response(
        self, response: Response, case: Case[Any], additional_checks: Any = None, **kwargs: Any
    ) -> None:
        # ignored_auth replays a step with forged credentials, which `before_call` would
        # replace with bob's: the signed-in run above checks every operation's 401 instead.
        case.validate_response(
            response,
            additional_checks=[documented_status, session_holds],
            excluded_checks=[ignored_auth],
            transport_kwargs=kwargs or None,
            recorder=self.recorder,
        )


@pytest.mark.usefixtures("bob_session")
def test_api_workflows_signed_in() -> None:
    run_state_machine_as_test(
        SignedInWorkflow,
        settings=settings(FUZZ, max_examples=15, stateful_step_count=6),
    )


# An exclude, as an include would be OR-ed with the filter of the `operations` config above.
@SCHEMA.exclude(_requires_credentials).parametrize()
@FUZZ
@pytest.mark.usefixtures("world")
def test_api_matches_its_schema_anonymous(case: Case[Any]) -> None:
    # A CSRF token of its own, as the sign-in screen has: login checks it like any unsafe call,
    # and without one every generated login would stop at the 403.
    case.cookies = {**case.cookies, "csrftoken": ANONYMOUS_CSRF}
    case.headers = {**(case.headers or {}), "X-CSRFToken": ANONYMOUS_CSRF}
    case.call_and_validate(additional_checks=[documented_status])
