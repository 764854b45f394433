from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time that must carry its UTC offset: a tablet's local guess is refused."""

    default_error_messages = {
        "naive": gettext_lazy(
            "Give the time with its UTC offset, for example 2026-03-08T01:30:00-05:00."
        ),
    }

    def to_internal_value(self, value: Any) -> datetime:
        if isinstance(value, str):
            try:
                parsed = parse_datetime(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None:
                self.fail("naive")
        result: datetime = super().to_internal_value(value)
        return result


class BoundedDateField(serializers.DateField):
    """A calendar date within the years a site can have records: a day at either end of the
    calendar (9999-12-31, 0001-01-01) would overflow when turned into the site's local hours."""

    FIRST = date(1900, 1, 1)
    LAST = date(2999, 12, 31)
    default_error_messages = {
        "out_of_range": format_lazy(
            gettext_lazy("Choose a date between {first} and {last}."),
            first=FIRST.isoformat(),
            last=LAST.isoformat(),
        ),
    }

    def to_internal_value(self, value: Any) -> date:
        result: date = super().to_internal_value(value)
        if not self.FIRST <= result <= self.LAST:
            self.fail("out_of_range")
        return result


class ChoiceField(serializers.ChoiceField):
    """DRF's choice field, whose refusal names the allowed values and never echoes the value
    sent: a visit code typed into the wrong field must not come back in the answer."""

    def to_internal_value(self, data: Any) -> Any:
        if data == "" and self.allow_blank:
            return ""
        try:
            return self.choice_strings_to_values[str(data)]
        except KeyError:
            allowed = ", ".join(self.choice_strings_to_values)
            raise serializers.ValidationError(
                gettext("Not an allowed value. Choose one of: %(allowed)s.") % {"allowed": allowed},
                code="invalid_choice",
            ) from None
