from __future__ import annotations

from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from vigil.accounts.access import RECORD_WRITERS, SUPERVISORS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.accounts.models import User
from vigil.core.errors import field_error
from vigil.core.fields import AwareDateTimeField, BoundedDateField, ChoiceField
from vigil.core.pagination import Pagination
from vigil.core.schema import (
    EDIT_AT_VERSION,
    conflict_with_current,
    error_responses,
    paginated,
)
from vigil.core.serializers import VoidReasonSerializer
from vigil.incidents import rules
from vigil.incidents.debriefs import debrief_record
from vigil.incidents.models import (
    NARRATIVE_WARNING,
    Debrief,
    Incident,
    IncidentAction,
    IncidentReview,
)
from vigil.incidents.selectors import (
    action_for_user,
    incident_for_user,
    incident_queue,
    responders_by_month,
)
from vigil.incidents.serializers import (
    DebriefSerializer,
    IncidentActionSerializer,
    IncidentDetailSerializer,
    IncidentSerializer,
    RespondersSerializer,
    debrief_of,
)
from vigil.incidents.services import (
    IncidentOpen,
    incident_open,
    incident_review,
    incident_submit,
    incident_update,
    incident_void,
)
from vigil.incidents.timeline import ActionTap, incident_action_record, incident_action_void
from vigil.records.rules import create_answer, require_version
from vigil.records.serializers import EditInput
from vigil.sites.models import Site
from vigil.visits.models import Substance, Visit

_TAGS = ["incidents"]
DEBRIEF_FILTERS = ["due", "overdue", *Debrief.Status.values]


def _visit_of(site: Site, visit_id: Any) -> Visit | None:
    if visit_id is None:
        return None
    # A voided visit is refused by the service, after a resend has been recognised.
    visit = Visit.objects.select_related("booth").filter(pk=visit_id, site=site).first()
    if visit is None:
        raise field_error("visit", gettext("This visit is not on record at this site."))
    return visit


def _detail(user: User, incident_id: Any) -> dict[str, Any]:
    incident, _ = incident_for_user(user=user, incident_id=incident_id, roles=RECORD_WRITERS)
    return IncidentDetailSerializer(incident).data


_NARRATIVE = serializers.CharField(
    required=False, allow_blank=True, max_length=20000, help_text=NARRATIVE_WARNING
)


class IncidentListCreateApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        status = ChoiceField(choices=Incident.Status.choices, required=False)
        critical = serializers.BooleanField(required=False, allow_null=True, default=None)
        overdue = serializers.BooleanField(required=False, allow_null=True, default=None)
        date = BoundedDateField(required=False)
        kind = ChoiceField(choices=Incident.Kind.choices, required=False)
        mine = serializers.BooleanField(required=False, default=False)
        participant = serializers.UUIDField(required=False)
        debrief = ChoiceField(choices=DEBRIEF_FILTERS, required=False)

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        kind = ChoiceField(choices=Incident.Kind.choices)
        visit = serializers.UUIDField(required=False, allow_null=True)
        code = serializers.CharField(
            required=False,
            allow_blank=True,
            allow_null=True,
            max_length=64,
            help_text="The person's visit code; never stored or returned. Omit for a person "
            "outside or nobody known.",
        )
        location = ChoiceField(choices=Incident.Location.choices)
        started_at = AwareDateTimeField(required=False, help_text="The onset; omitted = now.")
        signs = serializers.ListField(
            child=ChoiceField(choices=Incident.Sign.choices),
            required=False,
            max_length=8,
        )
        suspected_substances = serializers.ListField(
            child=ChoiceField(choices=Substance.choices), required=False, max_length=15
        )

        class Meta:
            ref_name = "IncidentOpen"

    @extend_schema(
        operation_id="incidents_list",
        summary="The incidents of a site: the supervisor queue",
        description="Voided incidents are left out. Critical first, then by review due time.",
        parameters=[
            OpenApiParameter("site", OpenApiTypes.STR, required=True),
            OpenApiParameter("status", OpenApiTypes.STR, enum=Incident.Status.values),
            OpenApiParameter("critical", OpenApiTypes.BOOL),
            OpenApiParameter("overdue", OpenApiTypes.BOOL, description="past review_due_at"),
            OpenApiParameter("date", OpenApiTypes.DATE, description="the site's local date"),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Incident.Kind.values),
            OpenApiParameter("mine", OpenApiTypes.BOOL, description="logged or responded by me"),
            OpenApiParameter(
                "participant", OpenApiTypes.UUID, description="only this participant's incidents"
            ),
            OpenApiParameter(
                "debrief",
                OpenApiTypes.STR,
                enum=DEBRIEF_FILTERS,
                description="critical incidents whose debrief is due (overdue: past its due "
                "time), held or declined",
            ),
            OpenApiParameter("page", OpenApiTypes.INT),
            OpenApiParameter("page_size", OpenApiTypes.INT),
        ],
        responses={
            200: paginated("PaginatedIncidentList", IncidentSerializer),
            **error_responses(400, 401, 403, 404),
        },
        tags=_TAGS,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = filters.validated_data
        site, _ = site_for(user=request.user, slug=values["site"], roles=RECORD_WRITERS)
        incidents = incident_queue(
            site=site,
            user=request.user,
            status=values.get("status"),
            critical=values["critical"],
            overdue=values["overdue"],
            day=values.get("date"),
            kind=values.get("kind"),
            mine=values["mine"],
            participant_id=values.get("participant"),
            debrief=values.get("debrief"),
        )
        paginator: PageNumberPagination = Pagination()
        page = paginator.paginate_queryset(incidents, request, view=self)
        return paginator.get_paginated_response(IncidentSerializer(page, many=True).data)

    @extend_schema(
        operation_id="incidents_open",
        summary="Open an incident",
        description="A resend of the same id and content answers 200 with the stored incident; "
        "the same id with other content, 409 with it in `current`.",
        request=InputSerializer,
        responses={
            200: IncidentDetailSerializer,
            201: IncidentDetailSerializer,
            **error_responses(400, 401, 403, 404),
            409: conflict_with_current("IncidentConflict", IncidentDetailSerializer),
        },
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        values = self.valid_input(request)
        site, role = site_for(user=request.user, slug=values["site"], roles=RECORD_WRITERS)
        opening = IncidentOpen(
            id=values.get("id"),
            site=site,
            kind=values["kind"],
            location=values["location"],
            visit=_visit_of(site, values.get("visit")),
            code=values.get("code") or None,
            started_at=values.get("started_at"),
            signs=values.get("signs", []),
            suspected_substances=values.get("suspected_substances", []),
        )
        return create_answer(
            IncidentDetailSerializer,
            lambda: incident_open(request=opening, by=request.user, role=role),
            resent=lambda stored: incident_for_user(  # as it is now
                user=request.user, incident_id=stored.pk, roles=RECORD_WRITERS
            )[0],
        )


class IncidentDetailApi(AuthenticatedApi):
    class InputSerializer(EditInput):
        kind = ChoiceField(choices=Incident.Kind.choices, required=False)
        location = ChoiceField(choices=Incident.Location.choices, required=False)
        started_at = AwareDateTimeField(required=False)
        ended_at = AwareDateTimeField(required=False, allow_null=True)
        signs = serializers.ListField(
            child=ChoiceField(choices=Incident.Sign.choices),
            required=False,
            max_length=8,
        )
        suspected_substances = serializers.ListField(
            child=ChoiceField(choices=Substance.choices), required=False, max_length=15
        )
        outcome = ChoiceField(choices=Incident.Outcome.choices, required=False, allow_blank=True)
        police_attended = serializers.BooleanField(required=False)
        narrative = _NARRATIVE
        responders = serializers.ListField(
            child=serializers.CharField(max_length=150),
            required=False,
            max_length=30,
            help_text="Usernames of the staff who responded.",
        )
        version = serializers.IntegerField(min_value=1)
        reason = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=1000,
            help_text="Why: needed to amend an approved incident, or to change one that is "
            "not yours.",
        )

        class Meta:
            ref_name = "IncidentUpdate"

    @extend_schema(
        operation_id="incidents_retrieve",
        summary="An incident with its timeline, figures, reviews and history",
        responses={200: IncidentDetailSerializer, **error_responses(401, 403, 404)},
        tags=_TAGS,
    )
    def get(self, request: AuthenticatedRequest, incident_id: str) -> Response:
        return Response(_detail(request.user, incident_id))

    @extend_schema(
        operation_id="incidents_update",
        summary="Complete or correct an incident",
        description=f"{EDIT_AT_VERSION} After approval, only a supervisor amends it, with a "
        "reason; the earlier version stays in `history`.",
        request=InputSerializer,
        responses={
            200: IncidentDetailSerializer,
            **error_responses(400, 401, 403, 404, 409, 412),
        },
        tags=_TAGS,
    )
    def patch(self, request: AuthenticatedRequest, incident_id: str) -> Response:
        incident, role = incident_for_user(
            user=request.user, incident_id=incident_id, roles=RECORD_WRITERS
        )
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        require_version(changes)
        incident_update(incident=incident, by=request.user, role=role, **changes)
        return Response(_detail(request.user, incident_id))


class IncidentActionCreateApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        id = serializers.UUIDField(required=False)
        kind = ChoiceField(choices=IncidentAction.Kind.choices)
        at = AwareDateTimeField(required=False, help_text="When it was done; omitted = now.")
        dose_mg = serializers.DecimalField(
            max_digits=4,
            decimal_places=2,
            min_value=rules.NALOXONE_DOSE_MG_MIN,
            max_value=rules.NALOXONE_DOSE_MG_MAX,
            coerce_to_string=False,
            required=False,
            allow_null=True,
            help_text="Naloxone only, required for it: one dose in mg.",
            error_messages=dict.fromkeys(
                ("min_value", "max_value", "max_digits", "max_decimal_places", "max_whole_digits"),
                format_lazy(
                    gettext_lazy(
                        "A naloxone dose is between {low} and {high} mg, to two decimals."
                    ),
                    low=rules.NALOXONE_DOSE_MG_MIN,
                    high=rules.NALOXONE_DOSE_MG_MAX,
                ),
            ),
        )
        route = ChoiceField(
            choices=IncidentAction.Route.choices,
            required=False,
            allow_blank=True,
            help_text="Naloxone only, required for it.",
        )
        spo2 = serializers.IntegerField(
            min_value=rules.SPO2_MIN,
            max_value=rules.SPO2_MAX,
            required=False,
            allow_null=True,
            help_text="Vitals only: SpO2 in %.",
            # Django's validators %-format their message: %% shows a percent sign.
            error_messages=dict.fromkeys(
                ("min_value", "max_value"),
                format_lazy(
                    gettext_lazy("SpO2 is between {low} and {high} %%."),
                    low=rules.SPO2_MIN,
                    high=rules.SPO2_MAX,
                ),
            ),
        )
        resp_rate = serializers.IntegerField(
            min_value=rules.RESP_RATE_MIN,
            max_value=rules.RESP_RATE_MAX,
            required=False,
            allow_null=True,
            help_text="Vitals only: breaths per minute.",
            error_messages=dict.fromkeys(
                ("min_value", "max_value"),
                format_lazy(
                    gettext_lazy("Breaths per minute are between {low} and {high}."),
                    low=rules.RESP_RATE_MIN,
                    high=rules.RESP_RATE_MAX,
                ),
            ),
        )
        reason = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=1000,
            help_text="Needed only to amend an approved incident (supervisors).",
        )

        class Meta:
            ref_name = "IncidentActionTap"

    @extend_schema(
        operation_id="incidents_actions_create",
        summary="Record one action of the response timeline",
        description="A resend of the same id and content answers 200 with the stored action "
        "(even once the incident is submitted or approved); other content, 409 with it.",
        request=InputSerializer,
        responses={
            200: IncidentActionSerializer,
            201: IncidentActionSerializer,
            **error_responses(400, 401, 403, 404),
            409: conflict_with_current("IncidentActionConflict", IncidentActionSerializer),
        },
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest, incident_id: str) -> Response:
        # The record locks and re-reads the incident; the answer shows the action alone.
        incident, role = incident_for_user(
            user=request.user, incident_id=incident_id, roles=RECORD_WRITERS, details=False
        )
        values = self.valid_input(request)
        reason = values.pop("reason", "")
        tap = ActionTap(
            id=values.get("id"),
            kind=values["kind"],
            at=values.get("at"),
            dose_mg=values.get("dose_mg"),
            route=values.get("route") or "",
            spo2=values.get("spo2"),
            resp_rate=values.get("resp_rate"),
        )
        return create_answer(
            IncidentActionSerializer,
            lambda: incident_action_record(
                incident=incident, tap=tap, by=request.user, role=role, reason=reason
            ),
        )


