from django.apps import AppConfig


class StockConfig(AppConfig):
    name = "vigil.stock"
    label = "stock"
    verbose_name = "Response stock and shift checks"
