from __future__ import annotations

from django.db import transaction

from vigil.reports.services import schedule_nightly
from vigil.sites.models import Booth, Site


@transaction.atomic
def site_upsert(
    *,
    slug: str,
    name: str,
    timezone: str,
    booths: int,
    inhalation_booths: int = 0,
    kind: Site.Kind = Site.Kind.FIXED,
) -> tuple[Site, bool]:
    """Create or update a site and its booths `1`…`booths`.

    The last `inhalation_booths` labels are inhalation rooms. Booths beyond `booths` are
    deactivated, never deleted: past visits still point at them.
    """
    site = Site.objects.filter(slug=slug).first()
    created = site is None
    if site is None:
        site = Site(slug=slug)
    site.name = name
    site.timezone = timezone
    site.kind = kind
    site.full_clean()
    site.save()

    for number in range(1, booths + 1):
        inhalation = number > booths - inhalation_booths
        Booth.objects.update_or_create(
            site=site,
            label=str(number),
            defaults={
                "active": True,
                "position": number,
                "kind": Booth.Kind.INHALATION if inhalation else Booth.Kind.INJECTION,
            },
        )
    kept = [str(number) for number in range(1, booths + 1)]
    site.booths.exclude(label__in=kept).update(active=False)
    schedule_nightly(site=site)
    return site, created
