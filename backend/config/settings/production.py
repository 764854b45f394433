"""Production: refuses to start without its secrets, a real database and HTTPS settings."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, VIGIL_DEMO_PASSWORD, env

DEBUG = False


def _required(name: str) -> str:
    value: str = env(name, default="")
    if not value:
        raise ImproperlyConfigured(f"{name} must be set in production.")
    return value


SECRET_KEY = _required("SECRET_KEY")
VIGIL_CODE_PEPPER = _required("VIGIL_CODE_PEPPER")
_required("DATABASE_URL")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
if len(SECRET_KEY) < 50 or VIGIL_DEMO_PASSWORD in SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters.")
if len(VIGIL_CODE_PEPPER) < 32:
    raise ImproperlyConfigured(
        "VIGIL_CODE_PEPPER must be a random value of at least 32 characters."
    )

if not env("CELERY_BROKER_URL", default="").startswith(("redis://", "rediss://")):
    raise ImproperlyConfigured("CELERY_BROKER_URL must point at Redis in production.")

# Behind the proxy every request comes from its address: lock out by the client's real
# address, which nginx sets (and overwrites when a client sends it).
AXES_CLIENT_IP_CALLABLE = "vigil.accounts.lockout.client_ip"

# The demo accounts' password is refused outright in production.
AUTH_PASSWORD_VALIDATORS = [
    *AUTH_PASSWORD_VALIDATORS,  # noqa: F405
    {"NAME": "vigil.accounts.validators.NotDemoPasswordValidator"},
]
VIGIL_REFUSE_DEMO_PASSWORD = True

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
