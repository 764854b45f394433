from __future__ import annotations

import json

from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from vigil.core.calendar import local_today
from vigil.sites.models import Booth, Site

# The report task each site runs nightly, by its stable name (defined in vigil.reports.tasks).
NIGHTLY_TASK = "vigil.reports.nightly"


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

    today = local_today(site)
    kept = [str(number) for number in range(1, booths + 1)]
    # A booth coming back into service starts a new period of service (its history is kept
    # only as its latest period).
    site.booths.filter(label__in=kept, active=False).update(
        in_service_from=today, in_service_until=None
    )
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
            create_defaults={
                "position": number,
                "kind": Booth.Kind.INHALATION if inhalation else Booth.Kind.INJECTION,
                "in_service_from": None if created else today,
            },
        )
    site.booths.exclude(label__in=kept).filter(active=True).update(
        active=False, in_service_until=today
    )
    schedule_nightly(site=site)
    return site, created


# When the nightly run starts, in the site's own time zone: 02:30, every day.
NIGHTLY_AT = {
    "minute": "30",
    "hour": "2",
    "day_of_week": "*",
    "day_of_month": "*",
    "month_of_year": "*",
}


def _crontab(*, zone: str, when: dict[str, str]) -> CrontabSchedule:
    crontab, _ = CrontabSchedule.objects.get_or_create(timezone=zone, **when)
    return crontab


@transaction.atomic
def schedule_nightly(*, site: Site) -> PeriodicTask:
    """A beat entry per site at its local 02:30, editable in the admin afterwards.

    1. A site without an entry gets one at 02:30 in its time zone.
    2. An entry edited in the admin (disabled, another hour) keeps its edits when the site is
       saved again.
    3. When the site's time zone has changed, the entry moves to a crontab of the new zone at
       the same local time (02:30 unless edited): beat would otherwise run it at 02:30 of the
       old zone. Crontabs are shared between entries, so the entry is re-pointed; the old
       crontab is left as it is.
    """
    task, _ = PeriodicTask.objects.select_related("crontab").get_or_create(
        name=f"Nightly reports: {site.slug}",
        defaults={
            "task": NIGHTLY_TASK,
            "crontab": _crontab(zone=site.timezone, when=NIGHTLY_AT),
            "kwargs": json.dumps({"site_id": str(site.pk)}),
            "queue": "reports",
        },
    )
    current = task.crontab
    if current is not None and str(current.timezone) != site.timezone:
        task.crontab = _crontab(
            zone=site.timezone, when={field: getattr(current, field) for field in NIGHTLY_AT}
        )
        task.save(update_fields=["crontab", "date_changed"])
    return task
