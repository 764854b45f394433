from django.urls import path

from vigil.safety.apis import (
    ComplaintListCreateApi,
    ComplaintRespondApi,
    ComplaintVoidApi,
    RestrictionEndApi,
    RestrictionListCreateApi,
    RestrictionReviewApi,
    TurnAwayListCreateApi,
    TurnAwayVoidApi,
    WaitlistApi,
    WaitlistLeaveApi,
    WaitlistVoidApi,
)

urlpatterns = [
    path("restrictions/", RestrictionListCreateApi.as_view(), name="restriction-list"),
    path(
        "restrictions/<uuid:restriction_id>/end",
        RestrictionEndApi.as_view(),
        name="restriction-end",
    ),
    path(
        "restrictions/<uuid:restriction_id>/review",
        RestrictionReviewApi.as_view(),
        name="restriction-review",
    ),
    path("turnaways/", TurnAwayListCreateApi.as_view(), name="turnaway-list"),
    path("turnaways/<uuid:turnaway_id>/void", TurnAwayVoidApi.as_view(), name="turnaway-void"),
    path("waitlist/", WaitlistApi.as_view(), name="waitlist"),
    path("waitlist/<uuid:entry_id>/leave", WaitlistLeaveApi.as_view(), name="waitlist-leave"),
    path("waitlist/<uuid:entry_id>/void", WaitlistVoidApi.as_view(), name="waitlist-void"),
    path("complaints/", ComplaintListCreateApi.as_view(), name="complaint-list"),
    path(
        "complaints/<uuid:complaint_id>/respond",
        ComplaintRespondApi.as_view(),
        name="complaint-respond",
    ),
    path(
        "complaints/<uuid:complaint_id>/void",
        ComplaintVoidApi.as_view(),
        name="complaint-void",
    ),
]
