"""Real processes to break, for the fault tests and bench/faults.py: a private
Redis, Celery workers in their own process groups, and doorbells to a given broker."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import redis

from tests.support.waiting import wait_until
from tests.support.workers import spawn_worker, stop


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


def spawn(env: dict[str, str], directory: Path, number: int, *, beat: bool = False):
    """A `celery worker` on every queue (beat too if asked), in its own process group."""
    schedule = directory / f"beat-{number}" if beat else None
    name = f"faults-{number}-{os.getpid()}@%h"
    log = directory / f"worker-{number}.log"
    process = spawn_worker(name, env, log, concurrency=2, beat_schedule=schedule)
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

    # The file-system broker's folders live in the app's transport options.
    embedded = broker_url.startswith("filesystem://")
    with app.connection_for_write() if embedded else Connection(broker_url) as connection:
        producer = connection.Producer()
        for pk in ids:
            app.send_task(task_name, args=[pk], producer=producer)


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL a worker and every process it forked: no chance to ack or clean up."""
    stop(process, signal.SIGKILL)
    process.killed = True


def elapsed_since(start: float) -> float:
    return round(time.monotonic() - start, 1)


def terminate_other_connections() -> int:
    """Cut every connection to the test database but this process's own."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            [connection.settings_dict["NAME"]],
        )
        return cursor.fetchone()[0]
