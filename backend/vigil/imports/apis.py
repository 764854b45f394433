from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from vigil.accounts.access import SUPERVISORS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.core.fields import ChoiceField
from vigil.imports.models import Import
from vigil.imports.selectors import import_for_user
from vigil.imports.serializers import ImportSerializer
from vigil.imports.services import import_create
from vigil.imports.template_files import visits_template_csv, visits_template_xlsx

MAX_BYTES = 50 * 1024 * 1024


class ImportCreateApi(AuthenticatedApi):
    parser_classes = [MultiPartParser]

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        kind = ChoiceField(choices=Import.Kind.choices)
        file = serializers.FileField(help_text="CSV (UTF-8) or XLSX; the header is row 1.")
        dry_run = serializers.BooleanField(
            required=False, default=False, help_text="Check every row and write nothing."
        )

        def validate_file(self, value: Any) -> Any:
            if not value.name.lower().endswith((".csv", ".xlsx")):
                raise serializers.ValidationError("Upload a .csv or .xlsx file.")
            if value.size > MAX_BYTES:
                raise serializers.ValidationError("The file is over 50 MB: split it in parts.")
            return value

    @extend_schema(request=InputSerializer, responses={202: ImportSerializer}, tags=["imports"])
    def post(self, request: AuthenticatedRequest) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        site, _ = site_for(user=request.user, slug=values["site"], roles=SUPERVISORS)
        upload = import_create(
            site=site,
            kind=values["kind"],
            dry_run=values["dry_run"],
            file_name=values["file"].name,
            content=values["file"].read(),
            by=request.user,
        )
        return Response(ImportSerializer(upload).data, status=status.HTTP_202_ACCEPTED)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportTemplateApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        kind = ChoiceField(choices=Import.Kind.choices)
        # Not `format`: DRF reads that query parameter as a renderer to choose.
        file_type = ChoiceField(choices=["xlsx", "csv"], default="xlsx")
        lang = ChoiceField(choices=["en", "fr"], default="en")

    @extend_schema(
        parameters=[FilterSerializer],
        responses={(200, XLSX): OpenApiTypes.BINARY, (200, "text/csv"): OpenApiTypes.STR},
        description="A blank file to fill in; the XLSX has sheets of notes and allowed values.",
        tags=["imports"],
    )
    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        site, _ = site_for(user=request.user, slug=values["site"], roles=SUPERVISORS)
        if values["file_type"] == "csv":
            response = HttpResponse(visits_template_csv(), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                visits_template_xlsx(site=site, lang=values["lang"]), content_type=XLSX
            )
        name = f"vigil-{values['kind']}-{site.slug}.{values['file_type']}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ImportDetailApi(AuthenticatedApi):
    @extend_schema(responses={200: ImportSerializer}, tags=["imports"])
    def get(self, request: AuthenticatedRequest, import_id: str) -> Response:
        upload = import_for_user(user=request.user, import_id=import_id)
        return Response(ImportSerializer(upload).data)
