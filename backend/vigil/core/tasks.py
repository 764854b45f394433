from __future__ import annotations

from celery import shared_task


@shared_task(name="vigil.core.ping")
def ping(token: str) -> str:
    """Answer the token back: proves a worker consumes the broker and returns results."""
    return f"pong:{token}"
