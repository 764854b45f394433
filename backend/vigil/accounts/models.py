from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession, BaseSessionManager
from django.db import models

from vigil.sites.models import Site


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    SUPERVISOR = "supervisor", "Supervisor"
    ANALYST = "analyst", "Analyst"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    """A staff account. Holds no participant data; roles come from memberships."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    display_name = models.CharField(max_length=80, blank=True)

    def __str__(self) -> str:
        return self.display_name or self.username


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="one_membership_per_user_site"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.role} at {self.site.slug}"


class SessionManager(BaseSessionManager["Session"]):
    def get_queryset(self) -> models.QuerySet[Session]:
        return super().get_queryset().select_related("user")


class Session(AbstractBaseSession):
    """A session with the id of its signed-in user as a column: a request reads both in one
    query (`vigil.accounts.sessions`). Empty `user` until someone signs in."""

    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    objects = SessionManager()  # type: ignore[misc]

    @classmethod
    def get_session_store_class(cls) -> Any:
        from vigil.accounts.sessions import SessionStore

        return SessionStore
