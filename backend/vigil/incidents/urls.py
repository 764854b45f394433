from django.urls import path

from vigil.incidents.apis import (
    IncidentActionCreateApi,
    IncidentActionVoidApi,
    IncidentDebriefApi,
    IncidentDetailApi,
    IncidentListCreateApi,
    IncidentRespondersApi,
    IncidentReviewApi,
    IncidentSubmitApi,
    IncidentVoidApi,
)

urlpatterns = [
    path("incidents/", IncidentListCreateApi.as_view(), name="incident-list"),
    path("incidents/responders", IncidentRespondersApi.as_view(), name="incident-responders"),
    path("incidents/<uuid:incident_id>", IncidentDetailApi.as_view(), name="incident-detail"),
    path(
        "incidents/<uuid:incident_id>/actions/",
        IncidentActionCreateApi.as_view(),
        name="incident-actions",
    ),
    path(
        "incidents/<uuid:incident_id>/actions/<uuid:action_id>/void",
        IncidentActionVoidApi.as_view(),
        name="incident-action-void",
    ),
    path(
        "incidents/<uuid:incident_id>/submit", IncidentSubmitApi.as_view(), name="incident-submit"
    ),
    path(
        "incidents/<uuid:incident_id>/review", IncidentReviewApi.as_view(), name="incident-review"
    ),
    path("incidents/<uuid:incident_id>/void", IncidentVoidApi.as_view(), name="incident-void"),
    path(
        "incidents/<uuid:incident_id>/debrief",
        IncidentDebriefApi.as_view(),
        name="incident-debrief",
    ),
]
