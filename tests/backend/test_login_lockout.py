"""Login lockout (issue 14, item 12): the throttle stays, and a supervisor of the user's site
or an admin lifts a lockout from the app, on every tablet at once, audited."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings

from tests.conftest import PASSWORD, TabletClient, World, make_user
from vigil.accounts.models import Role
from vigil.audit.models import AuditEvent

ClientFor = Callable[[str], TabletClient]
LOCKOUTS = "/api/v1/sites/harbour/lockouts"


def lock_out(username: str) -> TabletClient:
    tablet = TabletClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        tablet.post("/api/v1/auth/login", {"username": username, "password": "wrong"})
    refused = tablet.post("/api/v1/auth/login", {"username": username, "password": PASSWORD})
    assert refused.status_code == 429
    return tablet


def test_a_supervisor_sees_who_is_locked_out_at_the_site(
    world: World, client_for: ClientFor
) -> None:
    bob = client_for("bob")
    lock_out("alice")
    lock_out("charlie")  # eastside's: not bob's to see

    response = bob.get(LOCKOUTS)

    assert response.status_code == 200
    assert [(x["username"], x["display_name"]) for x in response.json()["results"]] == [
        ("alice", "Alice")
    ]
    assert response.json()["results"][0]["locked_until"]


@pytest.mark.parametrize("lifter", ["bob", "erin"])
def test_a_supervisor_or_admin_lifts_a_lockout_and_it_is_audited(
    world: World, client_for: ClientFor, lifter: str
) -> None:
    tablet = lock_out("alice")
    supervisor = client_for(lifter)

    lifted = supervisor.post(f"{LOCKOUTS}/alice/lift")

    assert lifted.status_code == 204
    assert (
        tablet.post("/api/v1/auth/login", {"username": "alice", "password": PASSWORD}).status_code
        == 200
    )
    assert supervisor.get(LOCKOUTS).json()["results"] == []
    event = AuditEvent.objects.get(action="lockout_lifted")
    assert event.actor == world.users[lifter]
    assert event.object_id == str(world.users["alice"].pk)
    assert event.site == world.site_a


def test_staff_and_analysts_cannot_lift_a_lockout(world: World, client_for: ClientFor) -> None:
    lock_out("bob")

    for persona in ("alice", "dana"):
        assert client_for(persona).post(f"{LOCKOUTS}/bob/lift").status_code == 403
        assert client_for(persona).get(LOCKOUTS).status_code == 403
    assert not AuditEvent.objects.filter(action="lockout_lifted").exists()


def test_a_supervisor_cannot_lift_a_lockout_of_another_sites_user(
    world: World, client_for: ClientFor
) -> None:
    make_user("fiona", site=world.site_b, role=Role.SUPERVISOR)
    tablet = lock_out("charlie")

    # charlie is not a member of harbour: like not-found; eastside is not bob's site.
    assert client_for("bob").post(f"{LOCKOUTS}/charlie/lift").status_code == 404
    assert client_for("bob").post("/api/v1/sites/eastside/lockouts/charlie/lift").status_code == 404
    assert (
        tablet.post("/api/v1/auth/login", {"username": "charlie", "password": PASSWORD}).status_code
        == 429
    )
    # eastside's supervisor can.
    assert (
        client_for("fiona").post("/api/v1/sites/eastside/lockouts/charlie/lift").status_code == 204
    )
    assert (
        tablet.post("/api/v1/auth/login", {"username": "charlie", "password": PASSWORD}).status_code
        == 200
    )
