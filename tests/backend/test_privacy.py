"""Visit codes never leave the request that carries them.

After a floor scenario with known codes (lookups, check-ins, refusals, edits, a merge, a
backdated visit that enqueues a report recompute), none of the codes, raw or normalised,
appears in any database table, any log line (every logger at DEBUG, SQL included), any Celery
message, or any HTTP response.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from tests.backend.conftest import ago, booth_of, check_in, iso
from tests.conftest import TabletClient, World

# Raw as typed on the tablet -> as normalised. Each holds letters outside 0-9a-f, so it cannot
# turn up by chance inside a hex digest or a UUID.
CODES = {
    "zu-lu 7788": "ZULU7788",
    "Quill Wren": "QUILLWREN",
    "mako 1933": "MAKO1933",
    "kwaj-5511": "KWAJ5511",
}
BAD_CODE = "NO!PE-ZZQ9"  # breaks the pattern: refused with 400, never echoed


def _secrets() -> list[str]:
    forms = {*CODES, *CODES.values(), BAD_CODE, BAD_CODE.replace("-", "")}
    return sorted(form.lower() for form in forms)


def _leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [secret for secret in _secrets() if secret in lowered]


@pytest.fixture
def every_log_at_debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every logger at DEBUG into caplog, SQL statements with their parameters included."""
    caplog.set_level(logging.DEBUG)
    loggers = [
        logging.getLogger(name)
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    ]
    for logger in loggers:
        caplog.set_level(logging.DEBUG, logger=logger.name)
    silent = [logger for logger in loggers if not logger.propagate]
    for logger in silent:
        logger.addHandler(caplog.handler)
    logs_sql = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        yield caplog
    finally:
        connection.force_debug_cursor = logs_sql
        for logger in silent:
            logger.removeHandler(caplog.handler)


def _scenario(world: World, client_for: Callable[[str], TabletClient]) -> list[Any]:
    """A shift with known codes: every write and refusal the floor can make. The answers."""
    alice, bob, charlie = client_for("alice"), client_for("bob"), client_for("charlie")
    answers: list[Any] = []

    def keep(response: Any, status: int) -> Any:
        assert response.status_code == status, response.content
        answers.append(response)
        return response.json()

    lookup = "/api/v1/participants/lookup"
    keep(alice.post(lookup, {"site": "harbour", "code": "zu-lu 7788"}), 200)
    booth_1 = booth_of(world.site_a, "1")
    zulu = keep(check_in(alice, booth=booth_1, code="zu-lu 7788", substances=["fentanyl"]), 201)
    person = keep(alice.post(lookup, {"site": "harbour", "code": "ZULU7788"}), 200)
    keep(
        alice.patch(f"/api/v1/participants/{person['id']}", {"birth_year": 1988, "version": 1}),
        200,
    )
    keep(check_in(alice, booth=booth_of(world.site_a, "2"), code="zulu7788"), 409)
    keep(check_in(alice, booth=booth_1, code="Quill Wren"), 409)
    keep(check_in(alice, kind="service_only", code=BAD_CODE), 400)
    keep(alice.post(lookup, {"site": "harbour", "code": BAD_CODE}), 400)
    resend = {"id": zulu["id"], "booth": booth_1, "code": "zu-lu 7788", "substances": ["crack"]}
    keep(check_in(alice, **resend), 409)
    quill = keep(check_in(alice, kind="service_only", code="Quill Wren"), 201)
    keep(alice.post(f"/api/v1/visits/{quill['id']}/check-out", {}), 200)
    keep(alice.patch(f"/api/v1/visits/{quill['id']}", {"code": "kwaj-5511", "version": 2}), 200)

    # Entered late by a supervisor, on yesterday: a report recompute is enqueued after commit.
    yesterday = ago(days=1)
    mako = keep(
        check_in(bob, kind="service_only", code="mako 1933", checked_in_at=iso(yesterday)), 201
    )
    out_at = iso(yesterday + timedelta(minutes=20))
    keep(bob.post(f"/api/v1/visits/{mako['id']}/check-out", {"checked_out_at": out_at}), 200)
    keep(
        bob.post(
            f"/api/v1/participants/{mako['participant']}/merge",
            {"into": person["id"], "reason": "1933 was a typo"},
        ),
        200,
    )
    keep(alice.post(lookup, {"site": "harbour", "code": "mako 1933"}), 200)

    keep(check_in(charlie, site="eastside", kind="service_only", code="zu-lu 7788"), 201)
    keep(charlie.post(lookup, {"site": "eastside", "code": "ZULU 7788"}), 200)
    keep(alice.post(f"/api/v1/visits/{zulu['id']}/void", {"reason": "wrong booth"}), 200)
    keep(alice.get("/api/v1/sites/harbour/floor"), 200)
    keep(alice.get("/api/v1/visits/?site=harbour"), 200)
    return answers


def _database_dump() -> dict[str, str]:
    """Every row of every table, as text."""
    dump: dict[str, str] = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = cursor.fetchall()
            dump[table] = "\n".join(
                " | ".join(
                    bytes(value).decode("utf-8", "replace")
                    if isinstance(value, bytes | memoryview)
                    else str(value)
                    for value in row
                )
                for row in rows
            )
    return dump


def test_no_visit_code_is_stored_logged_queued_or_answered(
    world: World,
    client_for: Callable[[str], TabletClient],
    every_log_at_debug: pytest.LogCaptureFixture,
    celery_messages: list[dict[str, Any]],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answers = _scenario(world, client_for)

    dump = _database_dump()
    assert dump["participants_participant"], "the scenario stored participants"
    assert {table: _leaks(text) for table, text in dump.items() if _leaks(text)} == {}

    records = every_log_at_debug.records
    assert any(r.name == "django.db.backends" for r in records), "SQL was logged and checked"
    assert any(r.levelno == logging.WARNING and "Bad Request" in r.getMessage() for r in records)
    assert any("Conflict" in r.getMessage() for r in records), "the 409s were logged"
    lines = [
        f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text or ''} {r.__dict__!r}" for r in records
    ]
    assert [line[:200] for line in lines if _leaks(line)] == []
    assert _leaks(every_log_at_debug.text) == []

    assert celery_messages, "the backdated visit enqueued a recompute, through the capture"
    assert [m["task"] for m in celery_messages if _leaks(repr(m))] == []

    assert [a.wsgi_request.path for a in answers if _leaks(a.content.decode())] == []


def test_the_celery_capture_sees_every_published_message(
    celery_messages: list[dict[str, Any]],
) -> None:
    from vigil.core.tasks import ping

    ping.delay("ZULU7788")

    assert [m["task"] for m in celery_messages] == ["vigil.core.ping"]
    assert _leaks(repr(celery_messages[0])) == ["zulu7788"], "a code in a message is found"


def test_the_leak_finder_finds_a_code_in_any_spelling() -> None:
    assert _leaks("… code=Zulu7788 …") == ["zulu7788"]
    assert _leaks("typed: zu-lu 7788") == ["zu-lu 7788"]
    assert _leaks("digest 5f2b9c0e41aa") == []
