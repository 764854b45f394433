"""The base of every API class for logged-in users: its handlers get a request whose user is a
`User`, checked once, instead of each handler asserting it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from vigil.accounts.models import User

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

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if not isinstance(request.user, User):
            raise NotAuthenticated()
