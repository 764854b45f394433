#!/usr/bin/env bash
# Entrypoint of the web, worker and beat containers: check the settings, wait (bounded) for
# PostgreSQL, then replace this shell with the container's command so it gets the signals.
set -euo pipefail
backend="$(cd "$(dirname "$0")/../backend" && pwd)"

# Settings errors (a missing secret) fail at once; only an unreachable database is retried.
PYTHONPATH="$backend${PYTHONPATH:+:$PYTHONPATH}" PGCONNECT_TIMEOUT="${PGCONNECT_TIMEOUT:-3}" \
    python - "${DB_WAIT_SECONDS:-60}" <<'PY'
import sys
import time

import django

django.setup()
from django.db import OperationalError, connection

deadline = time.monotonic() + float(sys.argv[1])
while True:
    try:
        connection.ensure_connection()
        break
    except OperationalError as exc:
        if time.monotonic() >= deadline:
            sys.exit(f"entrypoint: database not reachable after {sys.argv[1]}s: {exc}")
        time.sleep(1)
PY

exec "$@"
