"""Per-token limits, read from settings at request time (tests can change them)."""

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class TokenRateThrottle(UserRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return settings.API_RATE
