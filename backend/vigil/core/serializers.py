from __future__ import annotations

from typing import Any

from rest_framework import serializers


class VoidReasonSerializer(serializers.Serializer[dict[str, Any]]):
    """The body of every void: why the record no longer counts."""

    reason = serializers.CharField(max_length=1000)

    class Meta:
        ref_name = "VoidReason"
