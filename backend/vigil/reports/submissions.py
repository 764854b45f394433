"""Sending a regulator's form: the write that freezes a site-month's figures (a service; the
reads are in selectors)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from vigil.accounts.models import User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.calendar import local_today
from vigil.core.errors import ApplicationError, Conflict
from vigil.reports.models import Submission
from vigil.reports.profiles import PROFILES
from vigil.reports.selectors import month_days, profile_figures
from vigil.sites.models import Site


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
            "Some fields need attention.",
            fields={"month": ["This month is not over yet at the site: send it from the 1st."]},
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
            "Someone sent this form for this month a moment ago: reload to see it."
        ) from error
    audit_record(
        actor=by,
        action=AuditEvent.Action.SUBMIT,
        obj=submission,
        site=site,
        changes={"profile": profile, "month": f"{month:%Y-%m}", "version": version},
    )
    return submission
