"""A local stand-in for the Wayback Machine, on 127.0.0.1, for tests and the bench.

It speaks what the archiver uses: SPN2 ``POST /save`` and
``GET /save/status/{job}``, ``GET /wayback/available`` and the CDX API, and
it can misbehave on purpose: a per-window save limit answered with 429 and
``Retry-After``, a cap on jobs in flight, an outage (503 everywhere), keys
required (401), slow answers, and ``status: error`` on a save or a job.
It also replays what the real Archive was recorded answering
(``tests/support/recorded/``): CDX rows as the index holds them (revisits,
``unk`` redirects, 404s: ``add_rows``), SPN2 bodies (``save_answers``), the
403 of an excluded site (``blocked``), ``id_`` requests redirected to the
nearest capture, and raw copies of redirect captures (``redirects``).
Every request is logged with its arrival time so tests can check the limits.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from tests.support import cdx
from tests.support.http import StandIn

RECORDED = Path(__file__).parent / "recorded"


def recorded(name: str) -> str:
    """A recorded answer's text (``tests/support/recorded/{name}``)."""
    return (RECORDED / name).read_text(encoding="utf-8")


def recorded_body(name: str) -> str:
    """A recorded answer without the notes (``#`` lines) naming its source."""
    lines = recorded(name).splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("#"))


