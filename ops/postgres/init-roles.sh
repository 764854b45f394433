#!/usr/bin/env bash
# Runs once, when the postgres container initialises an empty volume (docker-entrypoint-initdb.d).
# Two roles use the database:
#   $POSTGRES_USER      owns the database and every table: only the migrate step connects as it.
#   $VIGIL_DB_APP_USER  what web, worker and beat connect as: owns nothing, may not create
#                       tables; `manage.py vigil_db_grants` (run by ops/migrate.sh after every
#                       migration) lets it read and write the records and only read and append
#                       to the audit log, so the application cannot erase its own trail.
set -euo pipefail
: "${VIGIL_DB_APP_USER:?}" "${VIGIL_DB_APP_PASSWORD:?}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app="$VIGIL_DB_APP_USER" -v password="$VIGIL_DB_APP_PASSWORD" -v db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'password';
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
SQL
