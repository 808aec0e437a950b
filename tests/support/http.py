"""A local HTTP server for tests: routes in a dict, every request counted.

Fixtures for sites that cannot run here (blogs, the Wayback Machine) are
built on it, always bound to loopback.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes | Callable[[], Iterator[bytes]] = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Reply | Callable[["Request"], Reply]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes


class LocalServer:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self._server = ThreadingHTTPServer((host, 0), self._handler())
        self._server.daemon_threads = True
        self.host = host
        self.port = self._server.server_address[1]

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, reply: Route) -> str:
        self.routes[path] = reply
        return self.url(path)

    def start(self) -> LocalServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output readable
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                request = Request(self.path, dict(self.headers), self.rfile.read(length))
                server.hits[self.path] += 1
                server.requests.append(request)
                route = server.routes.get(self.path) or server.routes.get(self.path.split("?")[0])
                reply = route(request) if callable(route) else route
                reply = reply or Reply(404, b"not found")
                self.send_response(reply.status)
                streamed = callable(reply.body)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if streamed:
                    self.send_header("Connection", "close")
                else:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                try:
                    if streamed:
                        for chunk in reply.body():
                            self.wfile.write(chunk)
                            self.wfile.flush()
                    else:
                        self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as the caps tell it to

            do_GET = do_POST = do_HEAD = _serve

        return Handler


class StandIn:
    """Start, stop and address for a stand-in whose request handler reads ``fake``.

    Subclasses name their handler and server classes; the handler gets the
    stand-in as its ``fake`` attribute, so its state lives on one object.
    """

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def _server_class(self) -> type[ThreadingHTTPServer]:
        return ThreadingHTTPServer

    def start(self):
        handler = type("Handler", (self._handler_class(),), {"fake": self})
        self._server = self._server_class()(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"
