# Record ids are matched as plain strings and checked by the selectors, so that a malformed id
# answers the API's JSON 404 rather than the URL resolver's HTML page.
from django.urls import path

from vigil.care.apis import (
    ReferralDetailApi,
    ReferralListCreateApi,
    ReferralStatusApi,
    ReferralVoidApi,
    ServiceDetailApi,
    ServiceListCreateApi,
    ServiceVoidApi,
)

urlpatterns = [
    path("services/", ServiceListCreateApi.as_view(), name="service-list"),
    path("services/<str:service_id>", ServiceDetailApi.as_view(), name="service-detail"),
    path("services/<str:service_id>/void", ServiceVoidApi.as_view(), name="service-void"),
    path("referrals/", ReferralListCreateApi.as_view(), name="referral-list"),
    path("referrals/<str:referral_id>", ReferralDetailApi.as_view(), name="referral-detail"),
    path("referrals/<str:referral_id>/status", ReferralStatusApi.as_view(), name="referral-status"),
    path("referrals/<str:referral_id>/void", ReferralVoidApi.as_view(), name="referral-void"),
]
