from __future__ import annotations

from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigil.accounts.access import SUPERVISORS, site_for
from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.accounts.selectors import locked_out_members, user_with_memberships
from vigil.accounts.serializers import UserSerializer
from vigil.accounts.services import lockout_lift, user_login, user_logout
from vigil.core.authentication import enforce_csrf
from vigil.core.schema import ErrorSerializer


@method_decorator(ensure_csrf_cookie, name="dispatch")
class CsrfApi(APIView):
    """Sets the csrftoken cookie every unsafe request (login included) must echo."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={204: None}, tags=["session"])
    def get(self, request: Request) -> Response:
        return Response(status=status.HTTP_204_NO_CONTENT)


class LoginApi(APIView):
    """Signs in. Like every unsafe request it needs the CSRF token (GET /auth/csrf sets it)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    class InputSerializer(serializers.Serializer[dict[str, str]]):
        username = serializers.CharField(max_length=150)
        password = serializers.CharField(max_length=256, trim_whitespace=False)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: inline_serializer("LoginOutput", {"user": UserSerializer()}),
            429: ErrorSerializer,
        },
        tags=["session"],
    )
    def post(self, request: Request) -> Response:
        enforce_csrf(request)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_login(request=request._request, **data.validated_data)
        return Response({"user": UserSerializer(user_with_memberships(user=user)).data})


class LogoutApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses={204: None}, tags=["session"])
    def post(self, request: Request) -> Response:
        user_logout(request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(AuthenticatedApi):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: UserSerializer}, tags=["session"])
    def get(self, request: AuthenticatedRequest) -> Response:
        return Response(UserSerializer(user_with_memberships(user=request.user)).data)


class LockoutListApi(AuthenticatedApi):
    """The members of a site locked out of signing in (supervisors and admins of the site)."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "LockoutList",
                {
                    "results": inline_serializer(
                        "Lockout",
                        {
                            "username": serializers.CharField(),
                            "display_name": serializers.CharField(),
                            "locked_until": serializers.DateTimeField(
                                help_text="When the lockout ends by itself."
                            ),
                        },
                        many=True,
                    )
                },
            )
        },
        tags=["session"],
    )
    def get(self, request: AuthenticatedRequest, slug: str) -> Response:
        site, _ = site_for(user=request.user, slug=slug, roles=SUPERVISORS)
        return Response({"results": locked_out_members(site=site)})


class LockoutLiftApi(AuthenticatedApi):
    """Lift a member's login lockout on every tablet (supervisors and admins of the site)."""

    @extend_schema(request=None, responses={204: None}, tags=["session"])
    def post(self, request: AuthenticatedRequest, slug: str, username: str) -> Response:
        site, _ = site_for(user=request.user, slug=slug, roles=SUPERVISORS)
        lockout_lift(site=site, username=username, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
