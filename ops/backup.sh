#!/usr/bin/env bash
# Dump the compose PostgreSQL database (pg_dump custom format) to a dated file, readable by the
# owner only, and check that pg_restore can read it back. Prints the file's path.
#   ops/backup.sh [folder]      (default: var/backups, ignored by git and by docker builds)
set -euo pipefail
cd "$(dirname "$0")/.."
umask 077
folder="${1:-var/backups}"
mkdir -p "$folder"
file="$folder/vigil-$(date -u +%Y%m%dT%H%M%SZ).dump"
trap 'rm -f "$file.partial"' EXIT

docker compose exec -T postgres sh -c \
    'pg_dump --format=custom --no-owner -U "$POSTGRES_USER" -d "$POSTGRES_DB"' >"$file.partial"
docker compose exec -T postgres pg_restore --list >/dev/null <"$file.partial"
mv "$file.partial" "$file"
echo "$file"
