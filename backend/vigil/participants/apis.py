from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigil.accounts.access import RECORD_WRITERS, SUPERVISORS, site_for
from vigil.accounts.models import User
from vigil.care.serializers import OpenReferralSerializer
from vigil.core.schema import ErrorSerializer
from vigil.participants.models import Gender, Participant
from vigil.participants.selectors import (
    participant_by_code,
    participant_for_user,
    participant_summary,
)
from vigil.participants.services import participant_merge, participant_update


class ParticipantSerializer(serializers.ModelSerializer[Participant]):
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
        "last_overdose_at": serializers.DateTimeField(allow_null=True),
        "birth_year": serializers.IntegerField(allow_null=True),
        "gender": serializers.CharField(allow_null=True),
        "open_referrals": OpenReferralSerializer(many=True),
    },
)


class ParticipantLookupApi(APIView):
    """What a worker sees after typing a code. POST, so codes never reach a URL or a log."""

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        code = serializers.CharField(max_length=64)

    @extend_schema(request=InputSerializer, responses={200: LookupOutput}, tags=["participants"])
    def post(self, request: Request) -> Response:
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assert isinstance(request.user, User)
        site, _ = site_for(
            user=request.user, slug=data.validated_data["site"], roles=RECORD_WRITERS
        )
        participant = participant_by_code(code=data.validated_data["code"])
        if participant is None:
            return Response(
                {
                    "known": False,
                    "visits_count": 0,
                    "last_visit_at": None,
                    "last_overdose_at": None,
                    "birth_year": None,
                    "gender": None,
                    "open_referrals": [],
                }
            )
        return Response(participant_summary(participant=participant, site=site))


class ParticipantUpdateApi(APIView):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        birth_year = serializers.IntegerField(
            required=False, allow_null=True, min_value=1900, max_value=2100
        )
        gender = serializers.ChoiceField(choices=Gender.choices, required=False)
        version = serializers.IntegerField(min_value=1)

        def validate_birth_year(self, value: int | None) -> int | None:
            if value is not None and value > timezone.now().year:
                raise serializers.ValidationError("A birth year cannot be in the future.")
            return value

    @extend_schema(
        request=InputSerializer,
        responses={200: ParticipantSerializer, 412: ErrorSerializer},
        tags=["participants"],
    )
    def patch(self, request: Request, participant_id: str) -> Response:
        assert isinstance(request.user, User)
        participant, sites = participant_for_user(user=request.user, participant_id=participant_id)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        participant = participant_update(
            participant=participant, site=sites[0], by=request.user, **data.validated_data
        )
        return Response(ParticipantSerializer(participant).data)


class ParticipantMergeApi(APIView):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        into = serializers.UUIDField()
        reason = serializers.CharField(max_length=1000)

    @extend_schema(
        request=InputSerializer,
        responses={200: ParticipantSerializer, 409: ErrorSerializer},
        tags=["participants"],
    )
    def post(self, request: Request, participant_id: str) -> Response:
        assert isinstance(request.user, User)
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
