"""Who may call which API route, at their own site and at another.

Every route under /api/v1/ is found from the URL configuration; a route without a row in
MATRIX fails `test_every_api_route_has_an_expectation`, so a new endpoint cannot land without
saying who may use it. Each row is called as every persona (see tests/conftest.py), and as a
supervisor, an analyst and an admin of site B, and the status must match exactly. Every role at
site B gets what charlie (staff B) gets: membership of another site grants nothing at A.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.conftest import PERSONAS, TabletClient, World, make_user
from vigil.accounts.models import Role
from vigil.alerts.services import AlertPost, alert_post
from vigil.care.services import NewReferral, NewService, referral_create, service_create
from vigil.imports.services import import_create
from vigil.incidents.services import (
    IncidentOpen,
    incident_open,
    incident_submit,
    incident_update,
)
from vigil.incidents.timeline import ActionTap, incident_action_record
from vigil.reports.submissions import submission_create
from vigil.safety.services import (
    RestrictionRequest,
    complaint_record,
    restriction_create,
    turnaway_record,
    waitlist_add,
)
from vigil.stock.services import Receipt, stock_receive
from vigil.visits.services import CheckIn, visit_check_in, visit_check_out

# The other roles at site B, beside charlie (staff B): each is expected to get charlie's status.
OTHER_SITE_ROLES = {"fiona": Role.SUPERVISOR, "gus": Role.ANALYST, "hana": Role.ADMIN}
PERSONA_NAMES = ["anonymous", *PERSONAS, *OTHER_SITE_ROLES]

# Expected status per persona. alice: staff A, bob: supervisor A, dana: analyst A,
# erin: admin A, charlie: staff B.
SIGNED_IN_OK = {
    "anonymous": 401,
    "alice": 200,
    "bob": 200,
    "dana": 200,
    "erin": 200,
    "charlie": 200,
}

# Floor records of site A: staff, supervisors and admins; analysts never see event-level records.
RECORDS_A = {
    "anonymous": 401,
    "alice": 200,
    "bob": 200,
    "dana": 403,
    "erin": 200,
    "charlie": 404,
}
CREATE_A = {**RECORDS_A, "alice": 201, "bob": 201, "erin": 201}
SUPERVISE_A = {**RECORDS_A, "alice": 403}
# Aggregate reports of site A: supervisors, analysts and admins; never floor staff.
REPORTS_A = {**RECORDS_A, "alice": 403, "dana": 200}
RECOMPUTE_A = {**SUPERVISE_A, "bob": 202, "erin": 202}
DAY = "2026-11-02"
POST_AS_SUPERVISOR_A = {**SUPERVISE_A, "bob": 201, "erin": 201}
# The matrix's incidents are routine: a supervisor of A reaches the rule that only a critical
# incident has a debrief (409); nobody else gets that far.
DEBRIEF_A = {**SUPERVISE_A, "bob": 409, "erin": 409}
LIFT_A = {**SUPERVISE_A, "bob": 204, "erin": 204}


@dataclass(frozen=True)
class Ctx:
    """What the rows point at: records of site A logged by alice (the alert: by bob)."""

    world: World
    visit: str
    participant: str
    other_participant: str
    service: str
    referral: str
    incident: str
    action: str
    submitted_incident: str
    alert: str
    restriction: str
    waitlist_entry: str
    complaint: str
    turnaway: str


def _upload(world: World) -> str:
    """A dry-run import of site A by bob (made only for the rows that read one)."""
    upload = import_create(
        site=world.site_a,
        kind="visits",
        dry_run=True,
        file_name="visits.csv",
        content=b"id,checked_in_at,kind\n",
        by=world.users["bob"],
    )
    return str(upload.pk)


def _sent_form(world: World) -> str:
    """October's form sent by bob: it computes the month, so only its rows make it."""
    submission = submission_create(
        site=world.site_a,
        profile="health_canada_monthly",
        month=date(2026, 10, 1),
        by=world.users["bob"],
    )
    return str(submission.pk)


