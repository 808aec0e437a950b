"""Token authentication, hashed at rest (knox), under both header prefixes.

``Authorization: Token …`` for /api/v1/ and ``Authorization: Bot …`` for
/api/v0/ (what Kagi's clients send): the same token serves both.
"""

from knox.auth import TokenAuthentication


class BotTokenAuthentication(TokenAuthentication):
    def authenticate_header(self, request) -> str:
        return "Bot"
