"""The image, proxy, gunicorn and .env.example files: what they must and must never contain."""

from __future__ import annotations

import os
import re
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .support import BACKEND, COMPOSE_FILE, ENV_EXAMPLE, OPS, REPO, REQUIRED_SECRETS

GUNICORN_CONF = OPS / "gunicorn.conf.py"


# --- gunicorn -----------------------------------------------------------------------------------


def test_gunicorn_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    default = runpy.run_path(str(GUNICORN_CONF))
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_THREADS", "2")
    tuned = runpy.run_path(str(GUNICORN_CONF))

    assert default["bind"] == "0.0.0.0:8000"
    assert default["workers"] == min(2 * len(os.sched_getaffinity(0)) + 1, 9)
    assert (tuned["workers"], tuned["threads"]) == (5, 2)
    assert default["timeout"] > 0
    # Draining ends before Docker kills web (stop_grace_period: 30s in docker-compose.yml).
    assert default["graceful_timeout"] < 30
    assert default["accesslog"] == "-"
    assert default["forwarded_allow_ips"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_gunicorn_access_log_never_shows_a_query_string(tmp_path: Path) -> None:
    """Serve a tiny app with ops/gunicorn.conf.py and read what the access log printed."""
    (tmp_path / "probe.py").write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'ok']\n"
    )
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(GUNICORN_CONF),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--pythonpath",
            str(tmp_path),
            "probe:app",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "GUNICORN_CMD_ARGS": ""},
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/check-in?code=QX7CODE",
            headers={"Referer": "https://x/?code=QX7REFERER", "X-Real-IP": "203.0.113.9"},
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(request, timeout=2) as response:  # noqa: S310
                    assert response.status == 200
                break
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
    finally:
        server.terminate()
        log, _ = server.communicate(timeout=30)

    access = [line for line in log.splitlines() if "/api/v1/check-in" in line]
    assert access, log
    assert access[0].startswith('203.0.113.9 "GET /api/v1/check-in" 200')
    assert "QX7" not in log


# --- nginx --------------------------------------------------------------------------------------


def _nginx_conf() -> str:
    return "\n".join(
        line.split("#", 1)[0] for line in (OPS / "nginx.conf").read_text().splitlines()
    )


def test_nginx_logs_paths_without_query_strings() -> None:
    conf = _nginx_conf()
    formats = re.findall(r"log_format\s+(\w+)\s+(.*?);", conf, re.S)
    access_logs = re.findall(r"access_log\s+([^;]+);", conf)

    assert formats, "nginx.conf must define its own log format"
    for _name, layout in formats:
        assert "$uri" in layout
        leaks = re.findall(r"\$(?:request|request_uri|args|query_string|is_args|arg_\w+)\b", layout)
        assert not leaks, f"these variables can carry a query string: {leaks}"
        assert "$http_referer" not in layout  # a referer is a whole URL
    assert access_logs
    for directive in access_logs:
        words = directive.split()
        assert words == ["off"] or words[1:] == [formats[0][0]], directive


def test_nginx_proxies_to_web_over_tls() -> None:
    conf = _nginx_conf()
    body_limit = re.search(r"client_max_body_size\s+(\d+)([km]?);", conf)

    assert body_limit
    assert body_limit.group(2) in {"k", "m"}
    assert int(body_limit.group(1)) * (1 if body_limit.group(2) == "k" else 1024) <= 2048
    assert re.search(r"server\s+web:8000;", conf)
    assert "proxy_pass http://web;" in conf
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", conf)
    assert re.search(r"proxy_set_header\s+Host\s+\$host;", conf)
    assert re.search(r"listen\s+443\s+ssl", conf)
    assert "return 301 https://$host$request_uri;" in conf
    assert "server_tokens off;" in conf


