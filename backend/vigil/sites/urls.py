from django.urls import path

from vigil.sites.apis import SiteListApi

urlpatterns = [
    path("sites/", SiteListApi.as_view(), name="site-list"),
]
