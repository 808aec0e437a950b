"""The production ASGI server (uvicorn, as `manage.py serve` sets it up) in a thread.

pytest-django's ``live_server`` is Django's WSGI server, which answers the
async summary stream with its polled fallback. This one is the same code
path as production: `serve`'s own ``bind`` and ``uvicorn_server``, on a free
port on loopback. It runs in the test process, in a thread with its own event
loop, like ``live_server``: a test's ``settings`` changes reach it, and it
reads the test database that pytest-django set up (the tests that use it are
transactional, so the rows a test writes are committed and visible to it).
Static files come through WhiteNoise, from the apps' folders (its finders).
"""

from __future__ import annotations

import threading

from tests.support.waiting import wait_until


class AsgiLiveServer:
    """``AsgiLiveServer().start()``; ``.url`` is ``http://127.0.0.1:PORT``."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.port = 0
        self.server = None
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def __str__(self) -> str:  # as pytest-django's live_server: f"{server}/path" works
        return self.url

    def start(self) -> AsgiLiveServer:
        from waybrief.management.commands.serve import bind, uvicorn_server

        sock = bind(self.host, 0)  # port 0: the kernel picks a free one
        self.port = sock.getsockname()[1]
        self.server = uvicorn_server(sock)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [sock]},
                                       name="asgi-live-server", daemon=True)  # fmt: skip
        self.thread.start()
        wait_until(lambda: self.server.started or not self.thread.is_alive(), timeout=30)
        if not self.server.started:
            raise RuntimeError("uvicorn did not start (its error is in the log above)")
        return self

    def stop(self) -> None:
        """Ask uvicorn to exit (open streams get its graceful 5 s), then close
        what this process holds on the test database, so it can be dropped."""
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=30)
        from django.db import connections

        from waybrief import streaming

        streaming.close_connection()  # the streams' own reading thread keeps one open
        connections.close_all()
