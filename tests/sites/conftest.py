"""Stand-in blogs on loopback and the Wayback stand-in their CDX reads go to."""

from tests.support.blog_fixtures import allow_loopback, server, wayback  # noqa: F401
