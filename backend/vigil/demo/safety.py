"""The demo site's floor safety operations, written through the services like every demo
record: three restrictions (one due for review today), turn-aways on most days, a person on
the waiting list, and complaints (one waiting for its response). Never a name."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta

from vigil.accounts.models import Role, User
from vigil.care.services.service import NewService, service_create
from vigil.safety.services import (
    RestrictionRequest,
    complaint_record,
    complaint_respond,
    restriction_create,
    turnaway_record,
    waitlist_add,
)
from vigil.sites.models import Site

# (scope, reason, started days ago, ends in days or None, review in days or None, note)
_RESTRICTIONS = [
    ("all_services", "violence", 6, None, -1, "Hit a peer worker in the line; police not called."),
    ("consumption_only", "dealing", 3, 11, None, "Seen selling in the washroom twice."),
    ("all_services", "threats", 2, 5, 3, "Threats to staff at closing."),
]
# Reasons of the turn-aways of a day besides capacity (which the waiting list records).
_TURNAWAY_REASONS = {"intoxication": 5, "capacity": 4, "eligibility": 2, "closed": 2, "other": 1}
# Drug checks of the last hour (anonymous): xylazine in "fentanyl", a suggested alert.
_XYLAZINE_CHECK = {
    "expected_substance": "fentanyl",
    "method": "ftir",
    "fentanyl": "positive",
    "benzodiazepine": "negative",
    "xylazine": "positive",
    "nitazene": "negative",
    "client_action": "reduced_dose",
}
# (category, received days ago, summary, response or "" and whether it is closed)
_COMPLAINTS = [
    (
        "neighbourhood",
        6,
        "A neighbour reports needles left in the lane behind the site.",
        "",
        False,
    ),
    (
        "staff_conduct",
        5,
        "Felt rushed at check-in during the evening rush.",
        "Apologised; the team talked about the evening handover.",
        True,
    ),
    ("restriction", 1, "Disagrees with a restriction and asks for a review.", "", False),
]


def _local(day: date, hour: int, minute: int, site: Site) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=site.zone).astimezone(UTC)


def load_demo_safety(
    *,
    site: Site,
    users: Mapping[str, User],
    codes: Sequence[str],
    now: datetime,
    days: int,
    rng: random.Random,
) -> None:
    """Restrict three of `codes` (rare visitors), turn people away on past days and today,
    put one person on the waiting list, register the complaints, and check two samples that
    hold xylazine (the supervisor is offered an alert)."""
    supervisor, staff = users["supervisor"], users["staff"]
    today = now.astimezone(site.zone).date()
    for code, (scope, reason, started, ends, review, note) in zip(
        codes, _RESTRICTIONS, strict=False
    ):
        starts_at = now - timedelta(days=started, hours=rng.randint(1, 6))
        restriction_create(
            request=RestrictionRequest(
                site=site,
                code=code,
                scope=scope,
                reason=reason,
                starts_at=starts_at,
                ends_at=now + timedelta(days=ends) if ends is not None else None,
                review_at=now + timedelta(days=review) if review is not None else None,
                note=note,
            ),
            by=supervisor,
            role=Role.SUPERVISOR,
        )
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        for _ in range(rng.randint(0, 3)):
            reason = rng.choices(list(_TURNAWAY_REASONS), list(_TURNAWAY_REASONS.values()))[0]
            at = _local(day, rng.randint(9, 20), rng.randint(0, 59), site)
            turnaway_record(site=site, reason=reason, at=at, by=supervisor, role=Role.SUPERVISOR)
    # Today's two, within the local day so far (just after midnight, only minutes have passed).
    elapsed = now - _local(today, 0, 0, site)
    for minutes, reason in ((95, "intoxication"), (40, "capacity")):
        ago = min(timedelta(minutes=minutes), elapsed * minutes / 100)
        turnaway_record(site=site, reason=reason, at=now - ago, by=staff, role=Role.STAFF)
    waitlist_add(site=site, by=staff)
    for minutes in (50, 20):
        service_create(
            request=NewService(
                site=site,
                kind="drug_checking",
                at=now - timedelta(minutes=minutes),
                drug_check=_XYLAZINE_CHECK,
            ),
            by=staff,
            role=Role.STAFF,
        )
    for category, received, summary, response, closed in _COMPLAINTS:
        complaint, _ = complaint_record(
            site=site,
            category=category,
            summary=summary,
            received_at=now - timedelta(days=received, hours=rng.randint(1, 5)),
            by=supervisor,
        )
        if response:
            complaint_respond(complaint=complaint, by=supervisor, response=response, close=closed)
