from __future__ import annotations

from django.contrib import admin

from vigil.sites.models import Booth, Site, WeeklyHours
from vigil.sites.services import schedule_nightly


class BoothInline(admin.TabularInline[Booth, Site]):
    model = Booth
    extra = 0
    fields = ["label", "kind", "active", "position", "in_service_from", "in_service_until"]


class WeeklyHoursInline(admin.TabularInline[WeeklyHours, Site]):
    model = WeeklyHours
    extra = 0
    fields = ["valid_from", "weekday", "opens", "closes"]


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin[Site]):
    list_display = ["name", "slug", "timezone", "kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [WeeklyHoursInline, BoothInline]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        super().save_model(request, obj, form, change)
        schedule_nightly(site=obj)

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Booth)
class BoothAdmin(admin.ModelAdmin[Booth]):
    list_display = ["site", "label", "kind", "active"]
    list_filter = ["site", "kind", "active"]

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
