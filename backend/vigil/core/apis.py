"""Operations probes and the single-page app's entry point."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigil.core.selectors import readiness

_probe_schema = inline_serializer("Probe", {"status": serializers.CharField()})


class HealthzApi(APIView):
    """200 as long as the process answers."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: _probe_schema}, tags=["operations"])
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class ReadyzApi(APIView):
    """200 only when the database and the broker both answer; 503 names what does not."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: _probe_schema, 503: _probe_schema},
        tags=["operations"],
    )
    def get(self, request: Request) -> Response:
        checks = readiness()
        ready = all(checks.values())
        body = {
            "status": "ready" if ready else "not ready",
            **{k: "ok" if v else "down" for k, v in checks.items()},
        }
        return Response(body, status=200 if ready else 503)


_MISSING_BUILD = (
    "<!doctype html><title>Vigil</title>"
    "<p>The frontend is not built. Run <code>make run</code> (or <code>npm run build</code> "
    "in <code>frontend/</code>).</p>"
)


def service_worker(request: HttpRequest) -> HttpResponse:
    """The built frontend's service worker, served at the root so that its scope is the app."""
    script = settings.FRONTEND_DIST / "sw.js"
    if not script.is_file():
        raise Http404("The frontend is not built.")
    response = HttpResponse(script.read_bytes(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@ensure_csrf_cookie
def spa_index(request: HttpRequest) -> HttpResponse:
    """Serve the built frontend's index.html for every non-API path, with the CSRF cookie."""
    index = settings.FRONTEND_DIST / "index.html"
    html = index.read_text(encoding="utf-8") if index.is_file() else _MISSING_BUILD
    response = HttpResponse(html, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
