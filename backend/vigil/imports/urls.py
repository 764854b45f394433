from django.urls import path

from vigil.imports.apis import ImportCreateApi, ImportDetailApi, ImportTemplateApi

urlpatterns = [
    path("imports/", ImportCreateApi.as_view(), name="import-list"),
    path("imports/template", ImportTemplateApi.as_view(), name="import-template"),
    path("imports/<uuid:import_id>", ImportDetailApi.as_view(), name="import-detail"),
]
