"""Test settings: PostgreSQL and Redis when their URLs are set, SQLite otherwise."""

from __future__ import annotations

import os

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = "test-secret-key"  # noqa: S105
VIGIL_CODE_PEPPER = "test-pepper"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
LOGGING = {
    **LOGGING,  # noqa: F405
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# One test database per test run, so that parallel runs on one machine never share (or drop)
# each other's. The integration tests' worker process is pointed at the same one.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory: integration tests share the test database with a worker process.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405
else:
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405

# Likewise one run's Celery messages are its own on a shared Redis: a worker of another run
# must never take them. The integration tests' worker inherits the run id from the environment.
_RUN = os.environ.setdefault("VIGIL_TEST_RUN", str(os.getpid()))
if CELERY_BROKER_URL.startswith("redis"):  # noqa: F405
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "global_keyprefix": f"vigil-test-{_RUN}:",
    }
