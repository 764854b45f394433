from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from vigil.alerts.models import Alert
from vigil.core.fields import ChoiceField
from vigil.core.serializers import ModelSerializer


class AlertSerializer(ModelSerializer[Alert]):
    site = serializers.CharField(source="site.slug", read_only=True)
    active = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    network_sites = serializers.SerializerMethodField()

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
            "source",
            "evidence",
            "network",
            "network_sites",
        ]
        read_only_fields = fields

    def get_active(self, alert: Alert) -> bool:
        return alert.ended_at is None and alert.expires_at > timezone.now()

    def get_network_sites(self, alert: Alert) -> list[str]:
        """The sites a network alert was posted to (one query, only for network alerts)."""
        if alert.network is None:
            return []
        copies = Alert.objects.filter(network=alert.network).order_by("site__slug")
        return list(copies.values_list("site__slug", flat=True))


class AlertSuggestionSerializer(serializers.Serializer[Any]):
    """A suggested alert: its evidence (counts, substances, times), never a person."""

    id = serializers.UUIDField()
    site = serializers.CharField(source="site.slug")
    source = ChoiceField(  # type: ignore[assignment]
        choices=[Alert.Source.OVERDOSE_CLUSTER, Alert.Source.DRUG_CHECK]
    )
    evidence = serializers.DictField()
    suggested_message = serializers.CharField()
    level = ChoiceField(choices=Alert.Level.choices)
