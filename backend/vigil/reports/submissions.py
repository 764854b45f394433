"""Sending a regulator's form: the write that freezes a site-month's figures, and the monthly
preparation of the drafts (services; the reads are in selectors)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from vigil.accounts.access import SUPERVISORS
from vigil.accounts.models import Membership, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.calendar import local_today
from vigil.core.errors import ApplicationError, Conflict
from vigil.reports.models import MonthlyDraft, Submission
from vigil.reports.profiles import PROFILES
from vigil.reports.selectors import daily_reports, month_days, profile_figures
from vigil.sites.models import Site

logger = logging.getLogger(__name__)


@transaction.atomic
def submission_create(*, site: Site, profile: str, month: date, by: User) -> Submission:
    """Freeze the figures of `profile` for the site-month starting on `month`, with who sent
    them and when: the first version, or the next one (earlier versions are kept as sent).

    The month must be over at the site (its last local day has passed). Two supervisors
    sending the same form at once get one version each, or a 409 for the second: the unique
    version per site, profile and month decides, never a read before the write.
    """
    _, last = month_days(month)
    if last >= local_today(site):
        raise ApplicationError(
            gettext("Some fields need attention."),
            fields={
                "month": [gettext("This month is not over yet at the site: send it from the 1st.")]
            },
        )
    figures = profile_figures(site=site, profile=PROFILES[profile], month=month)
    sent = Submission.objects.filter(site=site, profile=profile, month=month)
    version = (sent.aggregate(n=Max("version"))["n"] or 0) + 1
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                site=site,
                profile=profile,
                month=month,
                version=version,
                submitted_by=by,
                submitted_at=timezone.now(),
                figures=figures,
            )
    except IntegrityError as error:
        raise Conflict(
            gettext("Someone sent this form for this month a moment ago: reload to see it.")
        ) from error
    audit_record(
        actor=by,
        action=AuditEvent.Action.SUBMIT,
        obj=submission,
        site=site,
        changes={"profile": profile, "month": f"{month:%Y-%m}", "version": version},
    )
    return submission


def previous_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def prepare_monthly_drafts() -> list[MonthlyDraft]:
    """For each site whose month has ended since the last run, prepare last month's forms and
    tell its supervisors (on their reports screen, and by email when the deployment has a mail
    server). Idempotent: a site-month is prepared once, whatever the number of runs.

    1. Last month at the site, by its local calendar: skip it if already prepared.
    2. Compute its dailies not computed yet, so that the forms read in a moment.
    3. Record the draft, then email each supervisor of the site who has an address.
    """
    prepared = []
    for site in Site.objects.all():
        month = previous_month(local_today(site))
        if MonthlyDraft.objects.filter(site=site, month=month).exists():
            continue
        first, last = month_days(month)
        daily_reports(sites=[site], first=first, last=last)
        try:
            with transaction.atomic():
                draft = MonthlyDraft.objects.create(site=site, month=month)
        except IntegrityError:
            continue  # another worker prepared it meanwhile
        draft.emailed = _email_supervisors(site=site, month=month)
        draft.save(update_fields=["emailed"])
        prepared.append(draft)
    return prepared


def _email_supervisors(*, site: Site, month: date) -> int:
    """One short email per supervisor of the site: no figure, no person, just the news."""
    addresses = sorted(
        {
            m.user.email
            for m in Membership.objects.select_related("user").filter(
                site=site, role__in=SUPERVISORS, user__is_active=True
            )
            if m.user.email
        }
    )
    if not addresses:
        return 0
    subject = f"Vigil: {month:%B %Y} is ready to review and submit ({site.name})"
    body = (
        f"The regulator's forms of {site.name} for {month:%B %Y} are prepared.\n"
        "Review them on the Reports screen of Vigil, then send them from there.\n"
    )
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [address]) for address in addresses]
    try:
        return send_mass_mail(messages, fail_silently=False)
    except OSError:
        logger.exception("Could not email the supervisors of %s that a month is ready", site.slug)
        return 0
