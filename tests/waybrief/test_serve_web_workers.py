"""`manage.py serve --web-workers N`: several uvicorn processes on one socket."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.fake_model import FakeModel
from tests.support.waiting import wait_until
from tests.waybrief.test_serve import (
    MANAGE,
    ROOT,
    _article_site,
    _start_summary,
    _status,
    celery_processes,
    embedded_env,  # noqa: F401 (a fixture)
    serving,
)

pytestmark = pytest.mark.integration


def web_processes(serve_pid: int) -> list[int]:
    """uvicorn's web processes under `serve` (multiprocessing's spawned children)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat[1]) == serve_pid and b"multiprocessing.spawn" in cmdline:
            found.append(int(pid))
    return sorted(found)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def follow(events_url: str, viewers: int) -> list[list[tuple[str, dict]]]:
    """``viewers`` clients, each on its own connection, read the stream to its end."""
    limits = httpx.Limits(max_connections=viewers, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=120), limits=limits) as http:

        async def one() -> list[tuple[str, dict]]:
            seen, kind = [], ""
            async with http.stream("GET", events_url) as response:
                assert response.status_code == 200
                async for line in response.aiter_lines():
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        seen.append((kind, json.loads(line[6:])))
                        if kind in {"done", "timeout"}:
                            break
            return seen

        return await asyncio.gather(*(one() for _ in range(viewers)))


def test_two_web_processes_serve_every_viewer_and_stop(embedded_env, tmp_path):  # noqa: F811
    """GIVEN `serve --web-workers 2` on the embedded default (its notices on UNIX
    sockets, one per web process) and a summary its worker writes piece by piece
    WHEN 8 viewers follow the summary's live stream, each on its own connection
    THEN each sees it end "done" with the whole text, and SIGTERM stops both web
    processes and the workers."""
    model = FakeModel(tokens=40, delay=0.1).start()  # about 4 s of writing
    site, url = _article_site()
    env = {**embedded_env, "LLM_BACKEND": "openai", "LLM_OPENAI_BASE_URL": model.base_url,
           "LLM_MAX_OUTPUT_TOKENS": "64", "LLM_CONTEXT": "4096", "FETCH_ALLOW_PRIVATE": "1",
           "SUMMARY_STREAMS_PER_CLIENT": "0"}  # fmt: skip
    log = tmp_path / "serve.log"
    try:
        with serving(env, log, "--web-workers", "2") as server:
            web = wait_until(lambda: len(found := web_processes(server.pid)) == 2 and found,
                             timeout=60)  # fmt: skip
            wait_until(lambda: b"model@" in log.read_bytes() and b"ready." in log.read_bytes(),
                       timeout=90)  # fmt: skip
            token = _start_summary(server.base, url)
            seen = asyncio.run(follow(f"{server.base}/s/{token}/events", viewers=8))
            final = _status(server.base, token)
        assert final["state"] == "done", final
        for events in seen:
            kind, data = events[-1]
            assert kind == "done" and data["partial"] == final["partial"], events[-1]
        assert "web:   2 processes" in log.read_text()
        wait_until(lambda: not any(map(alive, web)), timeout=30)
    finally:
        model.stop()
        site.stop()
    assert celery_processes(tmp_path) == [], log.read_text()[-2000:]


def test_web_processes_die_with_a_killed_serve(embedded_env, tmp_path):  # noqa: F811
    """GIVEN `serve --web-workers 2 --no-worker` WHEN serve itself gets SIGKILL
    (no chance to stop anything) THEN its web processes go too, instead of
    answering on the port with nobody supervising them."""
    log = tmp_path / "serve.log"
    with serving(embedded_env, log, "--web-workers", "2", "--no-worker") as server:
        web = wait_until(lambda: len(found := web_processes(server.pid)) == 2 and found,
                         timeout=60)  # fmt: skip
        assert httpx.get(f"{server.base}/healthz", timeout=10).status_code == 200
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=10)
        wait_until(lambda: not any(map(alive, web)), timeout=30)
        with pytest.raises(httpx.TransportError):
            httpx.get(f"{server.base}/healthz", timeout=5)


def test_web_workers_below_one_are_refused(embedded_env):  # noqa: F811
    result = subprocess.run([*MANAGE, "serve", "127.0.0.1:0", "--web-workers", "0"], cwd=ROOT,
                            env=embedded_env, capture_output=True, text=True,
                            timeout=60)  # fmt: skip
    assert result.returncode != 0
    assert "--web-workers must be 1 or more" in result.stderr
