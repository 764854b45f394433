"""The frontend's API types are generated from a committed copy of the OpenAPI schema: it must
be the schema the backend serves, or the tablets would be typed against an API that is not
there. Regenerate it with `make api`."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.test import Client

SCHEMA_FILE = Path(settings.REPO_DIR) / "frontend" / "src" / "api" / "openapi.json"


def test_the_frontend_schema_is_the_one_the_backend_serves(db: None) -> None:
    served = Client().get("/api/schema/", {"format": "json"}).json()

    committed = json.loads(SCHEMA_FILE.read_text())

    assert committed == served, "frontend/src/api/openapi.json is stale: run `make api`"
