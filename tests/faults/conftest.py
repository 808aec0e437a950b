"""Real processes to break: a private Redis, Celery workers, stand-ins for the
Archive and the model server, and the page a summary reads.

Every fault test runs on a Redis of its own (a `redis-server` on a free
loopback port), so killing it touches nobody else, and the session worker
of the other suites never sees these messages.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.archiver.conftest import _spawn, stop
from tests.archiver.fake_wayback import FakeWayback
from tests.conftest import wait_until
from tests.faults.fake_model import FakeModel
from tests.support.http import LocalServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A `redis-server` this test owns: start, SIGKILL, restart (with or without its data)."""

    def __init__(self, directory: Path, *, appendonly: bool) -> None:
        self.dir = directory
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.appendonly = appendonly
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        command = [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            # everysec: what compose's `--appendonly yes` runs with. A killed
            # process loses nothing it answered (its writes are in the kernel);
            # only a power cut could lose up to a second.
            "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "everysec",
            "--dir", str(self.dir),
        ]  # fmt: skip
        log = (self.dir / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self._answers, timeout=10, interval=0.05)
        return self

    def _answers(self) -> bool:
        try:
            return redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
        except redis.RedisError:
            return False

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def wipe(self) -> None:
        for entry in self.dir.iterdir():
            if entry.name != "redis.log":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()

    def queued(self, queue: str) -> int:
        return redis.Redis.from_url(self.url).llen(queue)


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
def wayback() -> Iterator[FakeWayback]:
    fake = FakeWayback().start()
    yield fake
    fake.stop()


@pytest.fixture
def model() -> Iterator[FakeModel]:
    fake = FakeModel().start()
    yield fake
    fake.stop()


@pytest.fixture
def pages() -> Iterator[Callable[..., str]]:
    """``pages(n, fault="")``: the URL of an article whose text names page-N (and a fault)."""
    from tests.faults.scenarios import article_pages

    server = LocalServer().start()
    yield article_pages(server)
    server.stop()


@pytest.fixture
def workers(worker_env, wayback, model, tmp_path) -> Iterator[Callable]:
    """``workers(broker_url, n=1, beat=False, **env)``: real `celery worker` processes on
    every queue, pointed at the stand-ins, with fast timings; all stopped afterwards."""
    from tests.faults.scenarios import worker_environment

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


def spawn(env: dict[str, str], directory: Path, number: int, *, beat: bool = False):
    """A `celery worker` on every queue (beat too if asked), in its own process group."""
    schedule = directory / f"beat-{number}" if beat else None
    name = f"faults-{number}-{os.getpid()}@%h"
    log = directory / f"worker-{number}.log"
    process = _spawn(name, env, log, concurrency=2, beat_schedule=schedule)
    process.env, process.beat = env, beat
    return process


def wait_ready(process: subprocess.Popen) -> None:
    wait_until(lambda: b"ready." in process.log.read_bytes() or process.poll() is not None,
               timeout=60)  # fmt: skip
    if process.poll() is not None:
        raise RuntimeError(f"worker exited early:\n{process.log.read_text()[-3000:]}")


def ring(broker_url: str, task_name: str, ids: list[int]) -> None:
    """Send one doorbell per row to a given broker (the test process's own app
    points at the shared test Redis, not at this test's private one)."""
    from kombu import Connection

    from waybrief.celery import app

    with Connection(broker_url) as connection:
        producer = connection.Producer()
        for pk in ids:
            app.send_task(task_name, args=[pk], producer=producer)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a worker and every process it forked: no chance to ack or clean up."""
    stop(process, signal.SIGKILL)
    process.killed = True


def elapsed_since(start: float) -> float:
    return round(time.monotonic() - start, 1)
