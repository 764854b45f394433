"""Middleware of the whole site."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

Handler = Callable[[HttpRequest], HttpResponse]


def api_never_cached(get_response: Handler) -> Handler:
    """Every /api/ answer may carry records: no browser or proxy keeps it (on a shared tablet
    the browser would otherwise be free to store it on disk)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        if request.path.startswith("/api/"):
            add_never_cache_headers(response)
        return response

    return middleware
