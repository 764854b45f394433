from django.urls import path

from vigil.reports.apis import (
    DailyReportCsvApi,
    DailyReportListApi,
    PeriodReportApi,
    RecomputeApi,
    SiteFloorApi,
)

urlpatterns = [
    path("reports/daily/", DailyReportListApi.as_view(), name="report-daily"),
    path("reports/daily.csv", DailyReportCsvApi.as_view(), name="report-daily-csv"),
    path("reports/period/", PeriodReportApi.as_view(), name="report-period"),
    path("reports/recompute", RecomputeApi.as_view(), name="report-recompute"),
    path("sites/<slug:slug>/floor", SiteFloorApi.as_view(), name="site-floor"),
]
