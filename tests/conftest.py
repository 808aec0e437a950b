"""Fixtures shared by the whole suite: a real Celery worker process on Redis."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support.waiting import ROOT, wait_until
from tests.support.workers import celery_worker_command

pytest_plugins = ["tests.support.fixtures", "tests.support.fetching"]


def _database_url_for(settings_dict: dict) -> str:
    """The URL of the database pytest-django created, for a worker process."""
    base = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(base._replace(path="/" + settings_dict["NAME"]))


def _redis_url() -> str:
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        pytest.fail("the integration tests need CELERY_BROKER_URL=redis://… (run `make test`)")
    return url


@pytest.fixture(scope="session")
def redis_client():
    import redis

    client = redis.Redis.from_url(_redis_url())
    client.ping()
    return client


@pytest.fixture(scope="session")
def worker_env(django_db_setup, django_db_blocker) -> dict[str, str]:
    """Environment for processes that must see the test database."""
    from django.db import connection

    with django_db_blocker.unblock():
        url = _database_url_for(connection.settings_dict)
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": _redis_url(),
        "PYTHONPATH": str(ROOT),  # this checkout's code, whatever else is installed
        # Never the real Archive: a closed port on loopback unless a test sets its stand-in.
        "WAYBACK_URL": "http://127.0.0.1:9",
        # Test sites live on loopback; and a short deadline keeps slow-site tests short.
        "FETCH_ALLOW_PRIVATE": "1",
        "FETCH_TIMEOUT_SECONDS": "3",
        "LLM_CONTEXT": "4096",
    }


@pytest.fixture(scope="session")
def celery_worker_process(worker_env, redis_client, tmp_path_factory) -> Iterator[subprocess.Popen]:
    """A real `celery worker` subprocess on Redis, for every queue but "archive":
    the archiver's tests start their own workers, set for their Wayback stand-in."""
    redis_client.flushdb()  # the test broker db: stale messages from old runs go
    log = tmp_path_factory.mktemp("worker") / "worker.log"
    env = {**worker_env, "WAYBRIEF_DATA_DIR": str(log.parent)}
    command = celery_worker_command(f"test-worker-{os.getpid()}@%h", concurrency=2,
                                    queues="default,crawl,summarize")  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        wait_until(lambda: b"ready." in log.read_bytes() or process.poll() is not None, timeout=60)
        if process.poll() is not None:
            pytest.fail(f"celery worker exited early:\n{log.read_text()[-3000:]}")
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Per-client counters live in the cache; each test starts with none."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def site():
    """A local HTTP server on loopback for pages a test serves."""
    from tests.support.http import LocalServer

    server = LocalServer().start()
    yield server
    server.stop()
