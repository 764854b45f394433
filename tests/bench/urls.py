"""The production URL conf plus the bare views, for the bench's gunicorn only."""

from django.urls import include, path

from tests.bench import bare

urlpatterns = [
    path("bench/bare/visits", bare.visit_create),
    path("bench/bare/visits/<uuid:visit_id>/check-out", bare.visit_check_out),
    path("bench/bare/incidents", bare.incident_open),
    path("bench/bare/incidents/<uuid:incident_id>/actions", bare.action_create),
    path("", include("config.urls")),
]
