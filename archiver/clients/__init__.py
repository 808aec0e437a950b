"""Clients for the services the archiver talks to: the Wayback Machine."""

from .errors import (
    CaptureError,
    JobNotFound,
    RateLimited,
    Refused,
    Unauthorized,
    Unavailable,
    WaybackError,
)
from .wayback import JobStatus, Snapshot, WaybackClient, wayback_timestamp

__all__ = [
    "CaptureError",
    "JobNotFound",
    "JobStatus",
    "RateLimited",
    "Refused",
    "Snapshot",
    "Unauthorized",
    "Unavailable",
    "WaybackClient",
    "WaybackError",
    "wayback_timestamp",
]
