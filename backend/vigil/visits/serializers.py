from __future__ import annotations

from typing import Any

from django.utils import timezone
from rest_framework import serializers

from vigil.alerts.serializers import AlertSerializer
from vigil.core.fields import BoundedDateField, ChoiceField
from vigil.core.serializers import ModelSerializer
from vigil.incidents.serializers import FloorIncidentSerializer
from vigil.safety.serializers import WaitlistEntrySerializer
from vigil.visits.models import Visit


class VisitSerializer(ModelSerializer[Visit]):
    """A visit as the API shows it: ids and values, never a visit code."""

    site = serializers.CharField(source="site.slug", read_only=True)
    booth_label = serializers.CharField(
        source="booth.label", read_only=True, default=None, allow_null=True
    )
    substances = serializers.SerializerMethodField()
    routes = serializers.SerializerMethodField()
    minutes_in = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    # Declared, so the schema allows "" (no reason): a read-only model field loses allow_blank.
    did_not_consume_reason = ChoiceField(
        choices=Visit.DidNotConsume.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Visit
        fields = [
            "id",
            "site",
            "participant",
            "kind",
            "booth",
            "booth_label",
            "checked_in_at",
            "checked_out_at",
            "minutes_in",
            "substances",
            "routes",
            "did_not_consume_reason",
            "assisted",
            "shared_supply",
            "backdated",
            "imported",
            "voided",
            "void_reason",
            "version",
            "received_at",
            "updated_at",
            "created_by",
        ]
        read_only_fields = fields

    def get_substances(self, visit: Visit) -> list[str]:
        return sorted(row.substance for row in visit.substance_rows.all())

    def get_routes(self, visit: Visit) -> list[str]:
        return sorted(row.route for row in visit.route_rows.all())

    def get_minutes_in(self, visit: Visit) -> int:
        end = visit.checked_out_at or timezone.now()
        return max(0, int((end - visit.checked_in_at).total_seconds() // 60))


class FloorVisitSerializer(VisitSerializer):
    participant_visits = serializers.IntegerField(read_only=True)
    overdose_last_7_days = serializers.BooleanField(read_only=True)
    long_open = serializers.BooleanField(read_only=True)

    class Meta(VisitSerializer.Meta):
        fields = [
            *VisitSerializer.Meta.fields,
            "participant_visits",
            "overdose_last_7_days",
            "long_open",
        ]
        read_only_fields = fields


class FloorBoothSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.UUIDField(source="booth.id")
    label = serializers.CharField(source="booth.label")  # type: ignore[assignment]
    kind = serializers.CharField(source="booth.kind")
    visit = FloorVisitSerializer(allow_null=True)


class FloorTodaySerializer(serializers.Serializer[dict[str, Any]]):
    """Today's figures so far, counted as the daily report counts them (voided records left
    out), over the site's local day."""

    date = BoundedDateField(help_text="The site's local date.")
    visits = serializers.IntegerField(help_text="Visits checked in today.")
    unique_participants = serializers.IntegerField(
        help_text="People with a visit today (anonymous visits count no one)."
    )
    overdoses = serializers.IntegerField(help_text="Opioid and stimulant overdoses started today.")
    naloxone_doses = serializers.IntegerField(help_text="Naloxone given in today's overdoses.")
    ems_calls = serializers.IntegerField(help_text="Incidents of today where EMS was called.")
    services = serializers.IntegerField(help_text="Services given today, of every kind.")
    referrals = serializers.IntegerField(help_text="Referrals made today.")


class FloorSerializer(serializers.Serializer[dict[str, Any]]):
    site = serializers.CharField(source="site.slug")
    booths = FloorBoothSerializer(many=True)
    service_visits = FloorVisitSerializer(many=True)
    open_visits = serializers.IntegerField()
    incidents = FloorIncidentSerializer(many=True)
    alerts = AlertSerializer(many=True)
    waitlist = WaitlistEntrySerializer(many=True, help_text="Who waits for a booth, first first.")
    today = FloorTodaySerializer()
