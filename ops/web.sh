#!/usr/bin/env bash
# The web container: serve with gunicorn. The migrate container has applied the migrations
# (as the tables' owner) before this one starts; web connects as the application role.
set -euo pipefail
cd "$(dirname "$0")/../backend"
exec gunicorn -c ../ops/gunicorn.conf.py config.wsgi
