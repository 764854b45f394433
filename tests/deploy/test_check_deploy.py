"""Production settings: `check --deploy` is clean, and they refuse to start without secrets."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .support import (
    BACKEND,
    ENV_EXAMPLE,
    OPS,
    clean_environ,
    filled_env_file,
    parse_env_example,
    random_secrets,
)

SETUP = ["-c", "import django; django.setup()"]


def production_env(**overrides: str) -> dict[str, str]:
    """The operator's .env (ops/.env.example with its secrets filled in) plus the compose file's
    DJANGO_SETTINGS_MODULE; an override of "" removes the variable."""
    values = parse_env_example(filled_env_file(ENV_EXAMPLE.read_text(), random_secrets()))
    values["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    values.update(overrides)
    return clean_environ(**{k: v for k, v in values.items() if v != ""})


def run_python(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=BACKEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_no_warnings() -> None:
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env()
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output.upper()


def test_the_example_values_reach_production_settings() -> None:
    env = production_env()
    code = (
        "import json; from django.conf import settings as s; db = s.DATABASES['default']; "
        "print(json.dumps([s.ALLOWED_HOSTS, s.CSRF_TRUSTED_ORIGINS, db['HOST'], s.DEBUG]))"
    )

    result = run_python(["-c", f"import django; django.setup(); {code}"], env)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        env["ALLOWED_HOSTS"].split(","),
        env["CSRF_TRUSTED_ORIGINS"].split(","),
        "postgres",
        False,
    ]


@pytest.mark.parametrize("name", ["SECRET_KEY", "VIGIL_CODE_PEPPER", "DATABASE_URL"])
def test_production_refuses_to_start_without(name: str) -> None:
    result = run_python(SETUP, production_env(**{name: ""}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be set" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [("SECRET_KEY", "too-short-to-be-random"), ("VIGIL_CODE_PEPPER", "short")],
)
def test_production_refuses_weak_secrets(name: str, value: str) -> None:
    result = run_python(SETUP, production_env(**{name: value}))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


def test_production_refuses_sqlite(tmp_path: Path) -> None:
    result = run_python(SETUP, production_env(DATABASE_URL=f"sqlite:///{tmp_path}/vigil.db"))

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DATABASE_URL must point at PostgreSQL" in result.stderr


def test_build_time_collectstatic_needs_no_database_or_broker(tmp_path: Path) -> None:
    """The Dockerfile's collectstatic step, with its throwaway values, into a scratch folder."""
    dockerfile = (OPS / "Dockerfile").read_text().replace("\\\n", " ")
    step = next(x for x in dockerfile.splitlines() if x.startswith("RUN") and "collectstatic" in x)
    throwaway = dict(re.findall(r"\b(DATABASE_URL|CELERY_BROKER_URL)=(\S+)", step))
    (tmp_path / "scratch_static.py").write_text(
        f"from config.settings.production import *  # noqa\nSTATIC_ROOT = {str(tmp_path)!r}\n"
    )
    env = production_env(
        DJANGO_SETTINGS_MODULE="scratch_static", PYTHONPATH=str(tmp_path), **throwaway
    )

    result = run_python(["manage.py", "collectstatic", "--noinput"], env)

    assert set(throwaway) == {"DATABASE_URL", "CELERY_BROKER_URL"}
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "admin").is_dir()
    assert (tmp_path / "drf_spectacular_sidecar").is_dir()  # Swagger UI, never from a CDN
