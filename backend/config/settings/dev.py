"""Embedded mode (`make run`), also what a small single-site install runs: SQLite and the
filesystem broker unless URLs are set. DEBUG only when asked for (DEBUG=true): its error page
shows settings and requests to anyone."""

from __future__ import annotations

from config.embedded_secrets import embedded_secrets

from .base import *  # noqa: F403
from .base import VAR_DIR, env

DEBUG = env.bool("DEBUG", default=False)
# From the environment when set there; otherwise this install's own, made on first run.
SECRET_KEY = env("SECRET_KEY", default="")
VIGIL_CODE_PEPPER = env("VIGIL_CODE_PEPPER", default="")
if not (SECRET_KEY and VIGIL_CODE_PEPPER):
    _secrets = embedded_secrets(VAR_DIR / "secrets.json")
    SECRET_KEY = SECRET_KEY or _secrets["SECRET_KEY"]
    VIGIL_CODE_PEPPER = VIGIL_CODE_PEPPER or _secrets["VIGIL_CODE_PEPPER"]
WHITENOISE_USE_FINDERS = True

# make run prints the emails it would send on the console.
if not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
