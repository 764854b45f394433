from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from vigil.accounts.access import RECORD_WRITERS, SUPERVISORS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.alerts.models import Alert
from vigil.alerts.selectors import alert_for_user, alerts_of_site
from vigil.alerts.serializers import AlertSerializer, AlertSuggestionSerializer
from vigil.alerts.services import AlertPost, alert_expire, alert_post, alert_update
from vigil.alerts.suggestions import suggestions_for
from vigil.core.fields import AwareDateTimeField, ChoiceField
from vigil.core.pagination import Pagination
from vigil.core.schema import conflict_with_current, error_responses, paginated
from vigil.records.rules import create_answer
from vigil.records.serializers import EditInput

_TAGS = ["alerts"]


class AlertListCreateApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        active = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        message = serializers.CharField(
            max_length=500,
            help_text="The notice, e.g. 'Benzo-positive down circulating'. Never name anyone.",
        )
        level = ChoiceField(choices=Alert.Level.choices)
        expires_at = AwareDateTimeField(help_text="Shown until then (at most 90 days ahead).")
        sites = serializers.ListField(
            child=serializers.SlugField(),
            required=False,
            max_length=50,
            help_text="A network alert: also on these sites' tablets (supervisor of each).",
        )
        suggestion = serializers.UUIDField(
            required=False, help_text="The suggestion posted: the alert keeps its source."
        )

        class Meta:
            ref_name = "AlertPost"

    @extend_schema(
        operation_id="alerts_list",
        summary="A site's alerts",
        parameters=[
            OpenApiParameter("site", OpenApiTypes.STR, required=True),
            OpenApiParameter("active", OpenApiTypes.BOOL, description="only those shown now"),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={
            200: paginated("PaginatedAlertList", AlertSerializer),
            **error_responses(400, 401, 403, 404),
        },
        tags=_TAGS,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=RECORD_WRITERS
        )
        alerts = alerts_of_site(site=site, active_only=filters.validated_data["active"])
        paginator: PageNumberPagination = Pagination()
        page = paginator.paginate_queryset(alerts, request, view=self)
        return paginator.get_paginated_response(AlertSerializer(page, many=True).data)

    @extend_schema(
        operation_id="alerts_create",
        summary="Post an alert on every tablet of a site (supervisor)",
        request=InputSerializer,
        responses={
            200: AlertSerializer,
            201: AlertSerializer,
            **error_responses(400, 401, 403, 404),
            409: conflict_with_current("AlertConflict", AlertSerializer),
        },
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        values = self.valid_input(request)
        site, _ = site_for(user=request.user, slug=values["site"], roles=SUPERVISORS)
        others = [
            site_for(user=request.user, slug=slug, roles=SUPERVISORS)[0]
            for slug in values.get("sites", [])
        ]
        posting = AlertPost(
            id=values.get("id"),
            site=site,
            message=values["message"],
            level=values["level"],
            expires_at=values["expires_at"],
            other_sites=others,
            suggestion=values.get("suggestion"),
        )
        return create_answer(AlertSerializer, lambda: alert_post(request=posting, by=request.user))


class AlertSuggestionsApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()

    @extend_schema(
        operation_id="alerts_suggestions",
        summary="Alerts the site's records suggest: overdose clusters, drug checks (supervisor)",
        parameters=[OpenApiParameter("site", OpenApiTypes.STR, required=True)],
        responses={
            200: AlertSuggestionSerializer(many=True),
            **error_responses(400, 401, 403, 404),
        },
        tags=_TAGS,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=SUPERVISORS
        )
        return Response(AlertSuggestionSerializer(suggestions_for(site=site), many=True).data)


class AlertUpdateApi(AuthenticatedApi):
    class InputSerializer(EditInput):
        message = serializers.CharField(
            max_length=500, required=False, help_text="The corrected notice. Never name anyone."
        )
        level = ChoiceField(choices=Alert.Level.choices, required=False)
        expires_at = AwareDateTimeField(
            required=False, help_text="A new expiry (at most 90 days ahead)."
        )
        version = serializers.IntegerField(
            min_value=1, help_text="The version you read; a stale one is refused (412)."
        )

        class Meta:
            ref_name = "AlertUpdate"

    @extend_schema(
        operation_id="alerts_update",
        summary="Correct an alert still shown: message, level, expiry (supervisor)",
        request=InputSerializer,
        responses={
            200: AlertSerializer,
            **error_responses(400, 401, 403, 404, 409, 412),
        },
        tags=_TAGS,
    )
    def patch(self, request: AuthenticatedRequest, alert_id: str) -> Response:
        alert, _ = alert_for_user(user=request.user, alert_id=alert_id, roles=SUPERVISORS)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        alert = alert_update(alert=alert, by=request.user, **data.validated_data)
        return Response(AlertSerializer(alert).data)


class AlertExpireApi(AuthenticatedApi):
    @extend_schema(
        operation_id="alerts_expire",
        summary="End an alert now (supervisor)",
        request=None,
        responses={200: AlertSerializer, **error_responses(401, 403, 404)},
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest, alert_id: str) -> Response:
        alert, _ = alert_for_user(user=request.user, alert_id=alert_id, roles=SUPERVISORS)
        alert = alert_expire(alert=alert, by=request.user)
        return Response(AlertSerializer(alert).data)
