from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from vigil.accounts.access import RECORD_WRITERS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.accounts.models import Role, User
from vigil.core.errors import field_error
from vigil.core.fields import AwareDateTimeField, BoundedDateField, ChoiceField
from vigil.core.pagination import Pagination
from vigil.core.schema import EDIT_AT_VERSION, ErrorSerializer
from vigil.core.serializers import shown_by
from vigil.records.rules import create_answer, require_version
from vigil.records.serializers import EditInput
from vigil.safety.models import WaitlistEntry
from vigil.sites.models import Booth, Site
from vigil.visits.models import Route, Substance, Visit
from vigil.visits.selectors import booth_for_user, visit_for_user, visits_of_site
from vigil.visits.serializers import VisitSerializer
from vigil.visits.services import (
    CheckIn,
    visit_check_in,
    visit_check_out,
    visit_update,
    visit_void,
)


def _booth_of(site: Site, booth_id: Any) -> Booth | None:
    if booth_id is None:
        return None
    booth = Booth.objects.filter(pk=booth_id, site=site).first()
    if booth is None:
        raise field_error("booth", gettext("This booth is not in use at this site."))
    return booth


def _site_and_booth(user: User, slug: str, booth_id: Any) -> tuple[Site, Role, Booth | None]:
    """The site of a check-in, the user's role there and the booth named, read together."""
    if booth_id is None:
        site, role = site_for(user=user, slug=slug, roles=RECORD_WRITERS)
        return site, role, None
    try:
        booth, role = booth_for_user(
            user=user, site_slug=slug, booth_id=booth_id, roles=RECORD_WRITERS
        )
    except NotFound:
        site_for(user=user, slug=slug, roles=RECORD_WRITERS)  # not the user's site: 404 (or 403)
        raise field_error("booth", gettext("This booth is not in use at this site.")) from None
    return booth.site, role, booth


def _waitlist_entry_of(site: Site, entry_id: Any) -> WaitlistEntry | None:
    if entry_id is None:
        return None
    entry = WaitlistEntry.objects.select_related("participant").filter(pk=entry_id, site=site)
    found = entry.first()
    if found is None:
        raise field_error("waitlist", gettext("This person is not on this site's waiting list."))
    return found


class _VisitFields(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=64)
    kind = ChoiceField(choices=Visit.Kind.choices)
    booth = serializers.UUIDField(required=False, allow_null=True)
    substances = serializers.ListField(
        child=ChoiceField(choices=Substance.choices), required=False, max_length=15
    )
    routes = serializers.ListField(
        child=ChoiceField(choices=Route.choices), required=False, max_length=4
    )
    assisted = ChoiceField(
        choices=Visit.Assisted.choices,
        required=False,
        help_text="Who helped the person use, where the site's exemption allows it.",
    )
    shared_supply = serializers.BooleanField(
        required=False, help_text="The person split or shared their supply."
    )


