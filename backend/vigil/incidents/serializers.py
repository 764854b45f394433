from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vigil.core.fields import ChoiceField
from vigil.core.serializers import ModelSerializer
from vigil.incidents.models import (
    NARRATIVE_WARNING,
    Debrief,
    Incident,
    IncidentAction,
    IncidentReview,
    IncidentVersion,
)
from vigil.incidents.rules import CRITICAL_REASONS
from vigil.visits.models import Substance

_SIGNS = serializers.ListField(child=ChoiceField(choices=Incident.Sign.choices))
_SUBSTANCES = serializers.ListField(child=ChoiceField(choices=Substance.choices))
_REASONS = serializers.ListField(child=ChoiceField(choices=CRITICAL_REASONS))


class IncidentActionSerializer(ModelSerializer[IncidentAction]):
    """One tap of the response timeline; voided ones stay, marked, and count for nothing."""

    dose_mg = serializers.DecimalField(
        max_digits=4, decimal_places=2, coerce_to_string=False, allow_null=True, read_only=True
    )
    route = ChoiceField(choices=IncidentAction.Route.choices, allow_blank=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)

    class Meta:
        model = IncidentAction
        fields = [
            "id",
            "incident",
            "kind",
            "at",
            "dose_mg",
            "route",
            "spo2",
            "resp_rate",
            "backdated",
            "voided",
            "void_reason",
            "received_at",
            "created_by",
        ]
        read_only_fields = fields


class DebriefSerializer(serializers.Serializer[dict[str, Any]]):
    """A critical incident's debrief: `due` until a supervisor records it held or declined."""

    status = ChoiceField(choices=["due", *Debrief.Status.values])
    due_at = serializers.DateTimeField()
    overdue = serializers.BooleanField()
    held_at = serializers.DateTimeField(allow_null=True)
    attendees = serializers.IntegerField(allow_null=True)
    supports = serializers.ListField(child=ChoiceField(choices=Debrief.Support.choices))
    recorded_by = serializers.CharField(allow_null=True)
    recorded_at = serializers.DateTimeField(allow_null=True)


def debrief_of(incident: Incident) -> dict[str, Any] | None:
    """The debrief as shown: recorded, or due for a critical incident; None otherwise."""
    recorded: Debrief | None = getattr(incident, "debrief", None)
    if recorded is None and not incident.critical:
        return None
    due_at = incident.debrief_due_at
    return {
        "status": recorded.status if recorded else "due",
        "due_at": due_at,
        "overdue": recorded is None and not incident.voided and due_at < timezone.now(),
        "held_at": recorded.held_at if recorded else None,
        "attendees": recorded.attendees if recorded else None,
        "supports": list(recorded.supports) if recorded else [],
        "recorded_by": recorded.recorded_by.username if recorded else None,
        "recorded_at": recorded.recorded_at if recorded else None,
    }


class IncidentSerializer(ModelSerializer[Incident]):
    """An incident as the API shows it: ids and values, never a visit code.

    The figures are derived from the live (not voided) actions of the timeline.
    """

    site = serializers.CharField(source="site.slug", read_only=True)
    booth_label = serializers.CharField(
        source="visit.booth.label", read_only=True, default=None, allow_null=True
    )
    signs = serializers.SerializerMethodField()
    suspected_substances = serializers.SerializerMethodField()
    narrative = serializers.CharField(read_only=True, help_text=NARRATIVE_WARNING)
    narrative_warning = serializers.SerializerMethodField()
    responders = serializers.SerializerMethodField()
    critical_reasons = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(read_only=True)
    naloxone_doses = serializers.IntegerField(source="figures.naloxone_doses", read_only=True)
    naloxone_total_mg = serializers.DecimalField(
        source="figures.naloxone_total_mg",
        max_digits=6,
        decimal_places=2,
        coerce_to_string=False,
        read_only=True,
    )
    minutes_to_first_naloxone = serializers.FloatField(
        source="figures.minutes_to_first_naloxone", read_only=True, allow_null=True
    )
    ems_called = serializers.BooleanField(source="figures.ems_called", read_only=True)
    ems_response_minutes = serializers.FloatField(
        source="figures.ems_response_minutes", read_only=True, allow_null=True
    )
    duration_minutes = serializers.FloatField(
        source="figures.duration_minutes", read_only=True, allow_null=True
    )
    actions = IncidentActionSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    submitted_by = serializers.CharField(
        source="submitted_by.username", read_only=True, default=None, allow_null=True
    )
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", read_only=True, default=None, allow_null=True
    )
    outcome = ChoiceField(choices=Incident.Outcome.choices, allow_blank=True, read_only=True)
    debrief = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "site",
            "kind",
            "status",
            "visit",
            "participant",
            "booth_label",
            "location",
            "started_at",
            "ended_at",
            "signs",
            "suspected_substances",
            "outcome",
            "police_attended",
            "responders",
            "narrative",
            "narrative_warning",
            "critical",
            "critical_reasons",
            "review_due_at",
            "overdue",
            "debrief",
            "naloxone_doses",
            "naloxone_total_mg",
            "minutes_to_first_naloxone",
            "ems_called",
            "ems_response_minutes",
            "duration_minutes",
            "actions",
            "submitted_at",
            "submitted_by",
            "reviewed_at",
            "reviewed_by",
            "review_comment",
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

    @extend_schema_field(_SIGNS)
    def get_signs(self, incident: Incident) -> list[str]:
        return sorted(row.sign for row in incident.sign_rows.all())

    @extend_schema_field(_SUBSTANCES)
    def get_suspected_substances(self, incident: Incident) -> list[str]:
        return sorted(row.substance for row in incident.substance_rows.all())

    def get_narrative_warning(self, incident: Incident) -> str:
        return NARRATIVE_WARNING

    def get_responders(self, incident: Incident) -> list[str]:
        """Usernames of the staff who responded."""
        return sorted(user.username for user in incident.responders.all())

    @extend_schema_field(_REASONS)
    def get_critical_reasons(self, incident: Incident) -> list[str]:
        return list(incident.critical_reasons)

    @extend_schema_field(DebriefSerializer(allow_null=True))
    def get_debrief(self, incident: Incident) -> dict[str, Any] | None:
        shown = debrief_of(incident)
        return DebriefSerializer(shown).data if shown is not None else None


