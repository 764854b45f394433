from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar

from django.utils.translation import gettext, gettext_lazy, gettext_noop
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigil.accounts.access import RECORD_WRITERS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.accounts.models import User
from vigil.care.models import (
    SUPPLY_QUANTITY_MAX,
    DrugCheck,
    Referral,
    ReferralCategory,
    ReferralStatus,
    ServiceKind,
    SupplyItem,
    TestResult,
)
from vigil.care.selectors import (
    referral_for_user,
    referrals_list,
    service_for_user,
    services_list,
)
from vigil.care.serializers import ReferralSerializer, ServiceSerializer
from vigil.care.services import (
    NewReferral,
    NewService,
    StatusRefused,
    referral_create,
    referral_status_change,
    referral_update,
    referral_void,
    service_create,
    service_update,
    service_void,
)
from vigil.core.errors import Conflict, ReplayConflict, field_error
from vigil.core.fields import AwareDateTimeField, BoundedDateField, ChoiceField
from vigil.core.pagination import Pagination
from vigil.core.schema import EDIT_AT_VERSION, conflict_body, error_responses
from vigil.core.serializers import VoidReasonSerializer
from vigil.participants.selectors import participant_for_user
from vigil.records.rules import create_answer, require_version
from vigil.records.serializers import EditInput
from vigil.sites.models import Site
from vigil.visits.models import Substance, Visit
from vigil.visits.selectors import visit_for_user

SERVICE_CONFLICT = conflict_body("ServiceConflict", current=ServiceSerializer(required=False))
REFERRAL_CONFLICT = conflict_body(
    "ReferralConflict",
    current=ReferralSerializer(required=False),
    status=ChoiceField(choices=ReferralStatus.choices, required=False),
    allowed=serializers.ListField(
        child=ChoiceField(choices=ReferralStatus.choices), required=False
    ),
)


def _path_id(name: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.UUID, OpenApiParameter.PATH)


@contextmanager
def _conflicts_show(serializer_class: type[serializers.Serializer[Any]]) -> Iterator[None]:
    """A conflicting resend or a refused status move answers 409 with the stored record."""
    try:
        yield
    except (ReplayConflict, StatusRefused) as exc:
        raise Conflict(
            exc.detail,
            fields=exc.fields,
            extra={**exc.extra, "current": serializer_class(exc.record).data},
        ) from exc


def _visit_of(site: Site, visit_id: Any) -> Visit | None:
    """A visit of `site`; another site's visit is refused like one that does not exist."""
    if visit_id is None:
        return None
    visit = Visit.objects.select_related("participant").filter(pk=visit_id, site=site).first()
    if visit is None:
        raise field_error("visit", gettext("This visit is not at this site."))
    return visit


