"""Token authentication, hashed at rest (knox), under both header prefixes.

``Authorization: Token …`` for /api/v1/ and ``Authorization: Bot …`` for
/api/v0/ (what Kagi's clients send): the same token serves both.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from knox.auth import TokenAuthentication


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
