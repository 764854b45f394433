from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from vigil.core.calendar import local_day_bounds
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
