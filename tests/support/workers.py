"""The one way tests and benches start a real `celery worker`."""

from __future__ import annotations

import sys
from pathlib import Path


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
