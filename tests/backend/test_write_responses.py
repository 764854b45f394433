"""A write is answered with the record as written, without reading it back: the answer is
exactly what a read of the stored record gives."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from tests.conftest import TabletClient, World
from vigil.audit.models import AuditEvent
from vigil.incidents.models import Incident
from vigil.incidents.snapshots import REVIEW_FIELDS, incident_snapshot, review_snapshot


def test_check_in_and_check_out_answer_what_a_read_gives(
    world: World, client_for: Callable[[str], TabletClient]
) -> None:
    client = client_for("alice")
    booth = world.site_a.booths.order_by("position", "label").first()
    assert booth is not None
    zone = world.site_a.zone
    at = (timezone.now() - timedelta(minutes=30)).astimezone(zone)
    created = client.post(
        "/api/v1/visits/",
        {
            "id": str(uuid.uuid4()),
            "site": "harbour",
            "code": "RESP01",
            "kind": "consumption",
            "booth": str(booth.pk),
            "checked_in_at": at.isoformat(),
            "substances": ["heroin", "fentanyl", "fentanyl"],
            "routes": ["injection"],
        },
    )
    assert created.status_code == 201, created.content
    visit = created.json()
    read = client.get(f"/api/v1/visits/{visit['id']}").json()
    # minutes_in of an open visit moves with the clock: compared apart.
    assert abs(visit.pop("minutes_in") - read.pop("minutes_in")) <= 1
    assert visit == read
    assert visit["substances"] == ["fentanyl", "heroin"]
    assert visit["booth_label"] == booth.label

    out_at = (timezone.now() - timedelta(minutes=5)).astimezone(zone)
    out = client.post(
        f"/api/v1/visits/{visit['id']}/check-out",
        {"checked_out_at": out_at.isoformat(), "did_not_consume_reason": "left"},
    )
    assert out.status_code == 200, out.content
    read = client.get(f"/api/v1/visits/{visit['id']}").json()
    assert out.json() == read
    assert read["version"] == 2
    assert read["did_not_consume_reason"] == "left"

    # A resend of the check-out answers with the stored visit, unchanged.
    again = client.post(
        f"/api/v1/visits/{visit['id']}/check-out",
        {"checked_out_at": out_at.isoformat(), "did_not_consume_reason": "left"},
    )
    assert again.status_code == 200
    assert again.json() == read


def test_the_review_fields_a_tap_compares_are_those_of_the_full_snapshot(
    world: World, client_for: Callable[[str], TabletClient]
) -> None:
    client = client_for("alice")
    opened = client.post(
        "/api/v1/incidents/",
        {
            "id": str(uuid.uuid4()),
            "kind": "opioid_overdose",
            "location": "booth",
            "site": "harbour",
        },
    )
    assert opened.status_code == 201, opened.content
    for kind in ("naloxone", "ems_called"):
        tap: dict[str, object] = {"id": str(uuid.uuid4()), "kind": kind}
        if kind == "naloxone":
            tap |= {"dose_mg": 0.4, "route": "IM"}
        done = client.post(f"/api/v1/incidents/{opened.json()['id']}/actions/", tap)
        assert done.status_code == 201, done.content
    incident = Incident.objects.get(pk=opened.json()["id"])
    full = incident_snapshot(incident)
    assert incident.critical_reasons  # an EMS call makes it critical
    assert review_snapshot(incident) == {name: full[name] for name in REVIEW_FIELDS}
    # The tap that made it critical audited the change of the review fields.
    assert AuditEvent.objects.filter(
        object_id=str(incident.pk), action=AuditEvent.Action.UPDATE, changes__has_key="critical"
    ).exists()
