"""Container healthchecks (the slim image has no curl).

`python healthcheck.py web`  -> GET /healthz on the local gunicorn, with an allowed Host header.
`python healthcheck.py deps` -> the database and the broker answer (beat has no probe of its own).
"""

import os
import sys
import urllib.request
from pathlib import Path


def web() -> bool:
    hosts = [h.strip().lstrip(".") for h in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    host = next((h for h in hosts if h and h != "*"), "localhost")
    request = urllib.request.Request("http://127.0.0.1:8000/healthz", headers={"Host": host})
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (fixed URL)
        return bool(response.status == 200)


def deps() -> bool:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backend"))
    import django

    django.setup()
    from vigil.core.selectors import readiness

    checks = readiness()
    print(checks)
    return all(checks.values())


if __name__ == "__main__":
    probe = {"web": web, "deps": deps}[sys.argv[1]]
    try:
        sys.exit(0 if probe() else 1)
    except Exception as exc:
        sys.exit(f"unhealthy: {exc}")
