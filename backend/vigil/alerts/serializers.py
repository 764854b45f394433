from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from vigil.alerts.models import Alert


class AlertSerializer(serializers.ModelSerializer[Alert]):
    site = serializers.CharField(source="site.slug", read_only=True)
    active = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "site",
            "message",
            "level",
            "expires_at",
            "ended_at",
            "active",
            "created_at",
            "created_by",
            "version",
        ]
        read_only_fields = fields

    def get_active(self, alert: Alert) -> bool:
        return alert.ended_at is None and alert.expires_at > timezone.now()
