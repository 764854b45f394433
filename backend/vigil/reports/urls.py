from django.urls import path

from vigil.reports.apis import (
    DailyReportCsvApi,
    DailyReportListApi,
    DailyReportXlsxApi,
    MonthlyDraftListApi,
    PeriodReportApi,
    RecomputeApi,
    SiteFloorApi,
    SubmissionDownloadApi,
    SubmissionListCreateApi,
)

urlpatterns = [
    path("reports/daily/", DailyReportListApi.as_view(), name="report-daily"),
    path("reports/daily.csv", DailyReportCsvApi.as_view(), name="report-daily-csv"),
    path("reports/daily.xlsx", DailyReportXlsxApi.as_view(), name="report-daily-xlsx"),
    path("reports/period/", PeriodReportApi.as_view(), name="report-period"),
    path("reports/recompute", RecomputeApi.as_view(), name="report-recompute"),
    path("reports/submissions/", SubmissionListCreateApi.as_view(), name="report-submissions"),
    path("reports/drafts/", MonthlyDraftListApi.as_view(), name="report-drafts"),
    path(
        "reports/submissions/<uuid:submission_id>/download",
        SubmissionDownloadApi.as_view(),
        name="report-submission-download",
    ),
    path("sites/<slug:slug>/floor", SiteFloorApi.as_view(), name="site-floor"),
]
