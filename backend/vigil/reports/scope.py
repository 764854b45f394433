from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import DateTimeField, Q, UUIDField

from vigil.core.calendar import local_day_bounds
from vigil.core.prepared import Param
from vigil.sites.models import Site


@dataclass(frozen=True)
class Span:
    site: Site
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Scope:
    """Which records a report covers: for each site, the UTC span of its local days."""

    spans: tuple[Span, ...]

    @classmethod
    def of(cls, sites: Iterable[Site], first: date, last: date) -> Scope:
        spans = []
        for site in sites:
            start, _ = local_day_bounds(first, site.zone)
            _, end = local_day_bounds(last, site.zone)
            spans.append(Span(site, start, end))
        return cls(tuple(spans))

    @property
    def site_ids(self) -> list[object]:
        return [span.site.pk for span in self.spans]

    def q(self, *, time: str, site: str = "site") -> Q:
        """Records of the scope's sites whose `time` falls in that site's span."""
        condition = Q(pk__in=[])
        for span in self.spans:
            condition |= Q(**{site: span.site, f"{time}__gte": span.start, f"{time}__lt": span.end})
        return condition

    def values(self) -> dict[str, Any]:
        """What the statements of its `Spans` bind: each span's site, start and end."""
        values: dict[str, Any] = {}
        for n, span in enumerate(self.spans):
            values |= {f"site_{n}": span.site.pk, f"start_{n}": span.start, f"end_{n}": span.end}
        return values


@dataclass(frozen=True)
class Spans:
    """The shape of a scope of `count` spans, its values left out: each span's site, start and
    end are the parameters `site_0`, `start_0`, `end_0`, ... of a statement compiled once
    (`reports.statements`), bound at execution to `Scope.values()`."""

    count: int

    def q(self, *, time: str, site: str = "site") -> Q:
        """As `Scope.q`: records of a span's site whose `time` falls in that span."""
        condition = Q(pk__in=[])
        for n in range(self.count):
            condition |= Q(
                **{
                    site: Param(f"site_{n}", UUIDField()),
                    f"{time}__gte": Param(f"start_{n}", DateTimeField()),
                    f"{time}__lt": Param(f"end_{n}", DateTimeField()),
                }
            )
        return condition
