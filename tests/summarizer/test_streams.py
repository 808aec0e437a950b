"""The live summary stream: pushed by the worker's notices, one read per piece per process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time

import httpx
import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from summarizer import streams
from summarizer.models import Summary
from tests.support.fake_model import FakeModel
from tests.support.processes import PrivateRedis
from tests.support.waiting import ROOT, wait_until
from tests.support.workers import celery_worker_command, stop
from tests.waybrief.test_serve import _article_site, _start_summary, serving
from waybrief import notify, streaming


def _write(pk: int, text: str, **fields) -> None:
    """What the worker does for each piece: write the row, then announce it."""
    try:
        Summary.objects.filter(pk=pk).update(partial_output=text, **fields)
        notify.publish(streams.channel(pk))
    finally:
        connection.close()  # this thread's own: the test database is dropped at the end


@pytest.mark.django_db(transaction=True)
def test_fifty_viewers_cost_one_read_per_piece_and_each_sees_every_piece(settings, monkeypatch):
    """GIVEN 50 viewers following one summary in one process, and a slow poll of 30 s
    WHEN the worker writes 5 pieces, each announced
    THEN every viewer sees all 5 at once (pushed, not polled) and the row is read
    about once per piece, not once per viewer."""
    settings.NOTIFY_FALLBACK_SECONDS = 30.0
    summary = Summary.objects.create(url="https://example.org/live", state="summarizing")
    reads = []
    original = streams._read
    monkeypatch.setattr(streams, "_read", lambda pk: reads.append(pk) or original(pk))

    async def viewer(seen: list) -> None:
        async for value in streams.follow(summary.pk, seconds=20):
            if value is not None:
                seen.append(value["partial"])
            if value and value["finished"]:
                return

    async def scenario() -> tuple[list[list[str]], float]:
        seen: list[list[str]] = [[] for _ in range(50)]
        tasks = [asyncio.create_task(viewer(each)) for each in seen]
        waited = time.monotonic()
        while not all(seen):  # each viewer has its first snapshot
            assert time.monotonic() - waited < 20, "viewers never got the summary's row"
            await asyncio.sleep(0.01)
        assert await notify.ready()
        started = time.monotonic()
        for n in range(1, 6):
            await sync_to_async(_write, thread_sensitive=False)(summary.pk, "piece " * n)
            await asyncio.sleep(0.2)
        await sync_to_async(_write, thread_sensitive=False)(
            summary.pk, "", state="done", stage="done", output="piece"
        )  # fmt: skip
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=10)
        return seen, time.monotonic() - started

    try:
        seen, elapsed = asyncio.run(scenario())
    finally:  # the streams' reads run in one thread of their own: close its connection
        streaming.close_connection()
    expected = ["", *("piece " * n for n in range(1, 6)), ""]
    assert all(each == expected for each in seen), seen[0]
    assert elapsed < 5, "pieces came by the 30 s poll, not by notice"
    assert len(reads) <= 1 + 6 + 2, f"{len(reads)} reads for 50 viewers of 6 writes"


@pytest.mark.integration
def test_under_serve_each_piece_reaches_the_page_stream_as_it_is_written(tmp_path):
    """GIVEN `serve` on the embedded default (SQLite, file broker, a model worker)
    with its slow poll at 30 s
    WHEN a summary is written piece by piece
    THEN the page's stream gets many progress events while it is written (so the
    worker's writes are announced), in summary.js's format, and ends with done."""

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    model = FakeModel(tokens=40, delay=0.1).start()
    site, url = _article_site()
    env.update(WAYBRIEF_DATA_DIR=str(tmp_path), PYTHONPATH=str(ROOT), LLM_BACKEND="openai",
               LLM_OPENAI_BASE_URL=model.base_url, LLM_MAX_OUTPUT_TOKENS="64",
               LLM_CONTEXT="4096", FETCH_ALLOW_PRIVATE="1", NOTIFY_FALLBACK_SECONDS="30",
               SERVE_WORKER_CONCURRENCY="1")  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env,
                   check=True, capture_output=True)  # fmt: skip
    events: list[tuple[str, dict]] = []
    try:
        with serving(env, tmp_path / "serve.log") as server:
            log = tmp_path / "serve.log"
            wait_until(lambda: log.read_bytes().count(b" ready.") >= 2, timeout=60)
            token = _start_summary(server.base, url)
            events = _read_events(f"{server.base}/s/{token}/events")
    finally:
        model.stop()
        site.stop()
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "done" and set(kinds[:-1]) == {"progress"}, kinds
    assert events[-1][1]["state"] == "done" and events[-1][1]["finished"] is True
    assert set(events[0][1]) == {"id", "state", "stage", "partial", "finished", "error", "capture",
                                 "reading", "html"}  # fmt: skip
    growing = [data["partial"] for kind, data in events if data["partial"]]
    assert len(growing) >= 5, f"only {len(growing)} pieces reached the page: {kinds}"


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_on_postgres_and_redis_each_piece_is_pushed_to_the_page_stream(worker_env, tmp_path):
    """GIVEN the production shape: `serve --no-worker` and a separate model worker on
    PostgreSQL and Redis, with the web's slow poll at 30 s
    WHEN a summary is written piece by piece
    THEN the page's stream gets the pieces as they come (Redis pub/sub) and ends done."""

    model = FakeModel(tokens=40, delay=0.1).start()
    site, url = _article_site()
    # A Redis of its own: no other worker of the suite may take this summary.
    redis = PrivateRedis(tmp_path / "redis", appendonly=False).start()
    env = {**worker_env, "CELERY_BROKER_URL": redis.url, "WAYBRIEF_DATA_DIR": str(tmp_path),
           "LLM_BACKEND": "openai", "LLM_OPENAI_BASE_URL": model.base_url,
           "LLM_MAX_OUTPUT_TOKENS": "64", "NOTIFY_FALLBACK_SECONDS": "30"}  # fmt: skip

    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(celery_worker_command("stream-model@%h", concurrency=1,
                                                        queues="summarize"), cwd=ROOT, env=env,
                                  stdout=out, stderr=out, start_new_session=True)  # fmt: skip
    events: list[tuple[str, dict]] = []
    try:
        with serving(env, tmp_path / "serve.log", "--no-worker") as server:
            wait_until(lambda: b"ready." in log.read_bytes(), timeout=60)
            token = _start_summary(server.base, url)
            events = _read_events(f"{server.base}/s/{token}/events")
    finally:
        stop(worker)
        redis.kill()
        model.stop()
        site.stop()
    assert [kind for kind, _ in events][-1] == "done"
    growing = [data["partial"] for _, data in events if data["partial"]]
    assert len(growing) >= 5, f"only {len(growing)} pieces reached the page"


def _read_events(url: str) -> list[tuple[str, dict]]:
    events: list[tuple[str, dict]] = []
    with httpx.stream("GET", url, timeout=60) as stream:
        kind = None
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kind = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((kind, json.loads(line.removeprefix("data: "))))
                if kind == "done":
                    break
    return events
