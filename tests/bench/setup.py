"""The bench's sites, users and records, made through the services (or Celery) like real ones."""

from __future__ import annotations

import random
import subprocess
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from celery import group

from tests.bench import dataset, servers
from tests.bench.load import Tablet
from vigil.accounts.models import Membership, Role, User
from vigil.core.calendar import local_day_bounds
from vigil.incidents.services import IncidentOpen, incident_open
from vigil.reports.services import compute_site_day, local_today
from vigil.reports.tasks import compute_site_day_task, nightly_task
from vigil.sites.models import Site
from vigil.sites.services import site_upsert
from vigil.visits.services import CheckIn, visit_check_in


@dataclass
class World:
    sites: list[Site]
    tablets: list[Tablet]
    supervisor: Tablet
    floor_staff: Tablet  # a staff tablet of the floor site: the frontend's board
    loader_id: str
    floor_slug: str
    queue_slug: str
    period: tuple[date, date]

    @property
    def site_ids(self) -> list[str]:
        return [str(site.pk) for site in self.sites]

    @property
    def site_slugs(self) -> list[str]:
        return [site.slug for site in self.sites]


def _user(username: str, password: str, sites: list[Site], role: Role) -> User:
    user = User.objects.create_user(username=username, password=password, display_name=username)
    Membership.objects.bulk_create([Membership(user=user, site=s, role=role) for s in sites])
    return user


def build(*, clients: int, zones: tuple[str, ...], password: str) -> World:
    sites = [
        site_upsert(
            slug=f"bench-{i:02d}", name=f"Bench {i:02d}", timezone=zones[i % len(zones)], booths=13
        )[0]
        for i in range(dataset.SITES)
    ]
    floor, _ = site_upsert(slug="bench-floor", name="Floor", timezone=zones[0], booths=13)
    queue, _ = site_upsert(slug="bench-queue", name="Queue", timezone=zones[0], booths=13)
    supervisor = _user("bench-supervisor", password, [*sites, floor, queue], Role.SUPERVISOR)
    loader = _user("bench-loader", password, [], Role.STAFF)
    _user("bench-floor", password, [floor], Role.STAFF)
    tablets = []
    for i in range(clients):
        site = sites[i % len(sites)]
        _user(f"tablet-{i:02d}", password, [site], Role.STAFF)
        booth = site.booths.order_by("position", "label").first()
        assert booth is not None
        tablets.append(Tablet(f"tablet-{i:02d}", password, site.slug, str(site.pk), str(booth.pk)))
    # The floor: 13 booths, each with an open visit of a known participant.
    for n, booth in enumerate(floor.booths.order_by("position", "label")):
        visit_check_in(
            request=CheckIn(
                site=floor,
                kind="consumption",
                booth=booth,
                code=f"FLOOR{n:02d}",
                substances=("fentanyl",),
                routes=("injection",),
                checked_in_at=None,
            ),
            by=supervisor,
            role=Role.SUPERVISOR,
        )
    # The review queue: 200 incidents of mixed kinds.
    kinds = ("opioid_overdose", "stimulant_overdose", "other_medical", "violence", "needlestick")
    for n in range(200):
        incident_open(
            request=IncidentOpen(site=queue, kind=kinds[n % len(kinds)], location="booth"),
            by=supervisor,
            role=Role.SUPERVISOR,
        )
    yesterday = local_today(sites[0]) - timedelta(days=1)
    return World(
        sites=sites,
        tablets=tablets,
        supervisor=Tablet("bench-supervisor", password, floor.slug, str(floor.pk), ""),
        floor_staff=Tablet("bench-floor", password, floor.slug, str(floor.pk), ""),
        loader_id=str(loader.pk),
        floor_slug=floor.slug,
        queue_slug=queue.slug,
        period=(yesterday - timedelta(days=30), yesterday),
    )


def collect_static(env: dict[str, str]) -> None:
    """Production serves the built frontend from STATIC_ROOT (whitenoise), as deployed."""
    subprocess.run(
        [str(servers.BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=servers.BACKEND,
        env=env,
        check=True,
    )


def sample_site_days(
    world: World, *, count: int, days: int
) -> list[tuple[Site, date, dict[str, Any]]]:
    """`count` random site-days among the loaded ones (seeded: the same days every run)."""
    chooser = random.Random(len(world.sites) * days)
    picked = []
    for _ in range(count):
        site = chooser.choice(world.sites)
        day = local_today(site) - timedelta(days=1 + chooser.randrange(max(days, 1)))
        start, end = local_day_bounds(day, site.zone)
        span = {
            "site": site.pk,
            "start": start,
            "end": end,
            "zone": str(site.zone),
            "year": day.year,
        }
        picked.append((site, day, span))
    return picked


def compute(site: Site, day: date) -> dict[str, Any]:
    metrics: dict[str, Any] = compute_site_day(site=site, day=day).metrics
    return metrics


def nightly_through_celery(world: World) -> float:
    """Seconds from enqueueing every site's nightly task to the last result."""
    started = time.perf_counter()
    result = group(nightly_task.s(str(site.pk)) for site in world.sites).apply_async(
        queue="reports"
    )
    result.get(timeout=600)
    return time.perf_counter() - started


def backfill_period(world: World, *, days: int) -> float:
    """Compute the dailies of the period for every site through Celery, as a backfill would."""
    first, last = world.period
    started = time.perf_counter()
    tasks = [
        compute_site_day_task.s(str(site.pk), (first + timedelta(days=d)).isoformat())
        for site in world.sites
        for d in range((last - first).days + 1)
    ]
    assert len(tasks) == days * len(world.sites)
    group(tasks).apply_async(queue="reports").get(timeout=900)
    return time.perf_counter() - started
