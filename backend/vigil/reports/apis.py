from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from vigil.accounts.access import RECORD_WRITERS, REPORT_READERS, SUPERVISORS, role_at, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.accounts.models import Role
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.errors import field_error
from vigil.core.fields import BoundedDateField, ChoiceField
from vigil.core.schema import error_responses
from vigil.core.serializers import ModelSerializer
from vigil.reports.exports import (
    daily_csv,
    daily_xlsx,
    submission_csv,
    submission_xlsx,
    suppressed_flat,
    suppressed_metrics,
)
from vigil.reports.models import DailyReport, Submission
from vigil.reports.profiles import PROFILES
from vigil.reports.selectors import (
    daily_reports,
    drafts_to_send,
    floor_of_site,
    operation_figures,
    period_metrics,
    report_access,
    submission_for,
    submissions_of,
    with_changes,
)
from vigil.reports.serializers import (
    SUPPRESSED_CELLS,
    OperationSerializer,
    ReportMetricsSerializer,
)
from vigil.reports.services import report_export_audit, request_recompute_now
from vigil.reports.submissions import submission_create
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
            raise serializers.ValidationError(
                {"to": [gettext("The end date is before the start date.")]}
            )
        if (last - first).days >= MAX_DAYS:
            raise serializers.ValidationError(
                {"to": [gettext("Ask for at most %(days)s days at once.") % {"days": MAX_DAYS}]}
            )
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
        raise field_error("site", gettext("Choose a site."))
    access = report_access(user=request.user, slugs=slugs, suppress=data.validated_data["suppress"])
    return access.sites, data.validated_data["from"], data.validated_data["to"], access.suppressed


