"""Every way a fetch can be refused, each with a message a user understands."""

from __future__ import annotations


class FetchError(Exception):
    """Base of all refusals; ``code`` is stable for APIs, ``str()`` is for people."""

    code = "fetch_failed"
    http_status = 502

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url


class InvalidURL(FetchError):
    code = "invalid_url"
    http_status = 400


class BlockedAddress(FetchError):
    code = "blocked_address"
    http_status = 403


class TooLarge(FetchError):
    code = "too_large"
    http_status = 413


class TooSlow(FetchError):
    code = "timeout"
    http_status = 504


class NotText(FetchError):
    code = "not_text"
    http_status = 415


class TooManyRedirects(FetchError):
    code = "too_many_redirects"
    http_status = 502


class UpstreamError(FetchError):
    """The site answered, but with an error status."""

    code = "upstream_error"

    def __init__(self, message: str, *, url: str | None = None, status: int = 0) -> None:
        super().__init__(message, url=url)
        self.status = status


class Unreachable(FetchError):
    code = "unreachable"


class Dropped(Unreachable):
    """The connection failed or broke off mid-answer: asking again may work
    (a name that does not resolve is plain ``Unreachable``: it would not)."""
