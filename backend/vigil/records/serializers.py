"""The body of an edit (PATCH): what it does not know is refused, never silently ignored."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.utils.translation import gettext, gettext_noop
from rest_framework import serializers

UNKNOWN_FIELD = gettext_noop("This field cannot be changed here. Leave it out.")


# Refuse, with a 400 naming each, the fields of an edit that the edit does not take.
# An edit holding only unknown fields would otherwise change nothing but the version, and
# another tablet would then get 412 for nothing. `refused` names fields the edit knows but
# refuses with a message of their own (say where the change belongs).
# (Comments, not a docstring: the schema would show it on every edit's request body.)
class EditInput(serializers.Serializer[dict[str, Any]]):
    refused: ClassVar[dict[str, str]] = {}

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {name: [gettext(self.refused[name])] for name in data if name in self.refused}
            if not errors:
                errors = {name: [gettext(UNKNOWN_FIELD)] for name in data if name not in writable}
            if errors:
                raise serializers.ValidationError(errors)
        values: dict[str, Any] = super().to_internal_value(data)
        return values