def ts14(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y%m%d%H%M%S")


@dataclass
class Job:
    url: str
    done_at: float
    error: str = ""
    recorded: bool = False


@dataclass
class Arrival:
    at: float
    method: str
    path: str
    url: str
    status: int


@dataclass
class FakeWayback(StandIn):
    """The server's behaviour; change the fields while it runs (under ``lock``)."""

    save_limit: int | None = None  # accepted saves per ``window`` seconds
    window: float = 60.0
    retry_after: str = "1"
    max_active: int | None = None
    keys: str | None = None  # "key:secret": saves need "Authorization: LOW key:secret"
    job_seconds: float = 0.05
    save_delay: float = 0.0
    outage_until: float = 0.0
    save_errors: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    job_errors: dict[str, list[str]] = field(default_factory=dict)
    captures: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, tuple[str, str]] = field(default_factory=dict)  # url: (mimetype, status)
    bodies: dict[str, bytes] = field(default_factory=dict)  # url: what its id_ copies hold
    raw_types: dict[str, str] = field(default_factory=dict)  # url: Content-Type of its copies
    rows: list[cdx.Row] = field(default_factory=list)  # recorded index rows, served as they are
    save_answers: dict[str, list[dict]] = field(default_factory=dict)  # url: SPN2 bodies to give
    blocked: set[str] = field(default_factory=set)  # hosts the Archive excludes (403)
    redirects: dict[str, str] = field(default_factory=dict)  # url of a 3xx capture: its target
    replay_redirects: dict[tuple[str, str], str] = field(default_factory=dict)  # (ts, url): ts
    cdx_page_size: int = 1000  # the most rows one CDX answer holds
    jobs: dict[str, Job] = field(default_factory=dict)
    log: list[Arrival] = field(default_factory=list)
    raw_log: list[Arrival] = field(default_factory=list)  # path with its query string
    save_arrived: threading.Event = field(default_factory=threading.Event)
    lock: threading.RLock = field(default_factory=threading.RLock)

    # --- running ------------------------------------------------------------
    def _handler_class(self) -> type:
        return _Handler

    def _server_class(self) -> type:
        return _Server

    @property
    def base_url(self) -> str:
        return self.origin

    # --- set-up and inspection ------------------------------------------------
    def add_capture(self, url: str, when: float) -> str:
        with self.lock:
            self.captures.setdefault(url, []).append(ts14(when))
            self.captures[url].sort()
            return self.captures[url][-1]

    def add_page(self, url: str, when: float, body: bytes, *, kind=("text/html", "200")) -> str:
        """A capture with raw bytes (``/web/{ts}id_/{url}``) and its CDX kind."""
        with self.lock:
            self.bodies[url] = body
            self.kinds[url] = kind
            return self.add_capture(url, when)

    def add_rows(self, rows: list[cdx.Row]) -> None:
        """Index rows as recorded from the real Archive (``cdx.parse_recorded``)."""
        with self.lock:
            self.rows.extend(rows)

    def cdx_requests(self) -> list[Arrival]:
        with self.lock:
            return [a for a in self.log if a.path == "/cdx/search/cdx"]

    def requests_to(self, path: str) -> list[Arrival]:
        """Arrivals at ``path``, each with its whole request line in ``path``."""
        with self.lock:
            return [a for a in self.raw_log if urlsplit(a.path).path == path]

    def outage(self, seconds: float) -> None:
        self.outage_until = time.time() + seconds

    def saves(self, url: str | None = None) -> list[Arrival]:
        with self.lock:
            return [a for a in self.log if a.path == "/save" and url in (None, a.url)]

    def max_saves_in_window(self, window: float) -> int:
        """The most save requests that arrived within any ``window`` seconds."""
        times = sorted(a.at for a in self.saves())
        best, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= window:
                start += 1
            best = max(best, end - start + 1)
        return best

    # --- behaviour --------------------------------------------------------------
    def _finish_jobs(self, now: float) -> None:
        for job in self.jobs.values():
            if not job.recorded and not job.error and now >= job.done_at:
                job.recorded = True
                self.captures.setdefault(job.url, []).append(ts14(job.done_at))
                self.captures[job.url].sort()

    def _save(self, url: str, auth: str, now: float) -> tuple[int, dict, dict]:
        if self.keys is not None and auth != f"LOW {self.keys}":
            return 401, {"message": "You need to be logged in to use Save Page Now."}, {}
        if self.save_limit is not None:
            recent = [a for a in self.saves() if a.status == 200 and now - a.at < self.window]
            if len(recent) >= self.save_limit:
                return 429, {"message": "Too Many Requests"}, {"Retry-After": self.retry_after}
        if self.save_answers.get(url):
            return 200, self.save_answers[url].pop(0), {}
        if self.save_errors.get(url):
            ext, message = self.save_errors[url].pop(0)
            return 200, {"status": "error", "status_ext": ext, "message": message}, {}
        active = [j for j in self.jobs.values() if now < j.done_at]
        if self.max_active is not None and len(active) >= self.max_active:
            body = {
                "status": "error",
                "status_ext": "error:user-session-limit",
                "message": "You have already reached the limit of active sessions.",
            }
            return 200, body, {}
        job_id = "spn2-" + uuid.uuid4().hex
        error = self.job_errors[url].pop(0) if self.job_errors.get(url) else ""
        self.jobs[job_id] = Job(url, now + self.job_seconds, error)
        self.save_arrived.set()
        return 200, {"url": url, "job_id": job_id}, {}

    def _status(self, job_id: str, now: float) -> tuple[int, dict, dict]:
        job = self.jobs.get(job_id)
        if job is None:
            return 200, {"status": "error", "message": "Job not found"}, {}
        if now < job.done_at:
            return 200, {"status": "pending", "job_id": job_id, "resources": []}, {}
        if job.error:
            body = {
                "status": "error",
                "status_ext": job.error,
                "job_id": job_id,
                "message": f"Capture failed: {job.error}",
            }
            return 200, body, {}
        stamp = ts14(job.done_at)
        return (
            200,
            {
                "status": "success",
                "job_id": job_id,
                "original_url": job.url,
                "timestamp": stamp,
                "duration_sec": self.job_seconds,
            },
            {},
        )

    def _available(self, url: str) -> tuple[int, dict, dict]:
        stamps = self.captures.get(url, [])
        if not stamps:
            return 200, {"url": url, "archived_snapshots": {}}, {}
        closest = {
            "status": self.kinds.get(url, ("text/html", "200"))[1],
            "available": True,
            "timestamp": stamps[-1],
            "url": f"{self.base_url}/web/{stamps[-1]}/{url}",
        }
        return 200, {"url": url, "archived_snapshots": {"closest": closest}}, {}

    def _cdx(self, query: dict[str, str], filters: list[str]) -> tuple[int, object, dict]:
        if self._is_blocked(query.get("url", "")):
            return self._blocked_answer()
        size = sum(len(stamps) for stamps in self.captures.values()) + len(self.rows)
        if getattr(self, "_rows_for", None) != size:  # rebuilt only when captures change
            own = [
                cdx.Row(cdx.urlkey(url), stamp, url, *self._kind(url, stamp))
                for url, stamps in self.captures.items()
                for stamp in stamps
            ]
            self._rows = sorted(own + self.rows)
            self._rows_for = size
        return 200, cdx.answer(self._rows, query, filters, self.cdx_page_size), {}

    def _kind(self, url: str, stamp: str) -> tuple[str, str, str]:
        mimetype, status = self.kinds.get(url, ("text/html", "200"))
        return mimetype, status, "-" if mimetype == "warc/revisit" else f"SHA1{stamp}"

    def _is_blocked(self, url: str) -> bool:
        host = cdx.urlkey(url).partition("/")[0].partition(":")[0]
        return any(host == h or host.endswith("." + h) for h in self.blocked)

    def _blocked_answer(self) -> tuple[int, bytes, dict]:
        """The CDX server's 403 for an excluded site, as recorded."""
        body = recorded_body("cdx/blocked-site-403.txt").strip()
        headers = {"Content-Type": "text/plain;charset=UTF-8",
                   "X-Archive-Wayback-Runtime-Error": body}  # fmt: skip
        return 403, body.encode(), headers

    def _raw(self, path: str) -> tuple[int, bytes, dict]:
        stamp, _, url = path.removeprefix("/web/").partition("id_/")
        if self._is_blocked(url):
            return self._blocked_answer()
        stamps = self.captures.get(url, [])
        nearest = self.replay_redirects.get((stamp, url))
        playable = set(stamps) | {to for (_, at), to in self.replay_redirects.items() if at == url}
        if nearest is None and stamps and stamp not in playable:
            nearest = min(stamps, key=lambda s: abs(_seconds(s) - _seconds(stamp)))
        if nearest is not None and nearest != stamp:
            # The Archive's own answer to an id_ request between captures (recorded).
            headers = {"Location": f"{self.base_url}/web/{nearest}id_/{url}",
                       "X-Archive-Redirect-Reason": f"found capture at {nearest}",
                       "Content-Type": "text/plain; charset=utf-8"}  # fmt: skip
            return 302, b"", headers
        if stamps and url in self.redirects:  # a capture of a redirect replays as one
            status = int(self.kinds.get(url, ("unk", "301"))[1])
            location = f"{self.base_url}/web/{stamp}id_/{self.redirects[url]}"
            return status, b"", {"Location": location, "Content-Type": "text/html"}
        if not stamps or url not in self.bodies:
            return 404, b"not in the archive", {"Content-Type": "text/plain"}
        content_type = self.raw_types.get(url, "text/html; charset=utf-8")
        return 200, self.bodies[url], {"Content-Type": content_type}

    def answer(
        self,
        method: str,
        path: str,
        query: dict,
        form: dict,
        auth: str,
        filters=(),
        raw_path: str = "",
    ):
        now = time.time()
        with self.lock:
            self._finish_jobs(now)
            url = form.get("url", "") or query.get("url", "")
            if now < self.outage_until:
                result = (503, {"message": "Service Unavailable"}, {})
            elif method == "POST" and path == "/save":
                result = self._save(url, auth, now)
            elif path.startswith("/save/status/"):
                result = self._status(path.rsplit("/", 1)[1], now)
            elif path == "/wayback/available":
                result = self._available(url)
            elif path == "/cdx/search/cdx":
                result = self._cdx(query, list(filters))
            elif path.startswith("/web/") and "id_/" in path:
                result = self._raw(path)
            else:
                result = (404, {"message": "not here"}, {})
            self.log.append(Arrival(now, method, path, url, result[0]))
            if raw_path:
                self.raw_log.append(Arrival(now, method, raw_path, url, result[0]))
        return result


def _seconds(stamp: str) -> float:
    """A (maybe shortened) timestamp as seconds, for "the nearest capture"."""
    stamp = stamp[:14]
    padded = stamp + "00000101000000"[len(stamp) :]
    try:
        return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC).timestamp()
    except ValueError:
        return 0.0


class _Server(ThreadingHTTPServer):
    # socketserver's default backlog of 5 drops connections from a dozen
    # busy workers; a real front end queues them.
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    fake: FakeWayback
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # keep test output quiet
        pass

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        params = parse_qs(parts.query)
        query = {k: v[-1] for k, v in params.items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        form = {k: v[-1] for k, v in parse_qs(body).items()}
        auth = self.headers.get("Authorization", "")
        status, payload, headers = self.fake.answer(
            method,
            self.path if self.path.startswith("/web/") else parts.path,
            query,
            form,
            auth,
            params.get("filter", []),
            self.path,
        )
        if method == "POST" and parts.path == "/save" and self.fake.save_delay:
            time.sleep(self.fake.save_delay)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        try:
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            pass  # the client went away (a killed worker)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")
