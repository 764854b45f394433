"""Embedded mode (`make run`): SQLite and the filesystem broker unless URLs are set."""

from __future__ import annotations

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env("SECRET_KEY", default="dev-only-secret-key-not-for-production")
VIGIL_CODE_PEPPER = env("VIGIL_CODE_PEPPER", default="dev-only-pepper-not-for-production")
WHITENOISE_USE_FINDERS = True

# make run prints the emails it would send on the console.
if not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
