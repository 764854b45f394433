"""Helpers for the incident and alert tests: times, and calls a tablet makes."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime, timedelta
from typing import Any

import requests
import schemathesis
from django.utils import timezone
from schemathesis.core.transport import Response as SchemaResponse

from tests.conftest import TabletClient


def ago(minutes: float) -> datetime:
    return timezone.now() - timedelta(minutes=minutes)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def open_incident(client: TabletClient, *, expect: int = 201, **fields: Any) -> dict[str, Any]:
    body = {"site": "harbour", "kind": "opioid_overdose", "location": "booth", **fields}
    response = client.post("/api/v1/incidents/", body)
    assert response.status_code == expect, response.content
    result: dict[str, Any] = response.json()
    return result


def tap(
    client: TabletClient, incident: str, kind: str, *, expect: int = 201, **fields: Any
) -> dict[str, Any]:
    body = {"id": str(uuid.uuid4()), "kind": kind, **fields}
    response = client.post(f"/api/v1/incidents/{incident}/actions/", body)
    assert response.status_code == expect, response.content
    result: dict[str, Any] = response.json()
    return result


def detail(client: TabletClient, incident: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/incidents/{incident}")
    assert response.status_code == 200, response.content
    result: dict[str, Any] = response.json()
    return result


def complete(
    client: TabletClient, incident: dict[str, Any], *, expect: int = 200, **fields: Any
) -> dict[str, Any]:
    """PATCH the end of an overdose (outcome, end time), at the version last read."""
    body = {
        "outcome": "recovered_on_site",
        "ended_at": iso(timezone.now()),
        "version": incident["version"],
        **fields,
    }
    response = client.patch(f"/api/v1/incidents/{incident['id']}", body)
    assert response.status_code == expect, response.content
    result: dict[str, Any] = response.json()
    return result


def post(client: TabletClient, path: str, body: Any = None, *, expect: int = 200) -> Any:
    response = client.post(path, body or {})
    assert response.status_code == expect, response.content
    return response.json()


@functools.cache
def _schema(client_schema: bytes) -> Any:
    import json

    return schemathesis.openapi.from_dict(json.loads(client_schema))


def assert_documented(client: TabletClient, method: str, template: str, response: Any) -> None:
    """The response (status, content type, body) matches what the OpenAPI schema documents
    for this operation: the check schemathesis runs on generated requests, here on real ones."""
    served = client.get("/api/schema/?format=json")
    assert served.status_code == 200
    operation = _schema(served.content)[template][method]
    request = requests.Request(method.upper(), f"http://testserver{template}").prepare()
    headers: dict[str, list[str]] = {}
    for name, value in response.items():
        headers.setdefault(name.lower(), []).append(value)
    operation.validate_response(
        SchemaResponse(
            status_code=response.status_code,
            headers=headers,
            content=response.content,
            request=request,
            elapsed=0.0,
            verify=False,
        )
    )
