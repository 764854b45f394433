from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from vigil.accounts.access import RECORD_WRITERS, SUPERVISORS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.care.serializers import OpenReferralSerializer
from vigil.core.fields import ChoiceField
from vigil.core.schema import ErrorSerializer, error_responses
from vigil.core.serializers import ModelSerializer
from vigil.participants.models import Gender, Participant
from vigil.participants.selectors import (
    participant_at_site,
    participant_detail,
    participant_for_user,
    participant_lookup,
)
from vigil.participants.services import participant_merge, participant_update
from vigil.records.serializers import EditInput
from vigil.safety.models import Restriction


class ParticipantSerializer(ModelSerializer[Participant]):
    class Meta:
        model = Participant
        fields = ["id", "birth_year", "gender", "first_seen_at", "version"]
        read_only_fields = fields


LookupOutput = inline_serializer(
    "ParticipantLookup",
    {
        "id": serializers.UUIDField(required=False),
        "known": serializers.BooleanField(),
        "visits_count": serializers.IntegerField(),
        "last_visit_at": serializers.DateTimeField(allow_null=True),
        "birth_year": serializers.IntegerField(allow_null=True),
        "gender": serializers.CharField(allow_null=True),
        "version": serializers.IntegerField(
            required=False, help_text="For PATCH /participants/{id}; absent when unknown."
        ),
        "open_referrals": OpenReferralSerializer(many=True),
        "recent_overdose": serializers.BooleanField(
            help_text="An overdose in the last 7 days at any site of the network; nothing more "
            "of other sites is shown."
        ),
        "restriction": inline_serializer(
            "DoorRestriction",
            {
                "scope": ChoiceField(choices=Restriction.Scope.choices),
                "until": serializers.DateTimeField(allow_null=True),
            },
            allow_null=True,
            help_text="Restricted at this site: the scope and until when; never the reason.",
        ),
        "inside": inline_serializer(
            "ParticipantInside",
            {"booth_label": serializers.CharField(allow_null=True)},
            allow_null=True,
            help_text="The person's open visit at this site (never another site's): its booth "
            "label, null for a service-only visit; null when not inside.",
        ),
    },
)

DetailOutput = inline_serializer(
    "ParticipantDetail",
    {
        "id": serializers.UUIDField(),
        "site": serializers.CharField(),
        "birth_year": serializers.IntegerField(allow_null=True),
        "gender": ChoiceField(choices=Gender.choices),
        "version": serializers.IntegerField(),
        "first_seen_at": serializers.DateTimeField(help_text="First seen at this site."),
        "visits_count": serializers.IntegerField(),
        "last_visit_at": serializers.DateTimeField(allow_null=True),
        "incidents_count": serializers.IntegerField(),
        "services_count": serializers.IntegerField(),
        "referrals_count": serializers.IntegerField(),
        "open_referrals_count": serializers.IntegerField(),
        "last_overdose_at": serializers.DateTimeField(allow_null=True, help_text="At this site."),
        "seen_at_other_sites": serializers.IntegerField(
            help_text="Other sites that know this person: a merge moves their records too."
        ),
    },
)


class ParticipantLookupApi(AuthenticatedApi):
    """What a worker sees after typing a code. POST, so codes never reach a URL or a log."""

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        code = serializers.CharField(max_length=64)

    @extend_schema(request=InputSerializer, responses={200: LookupOutput}, tags=["participants"])
    def post(self, request: AuthenticatedRequest) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=data.validated_data["site"], roles=RECORD_WRITERS
        )
        return Response(participant_lookup(code=data.validated_data["code"], site=site))


class ParticipantDetailApi(AuthenticatedApi):
    """GET: a person's details and counts at a site. PATCH: correct birth year and gender."""

    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()

    class InputSerializer(EditInput):
        birth_year = serializers.IntegerField(
            required=False, allow_null=True, min_value=1900, max_value=2100
        )
        gender = ChoiceField(choices=Gender.choices, required=False)
        version = serializers.IntegerField(min_value=1)

        def validate_birth_year(self, value: int | None) -> int | None:
            if value is not None and value > timezone.now().year:
                raise serializers.ValidationError(gettext("A birth year cannot be in the future."))
            return value

    @extend_schema(
        operation_id="participants_detail",
        summary="A participant's details and records at a site",
        parameters=[OpenApiParameter("site", OpenApiTypes.STR, required=True)],
        responses={200: DetailOutput, **error_responses(400, 401, 403, 404)},
        tags=["participants"],
    )
    def get(self, request: AuthenticatedRequest, participant_id: str) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        participant, site, first_seen_at = participant_at_site(
            user=request.user, participant_id=participant_id, slug=filters.validated_data["site"]
        )
        return Response(
            participant_detail(participant=participant, site=site, first_seen_at=first_seen_at)
        )

    @extend_schema(
        request=InputSerializer,
        responses={200: ParticipantSerializer, 412: ErrorSerializer},
        tags=["participants"],
    )
    def patch(self, request: AuthenticatedRequest, participant_id: str) -> Response:
        participant, sites = participant_for_user(user=request.user, participant_id=participant_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        participant = participant_update(
            participant=participant, site=sites[0], by=request.user, **data.validated_data
        )
        return Response(ParticipantSerializer(participant).data)


class ParticipantMergeApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        into = serializers.UUIDField()
        reason = serializers.CharField(max_length=1000)

    @extend_schema(
        request=InputSerializer,
        responses={200: ParticipantSerializer, 409: ErrorSerializer},
        tags=["participants"],
    )
    def post(self, request: AuthenticatedRequest, participant_id: str) -> Response:
        source, sites = participant_for_user(
            user=request.user, participant_id=participant_id, roles=SUPERVISORS
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        into, _ = participant_for_user(
            user=request.user, participant_id=data.validated_data["into"], roles=SUPERVISORS
        )
        merged = participant_merge(
            source=source,
            into=into,
            site=sites[0],
            by=request.user,
            reason=data.validated_data["reason"],
        )
        return Response(ParticipantSerializer(merged).data)
