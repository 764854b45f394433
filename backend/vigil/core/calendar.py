"""Local calendar days: a site's day runs from its local midnight to the next (23 or 25 h on DST)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from django.utils import timezone


class Zoned(Protocol):
    """Anything kept in a time zone (a site)."""

    @property
    def zone(self) -> ZoneInfo: ...


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a site's local calendar day starts and ends (23 or 25 h on DST)."""
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


def local_today(place: Zoned) -> date:
    return timezone.localtime(timezone.now(), place.zone).date()
