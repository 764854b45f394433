"""Thin tasks: one service call, idempotent (safe to redeliver)."""

from __future__ import annotations

from celery import shared_task

from vigil.accounts.services import sessions_clear_expired


@shared_task(name="vigil.accounts.clear_expired_sessions")
def clear_expired_sessions_task() -> int:
    """Daily (beat): the sessions past their expiry are deleted."""
    return sessions_clear_expired()
