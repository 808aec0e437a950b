"""The one way tests and benches start a real `celery worker`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.support.waiting import ROOT


def celery_worker_command(
    hostname: str, *, concurrency: int, loglevel: str = "INFO", queues: str = "",
    beat_schedule: Path | str | None = None,
) -> list[str]:  # fmt: skip
    """A prefork worker of the waybrief app (all queues unless ``queues``),
    running beat too when given a schedule file."""
    command = [
        sys.executable, "-m", "celery", "-A", "waybrief", "worker",
        "--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", loglevel,
        "--hostname", hostname,
    ]  # fmt: skip
    if queues:
        command += ["--queues", queues]
    if beat_schedule:
        command += ["--beat", "--schedule", str(beat_schedule)]
    return command


def spawn_worker(
    name: str, env: dict[str, str], log: Path, *, concurrency: int, beat_schedule=None,
    queues: str = "",
):  # fmt: skip
    """One `celery worker` in its own process group, so it can be killed whole."""
    command = celery_worker_command(
        name, concurrency=concurrency, beat_schedule=beat_schedule, queues=queues
    )
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )
    process.log = log
    return process


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
