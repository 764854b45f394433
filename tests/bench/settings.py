"""Production settings plus the bench-only URL conf (the bare-Django ceiling views).

Everything else is exactly `config.settings.production`: DEBUG off, the same middleware,
sessions, database and broker settings. The harness sets the secrets in the environment.

The built frontend is served from the bench's own snapshot of frontend/dist, collected into
the bench's own static root (VIGIL_BENCH_DIST, VIGIL_BENCH_STATIC): the shared tree's dist/ and
staticfiles/ may be rebuilt by someone else mid-run, and index.html (read at every request)
would then name assets the collected static files do not have.
"""

import os
from pathlib import Path

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"

if os.environ.get("VIGIL_BENCH_DIST"):
    FRONTEND_DIST = Path(os.environ["VIGIL_BENCH_DIST"])
    STATICFILES_DIRS = [FRONTEND_DIST]
if os.environ.get("VIGIL_BENCH_STATIC"):
    STATIC_ROOT = Path(os.environ["VIGIL_BENCH_STATIC"])
