"""The framework ceiling: plain Django views that insert the rows the API inserts.

Same middleware (sessions, CSRF, authentication), same ORM and database; no DRF, no
serializer validation, no membership check, no audit event, no replay fingerprint check.
"""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from vigil.accounts.models import User
from vigil.incidents.models import Incident, IncidentAction
from vigil.participants.codes import code_digest
from vigil.participants.models import Participant
from vigil.visits.models import Visit, VisitRoute, VisitSubstance


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def visit_create(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body)
    now = timezone.now()
    with transaction.atomic():
        participant, _ = Participant.objects.get_or_create(
            code_digest=code_digest(body["code"]),
            defaults={"first_seen_site_id": body["site_id"], "first_seen_at": now},
        )
        visit = Visit.objects.create(
            id=uuid.UUID(body["id"]),
            site_id=body["site_id"],
            participant=participant,
            kind=body["kind"],
            booth_id=body["booth"],
            checked_in_at=now,
            created_by=_user(request),
            create_fingerprint="",
        )
        VisitSubstance.objects.bulk_create(
            [VisitSubstance(visit=visit, substance=s) for s in body["substances"]]
        )
        VisitRoute.objects.bulk_create([VisitRoute(visit=visit, route=r) for r in body["routes"]])
    return JsonResponse({"id": str(visit.pk)}, status=201)


def visit_check_out(request: HttpRequest, visit_id: uuid.UUID) -> HttpResponse:
    now = timezone.now()
    Visit.objects.filter(pk=visit_id, checked_out_at=None).update(
        checked_out_at=now, version=F("version") + 1, updated_at=now
    )
    return JsonResponse({"id": str(visit_id)})


def incident_open(request: HttpRequest) -> HttpResponse:
    body = json.loads(request.body)
    now = timezone.now()
    incident = Incident.objects.create(
        id=uuid.UUID(body["id"]),
        site_id=body["site_id"],
        visit_id=body["visit"],
        kind=body["kind"],
        location=body["location"],
        started_at=now,
        review_due_at=now + timedelta(days=7),
        created_by=_user(request),
        create_fingerprint="",
    )
    return JsonResponse({"id": str(incident.pk)}, status=201)


def action_create(request: HttpRequest, incident_id: uuid.UUID) -> HttpResponse:
    body = json.loads(request.body)
    action = IncidentAction.objects.create(
        id=uuid.UUID(body["id"]),
        incident_id=incident_id,
        kind=body["kind"],
        at=timezone.now(),
        dose_mg=body.get("dose_mg"),
        route=body.get("route", ""),
        created_by=_user(request),
        create_fingerprint="",
    )
    return JsonResponse({"id": str(action.pk)}, status=201)