class VisitListCreateApi(AuthenticatedApi):
    class FilterSerializer(serializers.Serializer[dict[str, Any]]):
        site = serializers.SlugField()
        date = BoundedDateField(required=False)
        open = serializers.BooleanField(required=False, default=False)
        participant = serializers.UUIDField(required=False)

    class InputSerializer(_VisitFields):
        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        checked_in_at = AwareDateTimeField(required=False)
        override_reason = serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=1000,
            help_text="Why a person restricted at the site is let in (audited); without it, "
            "their check-in answers 409.",
        )
        waitlist = serializers.UUIDField(
            required=False,
            help_text="The waiting-list entry checked in: taken off the list (its person, "
            "when no code is sent).",
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("site", OpenApiTypes.STR, required=True),
            OpenApiParameter("date", OpenApiTypes.DATE, description="the site's local date"),
            OpenApiParameter("open", OpenApiTypes.BOOL),
            OpenApiParameter(
                "participant", OpenApiTypes.UUID, description="only this participant's visits"
            ),
        ],
        operation_id="visits_list",
        responses={
            200: inline_serializer(
                "PaginatedVisitList",
                {
                    "count": serializers.IntegerField(),
                    "next": serializers.URLField(allow_null=True),
                    "previous": serializers.URLField(allow_null=True),
                    "results": VisitSerializer(many=True),
                },
            )
        },
        tags=["visits"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        site, _ = site_for(
            user=request.user, slug=filters.validated_data["site"], roles=RECORD_WRITERS
        )
        visits = visits_of_site(
            site=site,
            day=filters.validated_data.get("date"),
            open_only=filters.validated_data["open"],
            participant_id=filters.validated_data.get("participant"),
        )
        paginator: PageNumberPagination = Pagination()
        page = paginator.paginate_queryset(visits, request, view=self)
        return paginator.get_paginated_response(VisitSerializer(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={200: VisitSerializer, 201: VisitSerializer, 409: ErrorSerializer},
        tags=["visits"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        values = self.valid_input(request)
        site, role, booth = _site_and_booth(request.user, values["site"], values.get("booth"))
        check_in = CheckIn(
            id=values.get("id"),
            site=site,
            kind=values["kind"],
            booth=booth,
            code=values.get("code") or None,
            checked_in_at=values.get("checked_in_at"),
            substances=values.get("substances", []),
            routes=values.get("routes", []),
            assisted=values.get("assisted", Visit.Assisted.NONE),
            shared_supply=values.get("shared_supply", False),
            override_reason=values.get("override_reason", ""),
            waitlist=_waitlist_entry_of(site, values.get("waitlist")),
        )
        # A new visit is answered as written: its site, booth, author and choices are at hand;
        # a resend with the stored visit as it is now.
        return create_answer(
            VisitSerializer,
            lambda: visit_check_in(request=check_in, by=request.user, role=role),
            resent=lambda stored: visit_for_user(
                user=request.user, visit_id=stored.pk, roles=RECORD_WRITERS
            )[0],
        )


class VisitDetailApi(AuthenticatedApi):
    class InputSerializer(EditInput, _VisitFields):
        kind = ChoiceField(choices=Visit.Kind.choices, required=False)
        checked_in_at = AwareDateTimeField(required=False)
        checked_out_at = AwareDateTimeField(required=False, allow_null=True)
        did_not_consume_reason = ChoiceField(
            choices=Visit.DidNotConsume.choices, required=False, allow_blank=True
        )
        version = serializers.IntegerField(min_value=1)
        reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    @extend_schema(responses={200: VisitSerializer}, tags=["visits"])
    def get(self, request: AuthenticatedRequest, visit_id: str) -> Response:
        visit, _ = visit_for_user(user=request.user, visit_id=visit_id, roles=RECORD_WRITERS)
        return Response(VisitSerializer(visit).data)

    @extend_schema(
        request=InputSerializer,
        responses={200: VisitSerializer, 409: ErrorSerializer, 412: ErrorSerializer},
        description=EDIT_AT_VERSION,
        tags=["visits"],
    )
    def patch(self, request: AuthenticatedRequest, visit_id: str) -> Response:
        visit, role = visit_for_user(user=request.user, visit_id=visit_id, roles=RECORD_WRITERS)
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        require_version(changes)
        if "booth" in changes:
            changes["booth"] = _booth_of(visit.site, changes["booth"])
        if "code" in changes:
            changes["code"] = changes["code"] or None
        visit_update(visit=visit, by=request.user, role=role, **changes)
        visit, _ = visit_for_user(user=request.user, visit_id=visit_id, roles=RECORD_WRITERS)
        return Response(VisitSerializer(visit).data)


class VisitCheckOutApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        checked_out_at = AwareDateTimeField(required=False)
        did_not_consume_reason = ChoiceField(
            choices=Visit.DidNotConsume.choices, required=False, allow_blank=True
        )

    @extend_schema(
        request=InputSerializer,
        responses={200: VisitSerializer, 409: ErrorSerializer},
        tags=["visits"],
    )
    def post(self, request: AuthenticatedRequest, visit_id: str) -> Response:
        visit, role = visit_for_user(user=request.user, visit_id=visit_id, roles=RECORD_WRITERS)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Answered as written (the check-out sets the instance's fields to what it stored).
        visit = visit_check_out(visit=visit, by=request.user, role=role, **data.validated_data)
        return Response(shown_by(VisitSerializer, visit))


class VisitVoidApi(AuthenticatedApi):
    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        reason = serializers.CharField(max_length=1000)

    @extend_schema(
        request=InputSerializer,
        responses={200: VisitSerializer, 412: ErrorSerializer},
        tags=["visits"],
    )
    def post(self, request: AuthenticatedRequest, visit_id: str) -> Response:
        visit, role = visit_for_user(user=request.user, visit_id=visit_id, roles=RECORD_WRITERS)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        visit_void(visit=visit, by=request.user, role=role, reason=data.validated_data["reason"])
        visit, _ = visit_for_user(user=request.user, visit_id=visit_id, roles=RECORD_WRITERS)
        return Response(VisitSerializer(visit).data)