def _completed_overdose(world: World) -> Any:
    """An overdose alice opened, with one naloxone dose, completed and ready to submit."""
    alice = world.users["alice"]
    start = timezone.now() - timedelta(minutes=30)
    incident, _ = incident_open(
        request=IncidentOpen(
            site=world.site_a,
            kind="opioid_overdose",
            location="booth",
            started_at=start,
        ),
        by=alice,
        role=Role.STAFF,
    )
    action, _ = incident_action_record(
        incident=incident,
        tap=ActionTap(kind="naloxone", dose_mg=Decimal("0.4"), route="IM"),
        by=alice,
        role=Role.STAFF,
    )
    incident = incident_update(
        incident=incident,
        by=alice,
        role=Role.STAFF,
        version=incident.version,
        outcome="recovered_on_site",
        ended_at=start + timedelta(minutes=20),
    )
    return incident, action


@pytest.fixture
def ctx(world: World) -> Ctx:
    for username, role in OTHER_SITE_ROLES.items():
        make_user(username, site=world.site_b, role=role)
    alice = world.users["alice"]
    booth = world.site_a.booths.get(label="3")
    visit, _ = visit_check_in(
        request=CheckIn(site=world.site_a, kind="consumption", booth=booth, code="MATRIX1"),
        by=alice,
        role=Role.STAFF,
    )
    other, _ = visit_check_in(
        request=CheckIn(site=world.site_a, kind="service_only", code="MATRIX2"),
        by=alice,
        role=Role.STAFF,
    )
    # Checked out, so that merging MATRIX2 into MATRIX1 leaves one open visit at the site.
    visit_check_out(visit=other, by=alice, role=Role.STAFF)
    service, _ = service_create(
        request=NewService(site=world.site_a, kind="wound_care", visit=visit),
        by=alice,
        role=Role.STAFF,
    )
    referral, _ = referral_create(
        request=NewReferral(
            site=world.site_a,
            category="housing",
            destination="offsite",
            accompanied=False,
            visit=visit,
        ),
        by=alice,
        role=Role.STAFF,
    )
    assert visit.participant_id
    assert other.participant_id
    incident, action = _completed_overdose(world)
    submitted, _ = _completed_overdose(world)
    incident_submit(incident=submitted, by=alice, role=Role.STAFF)
    alert, _ = alert_post(
        request=AlertPost(
            site=world.site_a,
            message="Benzo-positive down circulating",
            level="danger",
            expires_at=timezone.now() + timedelta(hours=8),
        ),
        by=world.users["bob"],
    )
    stock_receive(request=Receipt(site=world.site_a, item="oxygen", quantity=2), by=alice)
    bob = world.users["bob"]
    restriction, _ = restriction_create(
        request=RestrictionRequest(
            site=world.site_a,
            code="MATRIX2",
            scope="all_services",
            reason="threats",
            ends_at=timezone.now() + timedelta(days=7),
        ),
        by=bob,
        role=Role.SUPERVISOR,
    )
    waiting, _ = waitlist_add(site=world.site_a, by=alice)
    turnaway, _ = turnaway_record(site=world.site_a, reason="closed", by=alice, role=Role.STAFF)
    complaint, _ = complaint_record(
        site=world.site_a, category="service", summary="Waited too long", by=bob
    )
    return Ctx(
        world,
        str(visit.pk),
        str(visit.participant_id),
        str(other.participant_id),
        str(service.pk),
        str(referral.pk),
        incident=str(incident.pk),
        action=str(action.pk),
        submitted_incident=str(submitted.pk),
        alert=str(alert.pk),
        restriction=str(restriction.pk),
        waitlist_entry=str(waiting.pk),
        complaint=str(complaint.pk),
        turnaway=str(turnaway.pk),
    )


@dataclass(frozen=True)
class Row:
    method: str
    path: Callable[[Ctx], str]
    expect: dict[str, int]
    body: Callable[[Ctx], dict[str, Any]] = field(default=lambda ctx: {})


