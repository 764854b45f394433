"""Races between tablets, on PostgreSQL with real threads and real transactions.

Every thread has its own signed-in tablet and its own database connection; a barrier releases
them at once. The database constraints, not a check-then-insert, must decide the winner.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from tests.backend.conftest import booth_of, check_in
from tests.conftest import TabletClient, World, on_postgres
from vigil.audit.models import AuditEvent
from vigil.participants.models import Participant
from vigil.visits.models import Visit

pytestmark = [
    pytest.mark.skipif(
        not on_postgres(),
        reason="needs PostgreSQL: SQLite lets one writer in at a time, so these races "
        "cannot happen there (set DATABASE_URL=postgres://...)",
    ),
    pytest.mark.django_db(transaction=True),
]

Clients = Callable[[str], TabletClient]


def _at_once(tablets: list[TabletClient], send: Callable[[TabletClient], Any]) -> list[Any]:
    """Call `send` from one thread per tablet, all released together; the answers in order."""
    barrier = threading.Barrier(len(tablets))
    answers: list[Any] = [None] * len(tablets)
    errors: list[BaseException] = []

    def run(index: int, tablet: TabletClient) -> None:
        try:
            barrier.wait(timeout=10)
            answers[index] = send(tablet)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, tablet)) for index, tablet in enumerate(tablets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a request hung"
    assert not errors, errors
    return answers


def test_the_same_visit_sent_10_times_at_once_is_stored_once(
    world: World, client_for: Clients
) -> None:
    tablets = [client_for("alice") for _ in range(10)]
    body = {
        "id": str(uuid.uuid4()),
        "code": "RACE1993",
        "booth": booth_of(world.site_a, "1"),
        "substances": ["fentanyl"],
    }

    answers = _at_once(tablets, lambda tablet: check_in(tablet, **body))

    assert sorted(answer.status_code for answer in answers) == [200] * 9 + [201]
    assert {answer.json()["id"] for answer in answers} == {body["id"]}
    assert Visit.objects.count() == 1
    assert Participant.objects.count() == 1
    assert AuditEvent.objects.filter(action="create", object_id=body["id"]).count() == 1


def test_two_check_ins_to_one_booth_at_once_leave_one_open_visit_and_one_409(
    world: World, client_for: Clients
) -> None:
    tablets = [client_for("alice"), client_for("bob")]
    booth = booth_of(world.site_a, "2")
    codes = iter(["FIRSTIN1", "SECONDIN2"])
    bodies = {id(tablet): {"booth": booth, "code": next(codes)} for tablet in tablets}

    answers = _at_once(tablets, lambda tablet: check_in(tablet, **bodies[id(tablet)]))

    assert sorted(answer.status_code for answer in answers) == [201, 409]
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert "Booth 2" in refused.json()["detail"]
    assert list(refused.json()["fields"]) == ["booth"]
    assert Visit.objects.filter(booth_id=booth, checked_out_at=None).count() == 1
    assert Participant.objects.count() == 1, "the refused person was not half-written"


def test_one_person_checked_in_at_two_booths_at_once_gets_one_visit(
    world: World, client_for: Clients
) -> None:
    tablets = [client_for("alice"), client_for("bob")]
    booths = iter([booth_of(world.site_a, "3"), booth_of(world.site_a, "4")])
    bodies = {id(tablet): {"booth": next(booths), "code": "SAMEPERSON"} for tablet in tablets}

    answers = _at_once(tablets, lambda tablet: check_in(tablet, **bodies[id(tablet)]))

    assert sorted(answer.status_code for answer in answers) == [201, 409]
    refused = next(answer for answer in answers if answer.status_code == 409)
    assert list(refused.json()["fields"]) == ["code"]
    assert Participant.objects.count() == 1
    assert Visit.objects.filter(checked_out_at=None).count() == 1


def test_a_new_code_given_at_two_services_at_once_makes_one_participant(
    world: World, client_for: Clients
) -> None:
    tablets = [client_for("alice"), client_for("charlie")]
    sites = iter(["harbour", "eastside"])
    bodies = {id(tablet): {"site": next(sites), "kind": "service_only"} for tablet in tablets}

    answers = _at_once(
        tablets, lambda tablet: check_in(tablet, code="NEWFACE77", **bodies[id(tablet)])
    )

    assert [answer.status_code for answer in answers] == [201, 201]
    assert Participant.objects.count() == 1
    assert len({answer.json()["participant"] for answer in answers}) == 1
