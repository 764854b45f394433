from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import status
from rest_framework.exceptions import NotFound

from vigil.accounts.access import REPORT_READERS, require_role, site_for
from vigil.accounts.models import Membership, Role, User
from vigil.alerts.selectors import alerts_on_floor
from vigil.core.calendar import local_today
from vigil.core.errors import ApplicationError
from vigil.incidents.selectors import incidents_on_floor, recent_overdose
from vigil.reports import metrics
from vigil.reports.exports import flatten
from vigil.reports.models import DailyReport, MonthlyDraft, Submission
from vigil.reports.profiles import PROFILES, Profile
from vigil.reports.scope import Scope
from vigil.reports.services import compute_site_day, with_rates
from vigil.safety.selectors import waitlist_of_site
from vigil.sites.models import Booth, Site, WeeklyHours
from vigil.visits.models import Visit
from vigil.visits.selectors import visits_of_site

# Recomputed over the whole period (never summed): a person counts once per period. (A person
# is new on one site-day of the network only, so the tables of new participants add up.)
RECOMPUTED = (
    "unique_participants",
    "new_participants",
    *metrics.UNIQUE_DEMOGRAPHICS,
    "median_visit_minutes",
    "peak_occupancy",
)


@dataclass(frozen=True)
class ReportAccess:
    sites: list[Site]
    suppressed: bool


def report_access(*, user: User, slugs: Sequence[str], suppress: bool) -> ReportAccess:
    """The sites a report covers for `user`, and whether its small cells are suppressed.

    1. Sites named by slug: each one the user reads reports of (not a member: 404; a role
       that reads no reports: 403).
    2. No site named: every site where the user reads reports; none at all: 403.
    3. Suppressed when asked for, and always when the user is an analyst at any of the sites:
       an analyst never sees a small cell.
    """
    if slugs:
        pairs = [site_for(user=user, slug=slug, roles=REPORT_READERS) for slug in slugs]
    else:
        memberships = Membership.objects.select_related("site").filter(
            user=user, role__in=REPORT_READERS
        )
        pairs = [(m.site, Role(m.role)) for m in memberships]
        if not pairs:
            raise ApplicationError(
                gettext("Your role does not allow reports."), status_code=status.HTTP_403_FORBIDDEN
            )
    suppressed = suppress or any(role == Role.ANALYST for _, role in pairs)
    return ReportAccess(sites=[site for site, _ in pairs], suppressed=suppressed)


def daily_reports(*, sites: Sequence[Site], first: date, last: date) -> list[DailyReport]:
    """The reports of each site and day; past days never computed are computed now, and today
    (still open) is recomputed on every read."""
    stored = {
        (r.site_id, r.date): r
        for r in DailyReport.objects.filter(site__in=sites, date__gte=first, date__lte=last)
    }
    reports = []
    for site in sites:
        today = local_today(site)
        day = first
        while day <= min(last, today):
            report = stored.get((site.pk, day))
            if report is None or day == today:
                report = compute_site_day(site=site, day=day)
            reports.append(report)
            day += timedelta(days=1)
    return sorted(reports, key=lambda r: (r.date, r.site_id))


def today_on_floor(*, site: Site) -> dict[str, Any]:
    """A site's figures for its local day so far, live from the records (5 queries).

    Counted by the daily report's own rules (voided records leave every count), for staff on
    the floor, who read no report. Not suppressed: the floor never leaves the site.
    """
    today = local_today(site)
    scope = Scope.of([site], today, today)
    visits = metrics.visit_counts(scope)
    incidents = metrics.incident_counts(scope)
    care = metrics.care_counts(scope)
    return {
        "date": today,
        "visits": visits["visits"],
        "unique_participants": visits["unique_participants"],
        "overdoses": incidents["overdoses"],
        "naloxone_doses": incidents["naloxone_doses"],
        "ems_calls": incidents["ems_calls"],
        "services": sum(care["services_by_kind"].values()),
        "referrals": care["referrals"],
    }


