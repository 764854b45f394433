from __future__ import annotations

import copy
import threading
from typing import Any, TypeVar

from django.db.models import Model
from rest_framework import serializers

M = TypeVar("M", bound=Model)


class VoidReasonSerializer(serializers.Serializer[dict[str, Any]]):
    """The body of every void: why the record no longer counts."""

    reason = serializers.CharField(max_length=1000)

    class Meta:
        ref_name = "VoidReason"


# DRF's ModelSerializer, whose fields are built from the model once per class. DRF builds a
# model serializer's fields from the model's fields (their kinds, choices, validators) for every
# instance it makes: for one record's answer that costs more than showing it. What it builds
# depends on the class alone (its Meta and declared fields), so it is built once, and each
# instance gets its own copy, as DRF gives each its declared fields.
# A comment, not a docstring: the schema would show a base class's docstring on every schema.
class ModelSerializer(serializers.ModelSerializer[M]):
    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        built: dict[str, serializers.Field[Any, Any, Any, Any]] | None = type(self).__dict__.get(
            "_built_fields"
        )
        if built is None:
            built = super().get_fields()
            type(self)._built_fields = built  # type: ignore[attr-defined]
        return copy.deepcopy(built)


_SHOWING = threading.local()


def shown_by(serializer_class: type[serializers.BaseSerializer[Any]], instance: Any) -> Any:
    """`serializer_class(instance).data`, by one instance of the class kept per thread.

    A serializer instance builds and binds every field (and every nested serializer's) before
    showing anything: for one record, most of the work of its answer. Showing needs none of
    an instance's own state (no input, no context): the fields read the record passed. So a
    record's answer is shown by the thread's instance of its serializer class, built once.
    Only for serializers that read no context.
    """
    kept: dict[type[Any], serializers.BaseSerializer[Any]] = _SHOWING.__dict__.setdefault(
        "by_class", {}
    )
    serializer = kept.get(serializer_class)
    if serializer is None:
        serializer = kept[serializer_class] = serializer_class()
    return serializer.to_representation(instance)
