from django.urls import path

from vigil.imports.apis import ImportCreateApi, ImportDetailApi

urlpatterns = [
    path("imports/", ImportCreateApi.as_view(), name="import-list"),
    path("imports/<uuid:import_id>", ImportDetailApi.as_view(), name="import-detail"),
]
