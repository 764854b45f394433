from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from tests.conftest import TabletClient, World
from vigil.accounts.models import Membership, Role
from vigil.sites.services import site_upsert


def test_a_user_sees_only_the_sites_they_are_a_member_of(
    client_for: Callable[[str], TabletClient],
) -> None:
    response = client_for("charlie").get("/api/v1/sites/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    site = body["results"][0]
    assert (site["slug"], site["name"], site["timezone"]) == (
        "eastside",
        "Eastside",
        "America/Vancouver",
    )
    assert [booth["label"] for booth in site["booths"]] == ["1", "2", "3", "4", "5", "6"]


def test_booths_come_in_floor_order_with_their_kind(
    client_for: Callable[[str], TabletClient],
) -> None:
    site = client_for("alice").get("/api/v1/sites/").json()["results"][0]

    assert [b["label"] for b in site["booths"]] == [str(n) for n in range(1, 13)]
    assert [b["kind"] for b in site["booths"]][-3:] == ["injection", "inhalation", "inhalation"]
    assert set(site["booths"][0]) == {"id", "label", "kind", "active"}


def test_a_site_tells_the_floor_its_observation_times_and_usual_naloxone_dose(
    world: World, client_for: Callable[[str], TabletClient]
) -> None:
    site = client_for("alice").get("/api/v1/sites/").json()["results"][0]
    assert (site["observe_amber_minutes"], site["observe_red_minutes"]) == (10, 20)
    assert (site["naloxone_usual_dose_mg"], site["naloxone_usual_route"]) == (0.4, "IM")

    world.site_a.observe_amber_minutes, world.site_a.observe_red_minutes = 5, 15
    world.site_a.naloxone_usual_dose_mg, world.site_a.naloxone_usual_route = Decimal("4"), "IN"
    world.site_a.save()
    site = client_for("alice").get("/api/v1/sites/").json()["results"][0]

    assert (site["observe_amber_minutes"], site["observe_red_minutes"]) == (5, 15)
    assert (site["naloxone_usual_dose_mg"], site["naloxone_usual_route"]) == (4.0, "IN")


def test_listing_sites_costs_the_same_queries_however_many_sites_and_booths(
    world: World, client_for: Callable[[str], TabletClient], django_assert_num_queries: Any
) -> None:
    client = client_for("bob")
    with django_assert_num_queries(4) as one_site:  # no session write (accounts/sessions.py)
        assert client.get("/api/v1/sites/").status_code == 200
    for n in range(5):
        site, _ = site_upsert(slug=f"s{n}", name=f"S{n}", timezone="UTC", booths=20)
        Membership.objects.create(user=world.users["bob"], site=site, role=Role.STAFF)

    with django_assert_num_queries(len(one_site.captured_queries)):
        assert client.get("/api/v1/sites/").json()["count"] == 6
