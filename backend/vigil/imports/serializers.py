from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vigil.core.fields import ChoiceField
from vigil.core.serializers import ModelSerializer
from vigil.imports.models import Import


class RowErrorSerializer(serializers.Serializer[dict[str, Any]]):
    row = serializers.IntegerField(
        allow_null=True, help_text="As a spreadsheet numbers it: the header is row 1."
    )
    column = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class ProgressSerializer(serializers.Serializer[dict[str, Any]]):
    rows_done = serializers.IntegerField()
    rows_total = serializers.IntegerField(
        allow_null=True, help_text="Known once the whole file is checked."
    )


class ImportSerializer(ModelSerializer[Import]):
    site = serializers.SlugRelatedField[Any](slug_field="slug", read_only=True)
    progress = serializers.SerializerMethodField()
    # The API's name for the rows refused; a declared field, not the serializer's own `errors`.
    errors = RowErrorSerializer(many=True, read_only=True)  # type: ignore[assignment]

    class Meta:
        model = Import
        fields = [
            "id",
            "site",
            "kind",
            "dry_run",
            "file_name",
            "status",
            "progress",
            "rows_written",
            "errors",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, upload: Import) -> dict[str, Any]:
        return ProgressSerializer(
            {"rows_done": upload.rows_done, "rows_total": upload.rows_total}
        ).data


class ImportSummarySerializer(ModelSerializer[Import]):
    """An import as the list of past imports shows it: its errors counted, not listed."""

    progress = serializers.SerializerMethodField()
    errors_count = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField(help_text="Who uploaded the file.")

    class Meta:
        model = Import
        fields = [
            "id",
            "kind",
            "dry_run",
            "file_name",
            "status",
            "progress",
            "rows_written",
            "errors_count",
            "created_by",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ProgressSerializer)
    def get_progress(self, upload: Import) -> dict[str, Any]:
        return ProgressSerializer(
            {"rows_done": upload.rows_done, "rows_total": upload.rows_total}
        ).data

    def get_errors_count(self, upload: Import) -> int:
        return len(upload.errors)

    def get_created_by(self, upload: Import) -> str:
        return str(upload.created_by)


class ImportColumnSerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(help_text="The header the import reads (the same in French).")
    # Declared fields named like a Field's own attributes (the API's names).
    required = serializers.BooleanField()  # type: ignore[assignment]
    note = serializers.CharField(help_text="What the column holds, in the app's language.")
    allowed = serializers.ListField(
        child=serializers.CharField(),
        allow_null=True,
        help_text="The values the column allows; null when it takes any value of its type.",
    )


class ImportTemplatesSerializer(serializers.Serializer[dict[str, Any]]):
    csv = serializers.CharField(help_text="The CSV template: the header row.")
    xlsx = serializers.CharField(help_text="The XLSX template, with notes and allowed values.")


class ImportKindSerializer(serializers.Serializer[dict[str, Any]]):
    kind = ChoiceField(choices=Import.Kind.choices)
    label = serializers.CharField()  # type: ignore[assignment]
    columns = ImportColumnSerializer(many=True)
    templates = ImportTemplatesSerializer()
