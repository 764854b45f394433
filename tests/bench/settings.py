"""Production settings plus the bench-only URL conf (the bare-Django ceiling views).

Everything else is exactly `config.settings.production`: DEBUG off, the same middleware,
sessions, database and broker settings. The harness sets the secrets in the environment.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
