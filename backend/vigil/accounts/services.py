from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from rest_framework.exceptions import NotFound

from vigil.accounts.lockout import LOCKED_OUT
from vigil.accounts.models import Membership, Role, Session, User
from vigil.audit.models import AuditEvent
from vigil.audit.services import audit_record
from vigil.core.errors import ApplicationError
from vigil.sites.models import Site

WRONG_CREDENTIALS = gettext_noop("Wrong username or password.")


def user_login(*, request: HttpRequest, username: str, password: str) -> User:
    """Authenticate, start the session and rotate the CSRF token; audit success and failure."""
    if getattr(settings, "VIGIL_REFUSE_DEMO_PASSWORD", False) and (
        password == settings.VIGIL_DEMO_PASSWORD
    ):
        password = ""  # never valid: the demo password cannot open a production account
    user = auth.authenticate(request=request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        audit_record(
            actor=None,
            action=AuditEvent.Action.LOGIN_FAILED,
            changes={"username": username},
            reason="locked out",
        )
        raise ApplicationError(gettext(LOCKED_OUT), status_code=429)
    if not isinstance(user, User) or not user.is_active:
        audit_record(
            actor=None, action=AuditEvent.Action.LOGIN_FAILED, changes={"username": username}
        )
        raise ApplicationError(gettext(WRONG_CREDENTIALS), status_code=401)
    auth.login(request, user)
    get_token(request)
    audit_record(actor=user, action=AuditEvent.Action.LOGIN, obj=user)
    return user


@transaction.atomic
def lockout_lift(*, site: Site, username: str, by: User) -> None:
    """Lift the login lockout of a member of `site` on every device, before its cool-off ends.

    Anyone not a member of the site answers like not-found. Audited, locked out or not: the
    log shows who unlocked whom.
    """
    from axes.utils import reset

    user = User.objects.filter(username=username, memberships__site=site).first()
    if user is None:
        raise NotFound(gettext("Not found."))
    cleared = reset(username=user.username)
    audit_record(
        actor=by,
        action=AuditEvent.Action.LOCKOUT_LIFTED,
        obj=user,
        site=site,
        changes={"username": user.username, "attempts_cleared": cleared},
    )


def user_logout(*, request: HttpRequest) -> None:
    user = request.user
    if isinstance(user, User):
        audit_record(actor=user, action=AuditEvent.Action.LOGOUT, obj=user)
    auth.logout(request)


@transaction.atomic
def user_grant(
    *,
    username: str,
    sites: Iterable[Site],
    role: Role,
    password: str | None = None,
    display_name: str | None = None,
) -> tuple[User, bool]:
    """Create the user if needed and give it `role` at each site. Returns (user, created)."""
    user, created = User.objects.get_or_create(username=username)
    if display_name is not None:
        user.display_name = display_name
    elif created:
        user.display_name = username.capitalize()
    if password is not None:
        validate_password(password, user)
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    if role == Role.ADMIN:
        user.is_staff = True
        user.is_superuser = True
    user.save()
    for site in sites:
        Membership.objects.update_or_create(user=user, site=site, defaults={"role": role})
        audit_record(
            actor=None,
            action=AuditEvent.Action.UPDATE,
            obj=user,
            site=site,
            changes={"role": [None, str(role)]},
            reason="provisioned by vigil_user",
        )
    return user, created


def sessions_clear_expired() -> int:
    """Delete the sessions past their expiry (ended by the idle timeout or never signed out):
    each sign-in on a shared tablet leaves a row, which would otherwise stay for ever. Returns
    how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
