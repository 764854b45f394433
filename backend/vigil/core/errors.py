"""One application error type and one exception handler: every error has the same JSON shape.

{"detail": "plain words", "fields": {"field": ["plain words", ...]}}
"""

from __future__ import annotations

import re
from collections.abc import ItemsView
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext, gettext_noop
from django.views import csrf, defaults
from django.views.debug import SafeExceptionReporterFilter
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from vigil.core.parsers import BodyTooLarge


class ApplicationError(Exception):
    """A refusal the user can act on: a status, a sentence, and the fields it concerns."""

    status_code: int = status.HTTP_400_BAD_REQUEST

    def __init__(
        self,
        detail: str,
        *,
        fields: dict[str, list[str]] | None = None,
        status_code: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.fields = fields or {}
        self.extra = extra or {}
        if status_code is not None:
            self.status_code = status_code


# Marked for the catalogues here, translated when raised (in the language of the request).
FIELDS_NEED_ATTENTION = gettext_noop("Some fields need attention.")


class FieldErrors(ApplicationError):
    """A refusal naming the fields to correct, each with what is wrong in plain words."""

    def __init__(self, fields: dict[str, list[str]], *, status_code: int | None = None) -> None:
        super().__init__(gettext(FIELDS_NEED_ATTENTION), fields=fields, status_code=status_code)


def field_error(name: str, message: str) -> FieldErrors:
    """One field refused with one message (400)."""
    return FieldErrors({name: [message]})


class Conflict(ApplicationError):
    status_code = status.HTTP_409_CONFLICT


class ReplayConflict(Conflict):
    """A record id sent again with other content; the API shows the stored record."""

    def __init__(self, detail: str, *, record: Any) -> None:
        super().__init__(detail)
        self.record = record


class StaleVersion(ApplicationError):
    status_code = status.HTTP_412_PRECONDITION_FAILED


def _flatten(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"{key}: {msg}" for key, inner in value.items() for msg in _flatten(inner)]
    if isinstance(value, list):
        return [msg for item in value for msg in _flatten(item)]
    return [str(value)]


def _fields_of(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {str(key): _flatten(value) for key, value in detail.items()}
    return {"non_field_errors": _flatten(detail)}


def _validation_response(fields: dict[str, list[str]]) -> Response:
    general = fields.get("non_field_errors")
    detail = general[0] if general and len(fields) == 1 else gettext(FIELDS_NEED_ATTENTION)
    return Response({"detail": detail, "fields": fields}, status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body = {"detail": exc.detail, "fields": exc.fields, **exc.extra}
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        fields = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        return _validation_response({key: list(msgs) for key, msgs in fields.items()})
    if isinstance(exc, exceptions.ValidationError):
        return _validation_response(_fields_of(exc.detail))
    if isinstance(exc, RequestDataTooBig):  # read by Django before the parser could refuse it
        exc = BodyTooLarge()
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(gettext("Not found."))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data.get("detail") if isinstance(response.data, dict) else response.data
    response.data = {"detail": str(detail), "fields": {}}
    return response


# Django's own error pages, answered in the API's error shape for anything under /api/.


def _api_error(request: HttpRequest, detail: str, status_code: int) -> JsonResponse | None:
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse({"detail": detail, "fields": {}}, status=status_code)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: a body over the upload limit, a malformed request Django itself refuses."""
    return _api_error(
        request, gettext("The request could not be read."), 400
    ) or defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _api_error(request, gettext("You may not do this."), 403) or defaults.permission_denied(
        request, exception
    )


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: an /api/ URL that matches no route answers like every other API 404."""
    return _api_error(request, gettext("Not found."), 404) or defaults.page_not_found(
        request, exception
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _api_error(
        request, gettext("Something went wrong on the server."), 500
    ) or defaults.server_error(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the reason in plain words under /api/, Django's page elsewhere."""
    return _api_error(request, f"CSRF Failed: {reason}", 403) or csrf.csrf_failure(request, reason)


def api_not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """The last /api/ route: no URL there ever falls through to Django's debug 404 page."""
    return JsonResponse({"detail": gettext("Not found."), "fields": {}}, status=404)


class ExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (the debug page, mailed reports) never show a secret or a request body.

    Django masks settings whose name holds KEY, SECRET, TOKEN, PASS...; the visit-code pepper
    and the connection URLs (which carry passwords) are added. Every POST parameter and every
    local variable of the traceback is masked: any of them may hold a visit code.
    """

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|PEPPER|URL",
        flags=re.IGNORECASE,
    )

    def get_post_parameters(self, request: HttpRequest | None) -> dict[str, Any]:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, self.cleansed_substitute)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> ItemsView[str, Any]:
        # Any frame may hold a code being hashed or a body being read: names only.
        return dict.fromkeys(tb_frame.f_locals, self.cleansed_substitute).items()
