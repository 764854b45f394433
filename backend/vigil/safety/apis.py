"""Floor safety endpoints: restrictions (supervisors), turn-aways and the waiting list (floor
staff), complaints (supervisors)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from vigil.accounts.access import RECORD_WRITERS, SUPERVISORS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.core.fields import AwareDateTimeField, BoundedDateField, ChoiceField
from vigil.core.pagination import Pagination
from vigil.core.schema import conflict_with_current, error_responses, paginated
from vigil.core.serializers import VoidReasonSerializer
from vigil.records.rules import create_answer
from vigil.safety.models import Complaint, Restriction, RestrictionReviewOutcome, TurnAwayReason
from vigil.safety.selectors import (
    complaint_for_user,
    complaints_of_site,
    restriction_for_user,
    restrictions_of_site,
    turnaway_for_user,
    turnaways_of_today,
    waitlist_entry_for_user,
    waitlist_of_site,
)
from vigil.safety.serializers import (
    ComplaintSerializer,
    RestrictionSerializer,
    TurnAwaySerializer,
    WaitlistEntrySerializer,
)
from vigil.safety.services import (
    RestrictionRequest,
    complaint_record,
    complaint_respond,
    complaint_void,
    restriction_create,
    restriction_end,
    restriction_review,
    turnaway_record,
    turnaway_void,
    waitlist_add,
    waitlist_entry_void,
    waitlist_leave,
)

_CODE_HELP = "The person's visit code (never stored, never shown again)."


def _created(created: bool) -> int:
    return status.HTTP_201_CREATED if created else status.HTTP_200_OK


def _page(request: AuthenticatedRequest, view: APIView, records: Any, serializer: Any) -> Response:
    paginator: PageNumberPagination = Pagination()
    page = paginator.paginate_queryset(records, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


class RestrictionListCreateApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        active = serializers.BooleanField(required=False, default=False)
        review_due = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        code = serializers.CharField(required=False, max_length=64, help_text=_CODE_HELP)
        participant = serializers.UUIDField(required=False)
        scope = ChoiceField(choices=Restriction.Scope.choices)
        reason = ChoiceField(choices=Restriction.Reason.choices)
        starts_at = AwareDateTimeField(required=False)
        ends_at = AwareDateTimeField(required=False, allow_null=True)
        review_at = AwareDateTimeField(
            required=False, allow_null=True, help_text="Without an end: in force until reviewed."
        )
        note = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=2000,
            help_text="For supervisors only; never shown at the door. Never name anyone else.",
        )

        class Meta:
            ref_name = "RestrictionPost"

    @extend_schema(
        operation_id="restrictions_list",
        summary="A site's restrictions (supervisor)",
        parameters=[
            OpenApiParameter("site", OpenApiTypes.STR, required=True),
            OpenApiParameter("active", OpenApiTypes.BOOL, description="only those in force"),
            OpenApiParameter(
                "review_due", OpenApiTypes.BOOL, description="in force, review date come"
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={
            200: paginated("PaginatedRestrictionList", RestrictionSerializer),
            **error_responses(400, 401, 403, 404),
        },
        tags=["safety"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        site, _ = site_for(user=request.user, slug=values["site"], roles=SUPERVISORS)
        restrictions = restrictions_of_site(
            site=site, active_only=values["active"], review_due=values["review_due"]
        )
        return _page(request, self, restrictions, RestrictionSerializer)

    @extend_schema(
        operation_id="restrictions_create",
        summary="Restrict a person at a site (supervisor)",
        request=InputSerializer,
        responses={
            200: RestrictionSerializer,
            201: RestrictionSerializer,
            **error_responses(400, 401, 403, 404),
            409: conflict_with_current("RestrictionConflict", RestrictionSerializer),
        },
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        values = self.valid_input(request)
        site, role = site_for(user=request.user, slug=values.pop("site"), roles=SUPERVISORS)
        return create_answer(
            RestrictionSerializer,
            lambda: restriction_create(
                request=RestrictionRequest(site=site, **values), by=request.user, role=role
            ),
            resent=lambda stored: restriction_for_user(  # as it is now
                user=request.user, restriction_id=stored.pk, roles=SUPERVISORS
            )[0],
        )


class RestrictionEndApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        reason = serializers.CharField(max_length=1000)

        class Meta:
            ref_name = "RestrictionEnd"

    @extend_schema(
        operation_id="restrictions_end",
        summary="End a restriction early, with a reason (supervisor)",
        request=InputSerializer,
        responses={200: RestrictionSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest, restriction_id: str) -> Response:
        restriction, _ = restriction_for_user(
            user=request.user, restriction_id=restriction_id, roles=SUPERVISORS
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        restriction = restriction_end(
            restriction=restriction, by=request.user, reason=data.validated_data["reason"]
        )
        return Response(RestrictionSerializer(restriction).data)


class RestrictionReviewApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        version = serializers.IntegerField(min_value=1, help_text="The version you read.")
        outcome = ChoiceField(choices=RestrictionReviewOutcome.choices)
        review_on = BoundedDateField(
            required=False, help_text="The next review date (the site's calendar)."
        )
        ends_on = BoundedDateField(
            required=False, help_text="Extend: the new last day of the restriction."
        )
        note = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=1000,
            help_text="Why; required to end it. Supervisors only. Never name anyone else.",
        )

        class Meta:
            ref_name = "RestrictionReview"

    @extend_schema(
        operation_id="restrictions_review",
        summary="Review a restriction that came due: keep, extend or end it (supervisor)",
        request=InputSerializer,
        responses={200: RestrictionSerializer, **error_responses(400, 401, 403, 404, 409, 412)},
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest, restriction_id: str) -> Response:
        restriction, _ = restriction_for_user(
            user=request.user, restriction_id=restriction_id, roles=SUPERVISORS
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        restriction = restriction_review(
            restriction=restriction, by=request.user, **data.validated_data
        )
        return Response(RestrictionSerializer(restriction).data)


class TurnAwayListCreateApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        reason = ChoiceField(choices=TurnAwayReason.choices)
        code = serializers.CharField(required=False, max_length=64, help_text=_CODE_HELP)
        at = AwareDateTimeField(required=False)

        class Meta:
            ref_name = "TurnAwayPost"

    @extend_schema(
        operation_id="turnaways_list",
        summary="Today's turn-aways of a site, newest first",
        parameters=[
            OpenApiParameter("site", OpenApiTypes.STR, required=True),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={
            200: paginated("PaginatedTurnAwayList", TurnAwaySerializer),
            **error_responses(400, 401, 403, 404),
        },
        tags=["safety"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=RECORD_WRITERS
        )
        return _page(request, self, turnaways_of_today(site=site), TurnAwaySerializer)

    @extend_schema(
        operation_id="turnaways_create",
        summary="Record a person turned away",
        request=InputSerializer,
        responses={
            200: TurnAwaySerializer,
            201: TurnAwaySerializer,
            **error_responses(400, 401, 403, 404),
            409: conflict_with_current("TurnAwayConflict", TurnAwaySerializer),
        },
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        values = self.valid_input(request)
        site, role = site_for(user=request.user, slug=values.pop("site"), roles=RECORD_WRITERS)
        return create_answer(
            TurnAwaySerializer,
            lambda: turnaway_record(site=site, by=request.user, role=role, **values),
        )


class TurnAwayVoidApi(AuthenticatedApi):
    @extend_schema(
        operation_id="turnaways_void",
        summary="Void a turn-away recorded by mistake, with a reason",
        request=VoidReasonSerializer,
        responses={200: TurnAwaySerializer, **error_responses(400, 401, 403, 404, 412)},
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest, turnaway_id: str) -> Response:
        turnaway, role = turnaway_for_user(
            user=request.user, turnaway_id=turnaway_id, roles=RECORD_WRITERS
        )
        turnaway = turnaway_void(
            turnaway=turnaway, by=request.user, role=role, reason=self.void_reason(request)
        )
        return Response(TurnAwaySerializer(turnaway).data)


class WaitlistApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        code = serializers.CharField(
            required=False, allow_blank=True, max_length=64, help_text=_CODE_HELP
        )

        class Meta:
            ref_name = "WaitlistPost"

    @extend_schema(
        operation_id="waitlist_list",
        summary="Who waits for a booth now, first come first",
        parameters=[OpenApiParameter("site", OpenApiTypes.STR, required=True)],
        responses={
            200: paginated("PaginatedWaitlist", WaitlistEntrySerializer),
            **error_responses(400, 401, 403, 404),
        },
        tags=["safety"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=RECORD_WRITERS
        )
        return _page(request, self, waitlist_of_site(site=site), WaitlistEntrySerializer)

    @extend_schema(
        operation_id="waitlist_add",
        summary="Put a person (by code, or anonymous) on the waiting list",
        request=InputSerializer,
        responses={
            200: WaitlistEntrySerializer,
            201: WaitlistEntrySerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        values = self.valid_input(request)
        site, _ = site_for(user=request.user, slug=values["site"], roles=RECORD_WRITERS)
        entry, created = waitlist_add(
            site=site, by=request.user, code=values.get("code") or None, id=values.get("id")
        )
        return Response(WaitlistEntrySerializer(entry).data, status=_created(created))


class WaitlistLeaveApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        reason = ChoiceField(
            choices=TurnAwayReason.choices, required=False, default=TurnAwayReason.CAPACITY
        )

        class Meta:
            ref_name = "WaitlistLeave"

    @extend_schema(
        operation_id="waitlist_leave",
        summary="The person left without a booth: a turn-away (capacity by default)",
        request=InputSerializer,
        responses={200: WaitlistEntrySerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest, entry_id: str) -> Response:
        entry, _ = waitlist_entry_for_user(
            user=request.user, entry_id=entry_id, roles=RECORD_WRITERS
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = waitlist_leave(entry=entry, by=request.user, reason=data.validated_data["reason"])
        return Response(WaitlistEntrySerializer(entry).data)


class WaitlistVoidApi(AuthenticatedApi):
    @extend_schema(
        operation_id="waitlist_void",
        summary="Void a waiting-list entry made by mistake (and the turn-away of its leaving)",
        request=VoidReasonSerializer,
        responses={200: WaitlistEntrySerializer, **error_responses(400, 401, 403, 404, 412)},
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest, entry_id: str) -> Response:
        entry, role = waitlist_entry_for_user(
            user=request.user, entry_id=entry_id, roles=RECORD_WRITERS
        )
        entry = waitlist_entry_void(
            entry=entry, by=request.user, role=role, reason=self.void_reason(request)
        )
        return Response(WaitlistEntrySerializer(entry).data)


class ComplaintListCreateApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        open = serializers.BooleanField(required=False, default=False)

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        category = ChoiceField(choices=Complaint.Category.choices)
        summary = serializers.CharField(
            max_length=4000, help_text="What the complaint is about. Never name anyone."
        )
        received_at = AwareDateTimeField(required=False)

        class Meta:
            ref_name = "ComplaintPost"

    @extend_schema(
        operation_id="complaints_list",
        summary="A site's complaints register (supervisor)",
        parameters=[
            OpenApiParameter("site", OpenApiTypes.STR, required=True),
            OpenApiParameter("open", OpenApiTypes.BOOL, description="only those not closed"),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={
            200: paginated("PaginatedComplaintList", ComplaintSerializer),
            **error_responses(400, 401, 403, 404),
        },
        tags=["safety"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=SUPERVISORS
        )
        complaints = complaints_of_site(site=site, open_only=filters.validated_data["open"])
        return _page(request, self, complaints, ComplaintSerializer)

    @extend_schema(
        operation_id="complaints_create",
        summary="Register a complaint (supervisor)",
        request=InputSerializer,
        responses={
            200: ComplaintSerializer,
            201: ComplaintSerializer,
            **error_responses(400, 401, 403, 404),
            409: conflict_with_current("ComplaintConflict", ComplaintSerializer),
        },
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        values = self.valid_input(request)
        site, _ = site_for(user=request.user, slug=values.pop("site"), roles=SUPERVISORS)
        return create_answer(
            ComplaintSerializer, lambda: complaint_record(site=site, by=request.user, **values)
        )


class ComplaintRespondApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        response = serializers.CharField(max_length=4000)
        close = serializers.BooleanField(required=False, default=False)

        class Meta:
            ref_name = "ComplaintRespond"

    @extend_schema(
        operation_id="complaints_respond",
        summary="Record the response to a complaint, and close it (supervisor)",
        request=InputSerializer,
        responses={200: ComplaintSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest, complaint_id: str) -> Response:
        complaint, _ = complaint_for_user(
            user=request.user, complaint_id=complaint_id, roles=SUPERVISORS
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        complaint = complaint_respond(complaint=complaint, by=request.user, **data.validated_data)
        return Response(ComplaintSerializer(complaint).data)


class ComplaintVoidApi(AuthenticatedApi):
    @extend_schema(
        operation_id="complaints_void",
        summary="Void a complaint registered by mistake, with a reason (supervisor)",
        request=VoidReasonSerializer,
        responses={200: ComplaintSerializer, **error_responses(400, 401, 403, 404, 412)},
        tags=["safety"],
    )
    def post(self, request: AuthenticatedRequest, complaint_id: str) -> Response:
        complaint, role = complaint_for_user(
            user=request.user, complaint_id=complaint_id, roles=SUPERVISORS
        )
        complaint = complaint_void(
            complaint=complaint, by=request.user, role=role, reason=self.void_reason(request)
        )
        return Response(ComplaintSerializer(complaint).data)
