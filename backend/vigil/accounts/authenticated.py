"""The base of every API class for logged-in users: its handlers get a request whose user is a
`User`, checked once, instead of each handler asserting it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from vigil.accounts.models import User
from vigil.core.serializers import VoidReasonSerializer

if TYPE_CHECKING:

    class AuthenticatedRequest(Request):
        """A request of a logged-in staff account (DRF builds a plain Request at run time)."""

        @property
        def user(self) -> User: ...

        @user.setter
        def user(self, value: Any) -> None: ...

else:
    AuthenticatedRequest = Request


# An API class for logged-in users (401 otherwise): handlers take an AuthenticatedRequest.
# A comment, not a docstring: the schema would show a base class's docstring on every operation.
class AuthenticatedApi(APIView):
    permission_classes = [IsAuthenticated]
    # The body a write takes, where the class declares one (see `valid_input`).
    InputSerializer: type[Serializer[Any]]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not isinstance(request.user, User):
            raise NotAuthenticated()

    def valid_input(
        self, request: Request, serializer_class: type[Serializer[Any]] | None = None
    ) -> dict[str, Any]:
        """The request's body checked by `serializer_class` (the class's InputSerializer by
        default): its validated values, or 400 naming each field to fix."""
        checked = (serializer_class or self.InputSerializer)(data=request.data)
        checked.is_valid(raise_exception=True)
        return dict(checked.validated_data)

    def void_reason(self, request: Request) -> str:
        """The reason a void request gives (400 when it gives none)."""
        reason: str = self.valid_input(request, VoidReasonSerializer)["reason"]
        return reason
