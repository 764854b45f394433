"""The API's JSON parser: hostile bodies are refused in the error shape, never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy
from rest_framework import parsers
from rest_framework.exceptions import APIException, ParseError

# Deeper than any body of the contract (a few levels), far below Python's recursion limit.
MAX_DEPTH = 32


class BodyTooLarge(APIException):
    status_code = 413
    default_detail = gettext_lazy("The request body is over the upload limit.")
    default_code = "too_large"


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed body (iterative: no recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if not isinstance(item, (dict, list)):
            continue
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    """DRF's parser, bounded: a body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413, and one nested
    too deeply for the decoder (or for the validation that walks it) is a 400."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if request is not None and limit is not None:
            length = str(request.META.get("CONTENT_LENGTH") or "0")
            if length.isdigit() and int(length) > limit:
                raise BodyTooLarge()
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(gettext("JSON parse error - the body is nested too deeply.")) from None
        if _depth(data) > MAX_DEPTH:
            raise ParseError(
                gettext(
                    "JSON parse error - nested too deeply (at most %(depth)s levels of lists and "
                    "objects)."
                )
                % {"depth": MAX_DEPTH}
            )
        return data
