from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from vigil.accounts.models import Membership, User
from vigil.core.serializers import ModelSerializer


class MembershipSerializer(ModelSerializer[Membership]):
    site = serializers.CharField(source="site.slug", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["site", "site_name", "role"]


class UserSerializer(ModelSerializer[User]):
    display_name = serializers.SerializerMethodField()
    memberships = MembershipSerializer(many=True, read_only=True)
    idle_minutes = serializers.SerializerMethodField(
        help_text="The session ends after this many idle minutes: tablets lock their screen then."
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "memberships", "idle_minutes"]

    def get_display_name(self, user: User) -> str:
        return str(user)

    def get_idle_minutes(self, user: User) -> int:
        return int(settings.VIGIL_IDLE_MINUTES)