MATRIX: dict[str, list[Row]] = {
    "api:auth-csrf": [Row("GET", lambda w: "/api/v1/auth/csrf", dict.fromkeys(PERSONA_NAMES, 204))],
    "api:auth-login": [
        Row("POST", lambda w: "/api/v1/auth/login", dict.fromkeys(PERSONA_NAMES, 400)),
    ],
    "api:auth-logout": [
        Row("POST", lambda w: "/api/v1/auth/logout", dict.fromkeys(PERSONA_NAMES, 204)),
    ],
    "api:me": [Row("GET", lambda w: "/api/v1/me", SIGNED_IN_OK)],
    "api:site-list": [Row("GET", lambda w: "/api/v1/sites/", SIGNED_IN_OK)],
    "api:site-floor": [Row("GET", lambda c: "/api/v1/sites/harbour/floor", RECORDS_A)],
    "api:site-lockouts": [Row("GET", lambda c: "/api/v1/sites/harbour/lockouts", SUPERVISE_A)],
    "api:site-lockout-lift": [
        Row("POST", lambda c: "/api/v1/sites/harbour/lockouts/alice/lift", LIFT_A),
    ],
    "api:participant-lookup": [
        Row(
            "POST",
            lambda c: "/api/v1/participants/lookup",
            RECORDS_A,
            lambda c: {"site": "harbour", "code": "MATRIX1"},
        )
    ],
    "api:participant-detail": [
        Row(
            "GET",
            lambda c: f"/api/v1/participants/{c.participant}?site=harbour",
            RECORDS_A,
        ),
        Row(
            "PATCH",
            lambda c: f"/api/v1/participants/{c.participant}",
            RECORDS_A,
            lambda c: {"gender": "woman", "version": 1},
        ),
    ],
    "api:participant-merge": [
        Row(
            "POST",
            lambda c: f"/api/v1/participants/{c.other_participant}/merge",
            SUPERVISE_A,
            lambda c: {"into": c.participant, "reason": "typo in the code"},
        )
    ],
    "api:visit-list": [
        Row("GET", lambda c: "/api/v1/visits/?site=harbour", RECORDS_A),
        Row(
            "GET",
            lambda c: f"/api/v1/visits/?site=harbour&participant={c.participant}",
            RECORDS_A,
        ),
        Row(
            "POST",
            lambda c: "/api/v1/visits/",
            CREATE_A,
            lambda c: {"site": "harbour", "kind": "service_only"},
        ),
    ],
    "api:visit-detail": [
        Row("GET", lambda c: f"/api/v1/visits/{c.visit}", RECORDS_A),
        Row(
            "PATCH",
            lambda c: f"/api/v1/visits/{c.visit}",
            RECORDS_A,
            lambda c: {"routes": ["oral"], "version": 1, "reason": "correction"},
        ),
    ],
    "api:visit-check-out": [
        Row("POST", lambda c: f"/api/v1/visits/{c.visit}/check-out", RECORDS_A)
    ],
    "api:report-daily": [
        Row(
            "GET",
            lambda c: f"/api/v1/reports/daily/?site=harbour&from={DAY}&to={DAY}",
            REPORTS_A,
        )
    ],
    "api:report-daily-csv": [
        Row(
            "GET",
            lambda c: f"/api/v1/reports/daily.csv?site=harbour&from={DAY}&to={DAY}",
            REPORTS_A,
        )
    ],
    "api:report-daily-xlsx": [
        Row(
            "GET",
            lambda c: f"/api/v1/reports/daily.xlsx?site=harbour&from={DAY}&to={DAY}",
            REPORTS_A,
        )
    ],
    "api:report-period": [
        Row(
            "GET",
            lambda c: f"/api/v1/reports/period/?site=harbour&from={DAY}&to={DAY}",
            REPORTS_A,
        )
    ],
    "api:report-recompute": [
        Row(
            "POST",
            lambda c: "/api/v1/reports/recompute",
            RECOMPUTE_A,
            lambda c: {"site": "harbour", "date": DAY},
        )
    ],
    "api:visit-void": [
        Row(
            "POST",
            lambda c: f"/api/v1/visits/{c.visit}/void",
            RECORDS_A,
            lambda c: {"reason": "entered twice"},
        )
    ],
    "api:service-list": [
        Row("GET", lambda c: "/api/v1/services/?site=harbour&date=2026-03-08", RECORDS_A),
        Row("GET", lambda c: f"/api/v1/services/?visit={c.visit}", RECORDS_A),
        Row("GET", lambda c: f"/api/v1/services/?participant={c.participant}", RECORDS_A),
        Row(
            "POST",
            lambda c: "/api/v1/services/",
            CREATE_A,
            lambda c: {"site": "harbour", "kind": "first_aid"},
        ),
    ],
    "api:service-detail": [
        Row("GET", lambda c: f"/api/v1/services/{c.service}", RECORDS_A),
        Row(
            "PATCH",
            lambda c: f"/api/v1/services/{c.service}",
            RECORDS_A,
            lambda c: {"kind": "vein_care", "version": 1, "reason": "correction"},
        ),
    ],
    "api:service-void": [
        Row(
            "POST",
            lambda c: f"/api/v1/services/{c.service}/void",
            RECORDS_A,
            lambda c: {"reason": "entered twice"},
        )
    ],
    "api:referral-list": [
        Row("GET", lambda c: "/api/v1/referrals/?site=harbour&open=true", RECORDS_A),
        Row("GET", lambda c: f"/api/v1/referrals/?visit={c.visit}", RECORDS_A),
        Row(
            "GET",
            lambda c: f"/api/v1/referrals/?participant={c.participant}",
            RECORDS_A,
        ),
        Row(
            "POST",
            lambda c: "/api/v1/referrals/",
            CREATE_A,
            lambda c: {
                "site": "harbour",
                "category": "oat",
                "destination": "onsite_connected",
                "accompanied": True,
                "status": "offered",
            },
        ),
    ],
    "api:referral-detail": [
        Row("GET", lambda c: f"/api/v1/referrals/{c.referral}", RECORDS_A),
        Row(
            "PATCH",
            lambda c: f"/api/v1/referrals/{c.referral}",
            RECORDS_A,
            lambda c: {"agency": "Housing desk", "version": 1, "reason": "correction"},
        ),
    ],
    "api:referral-status": [
        Row(
            "POST",
            lambda c: f"/api/v1/referrals/{c.referral}/status",
            RECORDS_A,
            lambda c: {"status": "accepted"},
        )
    ],
    "api:referral-void": [
        Row(
            "POST",
            lambda c: f"/api/v1/referrals/{c.referral}/void",
            RECORDS_A,
            lambda c: {"reason": "entered twice"},
        )
    ],
    "api:incident-list": [
        Row("GET", lambda c: "/api/v1/incidents/?site=harbour", RECORDS_A),
        Row(
            "GET",
            lambda c: f"/api/v1/incidents/?site=harbour&participant={c.participant}",
            RECORDS_A,
        ),
        Row(
            "POST",
            lambda c: "/api/v1/incidents/",
            CREATE_A,
            lambda c: {
                "site": "harbour",
                "kind": "opioid_overdose",
                "location": "booth",
            },
        ),
    ],
    "api:incident-detail": [
        Row("GET", lambda c: f"/api/v1/incidents/{c.incident}", RECORDS_A),
        Row(
            "PATCH",
            lambda c: f"/api/v1/incidents/{c.incident}",
            RECORDS_A,
            lambda c: {
                "police_attended": False,
                "version": 2,
                "reason": "completing it",
            },
        ),
    ],
    "api:incident-actions": [
        Row(
            "POST",
            lambda c: f"/api/v1/incidents/{c.incident}/actions/",
            CREATE_A,
            lambda c: {"kind": "oxygen"},
        )
    ],
    "api:incident-action-void": [
        Row(
            "POST",
            lambda c: f"/api/v1/incidents/{c.incident}/actions/{c.action}/void",
            RECORDS_A,
            lambda c: {"reason": "tapped by mistake"},
        )
    ],
    "api:incident-submit": [
        Row("POST", lambda c: f"/api/v1/incidents/{c.incident}/submit", RECORDS_A)
    ],
    "api:incident-review": [
        Row(
            "POST",
            lambda c: f"/api/v1/incidents/{c.submitted_incident}/review",
            SUPERVISE_A,
            lambda c: {"decision": "approve", "comment": ""},
        )
    ],
    "api:incident-void": [
        Row(
            "POST",
            lambda c: f"/api/v1/incidents/{c.incident}/void",
            SUPERVISE_A,
            lambda c: {"reason": "entered twice"},
        )
    ],
    "api:incident-debrief": [
        Row(
            "POST",
            lambda c: f"/api/v1/incidents/{c.incident}/debrief",
            DEBRIEF_A,
            lambda c: {"status": "declined"},
        )
    ],
    "api:incident-responders": [
        Row("GET", lambda c: "/api/v1/incidents/responders?site=harbour", SUPERVISE_A)
    ],
    # An upload is multipart: a JSON body is refused (415) before the site is looked at, alike
    # for everyone (tests/backend/test_imports_api.py checks each role with a real file).
    "api:import-list": [
        Row(
            "POST",
            lambda c: "/api/v1/imports/",
            {**dict.fromkeys(PERSONA_NAMES, 415), "anonymous": 401},
            lambda c: {"site": "harbour", "kind": "visits", "dry_run": True},
        ),
        Row("GET", lambda c: "/api/v1/imports/?site=harbour", SUPERVISE_A),
    ],
    "api:import-kinds": [Row("GET", lambda c: "/api/v1/imports/kinds?site=harbour", SUPERVISE_A)],
    "api:import-template": [
        Row("GET", lambda c: "/api/v1/imports/template?site=harbour&kind=visits", SUPERVISE_A)
    ],
    "api:import-detail": [Row("GET", lambda c: f"/api/v1/imports/{_upload(c.world)}", SUPERVISE_A)],
    "api:report-submissions": [
        Row("GET", lambda c: "/api/v1/reports/submissions/?site=harbour", REPORTS_A),
        Row(
            "POST",
            lambda c: "/api/v1/reports/submissions/",
            POST_AS_SUPERVISOR_A,
            lambda c: {"site": "harbour", "profile": "ontario_cts_monthly", "month": "2026-10"},
        ),
    ],
    "api:report-drafts": [
        Row("GET", lambda c: "/api/v1/reports/drafts/?site=harbour", SUPERVISE_A)
    ],
    "api:report-submission-download": [
        Row(
            "GET",
            lambda c: f"/api/v1/reports/submissions/{_sent_form(c.world)}/download?format=csv",
            REPORTS_A,
        )
    ],
    "api:stock": [Row("GET", lambda c: "/api/v1/stock/?site=harbour", RECORDS_A)],
    "api:stock-receipts": [
        Row(
            "POST",
            lambda c: "/api/v1/stock/receipts",
            CREATE_A,
            lambda c: {"site": "harbour", "item": "oxygen", "quantity": 1},
        )
    ],
    "api:stock-adjustments": [
        Row(
            "POST",
            lambda c: "/api/v1/stock/adjustments",
            POST_AS_SUPERVISOR_A,
            lambda c: {
                "site": "harbour",
                "item": "oxygen",
                "lot": "",
                "quantity": 1,
                "reason": "found",
            },
        )
    ],
    "api:stock-checks": [
        Row(
            "POST",
            lambda c: "/api/v1/stock/checks",
            CREATE_A,
            lambda c: {
                "site": "harbour",
                "counts": [{"item": "oxygen", "counted": 2}],
                "equipment": {
                    "oxygen_level": "full",
                    "aed_ready": True,
                    "bvm_present": True,
                },
                "handover_note": "All ready.",
            },
        )
    ],
    "api:alert-list": [
        Row("GET", lambda c: "/api/v1/alerts/?site=harbour&active=true", RECORDS_A),
        Row(
            "POST",
            lambda c: "/api/v1/alerts/",
            POST_AS_SUPERVISOR_A,
            lambda c: {
                "site": "harbour",
                "message": "Fentanyl-positive pressed pills going around",
                "level": "warning",
                "expires_at": (timezone.now() + timedelta(hours=12)).isoformat(),
            },
        ),
    ],
    "api:alert-detail": [
        Row(
            "PATCH",
            lambda c: f"/api/v1/alerts/{c.alert}",
            SUPERVISE_A,
            lambda c: {
                "message": "Benzo-positive down: expect heavy sedation",
                "version": 1,
            },
        ),
    ],
    "api:alert-expire": [
        Row("POST", lambda c: f"/api/v1/alerts/{c.alert}/expire", SUPERVISE_A),
    ],
    "api:alert-suggestions": [
        Row("GET", lambda c: "/api/v1/alerts/suggestions/?site=harbour", SUPERVISE_A),
    ],
    "api:restriction-list": [
        Row("GET", lambda c: "/api/v1/restrictions/?site=harbour&active=true", SUPERVISE_A),
        Row(
            "POST",
            lambda c: "/api/v1/restrictions/",
            POST_AS_SUPERVISOR_A,
            lambda c: {
                "site": "harbour",
                "code": "MATRIX3",
                "scope": "consumption_only",
                "reason": "dealing",
                "review_at": (timezone.now() + timedelta(days=3)).isoformat(),
            },
        ),
    ],
    "api:restriction-end": [
        Row(
            "POST",
            lambda c: f"/api/v1/restrictions/{c.restriction}/end",
            SUPERVISE_A,
            lambda c: {"reason": "Reviewed with the person"},
        ),
    ],
    "api:restriction-review": [
        Row(
            "POST",
            lambda c: f"/api/v1/restrictions/{c.restriction}/review",
            SUPERVISE_A,
            lambda c: {"version": 1, "outcome": "keep", "note": "Reviewed at the team meeting"},
        ),
    ],
    "api:turnaway-list": [
        Row("GET", lambda c: "/api/v1/turnaways/?site=harbour", RECORDS_A),
        Row(
            "POST",
            lambda c: "/api/v1/turnaways/",
            CREATE_A,
            lambda c: {"site": "harbour", "reason": "capacity"},
        ),
    ],
    "api:turnaway-void": [
        Row(
            "POST",
            lambda c: f"/api/v1/turnaways/{c.turnaway}/void",
            RECORDS_A,
            lambda c: {"reason": "Recorded twice"},
        ),
    ],
    "api:waitlist": [
        Row("GET", lambda c: "/api/v1/waitlist/?site=harbour", RECORDS_A),
        Row("POST", lambda c: "/api/v1/waitlist/", CREATE_A, lambda c: {"site": "harbour"}),
    ],
    "api:waitlist-leave": [
        Row("POST", lambda c: f"/api/v1/waitlist/{c.waitlist_entry}/leave", RECORDS_A),
    ],
    "api:waitlist-void": [
        Row(
            "POST",
            lambda c: f"/api/v1/waitlist/{c.waitlist_entry}/void",
            RECORDS_A,
            lambda c: {"reason": "Added by mistake"},
        ),
    ],
    "api:complaint-list": [
        Row("GET", lambda c: "/api/v1/complaints/?site=harbour", SUPERVISE_A),
        Row(
            "POST",
            lambda c: "/api/v1/complaints/",
            POST_AS_SUPERVISOR_A,
            lambda c: {"site": "harbour", "category": "privacy", "summary": "Name overheard"},
        ),
    ],
    "api:complaint-respond": [
        Row(
            "POST",
            lambda c: f"/api/v1/complaints/{c.complaint}/respond",
            SUPERVISE_A,
            lambda c: {"response": "Apologised and moved the desk"},
        ),
    ],
    "api:complaint-void": [
        Row(
            "POST",
            lambda c: f"/api/v1/complaints/{c.complaint}/void",
            SUPERVISE_A,
            lambda c: {"reason": "Registered twice"},
        ),
    ],
}


