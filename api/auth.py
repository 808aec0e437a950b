"""Token authentication, hashed at rest (knox), under both header prefixes.

``Authorization: Token …`` for /api/v1/ and ``Authorization: Bot …`` for
/api/v0/ (what Kagi's clients send): the same token serves both. A client
revokes its own token with ``DELETE /api/v1/tokens/current``.
"""

from django.contrib.auth.signals import user_logged_out
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from knox.models import AuthToken
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class BotTokenAuthentication(TokenAuthentication):
    def authenticate_header(self, request) -> str:
        return "Bot"


class BotTokenScheme(OpenApiAuthenticationExtension):
    """Documents the ``Bot`` header in the OpenAPI schema."""

    target_class = "api.auth.BotTokenAuthentication"
    name = "botToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Bot <token>`: the same token as `Token <token>` on /api/v1/",
        }


class CurrentTokenView(APIView):
    """``DELETE /api/v1/tokens/current``: revoke the token this request carries.

    A client that leaked its token, or is done with it, needs no admin to end
    it; other tokens of the same user keep working.
    """

    authentication_classes = [TokenAuthentication, BotTokenAuthentication]

    @extend_schema(
        summary="Revoke the token this request was sent with",
        request=None,
        responses={204: OpenApiResponse(description="Revoked: it no longer authenticates.")},
    )
    def delete(self, request: Request) -> Response:
        if not isinstance(request.auth, AuthToken):
            raise NotAuthenticated("Send the token to revoke in the Authorization header.")
        request.auth.delete()
        user_logged_out.send(sender=request.user.__class__, request=request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
