"""Helpers for the deployment tests: the repository's ops files and a filled-in .env."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BACKEND = REPO / "backend"
OPS = REPO / "ops"
ENV_EXAMPLE = OPS / ".env.example"
COMPOSE_FILE = REPO / "docker-compose.yml"

# Values that ops/.env.example leaves empty for the operator to fill in.
REQUIRED_SECRETS = ("SECRET_KEY", "VIGIL_CODE_PEPPER", "POSTGRES_PASSWORD", "VIGIL_DB_APP_PASSWORD")

_LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")


def parse_env_example(text: str | None = None) -> dict[str, str]:
    """KEY=VALUE lines of .env.example, quotes removed, ${NAME} expanded like Compose does."""
    values: dict[str, str] = {}
    for line in (text if text is not None else ENV_EXAMPLE.read_text()).splitlines():
        match = _LINE.match(line.strip())
        if not match:
            continue
        key, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] == "'":
            values[key] = value[1:-1]
        else:
            values[key] = re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), ""), value)
    return values


def random_secrets() -> dict[str, str]:
    return {
        "SECRET_KEY": secrets.token_urlsafe(48)[:64],
        "VIGIL_CODE_PEPPER": secrets.token_urlsafe(32),
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "VIGIL_DB_APP_PASSWORD": secrets.token_hex(16),
    }


def filled_env_file(text: str, values: dict[str, str]) -> str:
    """.env.example's text with the given KEY= lines replaced, as an operator would."""
    for key, value in values.items():
        text, count = re.subn(rf"(?m)^{key}=.*$", f"{key}={value}", text)
        assert count == 1, f"{key} is not in ops/.env.example"
    return text


def clean_environ(**extra: str) -> dict[str, str]:
    """A minimal environment, so nothing from the developer's shell or CI leaks in."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    env.update(extra)
    return env
