from __future__ import annotations

from rest_framework import serializers

from vigil.core.fields import BoundedDateField, ChoiceField
from vigil.core.serializers import ModelSerializer
from vigil.stock.models import Item, StockCheck, StockCount, StockMovement


class LotStockSerializer(serializers.Serializer[object]):
    lot = serializers.CharField()
    expires_on = BoundedDateField(allow_null=True)
    on_hand = serializers.IntegerField()


class ItemStockSerializer(serializers.Serializer[object]):
    item = ChoiceField(choices=Item.choices)
    on_hand = serializers.IntegerField()
    par_level = serializers.IntegerField()
    shortfall = serializers.IntegerField(
        help_text="Units used while none were on record, until the next count."
    )
    lots = LotStockSerializer(many=True, help_text="Lots with stock, earliest expiry first.")


class StockWarningSerializer(serializers.Serializer[object]):
    kind = ChoiceField(choices=["below_par", "expiring", "expired", "shortfall", "equipment"])
    item = ChoiceField(choices=Item.choices)
    lot = serializers.CharField(allow_null=True)
    expires_on = BoundedDateField(allow_null=True)
    on_hand = serializers.IntegerField(allow_null=True)
    par_level = serializers.IntegerField(allow_null=True)
    shortfall = serializers.IntegerField(allow_null=True)
    detail = ChoiceField(
        choices=["oxygen_low", "oxygen_empty", "aed_not_ready", "bvm_missing"], allow_null=True
    )


class StockCountSerializer(ModelSerializer[StockCount]):
    lot = serializers.CharField(source="lot.lot", default=None, allow_null=True, read_only=True)
    difference = serializers.IntegerField(read_only=True)

    class Meta:
        model = StockCount
        fields = ["item", "lot", "expected", "counted", "difference"]
        read_only_fields = fields


class EquipmentSerializer(serializers.Serializer[StockCheck]):
    oxygen_level = ChoiceField(choices=StockCheck.OxygenLevel.choices)
    aed_ready = serializers.BooleanField()
    bvm_present = serializers.BooleanField()


class StockCheckSerializer(ModelSerializer[StockCheck]):
    site = serializers.CharField(source="site.slug", read_only=True)
    counts = StockCountSerializer(many=True, read_only=True)
    equipment = EquipmentSerializer(source="*", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    created_by_name = serializers.CharField(source="created_by.display_name", read_only=True)

    class Meta:
        model = StockCheck
        fields = [
            "id",
            "site",
            "at",
            "counts",
            "equipment",
            "handover_note",
            "created_by",
            "created_by_name",
            "received_at",
        ]
        read_only_fields = fields


class SiteStockSerializer(serializers.Serializer[object]):
    items = ItemStockSerializer(many=True)
    warnings = StockWarningSerializer(many=True)
    last_check = StockCheckSerializer(
        allow_null=True, help_text="The latest shift check, with its handover note."
    )


class StockMovementSerializer(ModelSerializer[StockMovement]):
    site = serializers.CharField(source="site.slug", read_only=True)
    lot = serializers.CharField(source="lot.lot", default=None, allow_null=True, read_only=True)
    expires_on = BoundedDateField(
        source="lot.expires_on", default=None, allow_null=True, read_only=True
    )
    created_by = serializers.CharField(
        source="created_by.username", default=None, allow_null=True, read_only=True
    )
    reason = ChoiceField(
        choices=StockMovement.Reason.choices,
        allow_blank=True,
        read_only=True,
        help_text="Why an adjustment was made; empty for receipts, uses and counts.",
    )

    class Meta:
        model = StockMovement
        fields = [
            "id",
            "site",
            "item",
            "lot",
            "expires_on",
            "kind",
            "quantity",
            "reason",
            "note",
            "at",
            "created_by",
        ]
        read_only_fields = fields
