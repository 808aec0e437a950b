"""A small httpx client for the Wayback Machine endpoints the archiver uses.

Why not waybackpy: version 3.0.6 hard-codes ``https://web.archive.org`` (and
``archive.org`` for availability) in its API classes and in the archive URLs
it builds, retries with blocking sleeps of its own, and has neither SPN2 job
polling nor ``Authorization: LOW`` saves. The archiver needs a configurable
``WAYBACK_URL`` (a local stand-in in tests), every error surfaced at once to
the shared rate limiter and circuit breaker, and non-blocking waits, so this
module speaks the same four endpoints directly. It keeps no state besides a
connection pool and makes exactly one HTTP request per call.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import httpx
from django.conf import settings

from waybrief.fetching import retry_after

from .errors import (
    Blocked,
    CaptureError,
    JobNotFound,
    RateLimited,
    Refused,
    Unauthorized,
    Unavailable,
)
from .urls import Snapshot, capture_url, parse_capture_url, raw_url


@dataclass(frozen=True)
class Saved:
    """What SPN2 said to a save: a job to poll, or (``job_id`` empty) that it
    made no new capture because one from ``recent_seconds`` ago stands.

    SPN2 answers ``{"job_id": null, "message": "The same snapshot had been
    made 4 minutes and 18 seconds ago. ..."}`` for a URL it captured shortly
    before (within ``if_not_archived_within``, or its own window): that
    capture is the answer, to be found in CDX, not a lost request.
    """

    job_id: str = ""
    recent_seconds: float | None = None
    message: str = ""


_SAME_SNAPSHOT = re.compile(r"same snapshot had been made (?P<ago>.*?) ago", re.IGNORECASE)
_AGO_PART = re.compile(r"(\d+)\s*(day|hour|minute|second)s?", re.IGNORECASE)
_UNIT_SECONDS = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}


def same_snapshot_age(message: str) -> float | None:
    """Seconds since the capture a "same snapshot" message names; None when
    ``message`` is not one ("1 minutes and 5 seconds", "17 hours, 38 minutes")."""
    found = _SAME_SNAPSHOT.search(message or "")
    if found is None:
        return None
    parts = _AGO_PART.findall(found.group("ago"))
    return float(sum(int(n) * _UNIT_SECONDS[unit.lower()] for n, unit in parts))


@dataclass(frozen=True)
class JobStatus:
    """What ``GET /save/status/{job_id}`` says about an SPN2 job."""

    status: str  # pending | success | error
    timestamp: str = ""
    original_url: str = ""


# Errors after the request may have reached the server: a save might exist.
_MAYBE_SENT = (
    httpx.ReadTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.RemoteProtocolError,
)


class WaybackClient:
    """SPN2 saves and status polls, availability and CDX look-ups under one base URL."""

    def __init__(
        self,
        *,
        base_url: str,
        access_key: str = "",
        secret_key: str = "",
        http: httpx.Client | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.has_keys = bool(access_key and secret_key)
        self._auth = f"LOW {access_key}:{secret_key}" if self.has_keys else ""
        self._http = http or httpx.Client(timeout=timeout)
        self._timeout = timeout

    @classmethod
    def from_settings(cls) -> WaybackClient:
        return cls(
            base_url=settings.WAYBACK_URL,
            access_key=settings.WAYBACK_ACCESS_KEY,
            secret_key=settings.WAYBACK_SECRET_KEY,
            http=_process_http_client(),
            timeout=settings.WAYBACK_TIMEOUT_SECONDS,
        )

    def wayback_url(self, timestamp: str, original: str) -> str:
        return capture_url(timestamp, original, base_url=self.base_url)

    # --- SPN2 -------------------------------------------------------------
    def save(self, url: str, *, if_not_archived_within: int = 0) -> Saved:
        """Ask SPN2 to capture ``url``: its job, or the recent capture that stands.

        Raises ``Unavailable`` with ``maybe_sent`` when the request may have
        reached the Archive although no answer came back.
        """
        form = {"url": url, "skip_first_archive": "1"}
        if if_not_archived_within:
            form["if_not_archived_within"] = str(if_not_archived_within)
        headers = {"Authorization": self._auth} if self._auth else {}
        data = self._json("POST", "/save", data=form, headers=headers, may_create=True)
        if data.get("status") == "error":
            raise CaptureError(str(data.get("status_ext", "")), str(data.get("message", "")))
        if not data.get("job_id"):
            message = str(data.get("message", ""))
            ago = same_snapshot_age(message)
            if ago is not None:
                return Saved(recent_seconds=ago, message=message)
            raise Unavailable(f"SPN2 answered without a job id: {str(data)[:200]}", maybe_sent=True)
        return Saved(job_id=str(data["job_id"]))

    def status(self, job_id: str) -> JobStatus:
        data = self._json("GET", f"/save/status/{job_id}")
        status = str(data.get("status", ""))
        if status == "error":
            ext, message = str(data.get("status_ext", "")), str(data.get("message", ""))
            if "not found" in message.lower() and not ext:
                raise JobNotFound(message)
            raise CaptureError(ext, message)
        if status not in {"pending", "success"}:
            raise Unavailable(f"unexpected job status {status!r}")
        return JobStatus(
            status=status,
            timestamp=str(data.get("timestamp", "")),
            original_url=str(data.get("original_url", "")),
        )

    # --- look-ups -----------------------------------------------------------
    def available(self, url: str) -> Snapshot | None:
        """The most recent good capture the availability API knows, if any: one
        that replays the page (status 200), not a redirect or an error page."""
        data = self._json("GET", "/wayback/available", params={"url": url})
        closest = (data.get("archived_snapshots") or {}).get("closest") or {}
        if not closest.get("available") or str(closest.get("status", "200")) != "200":
            return None
        timestamp = str(closest.get("timestamp", ""))
        return Snapshot(timestamp, url, self.wayback_url(timestamp, url)) if timestamp else None

    def cdx_page(self, params: list[tuple[str, str]]) -> tuple[list[dict[str, str]], str]:
        """One page of a CDX query (``params`` may repeat ``filter``): its rows
        as dicts keyed by the header row, and the resume key ("" at the end)."""
        rows = self._json("GET", "/cdx/search/cdx", params=[("output", "json"), *params])
        if not rows:
            return [], ""
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise Unavailable(f"CDX answered something that is not a table: {str(rows)[:200]}")
        header, body, key = rows[0], rows[1:], ""
        if [] in body:  # showResumeKey: an empty row, then a row holding the key
            at = body.index([])
            key = str(body[at + 1][0]) if len(body) > at + 1 and body[at + 1] else ""
            body = body[:at]
        return [dict(zip(header, row, strict=False)) for row in body], key

    def redirect_target(self, timestamp: str, original: str) -> str | None:
        """Where a capture of a redirect points, as the Archive replays it raw
        (``Location: /web/{ts}id_/{target}``); None when it replays no redirect."""
        url = raw_url(timestamp, original, base_url=self.base_url)
        headers = {"User-Agent": settings.FETCH_USER_AGENT}
        try:
            response = self._http.get(url, headers=headers, timeout=self._timeout)
        except httpx.HTTPError as exc:
            raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
        if response.status_code == 403 or response.status_code >= 500:
            _raise_for_status(response, may_create=False)
        location = response.headers.get("Location", "")
        if not 300 <= response.status_code < 400 or not location:
            return None
        found = parse_capture_url(location)
        return found[1] if found else location

    def probe(self) -> None:
        """One cheap request that raises ``Unavailable`` while the Archive is down."""
        self._json("GET", "/wayback/available", params={"url": "example.com"})

    # --- plumbing -------------------------------------------------------------
    def _json(self, method: str, path: str, *, may_create: bool = False, **kwargs):
        headers = {"Accept": "application/json", "User-Agent": settings.FETCH_USER_AGENT}
        headers.update(kwargs.pop("headers", {}))
        try:
            response = self._http.request(
                method, self.base_url + path, headers=headers, timeout=self._timeout, **kwargs
            )
        except _MAYBE_SENT as exc:
            raise Unavailable(f"{type(exc).__name__}: {exc}", maybe_sent=may_create) from exc
        except httpx.HTTPError as exc:
            raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
        _raise_for_status(response, may_create=may_create)
        try:
            return response.json()
        except ValueError as exc:
            raise Unavailable(
                f"HTTP {response.status_code} that is not JSON: {response.text[:200]!r}",
                maybe_sent=may_create,
            ) from exc


def _raise_for_status(response: httpx.Response, *, may_create: bool) -> None:
    code = response.status_code
    if code < 400:
        return
    text = f"HTTP {code}: {response.text[:200]}".strip()
    if code == 429:
        raise RateLimited(text, retry_after=retry_after(response.headers.get("Retry-After")))
    if code == 401:
        raise Unauthorized(text)
    if code == 403 and _blocked_site(response):
        raise Blocked()
    if code == 404 and "/save/status/" in str(response.request.url):
        raise JobNotFound(text)
    if code >= 500 or code == 408:
        # A gateway that timed out may have passed the save on before it did.
        raise Unavailable(text, maybe_sent=may_create and code in (502, 504))
    raise Refused(text)


def _blocked_site(response: httpx.Response) -> bool:
    """The Archive's 403 for an excluded site: ``AdministrativeAccessControlException:
    Blocked Site Error`` in its body and ``X-Archive-Wayback-Runtime-Error`` header."""
    said = response.headers.get("X-Archive-Wayback-Runtime-Error", "") + response.text[:2000]
    return "Blocked Site Error" in said or "AdministrativeAccessControlException" in said


_clients: dict[int, httpx.Client] = {}


def _process_http_client() -> httpx.Client:
    """One connection pool per process: a pool made before a fork is not shared."""
    pid = os.getpid()
    if pid not in _clients:
        _clients[pid] = httpx.Client(timeout=settings.WAYBACK_TIMEOUT_SECONDS)
    return _clients[pid]
