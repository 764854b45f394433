from __future__ import annotations

import io
from datetime import timedelta
from functools import partial
from typing import Any
from unittest.mock import patch

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from tests.backend.test_privacy import _database_dump
from vigil.accounts.models import Membership, Role, User
from vigil.accounts.services import user_grant
from vigil.alerts.selectors import alerts_of_site
from vigil.alerts.suggestions import suggestions_for
from vigil.audit.models import AuditEvent
from vigil.core.calendar import local_day_bounds
from vigil.demo.records import ALERT_MESSAGE, load_demo_records
from vigil.incidents.models import Incident
from vigil.participants import codes
from vigil.reports.models import DailyReport
from vigil.reports.selectors import floor_of_site
from vigil.safety.selectors import (
    complaints_of_site,
    restrictions_due_for_review,
    restrictions_of_site,
    turnaways_of_today,
    waitlist_of_site,
)
from vigil.sites.models import Booth, Site
from vigil.sites.services import site_upsert
from vigil.visits.models import Visit

# The demo at a tenth of its size: the same shapes, in a second or two.
small_demo = partial(load_demo_records, visits_per_day=(12, 16), pool=25)


def run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    with patch("sys.stdin", io.StringIO(stdin)):
        call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_vigil_site_creates_a_site_with_booths_labelled_1_to_n() -> None:
    output = run(
        "vigil_site", "north", "--name", "North", "--timezone", "America/Toronto", "--booths", "4"
    )

    site = Site.objects.get(slug="north")
    assert (site.name, site.timezone) == ("North", "America/Toronto")
    assert list(site.booths.values_list("label", flat=True)) == ["1", "2", "3", "4"]
    assert "Created site north" in output


@pytest.mark.django_db
def test_vigil_site_updates_and_deactivates_booths_it_no_longer_lists() -> None:
    run("vigil_site", "north", "--name", "North", "--timezone", "UTC", "--booths", "4")
    output = run("vigil_site", "north", "--name", "North St", "--timezone", "UTC", "--booths", "2")

    assert Site.objects.get(slug="north").name == "North St"
    assert dict(Booth.objects.values_list("label", "active")) == {
        "1": True,
        "2": True,
        "3": False,
        "4": False,
    }
    assert "Updated site north" in output


@pytest.mark.django_db
def test_vigil_site_refuses_an_unknown_time_zone() -> None:
    with pytest.raises(CommandError, match="not an IANA time zone"):
        run("vigil_site", "north", "--name", "N", "--timezone", "Mars/Olympus", "--booths", "2")


@pytest.mark.django_db
def test_vigil_user_grants_roles_at_several_sites_with_a_password_from_stdin() -> None:
    run("vigil_site", "a", "--name", "A", "--timezone", "UTC", "--booths", "1")
    run("vigil_site", "b", "--name", "B", "--timezone", "UTC", "--booths", "1")

    run(
        "vigil_user",
        "sam",
        "--site",
        "a",
        "--site",
        "b",
        "--role",
        "supervisor",
        "--password-stdin",
        stdin="a long enough passphrase\n",
    )

    user = User.objects.get(username="sam")
    assert user.check_password("a long enough passphrase")
    assert sorted(Membership.objects.values_list("site__slug", "role")) == [
        ("a", "supervisor"),
        ("b", "supervisor"),
    ]


@pytest.mark.django_db
def test_vigil_user_refuses_an_unknown_site() -> None:
    with pytest.raises(CommandError, match="No such site: nowhere"):
        run("vigil_user", "sam", "--site", "nowhere", "--role", "staff")


@pytest.mark.django_db
def test_vigil_demo_loads_harbour_and_the_four_demo_users_once() -> None:
    with patch("vigil.demo.management.commands.vigil_demo.load_demo_records", small_demo):
        output = run("vigil_demo", "--if-empty")
        again = run("vigil_demo", "--if-empty")
        visits = Visit.objects.count()
        rerun = run("vigil_demo")

    site = Site.objects.get(slug="harbour")
    assert site.timezone == "America/Toronto"
    assert site.booths.filter(active=True).count() == 12
    roles = dict(Membership.objects.filter(site=site).values_list("user__username", "role"))
    assert roles == {
        "staff": "staff",
        "supervisor": "supervisor",
        "analyst": "analyst",
        "admin": "admin",
    }
    assert all(u.check_password("vigil-demo") for u in User.objects.all())
    assert "staff, supervisor, analyst, admin" in output
    assert "not loaded" in again
    assert "no records added" in rerun
    assert Visit.objects.count() == visits > 0


@pytest.mark.django_db
@override_settings(VIGIL_REFUSE_DEMO_PASSWORD=True)
def test_vigil_demo_refuses_to_run_under_production_settings() -> None:
    with pytest.raises(CommandError, match="production"):
        run("vigil_demo")
    assert not Site.objects.exists()


