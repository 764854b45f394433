from __future__ import annotations

from rest_framework import serializers

from vigil.accounts.models import Membership, User


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    site = serializers.CharField(source="site.slug", read_only=True)
    site_name = serializers.CharField(source="site.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["site", "site_name", "role"]


class UserSerializer(serializers.ModelSerializer[User]):
    display_name = serializers.SerializerMethodField()
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["username", "display_name", "memberships"]

    def get_display_name(self, user: User) -> str:
        return str(user)
