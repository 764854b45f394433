from django.urls import path

from vigil.alerts.apis import (
    AlertExpireApi,
    AlertListCreateApi,
    AlertSuggestionsApi,
    AlertUpdateApi,
)

urlpatterns = [
    path("alerts/", AlertListCreateApi.as_view(), name="alert-list"),
    path("alerts/suggestions/", AlertSuggestionsApi.as_view(), name="alert-suggestions"),
    path("alerts/<uuid:alert_id>", AlertUpdateApi.as_view(), name="alert-detail"),
    path("alerts/<uuid:alert_id>/expire", AlertExpireApi.as_view(), name="alert-expire"),
]
