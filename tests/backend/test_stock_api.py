"""Response stock: receipts by lot and expiry, use taken by naloxone actions and kits handed
out (earliest-expiring lot first, never below zero), warnings, shift checks, rights."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.backend.incidents_support import open_incident, post, tap
from tests.conftest import TabletClient, World
from vigil.stock.models import StockLevel

Clients = Callable[[str], TabletClient]


def today() -> date:
    return timezone.localdate()


def receive(client: TabletClient, *, expect: int = 201, **fields: Any) -> Any:
    body = {"id": str(uuid.uuid4()), "site": "harbour", **fields}
    response = client.post("/api/v1/stock/receipts", body)
    assert response.status_code == expect, response.content
    return response.json()


def stock(client: TabletClient, site: str = "harbour") -> dict[str, Any]:
    response = client.get(f"/api/v1/stock/?site={site}")
    assert response.status_code == 200, response.content
    result: dict[str, Any] = response.json()
    return result


def item(body: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(row for row in body["items"] if row["item"] == name)
    return found


def lots(body: dict[str, Any], name: str) -> dict[str, int]:
    return {lot["lot"]: lot["on_hand"] for lot in item(body, name)["lots"]}


def naloxone_dose(client: TabletClient, incident: str, **fields: Any) -> dict[str, Any]:
    return tap(client, incident, "naloxone", dose_mg=0.4, route="IM", **fields)


def hand_out_kits(client: TabletClient, quantity: int) -> dict[str, Any]:
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "kind": "supplies",
        "supplies": [{"item": "naloxone_kit", "quantity": quantity}],
    }
    response = client.post("/api/v1/services/", body)
    assert response.status_code == 201, response.content
    result: dict[str, Any] = response.json()
    return result


@pytest.fixture
def two_lots(client_for: Clients) -> TabletClient:
    """Harbour holds naloxone in two lots: B expires first (listed first), A later."""
    alice = client_for("alice")
    receive(
        alice,
        item="naloxone",
        lot="A",
        expires_on=str(today() + timedelta(days=300)),
        quantity=5,
    )
    receive(
        alice,
        item="naloxone",
        lot="B",
        expires_on=str(today() + timedelta(days=90)),
        quantity=2,
    )
    return alice


def test_lots_are_listed_by_expiry_with_their_on_hand(two_lots: TabletClient) -> None:
    body = stock(two_lots)
    naloxone = item(body, "naloxone")
    assert naloxone["on_hand"] == 7
    assert [lot["lot"] for lot in naloxone["lots"]] == ["B", "A"]


def test_a_naloxone_action_uses_one_unit_from_the_earliest_expiring_lot(
    two_lots: TabletClient,
) -> None:
    incident = open_incident(two_lots)
    naloxone_dose(two_lots, incident["id"])
    assert lots(stock(two_lots), "naloxone") == {"B": 1, "A": 5}


def test_a_resent_naloxone_action_does_not_use_stock_twice(
    two_lots: TabletClient,
) -> None:
    incident = open_incident(two_lots)
    body = {"id": str(uuid.uuid4()), "kind": "naloxone", "dose_mg": 0.4, "route": "IM"}
    path = f"/api/v1/incidents/{incident['id']}/actions/"
    assert two_lots.post(path, body).status_code == 201
    assert two_lots.post(path, body).status_code == 200
    assert item(stock(two_lots), "naloxone")["on_hand"] == 6


def test_a_voided_naloxone_action_gives_the_unit_back_to_its_lot(
    two_lots: TabletClient,
) -> None:
    incident = open_incident(two_lots)
    action = naloxone_dose(two_lots, incident["id"])
    post(
        two_lots,
        f"/api/v1/incidents/{incident['id']}/actions/{action['id']}/void",
        {"reason": "tapped twice"},
    )
    assert lots(stock(two_lots), "naloxone") == {"B": 2, "A": 5}


def test_use_never_goes_below_zero_and_records_a_shortfall_without_refusing(
    client_for: Clients,
) -> None:
    alice = client_for("alice")
    receive(
        alice,
        item="naloxone",
        lot="C",
        expires_on=str(today() + timedelta(days=200)),
        quantity=1,
    )
    incident = open_incident(alice)
    naloxone_dose(alice, incident["id"])
    naloxone_dose(alice, incident["id"])  # the response is never refused for stock
    body = stock(alice)
    naloxone = item(body, "naloxone")
    assert naloxone["on_hand"] == 0
    assert naloxone["lots"] == []
    assert naloxone["shortfall"] == 1
    assert {"kind": "shortfall", "item": "naloxone"}.items() <= next(
        w for w in body["warnings"] if w["kind"] == "shortfall"
    ).items()


def test_kits_handed_out_leave_the_stock_and_come_back_when_the_service_is_voided(
    client_for: Clients,
) -> None:
    alice = client_for("alice")
    soon = str(today() + timedelta(days=120))
    later = str(today() + timedelta(days=400))
    receive(alice, item="naloxone_kit", lot="K2", expires_on=later, quantity=10)
    receive(alice, item="naloxone_kit", lot="K1", expires_on=soon, quantity=2)
    service = hand_out_kits(alice, 3)
    assert lots(stock(alice), "naloxone_kit") == {"K2": 9}
    post(alice, f"/api/v1/services/{service['id']}/void", {"reason": "entered twice"})
    assert lots(stock(alice), "naloxone_kit") == {"K1": 2, "K2": 10}


def test_an_edit_of_the_kits_handed_out_takes_only_the_difference(
    client_for: Clients,
) -> None:
    alice = client_for("alice")
    receive(
        alice,
        item="naloxone_kit",
        lot="K",
        expires_on=str(today() + timedelta(days=90)),
        quantity=10,
    )
    service = hand_out_kits(alice, 2)
    response = alice.patch(
        f"/api/v1/services/{service['id']}",
        {
            "version": service["version"],
            "supplies": [{"item": "naloxone_kit", "quantity": 5}],
        },
    )
    assert response.status_code == 200, response.content
    assert item(stock(alice), "naloxone_kit")["on_hand"] == 5


def test_a_lot_expiring_within_30_days_is_a_warning(client_for: Clients) -> None:
    alice = client_for("alice")
    receive(
        alice,
        item="naloxone",
        lot="OLD",
        expires_on=str(today() + timedelta(days=20)),
        quantity=3,
    )
    receive(
        alice,
        item="naloxone",
        lot="NEW",
        expires_on=str(today() + timedelta(days=45)),
        quantity=3,
    )
    warnings = [w for w in stock(alice)["warnings"] if w["kind"] in ("expiring", "expired")]
    assert [(w["kind"], w["lot"], w["on_hand"]) for w in warnings] == [("expiring", "OLD", 3)]


def test_an_item_below_its_par_level_is_a_warning(client_for: Clients, world: World) -> None:
    StockLevel.objects.create(site=world.site_a, item="oxygen", par_level=2)
    alice = client_for("alice")
    receive(alice, item="oxygen", quantity=1)
    below = [w for w in stock(alice)["warnings"] if w["kind"] == "below_par"]
    assert [(w["item"], w["on_hand"], w["par_level"]) for w in below] == [("oxygen", 1, 2)]


def test_a_receipt_of_naloxone_needs_its_lot_and_expiry(client_for: Clients) -> None:
    response = client_for("alice").post(
        "/api/v1/stock/receipts", {"site": "harbour", "item": "naloxone", "quantity": 5}
    )
    assert response.status_code == 400
    assert "expires_on" in response.json()["fields"]


def test_a_resent_receipt_is_entered_once(client_for: Clients) -> None:
    alice = client_for("alice")
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "item": "aed_pads",
        "lot": "P1",
        "expires_on": str(today() + timedelta(days=500)),
        "quantity": 2,
    }
    assert alice.post("/api/v1/stock/receipts", body).status_code == 201
    assert alice.post("/api/v1/stock/receipts", body).status_code == 200
    assert alice.post("/api/v1/stock/receipts", {**body, "quantity": 3}).status_code == 409
    assert item(stock(alice), "aed_pads")["on_hand"] == 2


def check(client: TabletClient, *, expect: int = 201, **fields: Any) -> Any:
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "counts": [],
        "equipment": {"oxygen_level": "full", "aed_ready": True, "bvm_present": True},
        "handover_note": "",
        **fields,
    }
    response = client.post("/api/v1/stock/checks", body)
    assert response.status_code == expect, response.content
    return response.json()


def test_a_shift_check_shows_the_difference_and_sets_the_stock_to_the_count(
    two_lots: TabletClient,
) -> None:
    answer = check(
        two_lots,
        counts=[
            {"item": "naloxone", "counted": 5},
            {"item": "bag_valve_mask", "counted": 1},
        ],
        handover_note="Oxygen cylinder 2 swapped; order more ampoules.",
    )
    counted = {row["item"]: row for row in answer["counts"]}
    assert (counted["naloxone"]["expected"], counted["naloxone"]["difference"]) == (
        7,
        -2,
    )
    assert (
        counted["bag_valve_mask"]["expected"],
        counted["bag_valve_mask"]["difference"],
    ) == (0, 1)
    body = stock(two_lots)
    # The two missing units are taken as a use would take them: earliest expiry first.
    assert lots(body, "naloxone") == {"A": 5}
    assert item(body, "bag_valve_mask")["on_hand"] == 1
    assert body["last_check"]["handover_note"] == "Oxygen cylinder 2 swapped; order more ampoules."


def test_a_count_settles_a_shortfall(client_for: Clients) -> None:
    alice = client_for("alice")
    incident = open_incident(alice)
    naloxone_dose(alice, incident["id"])
    assert item(stock(alice), "naloxone")["shortfall"] == 1
    check(alice, counts=[{"item": "naloxone", "counted": 4}])
    naloxone = item(stock(alice), "naloxone")
    assert (naloxone["on_hand"], naloxone["shortfall"]) == (4, 0)


def test_equipment_not_ready_at_the_last_check_is_a_warning(
    client_for: Clients,
) -> None:
    alice = client_for("alice")
    check(
        alice,
        equipment={"oxygen_level": "low", "aed_ready": False, "bvm_present": True},
    )
    details = {w["detail"] for w in stock(alice)["warnings"] if w["kind"] == "equipment"}
    assert details == {"oxygen_low", "aed_not_ready"}


def test_a_resent_shift_check_counts_once(two_lots: TabletClient) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "site": "harbour",
        "counts": [{"item": "naloxone", "lot": "B", "counted": 1}],
        "equipment": {"oxygen_level": "ok", "aed_ready": True, "bvm_present": True},
    }
    assert two_lots.post("/api/v1/stock/checks", body).status_code == 201
    again = two_lots.post("/api/v1/stock/checks", body)
    assert again.status_code == 200
    assert again.json()["counts"][0]["difference"] == -1
    assert lots(stock(two_lots), "naloxone") == {"B": 1, "A": 5}


def test_adjustments_need_a_supervisor_and_a_reason_and_never_go_below_zero(
    two_lots: TabletClient, client_for: Clients
) -> None:
    body = {
        "site": "harbour",
        "item": "naloxone",
        "lot": "B",
        "quantity": -1,
        "reason": "damaged",
    }
    assert two_lots.post("/api/v1/stock/adjustments", body).status_code == 403
    bob = client_for("bob")
    assert bob.post("/api/v1/stock/adjustments", {**body, "reason": ""}).status_code == 400
    too_many = bob.post("/api/v1/stock/adjustments", {**body, "quantity": -3})
    assert too_many.status_code == 400
    assert "quantity" in too_many.json()["fields"]
    assert bob.post("/api/v1/stock/adjustments", body).status_code == 201
    assert lots(stock(bob), "naloxone") == {"B": 1, "A": 5}


def test_another_sites_stock_is_not_found(client_for: Clients) -> None:
    charlie = client_for("charlie")
    assert charlie.get("/api/v1/stock/?site=harbour").status_code == 404
    refused = charlie.post(
        "/api/v1/stock/receipts", {"site": "harbour", "item": "oxygen", "quantity": 1}
    )
    assert refused.status_code == 404
    assert check(charlie, expect=404) == {"detail": "Not found.", "fields": {}}


def test_analysts_do_not_read_stock(client_for: Clients) -> None:
    assert client_for("dana").get("/api/v1/stock/?site=harbour").status_code == 403
