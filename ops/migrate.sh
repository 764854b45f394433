#!/usr/bin/env bash
# The migrate container: as the owner of the tables, apply migrations, then give the
# application's role ($VIGIL_DB_APP_USER) exactly the rights it needs on them. Runs to
# completion before web, worker and beat start (they connect as that role and cannot migrate).
set -euo pipefail
cd "$(dirname "$0")/../backend"
python manage.py migrate --noinput
python manage.py vigil_db_grants "${VIGIL_DB_APP_USER:?set VIGIL_DB_APP_USER}"
