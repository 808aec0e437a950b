"""`manage.py serve` on the embedded default: the ASGI server and its supervised workers."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.documents import ARTICLE
from tests.support.fake_model import FakeModel
from tests.support.http import LocalServer, Reply
from tests.support.processes import free_port
from tests.support.waiting import ROOT, wait_until

pytestmark = pytest.mark.integration
MANAGE = [sys.executable, "manage.py"]


@pytest.fixture
def embedded_env(tmp_path) -> dict[str, str]:
    """No DATABASE_URL or broker: SQLite and the file-system broker in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(WAYBRIEF_DATA_DIR=str(tmp_path), RECONCILE_INTERVAL_SECONDS="1",
               PYTHONPATH=str(ROOT), SERVE_WORKER_CONCURRENCY="1")  # fmt: skip
    subprocess.run([*MANAGE, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    return env


@contextmanager
def serving(env: dict[str, str], log: Path, *args: str, port: int | None = None):
    """`serve` on a free port until the block ends (SIGTERM), answering /healthz."""
    port = port or free_port()
    with log.open("wb") as out:
        server = subprocess.Popen([*MANAGE, "serve", f"127.0.0.1:{port}", *args], cwd=ROOT,
                                  env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(base) or server.poll() is not None, timeout=60)
        assert server.poll() is None, log.read_text()[-3000:]
        server.base = base
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            raise


def _answers(base: str) -> bool:
    try:
        return httpx.get(f"{base}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def celery_processes(data_dir: Path) -> list[int]:
    """Celery processes still running with this test's data dir in their environment."""
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"celery" in cmdline and f"WAYBRIEF_DATA_DIR={data_dir}\0".encode() in environ:
            alive.append(int(pid))
    return alive


def test_a_taken_port_fails_clearly_and_leaves_no_worker(embedded_env, tmp_path):
    """GIVEN a port another program listens on WHEN `serve` is started there
    THEN it exits non-zero at once, says why, and no worker runs afterwards."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([*MANAGE, "serve", f"127.0.0.1:{port}"], cwd=ROOT,
                                env=embedded_env, capture_output=True, text=True,
                                timeout=60)  # fmt: skip
        time.sleep(1)  # a worker started by mistake would be up by now
        left = celery_processes(tmp_path)
    assert result.returncode != 0
    assert f"Cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Address already in use" in result.stderr
    assert left == [], result.stderr[-2000:]


def _raw_get(base: str, target: str) -> int | None:
    """The status of one GET sent as bytes (HTTP clients cap URLs at 64 kB), or
    None if the server closed the connection instead of answering."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as conn:
        try:
            conn.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\n"
                         "Connection: close\r\n\r\n".encode())  # fmt: skip
            head = conn.recv(64)
        except (BrokenPipeError, ConnectionResetError):
            return None
    match = re.match(rb"HTTP/1.1 (\d+)", head)
    return int(match.group(1)) if match else None


def test_a_request_line_as_long_as_kagis_text_is_served(embedded_env, tmp_path):
    """Kagi's GET /api/v0/summarize?text=... can carry a megabyte; the server takes it,
    and refuses one past SERVE_MAX_REQUEST_BYTES instead of buffering without end."""
    env = {**embedded_env, "SERVE_MAX_REQUEST_BYTES": str(2 * 1024 * 1024)}
    with serving(env, tmp_path / "serve.log", "--no-worker") as server:
        assert _raw_get(server.base, "/healthz?text=" + "a" * 1_200_000) == 200
        huge = _raw_get(server.base, "/healthz?text=" + "a" * 3_000_000)
        assert huge is None or huge >= 400, huge


def _article_site() -> tuple[LocalServer, str]:
    site = LocalServer().start()
    html = ARTICLE.replace("</article>", "<p>This is page-1 of the serve test.</p></article>")
    return site, site.route("/post/1", Reply(200, html.encode(), {"Content-Type": "text/html"}))


def _start_summary(base: str, url: str) -> str:
    page = httpx.get(f"{base}/summarize", params={"url": url}, timeout=30)
    assert page.status_code == 200, page.text[:500]
    return re.search(r"/s/([\w-]+)/events", page.text).group(1)


def _status(base: str, token: str) -> dict:
    return httpx.get(f"{base}/s/{token}/status.json", timeout=10).json()


def test_a_killed_worker_comes_back_and_finishes_the_row(embedded_env, tmp_path):
    """GIVEN `serve` on the embedded default, a summary being written by its model worker
    WHEN that worker's whole process group gets SIGKILL
    THEN serve logs why and starts it again, and the summary ends done."""
    model = FakeModel(tokens=60, delay=0.1).start()  # about 6 s of writing
    site, url = _article_site()
    env = {**embedded_env, "LLM_BACKEND": "openai", "LLM_OPENAI_BASE_URL": model.base_url,
           "LLM_MAX_OUTPUT_TOKENS": "64", "LLM_CONTEXT": "4096", "FETCH_ALLOW_PRIVATE": "1",
           "LEASE_SECONDS": "3"}  # fmt: skip
    log = tmp_path / "serve.log"
    try:
        with serving(env, log) as server:
            started = re.compile(r"worker 'model' started \(pid (\d+)\)")
            wait_until(lambda: b"model@" in log.read_bytes() and b"ready." in log.read_bytes(),
                       timeout=60)  # fmt: skip
            token = _start_summary(server.base, url)
            wait_until(lambda: _status(server.base, token)["partial"], timeout=60)
            victim = int(started.findall(log.read_text())[-1])
            os.killpg(victim, signal.SIGKILL)
            wait_until(lambda: len(started.findall(log.read_text())) >= 2, timeout=30)
            final = wait_until(lambda: (s := _status(server.base, token))["finished"] and s,
                               timeout=120, interval=0.5)  # fmt: skip
            text = log.read_text()
        assert final["state"] == "done", final
        assert f"worker 'model' (pid {victim}) killed by SIGKILL" in text, text[-3000:]
        assert int(started.findall(text)[-1]) != victim
    finally:
        model.stop()
        site.stop()
    assert celery_processes(tmp_path) == [], log.read_text()[-2000:]


def _threads(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^Threads:\s+(\d+)", status, re.M).group(1))


def test_100_open_streams_hold_no_thread_and_the_site_still_answers(embedded_env, tmp_path):
    """GIVEN `serve --no-worker` and a summary that nobody writes (it stays pending)
    WHEN 100 clients hold its live stream open
    THEN the home page, /healthz and a static file (WhiteNoise) answer meanwhile, fast,
    the server process has
    far fewer threads than streams, and a client past SUMMARY_STREAMS_PER_CLIENT gets 429."""
    import asyncio

    env = {**embedded_env, "SUMMARY_STREAMS_PER_CLIENT": "100", "FETCH_ALLOW_PRIVATE": "1"}
    site, url = _article_site()
    try:
        with serving(env, tmp_path / "serve.log", "--no-worker") as server:
            token = _start_summary(server.base, url)
            events = f"{server.base}/s/{token}/events"

            async def scenario():
                limits = httpx.Limits(max_connections=200, max_keepalive_connections=0)
                async with httpx.AsyncClient(timeout=30, limits=limits) as http:
                    streams, opened, lines = [], [], []
                    for _ in range(100):
                        context = http.stream("GET", events)
                        response = await context.__aenter__()
                        streams.append(context)
                        opened.append(response)
                        lines.append(response.aiter_lines())  # kept: dropping one hangs up
                    firsts = [await anext(each) for each in lines]
                    threads = _threads(server.pid)
                    timings = []
                    for path in ("/healthz", "/", "/static/waybrief/summary.js"):
                        mark = time.monotonic()
                        answer = await http.get(server.base + path)
                        timings.append((path, answer.status_code, time.monotonic() - mark))
                    async with http.stream("GET", events, timeout=5) as over:
                        refused = over.status_code
                    for context in streams:
                        await context.__aexit__(None, None, None)
                    return opened, firsts, threads, timings, refused

            opened, firsts, threads, timings, over = asyncio.run(scenario())
    finally:
        site.stop()
    assert all(r.status_code == 200 for r in opened)
    assert all(line == "event: progress" for line in firsts), set(firsts)
    assert all(status == 200 and seconds < 2 for _, status, seconds in timings), timings
    assert threads < 40, f"{threads} threads for 100 streams"
    assert over == 429
