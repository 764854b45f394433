from django.urls import path

from vigil.stock.apis import StockAdjustmentApi, StockApi, StockCheckApi, StockReceiptApi

urlpatterns = [
    path("stock/", StockApi.as_view(), name="stock"),
    path("stock/receipts", StockReceiptApi.as_view(), name="stock-receipts"),
    path("stock/adjustments", StockAdjustmentApi.as_view(), name="stock-adjustments"),
    path("stock/checks", StockCheckApi.as_view(), name="stock-checks"),
]
