from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

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


class ImportSerializer(serializers.ModelSerializer[Import]):
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