def _paginated(request: Request, view: APIView, records: Any, serializer: Any) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(records, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


_CODE = serializers.CharField(
    required=False,
    allow_blank=True,
    allow_null=True,
    max_length=64,
    help_text="The person's visit code. Never stored, logged or returned.",
)


class _ListFilter(serializers.Serializer[dict[str, Any]]):
    """Which records to list: a site (and a local day), a visit, or a person."""

    site = serializers.SlugField(required=False)
    date = BoundedDateField(required=False)
    visit = serializers.UUIDField(required=False)
    participant = serializers.UUIDField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not {"site", "visit", "participant"} & set(attrs):
            raise serializers.ValidationError(
                {"site": [gettext("Choose a site, a visit or a participant.")]}
            )
        if "date" in attrs and "site" not in attrs:
            raise serializers.ValidationError(
                {"date": [gettext("Choose the site whose day this is.")]}
            )
        return attrs


def _list_scope(user: User, filters: dict[str, Any]) -> dict[str, Any]:
    """Turn list filters into selector arguments, checking access to each (404/403)."""
    scope: dict[str, Any] = {}
    if "site" in filters:
        scope["site"], _ = site_for(user=user, slug=filters["site"], roles=RECORD_WRITERS)
        scope["day"] = filters.get("date")
    if "visit" in filters:
        scope["visit"], _ = visit_for_user(
            user=user, visit_id=filters["visit"], roles=RECORD_WRITERS
        )
    if "participant" in filters:
        scope["participant"], scope["participant_sites"] = participant_for_user(
            user=user, participant_id=filters["participant"], roles=RECORD_WRITERS
        )
    return scope


_LIST_PARAMETERS = [
    OpenApiParameter("site", OpenApiTypes.STR, description="site slug"),
    OpenApiParameter("date", OpenApiTypes.DATE, description="the site's local date (with site)"),
    OpenApiParameter("visit", OpenApiTypes.UUID),
    OpenApiParameter("participant", OpenApiTypes.UUID),
]


# --- Services --------------------------------------------------------------------------------


class _Whole(serializers.Serializer[dict[str, Any]]):
    """A nested part sent whole even in a PATCH (it replaces the stored one): DRF would skip
    its required fields when the outer serializer is partial, so they are checked here."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        missing = [
            name for name, field in self.fields.items() if field.required and name not in attrs
        ]
        if missing:
            raise serializers.ValidationError(
                {name: [gettext("This field is required.")] for name in missing}
            )
        return attrs


class _DrugCheckInput(_Whole):
    class Meta:
        ref_name = "DrugCheckInput"

    expected_substance = ChoiceField(choices=Substance.choices)
    method = ChoiceField(choices=DrugCheck.Method.choices)
    fentanyl = ChoiceField(choices=TestResult.choices, required=False)
    benzodiazepine = ChoiceField(choices=TestResult.choices, required=False)
    xylazine = ChoiceField(choices=TestResult.choices, required=False)
    nitazene = ChoiceField(choices=TestResult.choices, required=False)
    client_action = ChoiceField(choices=DrugCheck.ClientAction.choices, required=False)


class _SupplyLineInput(_Whole):
    class Meta:
        ref_name = "SupplyLineInput"

    item = ChoiceField(choices=SupplyItem.choices)
    quantity = serializers.IntegerField(
        min_value=1,
        max_value=SUPPLY_QUANTITY_MAX,
        error_messages={
            "min_value": gettext_lazy("Give how many were handed out (at least 1)."),
            # DRF fills {max_value} in.
            "max_value": gettext_lazy(
                "At most {max_value} of one item on a line: check for an extra zero."
            ),
            "invalid": gettext_lazy("Give how many as a whole number."),
        },
    )


class _ItemLines(serializers.ListField):
    """Item lines; a bad line is named by its number as the worker sees it (line 1, 2, …)."""

    def run_child_validation(self, data: list[Any]) -> list[Any]:
        try:
            lines: list[Any] = super().run_child_validation(data)
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict):
                raise
            named = {f"line {int(index) + 1}": errors for index, errors in exc.detail.items()}
            raise serializers.ValidationError(named) from None
        return lines


class _ServiceFields(serializers.Serializer[dict[str, Any]]):
    kind = ChoiceField(choices=ServiceKind.choices)
    visit = serializers.UUIDField(required=False, allow_null=True)
    code = _CODE
    at = AwareDateTimeField(required=False)
    drug_check = _DrugCheckInput(
        required=False, allow_null=True, help_text="Required for drug_checking, only there."
    )
    supplies = _ItemLines(
        child=_SupplyLineInput(),
        required=False,
        max_length=len(SupplyItem.values),
        help_text="Required (at least one line) for supplies, only there; each item once.",
    )


class ServiceListCreateApi(AuthenticatedApi):
    pagination_class = Pagination

    class InputSerializer(_ServiceFields):
        class Meta:
            ref_name = "ServiceCreate"

        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()

    @extend_schema(
        parameters=_LIST_PARAMETERS,
        responses={200: ServiceSerializer(many=True), **error_responses(400, 401, 403, 404)},
        tags=["services"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = _ListFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        services = services_list(**_list_scope(request.user, filters.validated_data))
        return _paginated(request, self, services, ServiceSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: ServiceSerializer,
            201: ServiceSerializer,
            **error_responses(400, 401, 403, 404, 409, conflict=SERVICE_CONFLICT),
        },
        tags=["services"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        values = self.valid_input(request)
        site, role = site_for(user=request.user, slug=values["site"], roles=RECORD_WRITERS)
        new = NewService(
            id=values.get("id"),
            site=site,
            kind=values["kind"],
            visit=_visit_of(site, values.get("visit")),
            code=values.get("code") or None,
            at=values.get("at"),
            drug_check=values.get("drug_check"),
            supplies=values.get("supplies") or (),
        )
        # Answered from what was written: a read after the commit could fail and turn a stored
        # service into a 500 (the tablet would then hold it as unsent).
        return create_answer(
            ServiceSerializer,
            lambda: service_create(request=new, by=request.user, role=role),
            conflicts=_conflicts_show,
        )


class ServiceDetailApi(AuthenticatedApi):
    class InputSerializer(EditInput, _ServiceFields):
        class Meta:
            ref_name = "ServiceEdit"

        kind = ChoiceField(choices=ServiceKind.choices, required=False)
        version = serializers.IntegerField(min_value=1)
        reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    @extend_schema(
        parameters=[_path_id("service_id")],
        responses={200: ServiceSerializer, **error_responses(401, 403, 404)},
        tags=["services"],
    )
    def get(self, request: AuthenticatedRequest, service_id: str) -> Response:
        service, _ = service_for_user(
            user=request.user, service_id=service_id, roles=RECORD_WRITERS
        )
        return Response(ServiceSerializer(service).data)

    @extend_schema(
        parameters=[_path_id("service_id")],
        request=InputSerializer,
        responses={200: ServiceSerializer, **error_responses(400, 401, 403, 404, 409, 412)},
        description=EDIT_AT_VERSION,
        tags=["services"],
    )
    def patch(self, request: AuthenticatedRequest, service_id: str) -> Response:
        service, role = service_for_user(
            user=request.user, service_id=service_id, roles=RECORD_WRITERS
        )
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        require_version(changes)
        if "visit" in changes:
            changes["visit"] = _visit_of(service.site, changes["visit"])
        if "code" in changes:
            changes["code"] = changes["code"] or None
        service = service_update(service=service, by=request.user, role=role, **changes)
        return Response(ServiceSerializer(service).data)


class ServiceVoidApi(AuthenticatedApi):
    @extend_schema(
        parameters=[_path_id("service_id")],
        request=VoidReasonSerializer,
        responses={200: ServiceSerializer, **error_responses(400, 401, 403, 404, 412)},
        tags=["services"],
    )
    def post(self, request: AuthenticatedRequest, service_id: str) -> Response:
        service, role = service_for_user(
            user=request.user, service_id=service_id, roles=RECORD_WRITERS
        )
        service = service_void(
            service=service, by=request.user, role=role, reason=self.void_reason(request)
        )
        return Response(ServiceSerializer(service).data)


# --- Referrals -------------------------------------------------------------------------------


class _ReferralFields(serializers.Serializer[dict[str, Any]]):
    category = ChoiceField(choices=ReferralCategory.choices)
    destination = ChoiceField(choices=Referral.Destination.choices)
    agency = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=120,
        help_text="The receiving organisation or programme; never a person's name.",
    )
    accompanied = serializers.BooleanField(help_text="Warm hand-off: a worker went along.")
    visit = serializers.UUIDField(required=False, allow_null=True)
    code = _CODE
    at = AwareDateTimeField(required=False)


class ReferralListCreateApi(AuthenticatedApi):
    pagination_class = Pagination

    class FilterSerializer(_ListFilter):
        open = serializers.BooleanField(required=False, default=False)

    class InputSerializer(_ReferralFields):
        class Meta:
            ref_name = "ReferralCreate"

        id = serializers.UUIDField(required=False)
        site = serializers.SlugField()
        status = ChoiceField(
            choices=ReferralStatus.choices,
            help_text="offered; or accepted or declined when the person answered at once.",
        )

    @extend_schema(
        parameters=[
            *_LIST_PARAMETERS,
            OpenApiParameter(
                "open", OpenApiTypes.BOOL, description="only offered or accepted, not voided"
            ),
        ],
        responses={200: ReferralSerializer(many=True), **error_responses(400, 401, 403, 404)},
        tags=["referrals"],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        values = dict(filters.validated_data)
        open_only = values.pop("open")
        scope = _list_scope(request.user, values)
        referrals = referrals_list(**scope, open_only=open_only)
        return _paginated(request, self, referrals, ReferralSerializer)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: ReferralSerializer,
            201: ReferralSerializer,
            **error_responses(400, 401, 403, 404, 409, conflict=REFERRAL_CONFLICT),
        },
        tags=["referrals"],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        values = self.valid_input(request)
        site, role = site_for(user=request.user, slug=values["site"], roles=RECORD_WRITERS)
        new = NewReferral(
            id=values.get("id"),
            site=site,
            category=values["category"],
            destination=values["destination"],
            agency=values.get("agency", ""),
            accompanied=values["accompanied"],
            status=values["status"],
            visit=_visit_of(site, values.get("visit")),
            code=values.get("code") or None,
            at=values.get("at"),
        )
        return create_answer(  # answered from what was written
            ReferralSerializer,
            lambda: referral_create(request=new, by=request.user, role=role),
            conflicts=_conflicts_show,
        )


class ReferralDetailApi(AuthenticatedApi):
    class InputSerializer(EditInput, _ReferralFields):
        class Meta:
            ref_name = "ReferralEdit"

        refused: ClassVar[dict[str, str]] = {
            "status": gettext_noop("Record a status change as a follow-up, not as an edit.")
        }

        category = ChoiceField(choices=ReferralCategory.choices, required=False)
        destination = ChoiceField(choices=Referral.Destination.choices, required=False)
        accompanied = serializers.BooleanField(required=False)
        version = serializers.IntegerField(min_value=1)
        reason = serializers.CharField(required=False, allow_blank=True, max_length=1000)

    @extend_schema(
        parameters=[_path_id("referral_id")],
        responses={200: ReferralSerializer, **error_responses(401, 403, 404)},
        tags=["referrals"],
    )
    def get(self, request: AuthenticatedRequest, referral_id: str) -> Response:
        referral, _ = referral_for_user(
            user=request.user, referral_id=referral_id, roles=RECORD_WRITERS
        )
        return Response(ReferralSerializer(referral).data)

    @extend_schema(
        parameters=[_path_id("referral_id")],
        request=InputSerializer,
        responses={200: ReferralSerializer, **error_responses(400, 401, 403, 404, 409, 412)},
        description=EDIT_AT_VERSION,
        tags=["referrals"],
    )
    def patch(self, request: AuthenticatedRequest, referral_id: str) -> Response:
        referral, role = referral_for_user(
            user=request.user, referral_id=referral_id, roles=RECORD_WRITERS
        )
        data = self.InputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        require_version(changes)
        if "visit" in changes:
            changes["visit"] = _visit_of(referral.site, changes["visit"])
        if "code" in changes:
            changes["code"] = changes["code"] or None
        referral = referral_update(referral=referral, by=request.user, role=role, **changes)
        return Response(ReferralSerializer(referral).data)


class ReferralStatusApi(AuthenticatedApi):
    """A follow-up: the referral's next status, now or at the time it happened."""

    class InputSerializer(serializers.Serializer[dict[str, Any]]):
        class Meta:
            ref_name = "ReferralStatusChange"

        id = serializers.UUIDField(required=False, help_text="client id of this status change")
        status = ChoiceField(choices=ReferralStatus.choices)
        at = AwareDateTimeField(required=False)

    @extend_schema(
        parameters=[_path_id("referral_id")],
        request=InputSerializer,
        responses={
            200: ReferralSerializer,
            **error_responses(400, 401, 403, 404, 409, conflict=REFERRAL_CONFLICT),
        },
        tags=["referrals"],
    )
    def post(self, request: AuthenticatedRequest, referral_id: str) -> Response:
        referral, role = referral_for_user(
            user=request.user, referral_id=referral_id, roles=RECORD_WRITERS
        )
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        with _conflicts_show(ReferralSerializer):
            referral, _ = referral_status_change(
                referral=referral,
                status=values["status"],
                at=values.get("at"),
                change_id=values.get("id"),
                by=request.user,
                role=role,
            )
        return Response(ReferralSerializer(referral).data)


class ReferralVoidApi(AuthenticatedApi):
    @extend_schema(
        parameters=[_path_id("referral_id")],
        request=VoidReasonSerializer,
        responses={200: ReferralSerializer, **error_responses(400, 401, 403, 404, 412)},
        tags=["referrals"],
    )
    def post(self, request: AuthenticatedRequest, referral_id: str) -> Response:
        referral, role = referral_for_user(
            user=request.user, referral_id=referral_id, roles=RECORD_WRITERS
        )
        referral = referral_void(
            referral=referral, by=request.user, role=role, reason=self.void_reason(request)
        )
        return Response(ReferralSerializer(referral).data)
