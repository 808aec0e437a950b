"""Per-token limits, read from settings at request time (tests can change them)."""

from django.conf import settings
from rest_framework.throttling import UserRateThrottle

from waybrief import throttle


class TokenRateThrottle(UserRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return settings.API_RATE

    def get_ident(self, request) -> str:
        """A request without a token is counted by the address the site's one
        reading of X-Forwarded-For gives (DRF's own takes the forged left end)."""
        return throttle.client_key(request)
