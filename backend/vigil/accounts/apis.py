from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from vigil.accounts.authenticated import AuthenticatedApi, AuthenticatedRequest
from vigil.accounts.selectors import user_with_memberships
from vigil.accounts.serializers import UserSerializer
from vigil.accounts.services import user_login, user_logout
from vigil.core.schema import ErrorSerializer


class LoginApi(APIView):
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
