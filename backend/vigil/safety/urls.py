from django.urls import path

from vigil.safety.apis import (
    ComplaintListCreateApi,
    ComplaintRespondApi,
    RestrictionEndApi,
    RestrictionListCreateApi,
    TurnAwayCreateApi,
    WaitlistApi,
    WaitlistLeaveApi,
)

urlpatterns = [
    path("restrictions/", RestrictionListCreateApi.as_view(), name="restriction-list"),
    path(
        "restrictions/<uuid:restriction_id>/end",
        RestrictionEndApi.as_view(),
        name="restriction-end",
    ),
    path("turnaways/", TurnAwayCreateApi.as_view(), name="turnaway-create"),
    path("waitlist/", WaitlistApi.as_view(), name="waitlist"),
    path("waitlist/<uuid:entry_id>/leave", WaitlistLeaveApi.as_view(), name="waitlist-leave"),
    path("complaints/", ComplaintListCreateApi.as_view(), name="complaint-list"),
    path(
        "complaints/<uuid:complaint_id>/respond",
        ComplaintRespondApi.as_view(),
        name="complaint-respond",
    ),
]
