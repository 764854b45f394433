"""The container entrypoint and the backup/restore scripts, run for real (docker is faked)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .support import OPS, clean_environ, random_secrets

SCRIPTS = (
    "entrypoint.sh",
    "migrate.sh",
    "web.sh",
    "backup.sh",
    "restore.sh",
    "postgres/init-roles.sh",
)
VENV_BIN = str(Path(sys.executable).parent)


@pytest.mark.parametrize("name", SCRIPTS)
def test_scripts_are_strict_executable_bash(name: str) -> None:
    script = OPS / name
    text = script.read_text()

    assert text.startswith("#!/usr/bin/env bash\n")
    assert "\nset -euo pipefail\n" in text
    assert os.access(script, os.X_OK), f"{name} is not executable"
    assert subprocess.run(["bash", "-n", str(script)], check=False).returncode == 0


def test_web_only_serves_and_migrate_migrates_then_grants() -> None:
    web = [line.strip() for line in (OPS / "web.sh").read_text().splitlines()]
    migrate = [line.strip() for line in (OPS / "migrate.sh").read_text().splitlines()]

    assert "exec gunicorn -c ../ops/gunicorn.conf.py config.wsgi" in web
    assert not [line for line in web if "migrate" in line and not line.startswith("#")]
    assert migrate.index("python manage.py migrate --noinput") < migrate.index(
        'python manage.py vigil_db_grants "${VIGIL_DB_APP_USER:?set VIGIL_DB_APP_USER}"'
    )


def test_the_init_script_creates_an_application_role_that_owns_nothing() -> None:
    text = (OPS / "postgres" / "init-roles.sh").read_text()

    assert 'CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE' in text
    assert "REVOKE CREATE ON SCHEMA public FROM PUBLIC;" in text
    assert "OWNER" not in text.upper().replace("OWNS", "")


# --- entrypoint ---------------------------------------------------------------------------------


def _entrypoint(database_url: str, **extra: str) -> tuple[subprocess.CompletedProcess[str], int]:
    env = clean_environ(
        PATH=f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
        DB_WAIT_SECONDS="2",
        **random_secrets(),
    )
    env.update(extra)
    env = {k: v for k, v in env.items() if v}
    process = subprocess.Popen(
        ["bash", str(OPS / "entrypoint.sh"), "sh", "-c", "echo started $$"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(
        process.args, process.returncode, stdout, stderr
    ), process.pid


def test_entrypoint_gives_up_on_an_unreachable_database_after_its_bound() -> None:
    started = time.monotonic()
    result, _ = _entrypoint("postgres://vigil:pw@127.0.0.1:1/vigil")

    assert result.returncode != 0
    assert "database not reachable after 2s" in result.stderr
    assert "started" not in result.stdout
    assert time.monotonic() - started < 30


def test_entrypoint_fails_at_once_on_a_missing_secret() -> None:
    result, _ = _entrypoint("postgres://vigil:pw@127.0.0.1:1/vigil", SECRET_KEY="")

    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr
    assert "database not reachable" not in result.stderr
    assert "started" not in result.stdout


def test_entrypoint_execs_the_command_once_the_database_answers() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs a PostgreSQL server (DATABASE_URL), as in CI")
    maintenance_db = urlsplit(url)._replace(path="/postgres").geturl()

    result, pid = _entrypoint(maintenance_db)

    assert result.returncode == 0, result.stderr
    # Same process id: the command replaced the shell, so it receives Docker's signals.
    assert result.stdout.strip() == f"started {pid}"


# --- backup and restore -------------------------------------------------------------------------

FAKE_DOCKER = """#!/usr/bin/env bash
echo "$*" >>"$DOCKER_LOG"
case "$*" in
    *pg_dump*) [ -z "${DUMP_FAILS:-}" ] || exit 1; printf 'PGDMP fake dump' ;;
    *"pg_restore --list"*) cat >/dev/null ;;
    *pg_restore*) cat >"$DOCKER_LOG.restored" ;;
esac
"""


@pytest.fixture
def fake_docker(tmp_path: Path) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "docker").write_text(FAKE_DOCKER)
    (bin_dir / "docker").chmod(0o755)
    return clean_environ(
        PATH=f"{bin_dir}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        DOCKER_LOG=str(tmp_path / "docker.log"),
    )


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, env=env, input=stdin, capture_output=True, text=True, timeout=30, check=False
    )


def _docker_calls(env: dict[str, str]) -> list[str]:
    log = Path(env["DOCKER_LOG"])
    return log.read_text().splitlines() if log.exists() else []


def test_backup_writes_a_dated_private_custom_format_dump(
    tmp_path: Path, fake_docker: dict[str, str]
) -> None:
    result = _run([str(OPS / "backup.sh"), str(tmp_path / "backups")], fake_docker)

    assert result.returncode == 0, result.stderr
    dump = Path(result.stdout.strip())
    assert dump.parent == tmp_path / "backups"
    assert dump.name.startswith("vigil-")
    assert dump.name.endswith("Z.dump")
    assert dump.read_bytes() == b"PGDMP fake dump"
    assert dump.stat().st_mode & 0o077 == 0
    calls = _docker_calls(fake_docker)
    assert calls[0].startswith("compose exec -T postgres sh -c pg_dump --format=custom")
    assert calls[1] == "compose exec -T postgres pg_restore --list"


def test_a_failed_backup_leaves_no_file(tmp_path: Path, fake_docker: dict[str, str]) -> None:
    folder = tmp_path / "backups"
    result = _run([str(OPS / "backup.sh"), str(folder)], {**fake_docker, "DUMP_FAILS": "1"})

    assert result.returncode != 0
    assert list(folder.iterdir()) == []


def test_restore_asks_first_and_does_nothing_when_not_confirmed(
    tmp_path: Path, fake_docker: dict[str, str]
) -> None:
    dump = tmp_path / "vigil.dump"
    dump.write_bytes(b"PGDMP fake dump")

    cancelled = _run([str(OPS / "restore.sh"), str(dump)], fake_docker, stdin="no\n")
    missing = _run([str(OPS / "restore.sh"), str(tmp_path / "nope.dump"), "--yes"], fake_docker)

    assert cancelled.returncode != 0
    assert missing.returncode != 0
    assert _docker_calls(fake_docker) == []


def test_restore_stops_the_app_restores_in_one_transaction_and_starts_it_again(
    tmp_path: Path, fake_docker: dict[str, str]
) -> None:
    dump = tmp_path / "vigil.dump"
    dump.write_bytes(b"PGDMP fake dump")

    result = _run([str(OPS / "restore.sh"), str(dump), "--yes"], fake_docker)

    assert result.returncode == 0, result.stderr
    stop, restore, start = _docker_calls(fake_docker)
    assert stop == "compose stop proxy beat worker web"
    assert "pg_restore --clean --if-exists" in restore
    assert "--single-transaction" in restore
    assert start == "compose up -d"
    assert Path(fake_docker["DOCKER_LOG"] + ".restored").read_bytes() == b"PGDMP fake dump"
