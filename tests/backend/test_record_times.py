from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import TabletClient, World


@pytest.mark.parametrize("path", ["/api/v1/visits/", "/api/v1/services/"])
def test_a_time_before_2000_is_refused_even_for_a_supervisor(
    world: World, client_for: Callable[[str], TabletClient], path: str
) -> None:
    body = {"site": "harbour", "kind": "service_only" if "visits" in path else "wound_care"}
    field = "checked_in_at" if "visits" in path else "at"

    response = client_for("bob").post(path, {**body, field: "0001-01-01T00:00:00Z"})

    assert response.status_code == 400
    assert response.json()["fields"] == {field: ["This time is before 2000. Check the date."]}
