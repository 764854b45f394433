from __future__ import annotations

from rest_framework import serializers

from vigil.core.serializers import ModelSerializer
from vigil.sites.models import Booth, Site


class BoothSerializer(ModelSerializer[Booth]):
    class Meta:
        model = Booth
        fields = ["id", "label", "kind", "active"]


class SiteSerializer(ModelSerializer[Site]):
    booths = BoothSerializer(many=True, read_only=True)
    # Declared, not derived from the model: a model's integer bounds depend on the database.
    observe_amber_minutes = serializers.IntegerField(read_only=True)
    observe_red_minutes = serializers.IntegerField(read_only=True)
    naloxone_usual_dose_mg = serializers.DecimalField(
        max_digits=4, decimal_places=2, coerce_to_string=False, read_only=True
    )

    class Meta:
        model = Site
        fields = [
            "slug",
            "name",
            "timezone",
            "kind",
            "opening_hours",
            "observe_amber_minutes",
            "observe_red_minutes",
            "naloxone_usual_dose_mg",
            "naloxone_usual_route",
            "booths",
        ]
