from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.response import Response

from vigil.accounts.access import RECORD_WRITERS, SUPERVISORS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.core.errors import field_error
from vigil.core.fields import BoundedDateField
from vigil.reports.exports import daily_csv, suppressed_metrics
from vigil.reports.models import DailyReport
from vigil.reports.selectors import daily_reports, floor_of_site, period_metrics, report_access
from vigil.reports.serializers import SUPPRESSED_CELLS, ReportMetricsSerializer
from vigil.reports.services import report_export_audit, request_recompute_now
from vigil.sites.models import Site
from vigil.visits.serializers import FloorSerializer

MAX_DAYS = 366
_params = [
    OpenApiParameter("site", OpenApiTypes.STR, many=True, description="site slug (repeatable)"),
    OpenApiParameter("from", OpenApiTypes.DATE, required=True),
    OpenApiParameter("to", OpenApiTypes.DATE, required=True),
    OpenApiParameter(
        "suppress",
        OpenApiTypes.BOOL,
        description="Suppress small cells (analysts always get them suppressed). "
        f"{SUPPRESSED_CELLS}",
    ),
]


class _RangeSerializer(serializers.Serializer[dict[str, Any]]):
    site = serializers.ListField(child=serializers.SlugField(), required=False)
    from_ = BoundedDateField()
    to = BoundedDateField()
    suppress = serializers.BooleanField(required=False, default=False)

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        first, last = attrs["from"], attrs["to"]
        if last < first:
            raise serializers.ValidationError({"to": ["The end date is before the start date."]})
        if (last - first).days >= MAX_DAYS:
            raise serializers.ValidationError({"to": [f"Ask for at most {MAX_DAYS} days at once."]})
        return attrs


def _read_request(
    request: AuthenticatedRequest, *, require_site: bool
) -> tuple[list[Site], date, date, bool]:
    """The sites asked for (or all the user reads reports of), the dates, and suppression."""
    data = _RangeSerializer(
        data={**request.query_params.dict(), "site": request.query_params.getlist("site")}
    )
    data.is_valid(raise_exception=True)
    slugs: list[str] = data.validated_data.get("site") or []
    if not slugs and require_site:
        raise field_error("site", "Choose a site.")
    access = report_access(user=request.user, slugs=slugs, suppress=data.validated_data["suppress"])
    return access.sites, data.validated_data["from"], data.validated_data["to"], access.suppressed


class DailyReportSerializer(serializers.ModelSerializer[DailyReport]):
    site = serializers.CharField(source="site.slug")
    metrics = serializers.SerializerMethodField(
        help_text=f"The indicators of the day, by name. {SUPPRESSED_CELLS}"
    )

    class Meta:
        model = DailyReport
        fields = ["site", "date", "status", "computed_at", "checked_at", "metrics"]

    @extend_schema_field(ReportMetricsSerializer)
    def get_metrics(self, report: DailyReport) -> dict[str, Any]:
        values = report.metrics
        if self.context.get("suppressed"):
            values = suppressed_metrics(values)
        return ReportMetricsSerializer(values).data


class DailyReportListApi(AuthenticatedApi):
    @extend_schema(
        parameters=_params, responses={200: DailyReportSerializer(many=True)}, tags=["reports"]
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        sites, first, last, suppressed = _read_request(request, require_site=True)
        reports = daily_reports(sites=sites, first=first, last=last)
        return Response(
            DailyReportSerializer(reports, many=True, context={"suppressed": suppressed}).data
        )


class PeriodReportApi(AuthenticatedApi):
    @extend_schema(
        parameters=_params,
        responses={
            200: inline_serializer(
                "PeriodReport",
                {
                    "sites": serializers.ListField(child=serializers.CharField()),
                    "from": BoundedDateField(),
                    "to": BoundedDateField(),
                    "suppressed": serializers.BooleanField(),
                    "metrics": ReportMetricsSerializer(
                        help_text=f"The indicators of the period, by name. {SUPPRESSED_CELLS}"
                    ),
                },
            )
        },
        tags=["reports"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        sites, first, last, suppressed = _read_request(request, require_site=False)
        values = period_metrics(sites=sites, first=first, last=last)
        return Response(
            {
                "sites": [site.slug for site in sites],
                "from": first,
                "to": last,
                "suppressed": suppressed,
                "metrics": ReportMetricsSerializer(
                    suppressed_metrics(values) if suppressed else values
                ).data,
            }
        )


class DailyReportCsvApi(AuthenticatedApi):
    @extend_schema(
        parameters=_params,
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description=f"One row per site-day and a total row. {SUPPRESSED_CELLS}",
        tags=["reports"],
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        sites, first, last, suppressed = _read_request(request, require_site=True)
        reports = daily_reports(sites=sites, first=first, last=last)
        report_export_audit(
            by=request.user, sites=sites, first=first, last=last, suppressed=suppressed
        )
        name = f"vigil-daily-{'-'.join(s.slug for s in sites)}-{first}-{last}.csv"
        response = HttpResponse(
            daily_csv(reports, suppressed=suppressed), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class RecomputeApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        date = BoundedDateField()

    @extend_schema(
        request=InputSerializer,
        responses={
            202: inline_serializer(
                "RecomputeAccepted",
                {
                    "site": serializers.CharField(),
                    "date": BoundedDateField(),
                    "requested_at": serializers.DateTimeField(),
                },
            )
        },
        tags=["reports"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site, _ = site_for(user=request.user, slug=data.validated_data["site"], roles=SUPERVISORS)
        day: date = data.validated_data["date"]
        if day > date.today() + timedelta(days=1):
            raise field_error("date", "This day has not happened yet.")
        requested_at = request_recompute_now(site=site, day=day)
        return Response(
            {"site": site.slug, "date": day, "requested_at": requested_at},
            status=status.HTTP_202_ACCEPTED,
        )


class SiteFloorApi(AuthenticatedApi):
    @extend_schema(responses={200: FloorSerializer}, tags=["sites"])
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        site, _ = site_for(user=request.user, slug=slug, roles=RECORD_WRITERS)
        return Response(FloorSerializer(floor_of_site(site=site)).data)
