from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from vigil.core.serializers import ModelSerializer
from vigil.safety.models import Complaint, Restriction, RestrictionOverride, TurnAway, WaitlistEntry
from vigil.safety.selectors import (
    restriction_is_active,
    restriction_review_is_due,
    restriction_until,
)


class RestrictionOverrideSerializer(ModelSerializer[RestrictionOverride]):
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = RestrictionOverride
        fields = ["id", "visit", "reason", "at", "created_by"]
        read_only_fields = fields


class RestrictionSerializer(ModelSerializer[Restriction]):
    """A restriction as supervisors see it (reason, note and the overrides at the door)."""

    site = serializers.CharField(source="site.slug", read_only=True)
    until = serializers.SerializerMethodField()
    active = serializers.SerializerMethodField()
    review_due = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    ended_by = serializers.CharField(
        source="ended_by.username", read_only=True, default=None, allow_null=True
    )
    overrides = RestrictionOverrideSerializer(many=True, read_only=True)

    class Meta:
        model = Restriction
        fields = [
            "id",
            "site",
            "participant",
            "scope",
            "reason",
            "starts_at",
            "ends_at",
            "review_at",
            "until",
            "note",
            "active",
            "review_due",
            "ended_at",
            "ended_by",
            "end_reason",
            "reviewed_at",
            "overrides",
            "backdated",
            "voided",
            "version",
            "created_by",
            "received_at",
        ]
        read_only_fields = fields

    def get_until(self, restriction: Restriction) -> str | None:
        until = restriction_until(restriction)
        return until.isoformat() if until else None

    def get_active(self, restriction: Restriction) -> bool:
        return restriction_is_active(restriction)

    def get_review_due(self, restriction: Restriction) -> bool:
        return restriction_review_is_due(restriction)


class WaitlistEntrySerializer(ModelSerializer[WaitlistEntry]):
    """A place in the queue: never a code; `known` says whether a code was given."""

    site = serializers.CharField(source="site.slug", read_only=True)
    known = serializers.SerializerMethodField()
    minutes_waiting = serializers.SerializerMethodField()

    class Meta:
        model = WaitlistEntry
        fields = [
            "id",
            "site",
            "known",
            "added_at",
            "minutes_waiting",
            "status",
            "ended_at",
            "visit",
            "voided",
            "version",
        ]
        read_only_fields = fields

    def get_known(self, entry: WaitlistEntry) -> bool:
        return entry.participant_id is not None

    def get_minutes_waiting(self, entry: WaitlistEntry) -> int:
        end = entry.ended_at or timezone.now()
        return max(0, int((end - entry.added_at).total_seconds() // 60))


class TurnAwaySerializer(ModelSerializer[TurnAway]):
    site = serializers.CharField(source="site.slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = TurnAway
        fields = [
            "id",
            "site",
            "participant",
            "reason",
            "at",
            "waitlist_entry",
            "backdated",
            "voided",
            "version",
            "created_by",
        ]
        read_only_fields = fields


class ComplaintSerializer(ModelSerializer[Complaint]):
    site = serializers.CharField(source="site.slug", read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "site",
            "received_at",
            "category",
            "summary",
            "response_due_on",
            "overdue",
            "status",
            "response",
            "responded_at",
            "closed_at",
            "voided",
            "version",
            "created_by",
        ]
        read_only_fields = fields

    def get_overdue(self, complaint: Complaint) -> bool:
        today = timezone.localtime(timezone.now(), complaint.site.zone).date()
        return complaint.status == Complaint.Status.OPEN and complaint.response_due_on < today
