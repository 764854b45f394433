from __future__ import annotations

from django.contrib import admin

from vigil.stock.models import StockLevel


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin[StockLevel]):
    """Par levels per site and item: below one, the floor board warns."""

    list_display = ["site", "item", "par_level"]
    list_filter = ["site"]
    list_editable = ["par_level"]
