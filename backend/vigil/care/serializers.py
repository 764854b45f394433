from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vigil.care.models import (
    REFERRAL_TRANSITIONS,
    DrugCheck,
    Referral,
    ReferralCategory,
    ReferralStatus,
    ReferralStatusChange,
    Service,
    SupplyLine,
)
from vigil.core.fields import ChoiceField
from vigil.core.serializers import ModelSerializer


class DrugCheckSerializer(ModelSerializer[DrugCheck]):
    class Meta:
        model = DrugCheck
        fields = [
            "expected_substance",
            "method",
            "fentanyl",
            "benzodiazepine",
            "xylazine",
            "nitazene",
            "client_action",
        ]
        read_only_fields = fields


class SupplyLineSerializer(ModelSerializer[SupplyLine]):
    class Meta:
        model = SupplyLine
        fields = ["item", "quantity"]
        read_only_fields = fields


class ServiceSerializer(ModelSerializer[Service]):
    """A service as the API shows it: ids and values, never a visit code."""

    site = serializers.CharField(source="site.slug", read_only=True)
    drug_check = serializers.SerializerMethodField()
    supplies = SupplyLineSerializer(source="supply_lines", many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Service
        fields = [
            "id",
            "site",
            "kind",
            "visit",
            "participant",
            "at",
            "drug_check",
            "supplies",
            "backdated",
            "imported",
            "voided",
            "void_reason",
            "version",
            "received_at",
            "updated_at",
            "created_by",
        ]
        read_only_fields = fields

    @extend_schema_field(DrugCheckSerializer(allow_null=True))
    def get_drug_check(self, service: Service) -> dict[str, Any] | None:
        try:
            check = service.drug_check
        except DrugCheck.DoesNotExist:
            return None
        return DrugCheckSerializer(check).data


class ReferralStepSerializer(ModelSerializer[ReferralStatusChange]):
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = ReferralStatusChange
        fields = ["id", "status", "at", "backdated", "received_at", "created_by"]
        read_only_fields = fields


class ReferralSerializer(ModelSerializer[Referral]):
    """A referral with its status history, and the moves its status can still make."""

    site = serializers.CharField(source="site.slug", read_only=True)
    open = serializers.BooleanField(source="is_open", read_only=True)
    next_statuses = serializers.SerializerMethodField()
    history = ReferralStepSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "site",
            "visit",
            "participant",
            "at",
            "category",
            "destination",
            "agency",
            "accompanied",
            "status",
            "status_at",
            "open",
            "next_statuses",
            "history",
            "backdated",
            "imported",
            "voided",
            "void_reason",
            "version",
            "received_at",
            "updated_at",
            "created_by",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=ChoiceField(choices=ReferralStatus.choices)))
    def get_next_statuses(self, referral: Referral) -> list[str]:
        if referral.voided:
            return []
        return list(REFERRAL_TRANSITIONS[referral.status])


class OpenReferralSerializer(serializers.Serializer[dict[str, Any]]):
    """A referral a worker can follow up, as shown after a participant lookup."""

    id = serializers.UUIDField()
    category = ChoiceField(choices=ReferralCategory.choices)
    destination = ChoiceField(choices=Referral.Destination.choices)
    status = ChoiceField(choices=ReferralStatus.choices)
    at = serializers.DateTimeField()
