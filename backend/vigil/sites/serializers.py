from __future__ import annotations

from rest_framework import serializers

from vigil.sites.models import Booth, Site


class BoothSerializer(serializers.ModelSerializer[Booth]):
    class Meta:
        model = Booth
        fields = ["id", "label", "kind", "active"]


class SiteSerializer(serializers.ModelSerializer[Site]):
    booths = BoothSerializer(many=True, read_only=True)

    class Meta:
        model = Site
        fields = ["slug", "name", "timezone", "kind", "opening_hours", "booths"]
