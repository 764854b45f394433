from django.urls import path

from vigil.participants.apis import ParticipantDetailApi, ParticipantLookupApi, ParticipantMergeApi

urlpatterns = [
    path("participants/lookup", ParticipantLookupApi.as_view(), name="participant-lookup"),
    path(
        "participants/<uuid:participant_id>",
        ParticipantDetailApi.as_view(),
        name="participant-detail",
    ),
    path(
        "participants/<uuid:participant_id>/merge",
        ParticipantMergeApi.as_view(),
        name="participant-merge",
    ),
]
