"""A committed service or referral is answered 200/201 even when the database connection dies
right after the commit: the answer is built from what the write wrote, inside its transaction.

The connection's death is simulated by failing every statement run once the transaction that
wrote the record has ended, for the rest of the request."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import OperationalError, connection

from tests.conftest import TabletClient, World
from vigil.care.models import Referral, Service

Clients = Callable[[str], TabletClient]


@contextmanager
def connection_dies_after_writing(table: str) -> Iterator[None]:
    """From the end of the transaction that inserts into or updates `table`, every statement
    fails as on a connection cut by the server."""
    outside = len(connection.atomic_blocks)  # the depth outside any transaction of the view
    written: list[str] = []

    def execute(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        committed = written and len(connection.atomic_blocks) <= outside
        # (The release of the test's own savepoint stands for the commit, and goes through.)
        if committed and not sql.startswith("RELEASE SAVEPOINT"):
            raise OperationalError("server closed the connection unexpectedly")
        if f'INSERT INTO "{table}"' in sql or f'UPDATE "{table}"' in sql:
            written.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(execute):
        yield
    assert written, f"nothing was written to {table}"


def drug_check() -> dict[str, Any]:
    return {"expected_substance": "fentanyl", "method": "ftir", "fentanyl": "positive"}


def test_a_new_service_is_answered_when_the_connection_dies_after_the_commit(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    service_id = str(uuid.uuid4())

    with connection_dies_after_writing("care_service"):
        response = alice.post(
            "/api/v1/services/",
            {
                "id": service_id,
                "site": "harbour",
                "kind": "drug_checking",
                "code": "KIWI77",
                "drug_check": drug_check(),
            },
        )

    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer == alice.get(f"/api/v1/services/{service_id}").json()
    assert answer["drug_check"]["fentanyl"] == "positive"
    assert answer["created_by"] == "alice"
    assert Service.objects.filter(pk=service_id).exists()


@pytest.mark.parametrize("kind", ["supplies", "naloxone_kit"])
def test_an_edited_or_voided_service_is_answered_when_the_connection_dies(
    world: World, client_for: Clients, kind: str
) -> None:
    alice = client_for("alice")
    body: dict[str, Any] = {"site": "harbour", "kind": kind}
    if kind == "supplies":
        body["supplies"] = [{"item": "syringe", "quantity": 10}]
    created = alice.post("/api/v1/services/", body).json()
    url = f"/api/v1/services/{created['id']}"

    with connection_dies_after_writing("care_service"):
        edited = alice.patch(url, {"version": 1, "code": "KIWI77"})
    assert edited.status_code == 200, edited.content
    assert edited.json() == alice.get(url).json()
    assert edited.json()["version"] == 2

    with connection_dies_after_writing("care_service"):
        voided = alice.post(f"{url}/void", {"reason": "entered twice"})
    assert voided.status_code == 200, voided.content
    assert voided.json() == alice.get(url).json()
    assert voided.json()["voided"] is True


def test_a_referral_and_its_follow_up_are_answered_when_the_connection_dies(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    referral_id = str(uuid.uuid4())

    with connection_dies_after_writing("care_referral"):
        created = alice.post(
            "/api/v1/referrals/",
            {
                "id": referral_id,
                "site": "harbour",
                "category": "oat",
                "destination": "offsite",
                "accompanied": False,
                "status": "offered",
            },
        )
    assert created.status_code == 201, created.content
    url = f"/api/v1/referrals/{referral_id}"
    assert created.json() == alice.get(url).json()
    assert Referral.objects.filter(pk=referral_id).exists()

    with connection_dies_after_writing("care_referral"):
        moved = alice.post(f"{url}/status", {"id": str(uuid.uuid4()), "status": "accepted"})
    assert moved.status_code == 200, moved.content
    assert moved.json() == alice.get(url).json()
    assert [step["status"] for step in moved.json()["history"]] == ["offered", "accepted"]

    with connection_dies_after_writing("care_referral"):
        edited = alice.patch(url, {"version": 2, "agency": "Harbour OAT clinic"})
    assert edited.status_code == 200, edited.content
    assert edited.json() == alice.get(url).json()

    with connection_dies_after_writing("care_referral"):
        voided = alice.post(f"{url}/void", {"reason": "wrong person"})
    assert voided.status_code == 200, voided.content
    assert voided.json() == alice.get(url).json()
    assert voided.json()["voided"] is True
