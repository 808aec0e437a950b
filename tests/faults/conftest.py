"""Real processes to break: a private Redis, Celery workers, stand-ins for the
Archive and the model server, and the page a summary reads.

Every fault test runs on a Redis of its own (a `redis-server` on a free
loopback port), so killing it touches nobody else, and the session worker
of the other suites never sees these messages.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator

import pytest

from tests.support.fake_model import FakeModel
from tests.support.http import LocalServer
from tests.support.processes import (  # noqa: F401 (the fault tests import these from here)
    PrivateRedis,
    elapsed_since,
    free_port,
    kill_group,
    ring,
    spawn,
    wait_ready,
)
from tests.support.workers import stop


@pytest.fixture
def private_redis(tmp_path) -> Iterator[Callable[..., PrivateRedis]]:
    made: list[PrivateRedis] = []

    def make(*, appendonly: bool = True) -> PrivateRedis:
        made.append(PrivateRedis(tmp_path / f"redis-{len(made)}", appendonly=appendonly).start())
        return made[-1]

    yield make
    for server in made:
        server.kill()


@pytest.fixture
def model() -> Iterator[FakeModel]:
    fake = FakeModel().start()
    yield fake
    fake.stop()


@pytest.fixture
def pages() -> Iterator[Callable[..., str]]:
    """``pages(n, fault="")``: the URL of an article whose text names page-N (and a fault)."""
    from tests.support.scenarios import article_pages

    server = LocalServer().start()
    yield article_pages(server)
    server.stop()


@pytest.fixture
def workers(worker_env, wayback, model, tmp_path) -> Iterator[Callable]:
    """``workers(broker_url, n=1, beat=False, **env)``: real `celery worker` processes on
    every queue, pointed at the stand-ins, with fast timings; all stopped afterwards."""
    from tests.support.scenarios import worker_environment

    started: list[subprocess.Popen] = []

    def start(broker_url: str, n: int = 1, *, beat: bool = False, **overrides):
        env = worker_environment(worker_env, broker_url=broker_url, wayback_url=wayback.base_url,
                                 model_url=model.base_url, data_dir=str(tmp_path),
                                 **overrides)  # fmt: skip
        batch = [spawn(env, tmp_path, len(started) + i, beat=beat and i == 0) for i in range(n)]
        started.extend(batch)
        for process in batch:
            wait_ready(process)
        return batch

    def revive() -> int:
        """Start a new worker for each that exited by itself, as a supervisor would
        (compose's ``restart: unless-stopped``); returns how many."""
        dead = [p for p in started if p.poll() is not None and not getattr(p, "killed", False)]
        for process in dead:
            process.killed = True  # replaced; not revived twice
            started.append(spawn(process.env, tmp_path, len(started), beat=process.beat))
        return len(dead)

    start.revive = revive
    yield start
    for process in started:
        stop(process)


