from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.generics import ListAPIView

from vigil.accounts.models import User
from vigil.sites.models import Site
from vigil.sites.selectors import sites_for_user
from vigil.sites.serializers import SiteSerializer


@extend_schema(tags=["sites"])
class SiteListApi(ListAPIView[Site]):
    serializer_class = SiteSerializer
    filter_backends: list[type] = []

    def get_queryset(self):  # type: ignore[no-untyped-def]
        assert isinstance(self.request.user, User)
        return sites_for_user(user=self.request.user)
