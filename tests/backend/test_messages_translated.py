"""Every message the API can answer has its French, and a French tablet gets it (issue 13).

The French catalogue (backend/vigil/locale/fr/LC_MESSAGES/django.po) must translate every
message the code marks (gettext, gettext_noop, gettext_lazy), none fuzzy or empty; and a request
in French to each app is refused in French.
"""

from __future__ import annotations

import ast
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from tests.backend.conftest import check_in
from tests.conftest import TabletClient, World

Clients = Callable[[str], TabletClient]

CATALOGUE = Path(settings.BACKEND_DIR) / "vigil" / "locale" / "fr" / "LC_MESSAGES" / "django.po"
MARKERS = {"gettext", "gettext_noop", "gettext_lazy"}


def marked_messages() -> set[str]:
    """The literal messages the backend's code marks for translation."""
    found: set[str] = set()
    for path in (Path(settings.BACKEND_DIR) / "vigil").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", None)) in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def test_every_message_of_the_french_catalogue_is_translated_and_none_is_fuzzy() -> None:
    catalogue = polib.pofile(str(CATALOGUE))

    assert [e.msgid for e in catalogue if not e.msgstr.strip() and not e.obsolete] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []


def test_every_message_the_code_marks_is_in_the_french_catalogue() -> None:
    translated = {e.msgid for e in polib.pofile(str(CATALOGUE)) if e.msgstr.strip()}

    assert sorted(marked_messages() - translated) == []


def french(msgid: str) -> str:
    with translation.override("fr"):
        message = translation.gettext(msgid)
    assert message != msgid, f"no French for {msgid!r}"
    return message


def _fr(client: TabletClient) -> TabletClient:
    client.cookies["vigil_lang"] = "fr"
    return client


def _complaint(bob: TabletClient) -> str:
    body = {"site": "harbour", "category": "staff_conduct", "summary": "Felt rushed at check-in"}
    created = bob.post("/api/v1/complaints/", body)
    assert created.status_code == 201, created.json()
    return str(created.json()["id"])


def _responded_complaint(bob: TabletClient) -> str:
    complaint = _complaint(bob)
    first = bob.post(
        f"/api/v1/complaints/{complaint}/respond", {"response": "Listened.", "close": True}
    )
    assert first.status_code == 200, first.json()
    return complaint


def _participant(alice: TabletClient) -> str:
    visit = check_in(alice, kind="service_only", code="MAKO1993")
    assert visit.status_code == 201, visit.json()
    return str(visit.json()["participant"])


# One refusal per app: (persona, request, status, where the message is, its English msgid).
Ask = Callable[[TabletClient], Any]
SAMPLES: list[tuple[str, str, Ask, int, str, str]] = [
    (
        "accounts",
        "",
        lambda c: c.post("/api/v1/auth/login", {"username": "alice", "password": "nope"}),
        401,
        "detail",
        "Wrong username or password.",
    ),
    (
        "participants",
        "alice",
        lambda c: c.patch(
            f"/api/v1/participants/{_participant(c)}",
            {"birth_year": timezone.now().year + 1, "version": 1},
        ),
        400,
        "birth_year",
        "A birth year cannot be in the future.",
    ),
    (
        "visits",
        "alice",
        lambda c: c.post("/api/v1/visits/", {"site": "harbour", "kind": "consumption"}),
        400,
        "booth",
        "Choose a booth for a consumption visit.",
    ),
    (
        "care",
        "alice",
        lambda c: c.post("/api/v1/services/", {"site": "harbour", "kind": "supplies"}),
        400,
        "supplies",
        "List at least one item and how many were given.",
    ),
    (
        "incidents",
        "alice",
        lambda c: c.post(
            "/api/v1/incidents/",
            {
                "site": "harbour",
                "kind": "violence",
                "location": "outside",
                "started_at": (timezone.now() + timedelta(hours=2)).isoformat(),
            },
        ),
        400,
        "started_at",
        "This time is in the future. Check the tablet's clock.",
    ),
    (
        "alerts",
        "bob",
        lambda c: c.post(
            "/api/v1/alerts/",
            {
                "site": "harbour",
                "message": "Benzo-positive 'down' circulating.",
                "level": "danger",
                "expires_at": (timezone.now() - timedelta(hours=1)).isoformat(),
            },
        ),
        400,
        "expires_at",
        "The expiry is already past. Choose a later time.",
    ),
    (
        "stock",
        "alice",
        lambda c: c.post(
            "/api/v1/stock/receipts",
            {"id": str(uuid.uuid4()), "site": "harbour", "item": "naloxone", "quantity": 5},
        ),
        400,
        "expires_on",
        "Give the expiry date printed on the box.",
    ),
    (
        "safety",
        "bob",
        lambda c: c.post(
            f"/api/v1/complaints/{_responded_complaint(c)}/respond", {"response": "Again."}
        ),
        409,
        "detail",
        "This complaint is closed.",
    ),
    (
        "reports",
        "bob",
        lambda c: c.get("/api/v1/reports/daily/?site=harbour&from=2026-03-02&to=2026-03-01"),
        400,
        "to",
        "The end date is before the start date.",
    ),
    (
        "imports",
        "bob",
        lambda c: c.post(
            "/api/v1/imports/",
            {"site": "harbour", "kind": "visits", "file": SimpleUploadedFile("visits.txt", b"x")},
            format="multipart",
        ),
        400,
        "file",
        "Upload a .csv or .xlsx file.",
    ),
    (
        "sites",
        "alice",
        lambda c: c.get("/api/v1/sites/eastside/floor"),
        404,
        "detail",
        "Not found.",
    ),
]


@pytest.mark.parametrize(
    ("persona", "ask", "status", "where", "msgid"),
    [pytest.param(*sample[1:], id=sample[0]) for sample in SAMPLES],
)
def test_a_french_tablet_is_refused_in_french_by_every_app(
    world: World,
    client_for: Clients,
    persona: str,
    ask: Ask,
    status: int,
    where: str,
    msgid: str,
) -> None:
    client = _fr(client_for(persona) if persona else TabletClient())

    response = ask(client)

    assert response.status_code == status, response.json()
    body = response.json()
    said = body["detail"] if where == "detail" else body["fields"][where][0]
    assert said == french(msgid)


def test_a_record_named_in_a_message_is_named_in_french(world: World, client_for: Clients) -> None:
    alice = _fr(client_for("alice"))
    participant = _participant(alice)

    stale = alice.patch(f"/api/v1/participants/{participant}", {"gender": "man", "version": 7})
    visit = str(uuid.uuid4())
    check_in(alice, id=visit, kind="service_only", code="OTTER77")
    resent = check_in(alice, id=visit, kind="service_only", code="HERON55")

    assert stale.status_code == 412
    assert stale.json()["detail"] == french(
        "Someone changed this %(record)s since you opened it. Reload it."
    ) % {"record": "les renseignements de cette personne"}
    assert resent.status_code == 409
    assert resent.json()["detail"] == (
        "Ce qui a été envoyé pour ce dossier diffère de ce qui est déjà enregistré."
    )
