"""Scheduled reporting: once a site's month is over, beat prepares its forms and tells its
supervisors, on their screen and by email (docs/domain.md, "What regulators ask for besides")."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core import mail

from tests.conftest import TabletClient, World
from vigil.core.calendar import local_today
from vigil.reports.models import DailyReport
from vigil.reports.submissions import previous_month
from vigil.reports.tasks import prepare_monthly_drafts_task

Clients = Callable[[str], TabletClient]


def test_beat_prepares_last_month_once_and_tells_the_supervisors(
    world: World, client_for: Clients
) -> None:
    bob = world.users["bob"]
    bob.email = "bob@harbour.example"
    bob.save(update_fields=["email"])
    month = previous_month(local_today(world.site_a))

    assert (
        settings.CELERY_BEAT_SCHEDULE["monthly-drafts"]["task"] == prepare_monthly_drafts_task.name
    )
    assert prepare_monthly_drafts_task.apply().get() == 2  # harbour and eastside
    assert prepare_monthly_drafts_task.apply().get() == 0  # nothing new: nobody told twice

    (email,) = mail.outbox
    assert email.to == ["bob@harbour.example"]
    assert email.subject == f"Vigil: {month:%B %Y} is ready to review and submit (Harbour)"
    # Its dailies are computed, so that the forms open at once.
    assert DailyReport.objects.filter(site=world.site_a, date__month=month.month).count() >= 28
    drafts = client_for("bob").get("/api/v1/reports/drafts/?site=harbour").json()
    assert [(d["month"], d["profiles"]) for d in drafts] == [
        (f"{month:%Y-%m}", ["health_canada_monthly", "ontario_cts_monthly"])
    ]


def test_a_form_sent_leaves_the_others_of_the_month_ready(
    world: World, client_for: Clients
) -> None:
    prepare_monthly_drafts_task.apply().get()
    month = f"{previous_month(local_today(world.site_a)):%Y-%m}"
    bob = client_for("bob")

    sent = bob.post(
        "/api/v1/reports/submissions/",
        {"site": "harbour", "profile": "health_canada_monthly", "month": month},
    )

    assert sent.status_code == 201, sent.content
    drafts = bob.get("/api/v1/reports/drafts/?site=harbour").json()
    assert [d["profiles"] for d in drafts] == [["ontario_cts_monthly"]]
    assert client_for("alice").get("/api/v1/reports/drafts/?site=harbour").status_code == 403
    assert client_for("charlie").get("/api/v1/reports/drafts/?site=harbour").status_code == 404
