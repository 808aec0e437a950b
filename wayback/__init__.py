"""The only code that knows the Wayback Machine.

SPN2 saves and their status, availability and CDX look-ups (with paging and
resume keys), the URL forms of captures and their raw ``id_`` copies, the
Archive's errors, and the limiter and breaker every process shares in front
of it. The archiver, the crawler's ``wayback`` adapter and the summarizer's
archived source all come through here; nothing here knows about them.
"""

from .client import JobStatus, Saved, WaybackClient
from .errors import (
    Blocked,
    CaptureError,
    JobNotFound,
    RateLimited,
    Refused,
    Unauthorized,
    Unavailable,
    WaybackError,
)
from .urls import Snapshot, capture_url, raw_url, wayback_timestamp

__all__ = [
    "Blocked",
    "CaptureError",
    "JobNotFound",
    "JobStatus",
    "RateLimited",
    "Refused",
    "Saved",
    "Snapshot",
    "Unauthorized",
    "Unavailable",
    "WaybackClient",
    "WaybackError",
    "capture_url",
    "raw_url",
    "wayback_timestamp",
]