def _api_route_names(patterns: list[Any], prefix: str = "", namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _api_route_names(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            assert pattern.name, f"API route {route} has no name"
            yield namespace + pattern.name


def test_every_api_route_has_an_expectation() -> None:
    routes = set(_api_route_names(get_resolver().url_patterns))

    assert routes, "no API routes found"
    assert sorted(routes - set(MATRIX)) == [], "write who may call these routes in MATRIX"
    assert sorted(set(MATRIX) - routes) == [], "MATRIX names routes that no longer exist"


CASES = [
    pytest.param(name, index, persona, id=f"{name}[{index}]-{persona}")
    for name, rows in MATRIX.items()
    for index in range(len(rows))
    for persona in PERSONA_NAMES
]


@pytest.mark.parametrize(("name", "index", "persona"), CASES)
def test_each_persona_gets_the_expected_status(
    ctx: Ctx,
    client_for: Callable[[str], TabletClient],
    name: str,
    index: int,
    persona: str,
) -> None:
    row = MATRIX[name][index]
    client = TabletClient() if persona == "anonymous" else client_for(persona)

    call = getattr(client, row.method.lower())
    response = call(row.path(ctx), row.body(ctx)) if row.method != "GET" else call(row.path(ctx))

    expected = row.expect["charlie"] if persona in OTHER_SITE_ROLES else row.expect[persona]
    assert response.status_code == expected, response.content
    if response.status_code >= 400:
        assert set(response.json()) >= {"detail", "fields"}