class DailyReportSerializer(ModelSerializer[DailyReport]):
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
                    "operation": OperationSerializer(
                        allow_null=True,
                        help_text="How the site operated over the period (one site only; "
                        "null for several sites).",
                    ),
                },
            )
        },
        tags=["reports"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        sites, first, last, suppressed = _read_request(request, require_site=False)
        values = period_metrics(sites=sites, first=first, last=last)
        operation = (
            operation_figures(site=sites[0], first=first, last=last) if len(sites) == 1 else None
        )
        return Response(
            {
                "sites": [site.slug for site in sites],
                "from": first,
                "to": last,
                "suppressed": suppressed,
                "operation": operation,
                "metrics": ReportMetricsSerializer(
                    suppressed_metrics(values) if suppressed else values
                ).data,
            }
        )


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _daily_export(request: AuthenticatedRequest, *, file_type: str) -> HttpResponse:
    """The daily export as CSV or XLSX: the same rows, suppression and audit."""
    sites, first, last, suppressed = _read_request(request, require_site=True)
    reports = daily_reports(sites=sites, first=first, last=last)
    report_export_audit(
        by=request.user,
        sites=sites,
        first=first,
        last=last,
        suppressed=suppressed,
        file_type=file_type,
    )
    if file_type == "xlsx":
        response = HttpResponse(daily_xlsx(reports, suppressed=suppressed), content_type=XLSX)
    else:
        response = HttpResponse(
            daily_csv(reports, suppressed=suppressed), content_type="text/csv; charset=utf-8"
        )
    name = f"vigil-daily-{'-'.join(s.slug for s in sites)}-{first}-{last}.{file_type}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class DailyReportCsvApi(AuthenticatedApi):
    @extend_schema(
        parameters=_params,
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description=f"One row per site-day and a total row. {SUPPRESSED_CELLS}",
        tags=["reports"],
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        return _daily_export(request, file_type="csv")


class DailyReportXlsxApi(AuthenticatedApi):
    @extend_schema(
        parameters=_params,
        responses={(200, XLSX): OpenApiTypes.BINARY},
        description="The daily CSV as a spreadsheet: counts as numbers, dates as date cells, "
        f"a sheet of notes. {SUPPRESSED_CELLS}",
        tags=["reports"],
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        return _daily_export(request, file_type="xlsx")


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
            raise field_error("date", gettext("This day has not happened yet."))
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


def _month(value: str) -> date:
    try:
        return date.fromisoformat(f"{value}-01")
    except ValueError:
        raise serializers.ValidationError(
            gettext("Give the month as YYYY-MM, for example 2026-03.")
        ) from None


class SubmissionSerializer(ModelSerializer[Submission]):
    site = serializers.CharField(source="site.slug")
    version = serializers.IntegerField(help_text="1 for the first sending, then 2, 3…")
    month = serializers.SerializerMethodField()
    submitted_by = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField(
        help_text="The figures as sent, by dotted indicator name "
        f"(`visits_by_route.oral`). Suppressed when the profile says so. {SUPPRESSED_CELLS}"
    )
    status = serializers.SerializerMethodField()
    changed = serializers.SerializerMethodField(
        help_text="The figures that differ today from what was sent: {indicator: [sent, now]}."
    )
    suppressed = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "site",
            "profile",
            "month",
            "version",
            "submitted_by",
            "submitted_at",
            "figures",
            "status",
            "changed",
            "suppressed",
        ]

    def _hidden(self, submission: Submission) -> bool:
        return bool(self.context.get("suppressed")) or PROFILES[submission.profile].suppressed

    def get_month(self, submission: Submission) -> str:
        return f"{submission.month:%Y-%m}"

    def get_submitted_by(self, submission: Submission) -> str:
        user = submission.submitted_by
        return user.display_name or user.username

    def get_figures(self, submission: Submission) -> dict[str, Any]:
        figures = dict(submission.figures)
        return suppressed_flat(figures) if self._hidden(submission) else figures

    @extend_schema_field(ChoiceField(choices=["current", "revised_since_submission"]))
    def get_status(self, submission: Submission) -> str:
        changed = self.context["changes"][submission.pk]
        return "revised_since_submission" if changed else "current"

    @extend_schema_field(serializers.DictField(child=serializers.ListField()))
    def get_changed(self, submission: Submission) -> dict[str, list[Any]]:
        changed: dict[str, list[Any]] = self.context["changes"][submission.pk]
        if not self._hidden(submission):
            return changed
        sent = suppressed_flat(dict(submission.figures))
        now = suppressed_flat({**submission.figures, **{k: v[1] for k, v in changed.items()}})
        return {key: [sent[key], now[key]] for key in changed}

    def get_suppressed(self, submission: Submission) -> bool:
        return self._hidden(submission)


def _submission_data(submissions: list[Submission], *, suppressed: bool) -> Any:
    changes = {submission.pk: changed for submission, changed in with_changes(submissions)}
    context = {"suppressed": suppressed, "changes": changes}
    return SubmissionSerializer(submissions, many=True, context=context).data


class SubmissionListCreateApi(AuthenticatedApi):
    """A site's submitted forms (every version), and sending one (supervisors)."""

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        profile = ChoiceField(choices=Submission.Profile.choices)
        month = serializers.CharField(help_text="YYYY-MM")

        def validate_month(self, value: str) -> date:
            return _month(value)

    @extend_schema(
        parameters=[OpenApiParameter("site", OpenApiTypes.STR, required=True)],
        responses={200: SubmissionSerializer(many=True), **error_responses(400, 401, 403, 404)},
        tags=["reports"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, role = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=REPORT_READERS
        )
        submissions = submissions_of(site=site)
        return Response(_submission_data(submissions, suppressed=role == Role.ANALYST))

    @extend_schema(
        request=InputSerializer,
        responses={201: SubmissionSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["reports"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site, _ = site_for(user=request.user, slug=data.validated_data["site"], roles=SUPERVISORS)
        submission = submission_create(
            site=site,
            profile=data.validated_data["profile"],
            month=data.validated_data["month"],
            by=request.user,
        )
        return Response(
            _submission_data([submission], suppressed=False)[0], status=status.HTTP_201_CREATED
        )


class _AnyFormat(DefaultContentNegotiation):
    """`?format=` names the file a download answers with, not a DRF renderer."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


class SubmissionDownloadApi(AuthenticatedApi):
    content_negotiation_class = _AnyFormat

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        format = ChoiceField(choices=["xlsx", "csv"], default="xlsx")

    @extend_schema(
        parameters=[OpenApiParameter("format", OpenApiTypes.STR, enum=["xlsx", "csv"])],
        responses={
            (200, XLSX): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.STR,
            **error_responses(400, 401, 404),
        },
        description="The form as sent: a spreadsheet laid out like the form with a sheet of "
        f"definitions, or CSV. Suppressed when the profile says so, or for analysts. "
        f"{SUPPRESSED_CELLS}",
        tags=["reports"],
    )
    def get(self, request: AuthenticatedRequest, submission_id: str) -> HttpResponse:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        submission = submission_for(user=request.user, submission_id=submission_id)
        role = role_at(user=request.user, site=submission.site)
        (row,) = _submission_data([submission], suppressed=role == Role.ANALYST)
        kind = filters.validated_data["format"]
        audit_record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            obj=submission,
            site=submission.site,
            changes={"format": kind, "suppressed": row["suppressed"]},
        )
        name = (
            f"vigil-{submission.site.slug}-{submission.profile}-{row['month']}"
            f"-v{submission.version}.{kind}"
        )
        if kind == "csv":
            response = HttpResponse(
                submission_csv(submission, row["figures"]), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(
                submission_xlsx(submission, row["figures"], status=row["status"]),
                content_type=XLSX,
            )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class MonthlyDraftListApi(AuthenticatedApi):
    """The months prepared for the site's supervisors and not sent yet in every form."""

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()

    @extend_schema(
        parameters=[OpenApiParameter("site", OpenApiTypes.STR, required=True)],
        responses={
            200: inline_serializer(
                "MonthlyDraft",
                {
                    "site": serializers.CharField(),
                    "month": serializers.CharField(help_text="YYYY-MM"),
                    "prepared_at": serializers.DateTimeField(),
                    "profiles": serializers.ListField(
                        child=ChoiceField(choices=Submission.Profile.choices),
                        help_text="The forms of the month not sent yet.",
                    ),
                },
                many=True,
            ),
            **error_responses(400, 401, 403, 404),
        },
        tags=["reports"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=SUPERVISORS
        )
        return Response(
            [
                {
                    "site": site.slug,
                    "month": f"{draft.month:%Y-%m}",
                    "prepared_at": draft.prepared_at,
                    "profiles": waiting,
                }
                for draft, waiting in drafts_to_send(site=site)
            ]
        )