def floor_of_site(*, site: Site) -> dict[str, Any]:
    """The live floor: every active booth with its open visit, service visits, counts, the
    incidents being handled, the active alerts and today's figures.

    A constant number of queries whatever the number of open visits or records of the day
    (booths, open visits with their participants' visit counts and recent overdoses,
    substances, routes, incidents, alerts, the waiting list, today's figures).
    """
    visits_here = (
        Visit.objects.filter(site=site, participant=OuterRef("participant"), voided=False)
        .values("participant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    open_visits = list(
        visits_of_site(site=site, open_only=True).annotate(
            participant_visits=Coalesce(Subquery(visits_here, output_field=IntegerField()), 0),
            overdose_last_7_days=recent_overdose(OuterRef("participant")),
        )
    )
    booths = list(Booth.objects.filter(site=site, active=True).order_by("position", "label"))
    by_booth = {visit.booth_id: visit for visit in open_visits if visit.booth_id}
    long_after = timezone.now() - timedelta(minutes=settings.VIGIL_LONG_VISIT_MINUTES)
    for visit in open_visits:
        visit.long_open = visit.checked_in_at < long_after  # type: ignore[attr-defined]
    return {
        "site": site,
        "booths": [{"booth": booth, "visit": by_booth.get(booth.pk)} for booth in booths],
        "service_visits": [v for v in open_visits if v.booth_id is None],
        "open_visits": len(open_visits),
        "incidents": list(incidents_on_floor(site=site)),
        "alerts": list(alerts_on_floor(site=site)),
        "waitlist": list(waitlist_of_site(site=site)),
        "today": today_on_floor(site=site),
    }


def _add(total: dict[str, Any], values: dict[str, Any]) -> None:
    """Add one day's counts into the period's, maps (and the crossed tables) cell by cell."""
    for key, value in values.items():
        if key in RECOMPUTED or key.endswith("_per_1000_visits"):
            continue
        if isinstance(value, dict):
            _add(total.setdefault(key, {}), value)
        elif isinstance(value, int):
            total[key] = total.get(key, 0) + value


def period_metrics(*, sites: Sequence[Site], first: date, last: date) -> dict[str, Any]:
    """Indicators for a period and a set of sites: counts add up from the dailies; distinct
    participants, medians and peaks are recomputed over the whole period and all the sites."""
    total: dict[str, Any] = {}
    for report in daily_reports(sites=sites, first=first, last=last):
        _add(total, report.metrics)
    result = total
    scope = Scope.of(sites, first, last)
    result |= metrics.participant_counts(scope)
    result |= metrics.participant_demographics(scope, with_new=False)
    result["median_visit_minutes"] = metrics.median_visit_minutes(scope)
    result["peak_occupancy"] = metrics.peak_occupancy(scope)
    return with_rates(result)


def month_days(month: date) -> tuple[date, date]:
    """The first and last day of the month that starts on `month`."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return month, following - timedelta(days=1)


def operation_figures(*, site: Site, first: date, last: date) -> dict[str, Any]:
    """Days open, hours open and booths in operation over `first`..`last` (3 queries).

    1. Each day, the site's weekly hours in force that day (the schedule with the latest
       `valid_from` not after it) say whether it opened and for how many hours. A site with
       no weekly hours recorded counts the days with a visit, and no hours.
    2. Booths in operation: the most booths in service on one day, by the booths' history.
    """
    schedule = list(WeeklyHours.objects.filter(site=site, valid_from__lte=last))
    booths = list(Booth.objects.filter(site=site))
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    result: dict[str, Any] = {
        "booths_in_operation": max(
            (sum(1 for booth in booths if booth.in_service_on(day)) for day in days), default=0
        )
    }
    if not schedule:
        result["days_open"] = Visit.objects.filter(
            Scope.of([site], first, last).q(time="checked_in_at"), voided=False
        ).aggregate(n=Count(TruncDate("checked_in_at", tzinfo=site.zone), distinct=True))["n"]
        result["hours_open"] = None
        return result
    days_open, hours_open = 0, 0.0
    for day in days:
        in_force = max((row.valid_from for row in schedule if row.valid_from <= day), default=None)
        today = [
            row for row in schedule if row.valid_from == in_force and row.weekday == day.weekday()
        ]
        days_open += 1 if today else 0
        hours_open += sum(row.hours for row in today)
    result["days_open"] = days_open
    result["hours_open"] = round(hours_open, 2)
    return result


def profile_figures(*, site: Site, profile: Profile, month: date) -> dict[str, Any]:
    """The figures of a profile's form for one site-month, by dotted indicator name."""
    first, last = month_days(month)
    values = period_metrics(sites=[site], first=first, last=last)
    values |= operation_figures(site=site, first=first, last=last)
    flat = flatten(values)
    return {key: flat.get(key) for key in profile.keys}


def submissions_of(*, site: Site) -> list[Submission]:
    return list(Submission.objects.filter(site=site).select_related("site", "submitted_by"))


def submission_for(*, user: User, submission_id: Any) -> Submission:
    """A submission of a site where the user reads reports; any other answers as not found."""
    submission = (
        Submission.objects.select_related("site", "submitted_by")
        .filter(pk=submission_id, site__memberships__user=user)
        .first()
    )
    if submission is None:
        raise NotFound(gettext("Not found."))
    require_role(user=user, site=submission.site, roles=REPORT_READERS)
    return submission


def with_changes(submissions: Sequence[Submission]) -> list[tuple[Submission, dict[str, Any]]]:
    """Each submission with the figures that changed since it was sent: `{key: [sent, now]}`.

    The figures of each site-month and profile are computed once, however many versions.
    """
    now: dict[tuple[Any, str, date], dict[str, Any]] = {}
    result = []
    for submission in submissions:
        key = (submission.site_id, submission.profile, submission.month)
        if key not in now:
            now[key] = profile_figures(
                site=submission.site, profile=PROFILES[submission.profile], month=submission.month
            )
        current = now[key]
        changed = {
            name: [sent, current.get(name)]
            for name, sent in submission.figures.items()
            if current.get(name) != sent
        }
        result.append((submission, changed))
    return result


def drafts_to_send(*, site: Site) -> list[tuple[MonthlyDraft, list[str]]]:
    """Prepared months of the site with the profiles not sent yet: what its supervisors are
    told is ready to review and submit."""
    sent = set(Submission.objects.filter(site=site).values_list("month", "profile"))
    drafts = []
    for draft in MonthlyDraft.objects.filter(site=site):
        waiting = [name for name in PROFILES if (draft.month, name) not in sent]
        if waiting:
            drafts.append((draft, waiting))
    return drafts
