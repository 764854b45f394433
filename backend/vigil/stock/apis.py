from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from vigil.accounts.access import RECORD_WRITERS, SUPERVISORS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.core.fields import BoundedDateField, ChoiceField
from vigil.core.schema import conflict_with_current, error_responses
from vigil.records.rules import create_answer
from vigil.stock.models import Item, StockCheck, StockMovement
from vigil.stock.selectors import site_stock
from vigil.stock.serializers import (
    EquipmentSerializer,
    SiteStockSerializer,
    StockCheckSerializer,
    StockMovementSerializer,
)
from vigil.stock.services import (
    Adjustment,
    Count,
    Receipt,
    ShiftCheck,
    stock_adjust,
    stock_check_record,
    stock_receive,
)

_TAGS = ["stock"]
_QUANTITY_MAX = 10000


class StockApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()

    @extend_schema(
        operation_id="stock_retrieve",
        summary="A site's response stock: items, lots by expiry, warnings, the last check",
        parameters=[OpenApiParameter("site", OpenApiTypes.STR, required=True)],
        responses={200: SiteStockSerializer, **error_responses(400, 401, 403, 404)},
        tags=_TAGS,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=RECORD_WRITERS
        )
        today = timezone.localtime(timezone.now(), site.zone).date()
        return Response(SiteStockSerializer(site_stock(site=site, today=today)).data)


class StockReceiptApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        item = ChoiceField(choices=Item.choices)
        lot = serializers.CharField(required=False, allow_blank=True, max_length=40)
        expires_on = BoundedDateField(required=False, allow_null=True)
        quantity = serializers.IntegerField(min_value=1, max_value=_QUANTITY_MAX)

        class Meta:
            ref_name = "StockReceiptInput"

    @extend_schema(
        operation_id="stock_receipts_create",
        summary="Enter stock received, with its lot and expiry",
        description="A resend of the same id and content answers 200 with the stored receipt.",
        request=InputSerializer,
        responses={
            200: StockMovementSerializer,
            201: StockMovementSerializer,
            **error_responses(400, 401, 403, 404),
            409: conflict_with_current("StockReceiptConflict", StockMovementSerializer),
        },
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        values = self.valid_input(request)
        site, _ = site_for(user=request.user, slug=values["site"], roles=RECORD_WRITERS)
        receipt = Receipt(
            id=values.get("id"),
            site=site,
            item=values["item"],
            lot=values.get("lot", ""),
            expires_on=values.get("expires_on"),
            quantity=values["quantity"],
        )
        return create_answer(
            StockMovementSerializer, lambda: stock_receive(request=receipt, by=request.user)
        )


class StockAdjustmentApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        item = ChoiceField(choices=Item.choices)
        lot = serializers.CharField(allow_blank=True, max_length=40)
        quantity = serializers.IntegerField(
            min_value=-_QUANTITY_MAX,
            max_value=_QUANTITY_MAX,
            help_text="Units into the lot (+) or out of it (-).",
        )
        reason = ChoiceField(choices=StockMovement.Reason.choices)
        note = serializers.CharField(required=False, allow_blank=True, max_length=1000)

        class Meta:
            ref_name = "StockAdjustmentInput"

    @extend_schema(
        operation_id="stock_adjustments_create",
        summary="Adjust a lot by hand, with a reason (supervisor)",
        description="Never below zero: count the stock in a shift check instead.",
        request=InputSerializer,
        responses={
            200: StockMovementSerializer,
            201: StockMovementSerializer,
            **error_responses(400, 401, 403, 404),
            409: conflict_with_current("StockAdjustmentConflict", StockMovementSerializer),
        },
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        site, _ = site_for(user=request.user, slug=values["site"], roles=SUPERVISORS)
        adjustment = Adjustment(
            id=values.get("id"),
            site=site,
            item=values["item"],
            lot=values["lot"],
            quantity=values["quantity"],
            reason=values["reason"],
            note=values.get("note", ""),
        )
        return create_answer(
            StockMovementSerializer, lambda: stock_adjust(request=adjustment, by=request.user)
        )


class StockCountInput(serializers.Serializer[dict[str, Any]]):
    item = ChoiceField(choices=Item.choices)
    lot = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=40,
        help_text="Omit to count the item as a whole.",
    )
    counted = serializers.IntegerField(min_value=0, max_value=_QUANTITY_MAX)


class StockCheckApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        counts = serializers.ListField(child=StockCountInput(), max_length=50)
        equipment = EquipmentSerializer()
        handover_note = serializers.CharField(required=False, allow_blank=True, max_length=4000)

        class Meta:
            ref_name = "StockCheckInput"

    @extend_schema(
        operation_id="stock_checks_create",
        summary="Record a start-of-shift check: counts, equipment, handover note",
        description="Each count answers with what Vigil expected and the difference; the stock "
        "is brought to the count. A resend of the same id and content answers 200.",
        request=InputSerializer,
        responses={
            200: StockCheckSerializer,
            201: StockCheckSerializer,
            **error_responses(400, 401, 403, 404),
            409: conflict_with_current("StockCheckConflict", StockCheckSerializer),
        },
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        site, _ = site_for(user=request.user, slug=values["site"], roles=RECORD_WRITERS)
        equipment = values["equipment"]
        check = ShiftCheck(
            id=values.get("id"),
            site=site,
            counts=[
                Count(item=c["item"], counted=c["counted"], lot=c.get("lot") or None)
                for c in values["counts"]
            ],
            oxygen_level=equipment["oxygen_level"],
            aed_ready=equipment["aed_ready"],
            bvm_present=equipment["bvm_present"],
            handover_note=values.get("handover_note", ""),
        )
        found = StockCheck.objects.select_related("site", "created_by").prefetch_related(
            "counts__lot"
        )

        def write() -> tuple[StockCheck, bool]:
            stored, created = stock_check_record(request=check, by=request.user)
            return found.get(pk=stored.pk), created  # with its counts and their lots

        return create_answer(StockCheckSerializer, write)
