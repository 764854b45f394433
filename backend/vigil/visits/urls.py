from django.urls import path

from vigil.visits.apis import (
    VisitCheckOutApi,
    VisitDetailApi,
    VisitListCreateApi,
    VisitVoidApi,
)

urlpatterns = [
    path("visits/", VisitListCreateApi.as_view(), name="visit-list"),
    path("visits/<uuid:visit_id>", VisitDetailApi.as_view(), name="visit-detail"),
    path("visits/<uuid:visit_id>/check-out", VisitCheckOutApi.as_view(), name="visit-check-out"),
    path("visits/<uuid:visit_id>/void", VisitVoidApi.as_view(), name="visit-void"),
]
