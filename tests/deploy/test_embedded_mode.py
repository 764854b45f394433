"""The embedded mode (`make run`, a small single-site install): no debug page unless asked for,
secrets of its own made on first run into a file only its owner reads (issue 14, item 1)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

from .support import BACKEND, clean_environ

SHOW = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.DEBUG, s.SECRET_KEY, s.VIGIL_CODE_PEPPER]))"
)


def embedded_settings(var: Path, **extra: str) -> list[object]:
    env = clean_environ(
        DJANGO_SETTINGS_MODULE="config.settings.dev", VIGIL_VAR_DIR=str(var), **extra
    )
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    shown: list[object] = json.loads(result.stdout)
    return shown


def test_debug_is_off_unless_asked_for(tmp_path: Path) -> None:
    assert embedded_settings(tmp_path)[0] is False
    assert embedded_settings(tmp_path, DEBUG="true")[0] is True


def test_first_run_makes_secrets_only_the_owner_reads_and_keeps_them(tmp_path: Path) -> None:
    _, key, pepper = embedded_settings(tmp_path)
    secrets_file = tmp_path / "secrets.json"

    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert json.loads(secrets_file.read_text()) == {"SECRET_KEY": key, "VIGIL_CODE_PEPPER": pepper}
    assert isinstance(key, str)
    assert len(key) >= 50
    assert isinstance(pepper, str)
    assert len(pepper) >= 32
    assert "dev" not in pepper
    # The next start (and every other process) uses the same ones.
    assert embedded_settings(tmp_path)[1:] == [key, pepper]


def test_each_install_gets_its_own_pepper(tmp_path: Path) -> None:
    first = embedded_settings(tmp_path / "one")[2]
    second = embedded_settings(tmp_path / "two")[2]

    assert first != second


def test_secrets_in_the_environment_win_and_no_file_is_made(tmp_path: Path) -> None:
    shown = embedded_settings(tmp_path, SECRET_KEY="k" * 60, VIGIL_CODE_PEPPER="p" * 40)

    assert shown[1:] == ["k" * 60, "p" * 40]
    assert not (tmp_path / "secrets.json").exists()


def test_a_readable_secrets_file_is_closed_to_others(tmp_path: Path) -> None:
    embedded_settings(tmp_path)
    secrets_file = tmp_path / "secrets.json"
    secrets_file.chmod(0o644)

    embedded_settings(tmp_path)

    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
