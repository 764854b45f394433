from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from vigil.accounts.models import User


class NotDemoPasswordValidator:
    """Production refuses the demo accounts' published password."""

    def validate(self, password: str, user: User | None = None) -> None:
        if password == settings.VIGIL_DEMO_PASSWORD:
            raise ValidationError(gettext("The demo password is published; choose another one."))

    def get_help_text(self) -> str:
        return gettext("Your password cannot be the demo password.")
