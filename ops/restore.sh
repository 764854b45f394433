#!/usr/bin/env bash
# Replace the compose PostgreSQL database with a dump made by ops/backup.sh. Stops web, worker,
# beat and the proxy meanwhile; the restore is one transaction, so a failure changes nothing.
#   ops/restore.sh FILE.dump [--yes]
set -euo pipefail
dump="$(realpath -e "${1:?usage: ops/restore.sh FILE.dump [--yes]}")"
cd "$(dirname "$0")/.."

if [ "${2:-}" != "--yes" ]; then
    read -r -p "Replace every record in the database with $dump? Type yes: " answer
    [ "$answer" = yes ] || { echo "restore: cancelled" >&2; exit 1; }
fi

docker compose stop proxy beat worker web
trap 'docker compose up -d' EXIT
docker compose exec -T postgres sh -c \
    'pg_restore --clean --if-exists --no-owner --single-transaction -U "$POSTGRES_USER" -d "$POSTGRES_DB"' \
    <"$dump"
echo "restore: done from $dump"