@pytest.mark.django_db
@override_settings(
    VIGIL_REFUSE_DEMO_PASSWORD=True,
    AUTH_PASSWORD_VALIDATORS=[{"NAME": "vigil.accounts.validators.NotDemoPasswordValidator"}],
)
def test_production_refuses_the_demo_password_for_new_accounts_and_at_login() -> None:
    run("vigil_site", "a", "--name", "A", "--timezone", "UTC", "--booths", "1")
    with pytest.raises(CommandError, match="demo password"):
        run(
            "vigil_user",
            "sam",
            "--site",
            "a",
            "--role",
            "staff",
            "--password-stdin",
            stdin="vigil-demo\n",
        )

    user = User.objects.create_user(username="old", password="vigil-demo")
    response = APIClient().post(
        "/api/v1/auth/login", {"username": user.username, "password": "vigil-demo"}, format="json"
    )
    assert response.status_code == 401


@pytest.mark.django_db
def test_the_demo_is_a_living_site_written_through_the_services_with_codes_only_as_digests(
    celery_messages: list[dict[str, Any]], django_capture_on_commit_callbacks: Any
) -> None:
    site, _ = site_upsert(
        slug="harbour", name="Harbour", timezone="America/Toronto", booths=12, inhalation_booths=2
    )
    roles = {"staff": Role.STAFF, "supervisor": Role.SUPERVISOR, "admin": Role.ADMIN}
    users = {
        name: user_grant(username=name, sites=[site], role=role)[0] for name, role in roles.items()
    }
    typed: set[str] = set()
    normalise = codes.normalise

    def remember(code: str) -> str:
        typed.add(code)
        return normalise(code)

    with (
        patch("vigil.participants.codes.normalise", remember),
        django_capture_on_commit_callbacks(execute=True),
    ):
        small_demo(site=site, users=users, days=7, seed=7)

    now = timezone.now()
    today = timezone.localtime(now, site.zone).date()
    for day in (today - timedelta(days=n) for n in range(7, 0, -1)):
        start, end = local_day_bounds(day, site.zone)
        visits = Visit.objects.filter(
            site=site, voided=False, checked_in_at__gte=start, checked_in_at__lt=end
        )
        assert visits.exists(), f"no visits on {day}"
        report = DailyReport.objects.get(site=site, date=day)
        assert report.metrics["visits"] == visits.count()

    floor = floor_of_site(site=site)
    in_booths = [tile["visit"] for tile in floor["booths"] if tile["visit"] is not None]
    minutes_in = sorted((now - visit.checked_in_at) / timedelta(minutes=1) for visit in in_booths)
    assert 4 <= len(in_booths) <= 7
    assert minutes_in[0] >= 2
    assert minutes_in[-1] <= 26
    (live,) = [i for i in floor["incidents"] if i.status == Incident.Status.OPEN]
    assert live.kind == "opioid_overdose"
    assert live.visit in in_booths
    assert now - live.started_at < timedelta(minutes=10)
    assert live.actions.count() == 2
    (alert,) = alerts_of_site(site=site, active_only=True)
    assert (alert.level, alert.message) == ("danger", ALERT_MESSAGE)

    incidents = Incident.objects.filter(site=site, voided=False)
    assert incidents.filter(status=Incident.Status.SUBMITTED, critical=True).exists()
    assert incidents.filter(status=Incident.Status.SUBMITTED, critical=False).exists()
    (returned,) = incidents.filter(status=Incident.Status.RETURNED)
    assert returned.review_comment
    assert incidents.filter(status=Incident.Status.APPROVED).exists()
    assert Incident.objects.filter(site=site, voided=True).exists()

    # Written through the services: every visit audited; what is late, by the supervisor.
    created = AuditEvent.objects.filter(action="create", object_type="visits.visit")
    assert set(created.values_list("object_id", flat=True)) == {
        str(pk) for pk in Visit.objects.values_list("pk", flat=True)
    }
    late = Visit.objects.filter(backdated=True)
    assert late.exists()
    assert not late.exclude(created_by=users["supervisor"]).exists()

    # Codes only as digests: in no table, in no queued message. Recomputes of the past days
    # are queued once per day, not once per record.
    assert len(typed) >= 10
    secrets = {form.lower() for code in typed for form in (code, codes.normalise(code))}
    dump = _database_dump()
    assert {
        table for table, text in dump.items() if any(s in text.lower() for s in secrets)
    } == set()
    assert 0 < len(celery_messages) <= 7
    assert not [m for m in celery_messages if any(s in repr(m).lower() for s in secrets)]


@pytest.mark.django_db
def test_the_demo_runs_the_door_restrictions_turn_aways_a_waiting_list_and_complaints() -> None:
    site, _ = site_upsert(
        slug="harbour", name="Harbour", timezone="America/Toronto", booths=12, inhalation_booths=2
    )
    roles = {"staff": Role.STAFF, "supervisor": Role.SUPERVISOR, "admin": Role.ADMIN}
    users = {
        name: user_grant(username=name, sites=[site], role=role)[0] for name, role in roles.items()
    }

    small_demo(site=site, users=users, days=7, seed=7)

    assert restrictions_of_site(site=site, active_only=True).count() == 3
    assert restrictions_due_for_review(site=site).count() == 1
    assert turnaways_of_today(site=site).count() >= 2
    assert waitlist_of_site(site=site).count() == 1
    open_complaints = complaints_of_site(site=site, open_only=True)
    assert open_complaints.count() == 2
    assert not [c for c in open_complaints if c.response]
    assert suggestions_for(site=site), "the supervisor has a drug alert to consider"
