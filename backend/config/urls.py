"""URL configuration: the JSON API under /api/v1/, operations probes, admin, and the SPA."""

from __future__ import annotations

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from vigil.core.apis import HealthzApi, ReadyzApi, service_worker, spa_index
from vigil.core.errors import api_not_found

api_v1 = [
    path("", include("vigil.accounts.urls")),
    path("", include("vigil.sites.urls")),
    path("", include("vigil.participants.urls")),
    path("", include("vigil.visits.urls")),
    path("", include("vigil.care.urls")),
    path("", include("vigil.reports.urls")),
    path("", include("vigil.incidents.urls")),
    path("", include("vigil.stock.urls")),
    path("", include("vigil.alerts.urls")),
    path("", include("vigil.imports.urls")),
    path("", include("vigil.safety.urls")),
]

urlpatterns = [
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI: its script from a file (no inline script), its inline styles allowed here only.
    path(
        "api/docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="docs",
    ),
    # Nothing under /api/ falls through to Django's HTML pages, DEBUG or not.
    re_path(r"^api/", api_not_found),
    path("healthz", HealthzApi.as_view(), name="healthz"),
    path("readyz", ReadyzApi.as_view(), name="readyz"),
    path("admin/", admin.site.urls),
    path("sw.js", service_worker, name="service-worker"),
    re_path(r"^(?!api/|admin/|static/).*$", spa_index, name="spa"),
]

handler400 = "vigil.core.errors.bad_request"
handler403 = "vigil.core.errors.permission_denied"
handler404 = "vigil.core.errors.not_found"
handler500 = "vigil.core.errors.server_error"
