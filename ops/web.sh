#!/usr/bin/env bash
# The web container: apply migrations, then serve with gunicorn. Worker and beat start only
# once web is healthy, so they never see an unmigrated schema. With several web replicas,
# run `migrate` once before scaling instead of racing them.
set -euo pipefail
cd "$(dirname "$0")/../backend"
python manage.py migrate --noinput
exec gunicorn -c ../ops/gunicorn.conf.py config.wsgi
