"""OpenAPI schema: the error contract of docs/api.md, unique component names, session auth."""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.openapi import AutoSchema as BaseAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers


# The error of docs/api.md: {"detail": "plain words", "fields": {"field": ["plain words", ...]}}; a 409
# may carry more (the stored record as `current`, ...).
def _error_fields() -> dict[str, serializers.Field[Any, Any, Any, Any]]:
    return {
        "detail": serializers.CharField(),
        "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
    }


ErrorSerializer = inline_serializer("Error", _error_fields())

_MEANINGS = {
    400: "Bad input: `fields` says what to correct.",
    401: "Not logged in.",
    403: "Logged in, but the role may not do this (or the CSRF token is missing).",
    404: "Not found, or not yours.",
    409: "Conflict with what is stored.",
    413: "The request body is over the upload limit (1 MB).",
    412: "Stale version: someone changed the record since you read it. Reload it.",
    429: "Too many attempts.",
}


# How a PATCH of a visit, incident, service or referral treats its version (see
# vigil.records.rules.refuse_stale_unless_resent).
EDIT_AT_VERSION = (
    "Name the `version` you read. A stale version is a 412, unless every field sent already "
    "holds the value sent (the outbox resending an edit whose answer was lost): that answers "
    "200 with the stored record and changes nothing."
)


def conflict_body(name: str, **extra: serializers.Field[Any, Any, Any, Any]) -> Any:
    """A 409 body: the error shape plus what the conflict carries (not always present)."""
    return inline_serializer(name, {**_error_fields(), **extra})


def error_responses(*codes: int, conflict: Any = None) -> dict[int, OpenApiResponse]:
    """`{status: response}` for the statuses a view answers beyond COMMON_ERRORS."""
    return {
        code: OpenApiResponse(
            response=conflict if code == 409 and conflict is not None else ErrorSerializer,
            description=_MEANINGS[code],
        )
        for code in codes
    }


def conflict_with_current(name: str, current: type[serializers.Serializer[Any]]) -> OpenApiResponse:
    """409 for a resent id with other content: the error shape plus the stored record."""
    return OpenApiResponse(
        conflict_body(name, current=current(required=False)),
        description="The id was already sent with other content (`current` is the stored "
        "record), or the record's state does not allow this.",
    )


def paginated(name: str, item: type[serializers.Serializer[Any]]) -> OpenApiResponse:
    """A page of a list: {count, next, previous, results} (core.pagination.Pagination)."""
    return OpenApiResponse(
        inline_serializer(
            name,
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": item(many=True),
            },
        )
    )


# docs/api.md: 400 bad input, 401 not logged in, 403 the role may not, 404 not found or not yours.
COMMON_ERRORS = {str(code): _MEANINGS[code] for code in (400, 401, 403, 404)}
# Any operation that takes a body: one over DATA_UPLOAD_MAX_MEMORY_SIZE (vigil.core.parsers).
BODY_ERRORS = {"413": _MEANINGS[413]}
_ERROR_COMPONENT = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "fields": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["detail", "fields"],
}
_HTTP_METHODS = {"get", "put", "post", "patch", "delete"}


class AutoSchema(BaseAutoSchema):
    """Names nested serializers after their API: `VisitListCreateApi.InputSerializer` →
    `VisitListCreateInput`, so each operation's request has its own schema component."""

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        name = super().get_serializer_name(serializer, direction)
        outer, _, _ = type(serializer).__qualname__.rpartition(".")
        if outer:
            return outer.split(".")[-1].removesuffix("Api") + name
        return name


class VigilSessionScheme(SessionScheme):  # type: ignore[no-untyped-call]
    target_class = "vigil.core.authentication.SessionAuthentication"


def document_errors(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS: every /api/ operation documents COMMON_ERRORS; a response a view
    documents itself (409, 412, 429, ...) is kept as it is."""
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault(
        "Error", _ERROR_COMPONENT
    )
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in item.items():
            if method not in _HTTP_METHODS:
                continue
            responses = operation.setdefault("responses", {})
            errors = {**COMMON_ERRORS, **(BODY_ERRORS if "requestBody" in operation else {})}
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": content})
    return result
