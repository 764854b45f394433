"""The API's messages come in the tablet's language: the cookie the app sets, else the
browser's Accept-Language; English otherwise (issue 13)."""

from __future__ import annotations

from collections.abc import Callable

from tests.backend.conftest import booth_of, check_in
from tests.conftest import TabletClient, World

Clients = Callable[[str], TabletClient]


def refused_check_in(client: TabletClient, world: World) -> dict[str, object]:
    check_in(client, booth=booth_of(world.site_a, "4"))
    response = check_in(client, booth=booth_of(world.site_a, "4"))
    assert response.status_code == 409
    return dict(response.json())


def test_a_french_tablet_is_told_in_french_that_the_booth_is_occupied(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    alice.cookies["vigil_lang"] = "fr"

    body = refused_check_in(alice, world)

    assert str(body["detail"]).startswith("La cabine 4 est occupée (depuis 0 min).")
    assert body["fields"] == {"booth": ["La cabine 4 est occupée depuis 0 min."]}


def test_the_app_language_wins_over_the_browser_language(world: World, client_for: Clients) -> None:
    alice = client_for("alice")
    alice.cookies["vigil_lang"] = "en"
    alice.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr-CA,fr;q=0.9"

    body = refused_check_in(alice, world)

    assert str(body["detail"]).startswith("Booth 4 is occupied (for 0 min).")


def test_without_the_cookie_the_browser_language_is_followed_then_english(
    world: World, client_for: Clients
) -> None:
    alice = client_for("alice")
    assert str(refused_check_in(alice, world)["detail"]).startswith("Booth 4 is occupied")

    alice.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr-CA,fr;q=0.9"
    response = alice.post("/api/v1/visits/", {"site": "harbour", "kind": "consumption"})

    assert response.status_code == 400
    assert response.json()["detail"] == "Certains champs sont à revoir."
    assert response.json()["fields"]["booth"] == [
        "Choisissez une cabine pour une visite de consommation."
    ]
