"""Property: tablets send, resend and resend with other content in any order.

Whatever the sequence, there is exactly one visit per id, holding the content first sent; a
first send is 201, a resend of the same content 200 with the stored visit, a resend with other
content 409 with the stored visit.

Hypothesis examples share the test's database transaction, so each example uses fresh ids and
fresh codes, and starts by checking out whatever the previous example left open.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.backend.conftest import booth_of, iso
from tests.conftest import TabletClient, World
from vigil.audit.models import AuditEvent
from vigil.visits.models import Route, Substance, Visit

SLOTS = 4  # record ids per example; slot i may use booth i+1
VARIANTS = 3  # contents per id: the first one sent is stored, the others may differ


@dataclass(frozen=True)
class Content:
    """What a tablet puts in a check-in, before it is spelled out for one send."""

    in_booth: bool
    substances: tuple[str, ...]
    routes: tuple[str, ...]
    minutes_ago: int | None
    with_code: bool

    def key(self) -> tuple[Any, ...]:
        """What the server compares: sets, not lists; the code whatever its spelling."""
        return (
            self.in_booth,
            frozenset(self.substances),
            frozenset(self.routes),
            self.minutes_ago,
            self.with_code,
        )


contents = st.builds(
    Content,
    in_booth=st.booleans(),
    substances=st.lists(st.sampled_from(Substance.values), max_size=3).map(tuple),
    routes=st.lists(st.sampled_from(Route.values), max_size=2).map(tuple),
    minutes_ago=st.none() | st.integers(min_value=0, max_value=11 * 60),
    with_code=st.booleans(),
)

SPELLINGS: list[Callable[[str], str]] = [
    str.upper,
    str.lower,
    lambda code: f"{code[:4]}-{code[4:]}".lower(),
    lambda code: f" {code[:3]} {code[3:]} ",
]


@dataclass(frozen=True)
class Send:
    slot: int
    variant: int
    sender: str
    spelling: int
    reorder: bool  # lists reversed with a repeat: the same sets to the server


sends = st.lists(
    st.builds(
        Send,
        slot=st.integers(0, SLOTS - 1),
        variant=st.integers(0, VARIANTS - 1),
        sender=st.sampled_from(["alice", "bob"]),
        spelling=st.integers(0, len(SPELLINGS) - 1),
        reorder=st.booleans(),
    ),
    min_size=1,
    max_size=10,
)


def test_any_sequence_of_sends_and_resends_leaves_one_visit_per_id_with_the_right_statuses(
    world: World, client_for: Callable[[str], TabletClient]
) -> None:
    clients = {name: client_for(name) for name in ("alice", "bob")}
    booths = [booth_of(world.site_a, str(slot + 1)) for slot in range(SLOTS)]

    @settings(
        max_examples=50,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(
        variants=st.lists(
            st.lists(contents, min_size=VARIANTS, max_size=VARIANTS),
            min_size=SLOTS,
            max_size=SLOTS,
        ),
        sequence=sends,
    )
    def run(variants: list[list[Content]], sequence: list[Send]) -> None:
        now = timezone.now()
        Visit.objects.filter(checked_out_at=None).update(checked_out_at=now)
        ids = [str(uuid.uuid4()) for _ in range(SLOTS)]
        codes = [f"R{uuid.uuid4().hex[:10].upper()}" for _ in range(SLOTS)]
        stored: dict[int, Content] = {}

        def body(send: Send) -> dict[str, Any]:
            content = variants[send.slot][send.variant]
            fields: dict[str, Any] = {
                "id": ids[send.slot],
                "site": "harbour",
                "kind": "consumption" if content.in_booth else "service_only",
                "substances": list(content.substances),
                "routes": list(content.routes),
            }
            if send.reorder:
                for name in ("substances", "routes"):
                    fields[name] = fields[name][::-1] + fields[name][:1]
            if content.in_booth:
                fields["booth"] = booths[send.slot]
            if content.minutes_ago is not None:
                fields["checked_in_at"] = iso(now - timedelta(minutes=content.minutes_ago))
            if content.with_code:
                fields["code"] = SPELLINGS[send.spelling](codes[send.slot])
            return fields

        for send in sequence:
            content = variants[send.slot][send.variant]
            response = clients[send.sender].post("/api/v1/visits/", body(send))
            if send.slot not in stored:
                assert response.status_code == 201, (send, response.json())
                stored[send.slot] = content
                continue
            first = stored[send.slot]
            if first.key() == content.key():
                assert response.status_code == 200, (send, response.json())
                visit = response.json()
            else:
                assert response.status_code == 409, (send, response.json())
                visit = response.json()["current"]
            assert visit["id"] == ids[send.slot]
            assert visit["substances"] == sorted(set(first.substances))
            assert visit["routes"] == sorted(set(first.routes))
            assert (visit["participant"] is not None) == first.with_code

        sent = [ids[slot] for slot in stored]
        assert Visit.objects.filter(pk__in=sent).count() == len(stored)
        assert AuditEvent.objects.filter(action="create", object_id__in=sent).count() == len(stored)
        for slot, first in stored.items():
            visit = Visit.objects.get(pk=ids[slot])
            assert {row.substance for row in visit.substance_rows.all()} == set(first.substances)
            assert {row.route for row in visit.route_rows.all()} == set(first.routes)
            assert (visit.booth_id is not None) == first.in_booth

    run()
