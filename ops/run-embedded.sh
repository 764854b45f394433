#!/usr/bin/env bash
# Embedded mode: one Celery worker with beat in the background, the web server in front.
# Stops the worker when the server stops (Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/../backend"
BIN=../.venv/bin
PORT="${PORT:-8000}"

"$BIN/celery" -A config worker --beat --loglevel=INFO --concurrency=1 \
    --queues=default,reports --schedule=../var/celerybeat-schedule &
worker=$!
trap 'kill "$worker" 2>/dev/null || true; wait "$worker" 2>/dev/null || true' EXIT INT TERM

cat <<MSG

  Vigil is serving on http://127.0.0.1:${PORT}/   (API docs: http://127.0.0.1:${PORT}/api/docs/)
  Demo site: harbour (America/Toronto, 12 booths)
  Demo logins, password vigil-demo: staff, supervisor, analyst, admin

MSG
"$BIN/gunicorn" config.wsgi --bind "127.0.0.1:${PORT}" --workers 2 --threads 4 \
    --access-logfile - --access-logformat '%(h)s "%(m)s %(U)s" %(s)s %(M)sms'
