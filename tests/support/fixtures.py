"""Fixtures every test folder may use (registered by ``tests/conftest.py``):
a Wayback stand-in, the archiver's fast settings, real archive workers, and
the bundled model (loaded once a session, when a test asks for it)."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable, Iterator

import pytest

from tests.support.fake_wayback import FakeWayback
from tests.support.http import LocalServer
from tests.support.timings import FAST
from tests.support.waiting import wait_until
from tests.support.workers import spawn_worker, stop


@pytest.fixture
def wayback() -> Iterator[FakeWayback]:
    fake = FakeWayback().start()
    yield fake
    fake.stop()


@pytest.fixture
def archiver_settings(settings, wayback, redis_client) -> dict[str, object]:
    """Point this process at the stand-in, with fast timings and a clean shared state."""
    values = {**FAST, "WAYBACK_URL": wayback.base_url}
    for name, value in values.items():
        setattr(settings, name, value)
    keys = redis_client.keys("waybrief:archiver:*")
    if keys:
        redis_client.delete(*keys)
    return values


@pytest.fixture
def start_workers(worker_env, archiver_settings, tmp_path) -> Iterator[Callable]:
    """Start real `celery worker` processes on Redis; all are stopped afterwards.

    ``start_workers(n, beat=True, **env)``: the first worker also runs beat,
    so the ledger's reconciler (and the breaker's probe) run as in production.
    """
    started: list[subprocess.Popen] = []

    def start(n: int = 1, *, beat: bool = False, concurrency: int = 2, **overrides):
        env = {**worker_env, **{k: str(v) for k, v in {**archiver_settings, **overrides}.items()}}
        env["WAYBRIEF_DATA_DIR"] = str(tmp_path)
        batch = []
        for i in range(n):
            number = len(started)
            schedule = tmp_path / "beat-schedule" if beat and i == 0 else None
            batch.append(
                spawn_worker(
                    f"archiver-{number}-{os.getpid()}@%h",
                    env,
                    tmp_path / f"worker-{number}.log",
                    concurrency=concurrency,
                    beat_schedule=schedule,
                )
            )
            started.append(batch[-1])
        for process in batch:
            wait_until(
                lambda p=process: b"ready." in p.log.read_bytes() or p.poll() is not None,
                timeout=60,
            )
            if process.poll() is not None:
                pytest.fail(f"worker exited early:\n{process.log.read_text()[-3000:]}")
        return batch

    yield start
    for process in started:
        stop(process)


@pytest.fixture(scope="session")
def model():
    """The bundled SmolLM2 GGUF, loaded once for the whole session."""
    from summarizer.backends import bundled_model_path
    from summarizer.backends.llama_cpp import LlamaCppBackend

    backend = LlamaCppBackend(bundled_model_path(), n_ctx=4096)
    yield backend
    backend.llm.close()  # now, not in __del__ at interpreter exit


@pytest.fixture
def blog_server() -> Iterator[LocalServer]:
    """A stand-in site on loopback that answers at once (crawls are timed)."""
    site = LocalServer()
    # Headers and body leave in two writes; without TCP_NODELAY, Nagle and
    # delayed ACKs add 40 ms to every answer. A short poll interval makes
    # stopping the server take 50 ms instead of half a second.
    site._server.RequestHandlerClass.disable_nagle_algorithm = True
    threading.Thread(
        target=site._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    ).start()
    yield site
    site.stop()


@pytest.fixture
def cdx_wayback(settings, redis_client) -> Iterator[FakeWayback]:
    """A Wayback stand-in this process reads CDX from, at a rate no test waits on."""
    fake = FakeWayback().start()
    settings.WAYBACK_URL = fake.base_url
    settings.WAYBACK_LOOKUP_RATE_PER_MINUTE = 6000
    settings.WAYBACK_TIMEOUT_SECONDS = 5.0
    keys = redis_client.keys("waybrief:archiver:*")
    if keys:
        redis_client.delete(*keys)
    yield fake
    fake.stop()