class IncidentActionVoidApi(AuthenticatedApi):
    @extend_schema(
        operation_id="incidents_actions_void",
        summary="Void a mis-tapped action",
        description="It stays on the timeline, marked voided, and leaves every figure.",
        request=VoidReasonSerializer,
        responses={
            200: IncidentActionSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest, incident_id: str, action_id: str) -> Response:
        action, role = action_for_user(
            user=request.user, incident_id=incident_id, action_id=action_id, roles=RECORD_WRITERS
        )
        action = incident_action_void(
            action=action, by=request.user, role=role, reason=self.void_reason(request)
        )
        return Response(IncidentActionSerializer(action).data)


class IncidentSubmitApi(AuthenticatedApi):
    @extend_schema(
        operation_id="incidents_submit",
        summary="Submit an incident for review",
        description="An overdose needs its outcome and end time first. A resend answers the same.",
        request=None,
        responses={200: IncidentDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest, incident_id: str) -> Response:
        incident, role = incident_for_user(
            user=request.user, incident_id=incident_id, roles=RECORD_WRITERS
        )
        incident_submit(incident=incident, by=request.user, role=role)
        return Response(_detail(request.user, incident_id))


class IncidentReviewApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        decision = ChoiceField(choices=IncidentReview.Decision.choices)
        comment = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=4000,
            help_text="Required to return it: what the staff should fix.",
        )

        class Meta:
            ref_name = "IncidentReviewDecision"

    @extend_schema(
        operation_id="incidents_review",
        summary="Approve or return a submitted incident (supervisor)",
        description="Nobody reviews an incident they logged or responded to while another "
        "supervisor of the site can.",
        request=InputSerializer,
        responses={200: IncidentDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest, incident_id: str) -> Response:
        incident, role = incident_for_user(
            user=request.user, incident_id=incident_id, roles=SUPERVISORS
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        incident_review(
            incident=incident,
            by=request.user,
            role=role,
            decision=data.validated_data["decision"],
            comment=data.validated_data.get("comment", ""),
        )
        return Response(_detail(request.user, incident_id))


class IncidentVoidApi(AuthenticatedApi):
    @extend_schema(
        operation_id="incidents_void",
        summary="Void an incident (supervisor)",
        description="It stays on record and leaves every count, the queue and the floor.",
        request=VoidReasonSerializer,
        responses={200: IncidentDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest, incident_id: str) -> Response:
        incident, role = incident_for_user(
            user=request.user, incident_id=incident_id, roles=SUPERVISORS
        )
        incident_void(
            incident=incident, by=request.user, role=role, reason=self.void_reason(request)
        )
        return Response(_detail(request.user, incident_id))


class IncidentDebriefApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        status = ChoiceField(choices=Debrief.Status.choices)
        held_at = AwareDateTimeField(required=False, allow_null=True)
        attendees = serializers.IntegerField(
            required=False, allow_null=True, min_value=1, max_value=100
        )
        supports = serializers.ListField(
            child=ChoiceField(choices=Debrief.Support.choices),
            required=False,
            max_length=4,
            help_text="The supports offered to the staff who responded.",
        )

        class Meta:
            ref_name = "IncidentDebriefInput"

    @extend_schema(
        operation_id="incidents_debrief",
        summary="Record the debrief of a critical incident: held or declined (supervisor)",
        description="Sending it again with other content corrects it (audited). The answer is "
        "the debrief as the incident now shows it (its `debrief`).",
        request=InputSerializer,
        responses={200: DebriefSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=_TAGS,
    )
    def post(self, request: AuthenticatedRequest, incident_id: str) -> Response:
        incident, role = incident_for_user(
            user=request.user, incident_id=incident_id, roles=SUPERVISORS, details=False
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        debrief = debrief_record(
            incident=incident,
            by=request.user,
            role=role,
            status=values["status"],
            held_at=values.get("held_at"),
            attendees=values.get("attendees"),
            supports=values.get("supports", []),
        )
        # Built from the incident as locked and the debrief as written: nothing read back.
        return Response(DebriefSerializer(debrief_of(debrief.incident)).data)


class IncidentRespondersApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()

    @extend_schema(
        operation_id="incidents_responders",
        summary="Overdose responses per staff member and debriefs, by month (supervisor)",
        description="Private to the site's supervisors, to plan support: this month and the "
        "three before. It is never part of an export.",
        parameters=[OpenApiParameter("site", OpenApiTypes.STR, required=True)],
        responses={200: RespondersSerializer, **error_responses(400, 401, 403, 404)},
        tags=_TAGS,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=SUPERVISORS
        )
        return Response(RespondersSerializer(responders_by_month(site=site)).data)
