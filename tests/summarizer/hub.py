"""A stand-in Hugging Face Hub on loopback: what ``hf_hub_download`` asks of it.

``HEAD /{repo}/resolve/{revision}/{filename}`` answers the file's metadata
(X-Repo-Commit, an LFS ETag that is the file's SHA-256, its size) and
``GET`` the same path its bytes, from a ``Range`` offset when asked: after a
dropped connection, huggingface_hub resumes where the bytes stopped.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class StandInHub:
    files: dict[str, bytes]  # "{repo}/{filename}" → content
    corrupt: bool = False  # serve other bytes than the ETag promises
    drop_after: int = 0  # the first GET hangs up after this many bytes (a dropped line)
    requests: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, range)

    def start(self) -> StandInHub:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _file(self) -> tuple[str, bytes] | None:
                hub.requests.append((self.command, self.path, self.headers.get("Range", "")))
                repo_and_rest = self.path.split("?")[0].lstrip("/")
                if "/resolve/" not in repo_and_rest:
                    return None
                repo, rest = repo_and_rest.split("/resolve/", 1)
                filename = rest.split("/", 1)[1]
                content = hub.files.get(f"{repo}/{filename}")
                return None if content is None else (hashlib.sha256(content).hexdigest(), content)

            def _headers(self, etag: str, size: int) -> None:
                self.send_header("X-Repo-Commit", COMMIT)
                self.send_header("ETag", f'"{etag}"')
                self.send_header("X-Linked-Etag", f'"{etag}"')
                self.send_header("X-Linked-Size", str(size))
                self.send_header("Accept-Ranges", "bytes")

            def do_HEAD(self) -> None:
                found = self._file()
                if found is None:
                    self._missing()
                    return
                etag, content = found
                self.send_response(200)
                self._headers(etag, len(content))
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()

            def do_GET(self) -> None:
                found = self._file()
                if found is None:
                    self._missing()
                    return
                etag, content = found
                if hub.corrupt:
                    content = bytes(reversed(content))
                start = 0
                if (asked := self.headers.get("Range", "")).startswith("bytes="):
                    start = int(asked[6:].split("-")[0] or 0)
                body = content[start:]
                self.send_response(206 if start else 200)
                self._headers(etag, len(content))
                if start:
                    end = len(content) - 1
                    self.send_header("Content-Range", f"bytes {start}-{end}/{len(content)}")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if hub.drop_after and not start:
                    self.wfile.write(body[: hub.drop_after])
                    self.wfile.flush()
                    hub.drop_after = 0
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.wfile.write(body)

            def _missing(self) -> None:
                self.send_response(404)
                self.send_header("X-Error-Code", "EntryNotFound")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
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
