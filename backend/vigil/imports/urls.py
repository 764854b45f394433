from django.urls import path

from vigil.imports.apis import (
    ImportDetailApi,
    ImportKindListApi,
    ImportListCreateApi,
    ImportTemplateApi,
)

urlpatterns = [
    path("imports/", ImportListCreateApi.as_view(), name="import-list"),
    path("imports/kinds", ImportKindListApi.as_view(), name="import-kinds"),
    path("imports/template", ImportTemplateApi.as_view(), name="import-template"),
    path("imports/<uuid:import_id>", ImportDetailApi.as_view(), name="import-detail"),
]
