"""Fixtures for the archiver: a local Wayback stand-in, fast timings, real workers."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.archiver.fake_wayback import FakeWayback
from tests.conftest import ROOT, wait_until
from tests.support.workers import celery_worker_command

# Nothing started by this suite may reach the real Archive: any worker that
# is not given a stand-in's address gets a closed loopback port instead.
os.environ["WAYBACK_URL"] = "http://127.0.0.1:9"

# Every interval shortened so each test takes seconds (the same names as
# waybrief/settings.py reads from the environment).
FAST = {
    "WAYBACK_RATE_PER_MINUTE": 60,
    "WAYBACK_MAX_ACTIVE": 10,
    "WAYBACK_RATE_WINDOW_SECONDS": 1.0,
    "WAYBACK_LOOKUP_RATE_PER_MINUTE": 1000,
    "WAYBACK_TIMEOUT_SECONDS": 5.0,
    "WAYBACK_POLL_SECONDS": 0.1,
    "WAYBACK_JOB_TIMEOUT_SECONDS": 30.0,
    "WAYBACK_RETRY_SECONDS": 0.1,
    "WAYBACK_MAX_RETRIES": 3,
    "WAYBACK_PAUSE_SECONDS": 1.0,
    "WAYBACK_SLOWDOWN_SECONDS": 5.0,
    "WAYBACK_BREAKER_FAILURES": 3,
    "WAYBACK_BREAKER_SECONDS": 0.5,
    "WAYBACK_AUTH_RETRY_SECONDS": 30.0,
    "WAYBACK_INLINE_WAIT_SECONDS": 2.0,
    "WAYBACK_SKIP_IF_CAPTURED_WITHIN": 86400,
    "WAYBACK_ACCESS_KEY": "",
    "WAYBACK_SECRET_KEY": "",
}


@pytest.fixture
def wayback() -> Iterator[FakeWayback]:
    fake = FakeWayback().start()
    yield fake
    fake.stop()


@pytest.fixture(autouse=True)
def archiver_settings(settings, wayback, redis_client) -> dict[str, object]:
    """Point this process at the stand-in, with fast timings and a clean shared state."""
    values = {**FAST, "WAYBACK_URL": wayback.base_url}
    for name, value in values.items():
        setattr(settings, name, value)
    keys = redis_client.keys("waybrief:archiver:*")
    if keys:
        redis_client.delete(*keys)
    return values


def _spawn(name: str, env: dict[str, str], log: Path, *, concurrency: int, beat_schedule=None):
    """One `celery worker` in its own process group, so it can be killed whole."""
    command = celery_worker_command(name, concurrency=concurrency, beat_schedule=beat_schedule)
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
    process.log = log
    return process


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
                _spawn(
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


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Stop a worker and every process it forked."""
    for signum in (sig, signal.SIGKILL):
        try:
            os.killpg(process.pid, signum)
        except ProcessLookupError:
            break
        try:
            process.wait(timeout=20)
            break
        except subprocess.TimeoutExpired:
            continue
    process.wait(timeout=10)