class SnapshotActionSerializer(serializers.Serializer[dict[str, Any]]):
    id = serializers.UUIDField()
    kind = ChoiceField(choices=IncidentAction.Kind.choices)
    at = serializers.DateTimeField()
    dose_mg = serializers.FloatField(allow_null=True)
    route = ChoiceField(choices=IncidentAction.Route.choices, allow_blank=True)
    spo2 = serializers.IntegerField(allow_null=True)
    resp_rate = serializers.IntegerField(allow_null=True)
    voided = serializers.BooleanField()
    void_reason = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "IncidentSnapshotAction"


class SnapshotFiguresSerializer(serializers.Serializer[dict[str, Any]]):
    naloxone_doses = serializers.IntegerField()
    naloxone_total_mg = serializers.FloatField()
    minutes_to_first_naloxone = serializers.FloatField(allow_null=True)
    ems_called = serializers.BooleanField()
    ems_response_minutes = serializers.FloatField(allow_null=True)
    duration_minutes = serializers.FloatField(allow_null=True)

    class Meta:
        ref_name = "IncidentSnapshotFigures"


class IncidentSnapshotSerializer(serializers.Serializer[dict[str, Any]]):
    """The incident as it was shown before an amendment (see services.incident_snapshot)."""

    version = serializers.IntegerField()
    status = ChoiceField(choices=Incident.Status.choices)
    kind = ChoiceField(choices=Incident.Kind.choices)
    location = ChoiceField(choices=Incident.Location.choices)
    visit = serializers.UUIDField(allow_null=True)
    participant = serializers.UUIDField(allow_null=True)
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)
    outcome = ChoiceField(choices=Incident.Outcome.choices, allow_blank=True)
    police_attended = serializers.BooleanField()
    narrative = serializers.CharField(allow_blank=True)
    responders = serializers.ListField(child=serializers.CharField())
    signs = _SIGNS
    suspected_substances = _SUBSTANCES
    critical = serializers.BooleanField()
    critical_reasons = _REASONS
    review_due_at = serializers.DateTimeField()
    reviewed_by = serializers.CharField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    review_comment = serializers.CharField(allow_blank=True)
    voided = serializers.BooleanField()
    actions = SnapshotActionSerializer(many=True)
    figures = SnapshotFiguresSerializer()

    class Meta:
        ref_name = "IncidentSnapshot"


class IncidentVersionSerializer(ModelSerializer[IncidentVersion]):
    amended_by = serializers.CharField(source="amended_by.username", read_only=True)
    snapshot = serializers.SerializerMethodField()

    class Meta:
        model = IncidentVersion
        fields = ["version", "amended_at", "amended_by", "reason", "snapshot"]
        read_only_fields = fields

    @extend_schema_field(IncidentSnapshotSerializer)
    def get_snapshot(self, version: IncidentVersion) -> dict[str, Any]:
        snapshot: dict[str, Any] = version.snapshot
        return snapshot


class IncidentReviewSerializer(ModelSerializer[IncidentReview]):
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True)

    class Meta:
        model = IncidentReview
        fields = ["decision", "comment", "reviewed_by", "reviewed_at", "incident_version"]
        read_only_fields = fields


class IncidentDetailSerializer(IncidentSerializer):
    """An incident with its review rounds and the versions kept before each amendment."""

    reviews = IncidentReviewSerializer(many=True, read_only=True)
    history = IncidentVersionSerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "reviews", "history"]
        read_only_fields = fields


class FloorIncidentSerializer(ModelSerializer[Incident]):
    """An incident being handled on the floor, with the minutes since its onset."""

    booth_label = serializers.CharField(
        source="visit.booth.label", read_only=True, default=None, allow_null=True
    )
    minutes_since_onset = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "kind",
            "status",
            "location",
            "booth_label",
            "started_at",
            "minutes_since_onset",
            "critical",
        ]
        read_only_fields = fields

    def get_minutes_since_onset(self, incident: Incident) -> int:
        return max(0, int((timezone.now() - incident.started_at).total_seconds() // 60))


class StaffResponsesSerializer(serializers.Serializer[Any]):
    username = serializers.CharField()
    display_name = serializers.CharField()
    months = serializers.DictField(
        child=serializers.IntegerField(), help_text="{'YYYY-MM': overdose responses}"
    )


class MonthDebriefsSerializer(serializers.Serializer[Any]):
    month = serializers.CharField()
    critical = serializers.IntegerField()
    held = serializers.IntegerField()
    declined = serializers.IntegerField()
    due = serializers.IntegerField()


class RespondersSerializer(serializers.Serializer[Any]):
    months = serializers.ListField(child=serializers.CharField(), help_text="oldest first")
    staff = StaffResponsesSerializer(many=True)
    debriefs = MonthDebriefsSerializer(many=True)
