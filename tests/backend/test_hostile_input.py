"""Hostile input and the answers around it (issue 14, items 2, 3, 5-8, 10): every refusal is a
JSON error in the contract's shape, never a 500 or an HTML page, and no answer with records is
kept by a browser or proxy."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory, override_settings
from django.views.debug import ExceptionReporter

from tests.backend.conftest import booth_of, check_in
from tests.conftest import PASSWORD, TabletClient, World
from vigil.core.errors import bad_request

pytestmark = pytest.mark.usefixtures("world")

ClientFor = Callable[[str], TabletClient]


def assert_api_error(response: object, status: int) -> dict[str, object]:
    assert response.status_code == status, response.content  # type: ignore[attr-defined]
    assert response["Content-Type"].startswith("application/json")  # type: ignore[index]
    body = response.json()  # type: ignore[attr-defined]
    assert isinstance(body["detail"], str)
    assert isinstance(body["fields"], dict)
    return body  # type: ignore[no-any-return]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- 2. Deeply nested JSON ------------------------------------------------------------------


@pytest.mark.parametrize("depth", [100_000, 200])
def test_deeply_nested_json_is_a_400_at_login_too(anonymous: TabletClient, depth: int) -> None:
    anonymous.get("/api/v1/auth/csrf")
    body = f'{{"username": {nested(depth)}, "password": "x"}}'

    response = anonymous.post("/api/v1/auth/login", body, content_type="application/json")

    assert "nested" in str(assert_api_error(response, 400)["detail"])


def test_deeply_nested_json_is_a_400_on_record_writes(client_for: ClientFor) -> None:
    body = f'{{"site": "harbour", "kind": "consumption", "substances": {nested(100_000)}}}'

    response = client_for("alice").post("/api/v1/visits/", body, content_type="application/json")

    assert_api_error(response, 400)


def test_ordinary_nesting_still_parses(client_for: ClientFor, world: World) -> None:
    response = check_in(
        client_for("alice"), booth=booth_of(world.site_a, "1"), substances=["fentanyl"]
    )

    assert response.status_code == 201, response.content


# --- 3. Extreme dates ------------------------------------------------------------------------

DATE_READS = [
    ("/api/v1/visits/?site=harbour&date={day}", "date"),
    ("/api/v1/incidents/?site=harbour&date={day}", "date"),
    ("/api/v1/services/?site=harbour&date={day}", "date"),
    ("/api/v1/referrals/?site=harbour&date={day}", "date"),
    ("/api/v1/reports/daily/?site=harbour&from={day}&to={day}", "from"),
    ("/api/v1/reports/daily.csv?site=harbour&from={day}&to={day}", "from"),
    ("/api/v1/reports/period/?site=harbour&from={day}&to={day}", "from"),
    ("/api/v1/reports/period/?site=harbour&from=2026-01-01&to={day}", "to"),
]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize(("url", "parameter"), DATE_READS)
def test_extreme_dates_are_a_400_naming_the_parameter(
    client_for: ClientFor, url: str, parameter: str, day: str
) -> None:
    response = client_for("bob").get(url.format(day=day))

    body = assert_api_error(response, 400)
    assert parameter in body["fields"]  # type: ignore[operator]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_an_extreme_recompute_day_is_a_400(client_for: ClientFor, day: str) -> None:
    response = client_for("bob").post("/api/v1/reports/recompute", {"site": "harbour", "date": day})

    assert "date" in assert_api_error(response, 400)["fields"]  # type: ignore[operator]


# --- 5. Content-Security-Policy ---------------------------------------------------------------


def test_the_app_has_a_strict_policy(anonymous: TabletClient) -> None:
    for path in ("/", "/floor", "/api/v1/me", "/admin/login/"):
        policy = anonymous.get(path)["Content-Security-Policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == "'self'", path
        assert directives["default-src"] == "'self'", path
        assert directives["frame-ancestors"] == "'none'", path
        assert "unsafe" not in policy, path


def test_only_the_api_docs_allow_inline_styles_and_no_page_inline_script(
    anonymous: TabletClient,
) -> None:
    response = anonymous.get("/api/docs/")
    directives = dict(
        d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";")
    )

    assert response.status_code == 200
    assert directives["script-src"] == "'self'"
    assert "'unsafe-inline'" in directives["style-src"]
    # Swagger UI starts from a script file, never an inline script.
    assert b"<script>" not in response.content


# --- 6. Never cached -------------------------------------------------------------------------


def test_api_answers_with_records_are_never_stored(client_for: ClientFor) -> None:
    client = client_for("alice")
    for path in ("/api/v1/visits/?site=harbour", "/api/v1/me", "/api/v1/nothing-here"):
        cache_control = client.get(path)["Cache-Control"]
        assert "no-store" in cache_control, path
        assert "private" in cache_control, path


# --- 7. CSRF on login ------------------------------------------------------------------------


def test_login_without_the_csrf_token_is_refused(world: World) -> None:
    client = TabletClient()
    client.get("/api/v1/auth/csrf")

    response = client.post(
        "/api/v1/auth/login", {"username": "alice", "password": PASSWORD}, HTTP_X_CSRFTOKEN=""
    )

    assert "CSRF" in str(assert_api_error(response, 403)["detail"])
    assert "sessionid" not in client.cookies


def test_login_with_the_csrf_token_signs_in(world: World) -> None:
    client = TabletClient()

    csrf = client.get("/api/v1/auth/csrf")

    assert csrf.status_code == 204
    assert "csrftoken" in client.cookies
    response = client.post("/api/v1/auth/login", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200


# --- 8. JSON errors everywhere under /api/ -----------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_upload_limit_is_a_json_413(client_for: ClientFor) -> None:
    body = {"site": "harbour", "kind": "consumption", "code": "A" * 2000}

    response = client_for("alice").post("/api/v1/visits/", body)

    assert_api_error(response, 413)


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_form_body_over_the_upload_limit_is_a_json_error(anonymous: TabletClient) -> None:
    response = anonymous.post(
        "/api/v1/auth/login",
        "username=" + "A" * 2000,
        content_type="application/x-www-form-urlencoded",
    )

    assert_api_error(response, 415)


def test_djangos_own_refusals_are_json_under_api() -> None:
    """What Django refuses before any view (a body it cannot read, a bad host) uses handler400."""
    request = RequestFactory().post("/api/v1/visits/")

    response = bad_request(request, SuspiciousOperation())

    assert response.status_code == 400
    assert json.loads(response.content) == {
        "detail": "The request could not be read.",
        "fields": {},
    }
    assert bad_request(RequestFactory().get("/floor"), SuspiciousOperation())[
        "Content-Type"
    ].startswith("text/html")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unknown_api_path_is_a_json_404(anonymous: TabletClient, debug: bool) -> None:
    with override_settings(DEBUG=debug):
        for path in ("/api/v1/nothing-here", "/api/v2/visits/", "/api/v1/visits"):
            assert_api_error(anonymous.get(path), 404)
            assert_api_error(anonymous.post(path, {}), 404)


# --- 10. Choice errors -------------------------------------------------------------------------


def test_a_choice_error_names_the_field_and_the_choices_never_the_value(
    client_for: ClientFor,
) -> None:
    response = client_for("alice").post(
        "/api/v1/visits/",
        {"site": "harbour", "kind": "SECRETVALUE", "substances": ["fentanyl", "SECRETVALUE2"]},
    )

    body = assert_api_error(response, 400)
    assert "SECRETVALUE" not in response.content.decode()
    fields = body["fields"]
    assert isinstance(fields, dict)
    assert "consumption" in fields["kind"][0]
    assert "fentanyl" in fields["substances"][0]


def test_a_choice_error_in_a_query_never_echoes_the_value(client_for: ClientFor) -> None:
    response = client_for("bob").get("/api/v1/incidents/?site=harbour&status=SECRETVALUE")

    body = assert_api_error(response, 400)
    assert "SECRETVALUE" not in response.content.decode()
    assert "status" in body["fields"]  # type: ignore[operator]


# --- 1. Error reports never show the pepper or a request body ----------------------------------


def test_an_error_report_masks_the_pepper_and_every_posted_value() -> None:
    code = "".join(["QX", "7H2"])  # built here, so the report's source excerpts do not hold it
    request = RequestFactory().post("/api/v1/visits/", {"code": code, "kind": "consumption"})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_html()

    assert settings.VIGIL_CODE_PEPPER not in report
    assert settings.SECRET_KEY not in report
    assert code not in report
    assert "VIGIL_CODE_PEPPER" in report  # listed, masked
