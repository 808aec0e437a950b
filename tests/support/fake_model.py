"""A stand-in for an OpenAI-compatible model server (llama-server's shape), on loopback.

It answers ``/props``, ``/tokenize`` and streamed ``/v1/chat/completions``,
and misbehaves when the prompt asks it to: a word ``fault-die`` in the text
makes it drop the connection mid-stream, ``fault-endless`` makes it stream
without end (ignoring ``max_tokens``), ``fault-stall`` sends three pieces and
then nothing (holding the connection open for ``stall_seconds``),
``fault-error`` answers 500, and ``fault-garbage`` sends an event that is not
JSON. Each request is logged with the ``page-N`` word of its prompt, so a test
can count model calls per page. ``prompt_seconds`` makes every answer start
only after that long, sending nothing meanwhile (a long prompt being read).
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.support.http import StandIn

PAGE = re.compile(r"page-(\d+)")
FAULT = re.compile(r"fault-(die|endless|stall|error|garbage)")


@dataclass
class FakeModel(StandIn):
    tokens: int = 8  # pieces in a normal answer
    delay: float = 0.05  # seconds between pieces
    stall_seconds: float = 60.0  # how long a stalled answer holds its connection
    prompt_seconds: float = 0.0  # silence before answering, as a server reading a long prompt
    calls: list[str] = field(default_factory=list)  # the page-N word of each request
    endless_pieces: list[int] = field(default_factory=list)  # pieces sent before a client hung up
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _handler_class(self) -> type:
        return _Handler

    def _server_class(self) -> type:
        return _Server

    @property
    def base_url(self) -> str:
        return f"{self.origin}/v1"

    def calls_for(self, page: int) -> int:
        with self.lock:
            return self.calls.count(str(page))


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        pass  # a client that hung up on purpose is no news


def _event(content: str) -> bytes:
    body = {"choices": [{"index": 0, "delta": {"content": content}}]}
    return f"data: {json.dumps(body)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    fake: FakeModel
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:
        pass

    def _json(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path == "/props":
            self._json(200, {"default_generation_settings": {"n_ctx": 4096}})
        else:
            self._json(404, {"error": "not here"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/tokenize":
            self._json(200, {"tokens": list(range(len(body.get("content", "")) // 4 + 1))})
            return
        text = " ".join(m.get("content", "") for m in body.get("messages", []))
        page = PAGE.search(text)
        fault = FAULT.search(text)
        with self.fake.lock:
            self.fake.calls.append(page.group(1) if page else "")
        kind = fault.group(1) if fault else ""
        time.sleep(self.fake.prompt_seconds)
        if kind == "error":
            self._json(500, {"error": {"message": "model crashed"}})
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        with contextlib.suppress(OSError):  # the client hung up (a killed worker, a cap)
            self._stream(kind)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, kind: str) -> None:
        sent = 0
        while kind == "endless" or sent < self.fake.tokens:
            if kind == "die" and sent == 3:
                # mid-stream, no end of the chunked body: as a crashed server would
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if kind == "stall" and sent == 3:
                time.sleep(self.fake.stall_seconds)
                return
            if kind == "garbage" and sent == 3:
                self._chunk(b"data: {not json\n\n")
            try:
                self._chunk(_event(f"word{sent} "))
            except OSError:
                if kind == "endless":
                    with self.fake.lock:
                        self.fake.endless_pieces.append(sent)
                raise
            sent += 1
            time.sleep(self.fake.delay)
        usage = {"prompt_tokens": 100, "completion_tokens": sent}
        self._chunk(f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n".encode())
        self._chunk(b"data: [DONE]\n\n")
        self._chunk(b"")
