"""Drug-alert suggestions: what the site's own records say supervisors should warn about.

Computed on read from the records (nothing to keep in step): (a) overdoses at the site
reaching VIGIL_OVERDOSE_CLUSTER_COUNT within VIGIL_OVERDOSE_CLUSTER_MINUTES, (b) a drug check
finding nitazene, xylazine or a benzodiazepine, or fentanyl where another substance was
expected. Each names its evidence (counts, substances, times), never a person. Evidence older
than the last alert posted from a suggestion of the same kind is already covered by it.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from vigil.alerts.models import Alert
from vigil.care.models import DrugCheck, TestResult
from vigil.incidents.models import Incident
from vigil.incidents.rules import OVERDOSE_KINDS
from vigil.sites.models import Site

# Suggestion ids are derived from their first piece of evidence: the same cluster or finding
# keeps its id from one read to the next.
_NAMESPACE = uuid.UUID("6f1c1d2e-5b0a-4c8e-9a57-0d3c2f8a9b41")
# Found in a drug check, these always suggest an alert; fentanyl only when not expected.
ALWAYS_ALERT = ("nitazene", "xylazine", "benzodiazepine")


@dataclass
class Suggestion:
    id: uuid.UUID
    site: Site
    source: str
    key: str
    evidence: dict[str, Any]
    suggested_message: str
    level: str = Alert.Level.DANGER
    since: datetime = field(default_factory=timezone.now)


def _hhmm(moment: datetime, site: Site) -> str:
    return f"{timezone.localtime(moment, site.zone):%H:%M}"


def _covered_until(site: Site, since: datetime) -> dict[str, datetime]:
    """For each kind of suggestion, when an alert of that kind was last posted."""
    rows = (
        Alert.objects.filter(site=site, created_at__gte=since)
        .exclude(suggestion_key="")
        .values("suggestion_key")
        .annotate(last=Max("created_at"))
    )
    return {row["suggestion_key"]: row["last"] for row in rows}


def _clusters(onsets: Sequence[tuple[Any, datetime]]) -> list[list[tuple[Any, datetime]]]:
    """Runs of overdoses where `threshold` fall within `window` (both ends included); a run
    grows while each new overdose still completes a full window with earlier ones."""
    threshold = settings.VIGIL_OVERDOSE_CLUSTER_COUNT
    window = timedelta(minutes=settings.VIGIL_OVERDOSE_CLUSTER_MINUTES)
    clusters: list[list[tuple[Any, datetime]]] = []
    members: set[Any] = set()
    for index, (_, at) in enumerate(onsets):
        within = [(p, t) for p, t in onsets[: index + 1] if at - t <= window]
        if len(within) < threshold:
            continue
        if clusters and any(p in members for p, _ in within):
            clusters[-1].extend(item for item in within if item[0] not in members)
        else:
            clusters.append(list(within))
        members.update(p for p, _ in within)
    return clusters


def _overdose_suggestions(site: Site, since: datetime) -> list[Suggestion]:
    overdoses = (
        Incident.objects.filter(
            site=site, kind__in=OVERDOSE_KINDS, voided=False, started_at__gte=since
        )
        .prefetch_related("substance_rows")
        .order_by("started_at", "id")
    )
    by_id = {o.pk: o for o in overdoses}
    suggestions = []
    for cluster in _clusters([(o.pk, o.started_at) for o in by_id.values()]):
        first, last = cluster[0][1], cluster[-1][1]
        suspected = Counter(
            row.substance for pk, _ in cluster for row in by_id[pk].substance_rows.all()
        )
        minutes = settings.VIGIL_OVERDOSE_CLUSTER_MINUTES
        evidence = {
            "overdoses": len(cluster),
            "first_at": first.isoformat(),
            "last_at": last.isoformat(),
            "threshold": settings.VIGIL_OVERDOSE_CLUSTER_COUNT,
            "window_minutes": minutes,
            "suspected_substances": dict(sorted(suspected.items())),
        }
        named = ", ".join(sorted(suspected)) or "unknown substances"
        suggestions.append(
            Suggestion(
                id=uuid.uuid5(_NAMESPACE, f"{site.pk}:overdose_cluster:{cluster[0][0]}"),
                site=site,
                source=Alert.Source.OVERDOSE_CLUSTER,
                key=Alert.Source.OVERDOSE_CLUSTER,
                evidence=evidence,
                suggested_message=(
                    f"{len(cluster)} overdoses here between {_hhmm(first, site)} and "
                    f"{_hhmm(last, site)} ({named}). Don't use alone, test your drugs, "
                    "start low and go slow."
                ),
                since=first,
            )
        )
    return suggestions


def _findings(check: DrugCheck) -> list[str]:
    found = [name for name in ALWAYS_ALERT if getattr(check, name) == TestResult.POSITIVE]
    if check.fentanyl == TestResult.POSITIVE and check.expected_substance != "fentanyl":
        found.append("fentanyl")
    return found


def _drug_check_suggestions(
    site: Site, since: datetime, covered: dict[str, datetime]
) -> list[Suggestion]:
    checks = (
        DrugCheck.objects.select_related("service")
        .filter(service__site=site, service__voided=False, service__at__gte=since)
        .order_by("service__at", "service_id")
    )
    found: dict[str, list[DrugCheck]] = {}
    for check in checks:
        for substance in _findings(check):
            key = f"{Alert.Source.DRUG_CHECK}:{substance}"
            if check.service.at > covered.get(key, since):
                found.setdefault(substance, []).append(check)
    suggestions = []
    for substance, matching in sorted(found.items()):
        first, last = matching[0].service.at, matching[-1].service.at
        expected = sorted({c.expected_substance for c in matching})
        evidence = {
            "substance": substance,
            "checks": len(matching),
            "expected_substances": expected,
            "first_at": first.isoformat(),
            "last_at": last.isoformat(),
        }
        sold_as = " or ".join(expected)
        suggestions.append(
            Suggestion(
                id=uuid.uuid5(
                    _NAMESPACE, f"{site.pk}:drug_check:{substance}:{matching[0].service_id}"
                ),
                site=site,
                source=Alert.Source.DRUG_CHECK,
                key=f"{Alert.Source.DRUG_CHECK}:{substance}",
                evidence=evidence,
                suggested_message=(
                    f"Drug checking found {substance} in {len(matching)} sample(s) sold as "
                    f"{sold_as} since {_hhmm(first, site)}. Test before you use; "
                    "don't use alone."
                ),
                since=first,
            )
        )
    return suggestions


def suggestions_for(*, site: Site, now: datetime | None = None) -> list[Suggestion]:
    """The open suggestions of a site: clusters first, then drug-check findings."""
    now = now or timezone.now()
    since = now - timedelta(hours=settings.VIGIL_ALERT_SUGGESTION_HOURS)
    covered = _covered_until(site, since)
    cluster_since = max(since, covered.get(Alert.Source.OVERDOSE_CLUSTER, since))
    if cluster_since > since:
        cluster_since += timedelta(microseconds=1)  # overdoses up to the post are covered
    return [
        *_overdose_suggestions(site, cluster_since),
        *_drug_check_suggestions(site, since, covered),
    ]


def suggestion_of(*, site: Site, suggestion_id: uuid.UUID) -> Suggestion | None:
    """An open suggestion of the site by its id, or None (posted already, or gone)."""
    return next((s for s in suggestions_for(site=site) if s.id == suggestion_id), None)