def test_nginx_adds_a_strict_policy_only_where_django_set_none() -> None:
    conf = _nginx_conf()
    mapped = re.search(
        r"map \$upstream_http_content_security_policy \$vigil_csp \{(.*?)\}", conf, re.S
    )

    assert mapped
    fallback = re.search(r'""\s+"([^"]+)";', mapped.group(1))
    assert fallback
    assert "script-src 'self';" in fallback.group(1)
    assert "unsafe" not in fallback.group(1)
    assert re.search(r'default\s+"";', mapped.group(1))  # Django's own policy passes untouched
    assert "add_header Content-Security-Policy $vigil_csp always;" in conf
    assert "error_page 413 = @too_large;" in conf
    assert "application/json" in conf


# --- the image ----------------------------------------------------------------------------------


def test_dockerfile_builds_one_non_root_image_without_baked_secrets() -> None:
    text = (OPS / "Dockerfile").read_text().replace("\\\n", " ")  # join continued lines
    stages = re.findall(r"(?m)^FROM\s+(\S+)", text)
    users = re.findall(r"(?m)^USER\s+(\S+)", text)
    env_and_args = " ".join(re.findall(r"(?m)^(?:ENV|ARG)\s+(.*)$", text))
    collectstatic = re.search(r"(?m)^RUN\s.*collectstatic --noinput", text)

    assert stages[0].startswith("node:20")
    assert stages[-1] == "python:3.11-slim"
    assert "pip install" in text
    assert "backend/requirements.lock" in text
    assert "COPY --from=frontend" in text
    assert "frontend/dist" in text
    assert collectstatic, "collectstatic must run at build time"
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    for secret in ("SECRET_KEY", "VIGIL_CODE_PEPPER", "DATABASE_URL", "PASSWORD"):
        assert secret not in env_and_args, f"{secret} would be baked into the image"
    assert 'ENTRYPOINT ["/app/ops/entrypoint.sh"]' in text
    assert "DJANGO_SETTINGS_MODULE=config.settings.production" in env_and_args


def test_dockerignore_keeps_local_state_and_secrets_out() -> None:
    entries = {
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert {".git", ".venv", "**/node_modules", "var", "tests", ".env", "**/.env"} <= entries
    assert {"ops/certs", "frontend/dist", "backend/staticfiles"} <= entries
    assert not {"backend", "frontend", "ops"} & entries


# --- .env.example -------------------------------------------------------------------------------

_ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")


def _documented_variables() -> set[str]:
    return {
        m.group(1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if (m := _ASSIGNMENT.match(line))
    }


def test_every_example_variable_has_a_comment_and_secrets_are_left_empty() -> None:
    lines = ENV_EXAMPLE.read_text().splitlines()
    for number, line in enumerate(lines):
        if not re.match(r"^[A-Z][A-Z0-9_]*=", line):
            continue
        above = number - 1
        while above >= 0 and re.match(r"^#?\s*[A-Z][A-Z0-9_]*=", lines[above]):
            above -= 1  # variables grouped under one comment
        assert lines[max(above, 0)].startswith("# "), f"no comment above: {line}"
    for name in REQUIRED_SECRETS:
        assert f"\n{name}=\n" in ENV_EXAMPLE.read_text(), f"{name} must be left for the operator"


def test_the_example_documents_every_setting_the_app_reads() -> None:
    sources = "\n".join(p.read_text() for p in (BACKEND / "config" / "settings").glob("*.py"))
    read = set(
        re.findall(r"""(?:\benv(?:\.\w+)?|_required)\(\s*["']([A-Z][A-Z0-9_]+)["']""", sources)
    )
    read -= {"DEBUG"}  # production forces DEBUG off
    read -= {"VIGIL_VAR_DIR"}  # the embedded mode's state folder

    assert read, "no settings found: has the settings layout changed?"
    assert read <= _documented_variables(), read - _documented_variables()


def test_the_example_documents_every_variable_compose_interpolates() -> None:
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE_FILE.read_text()))

    assert used <= _documented_variables(), used - _documented_variables()
