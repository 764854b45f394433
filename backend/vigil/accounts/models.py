from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractUser
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
