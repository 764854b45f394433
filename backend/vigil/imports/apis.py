from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils.translation import get_language, gettext, override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from vigil.accounts.access import SUPERVISORS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.core.fields import ChoiceField
from vigil.core.schema import error_responses
from vigil.imports.kinds import KINDS
from vigil.imports.models import Import
from vigil.imports.selectors import import_for_user, imports_of
from vigil.imports.serializers import (
    ImportKindSerializer,
    ImportSerializer,
    ImportSummarySerializer,
)
from vigil.imports.services import import_create
from vigil.imports.template_files import template_csv, template_xlsx

MAX_BYTES = 50 * 1024 * 1024


class _SiteFilter(serializers.Serializer[dict[str, Any]]):
    site = serializers.SlugField()


_site_param = OpenApiParameter("site", OpenApiTypes.STR, required=True, description="site slug")


class ImportListCreateApi(AuthenticatedApi):
    """A site's past imports (supervisors), and an upload to check or run."""

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
                raise serializers.ValidationError(gettext("Upload a .csv or .xlsx file."))
            if value.size > MAX_BYTES:
                raise serializers.ValidationError(
                    gettext("The file is over 50 MB: split it in parts.")
                )
            return value

    @extend_schema(
        parameters=[_site_param],
        responses={
            200: ImportSummarySerializer(many=True),
            **error_responses(400, 401, 403, 404),
        },
        description="The site's latest imports (50), newest first.",
        tags=["imports"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = _SiteFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=SUPERVISORS
        )
        return Response(ImportSummarySerializer(imports_of(site=site), many=True).data)

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
            response = HttpResponse(
                template_csv(kind=values["kind"]), content_type="text/csv; charset=utf-8"
            )
        else:
            response = HttpResponse(
                template_xlsx(kind=values["kind"], site=site, lang=values["lang"]),
                content_type=XLSX,
            )
        name = f"vigil-{values['kind']}-{site.slug}.{values['file_type']}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class ImportDetailApi(AuthenticatedApi):
    @extend_schema(responses={200: ImportSerializer}, tags=["imports"])
    def get(self, request: AuthenticatedRequest, import_id: str) -> Response:
        upload = import_for_user(user=request.user, import_id=import_id)
        return Response(ImportSerializer(upload).data)


def _translated(message: str, lang: str) -> str:
    with override(lang):
        return gettext(message)


class ImportKindListApi(AuthenticatedApi):
    """What a site can import: each kind's columns, the values they allow, its templates."""

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        lang = ChoiceField(
            choices=["en", "fr"],
            required=False,
            help_text="The language of the labels, notes and XLSX template; else the request's.",
        )

    @extend_schema(
        parameters=[FilterSerializer],
        responses={200: ImportKindSerializer(many=True), **error_responses(400, 401, 403, 404)},
        tags=["imports"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=SUPERVISORS
        )
        lang = filters.validated_data.get("lang") or (
            "fr" if (get_language() or "en").startswith("fr") else "en"
        )
        kinds: list[dict[str, Any]] = []
        for kind in KINDS.values():
            allowed = kind.allowed(site)

            def template(file_type: str, kind: str = kind.kind) -> str:
                query = {"site": site.slug, "kind": kind, "file_type": file_type, "lang": lang}
                return f"{reverse('api:import-template')}?{urlencode(query)}"

            kinds.append(
                {
                    "kind": kind.kind,
                    "label": _translated(kind.label, lang),
                    "columns": [
                        {
                            "name": name,
                            "required": name in kind.required,
                            "note": kind.notes[lang][name],
                            "allowed": allowed.get(name),
                        }
                        for name in kind.columns
                    ],
                    "templates": {"csv": template("csv"), "xlsx": template("xlsx")},
                }
            )
        return Response([ImportKindSerializer(kind).data for kind in kinds])
