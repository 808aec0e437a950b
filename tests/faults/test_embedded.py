"""The embedded default under a kill: SQLite, the file-system broker, two workers."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.faults.conftest import kill_group, spawn, wait_ready
from tests.support.timings import FAST
from tests.support.waiting import ROOT, wait_until
from tests.support.workers import stop

pytestmark = pytest.mark.integration

URLS = [f"https://blog.example.org/embedded/{n}" for n in range(12)]


def test_two_embedded_workers_lose_nothing_to_a_kill_or_a_locked_database(wayback, tmp_path):
    """GIVEN the embedded default (SQLite, file-system broker, no Redis) with two worker
    processes, one running beat
    WHEN `archive --enqueue --wait` hands over 12 URLs and one worker's process group
    gets SIGKILL mid-run (a new one replacing it)
    THEN every URL ends archived with one accepted save, and none failed."""
    wayback.job_seconds = 0.5
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update({k: str(v) for k, v in FAST.items()})
    env.update(WAYBACK_URL=wayback.base_url, WAYBRIEF_DATA_DIR=str(tmp_path), LEASE_SECONDS="2",
               RECONCILE_INTERVAL_SECONDS="1", PYTHONPATH=str(ROOT))  # fmt: skip
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)  # fmt: skip
    keeper = spawn(env, tmp_path, 0, beat=True)
    victim = spawn(env, tmp_path, 1)
    workers = [keeper, victim]
    try:
        for process in workers:
            wait_ready(process)
        command = subprocess.Popen(
            [*manage, "archive", *URLS, "--enqueue", "--wait", "--timeout", "90"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        wait_until(lambda: len(wayback.saves()) >= 3, timeout=30, interval=0.05)
        kill_group(victim)
        saved_before_kill = len(wayback.saves())
        workers.append(spawn(env, tmp_path, 2))
        out, err = command.communicate(timeout=120)
    finally:
        for process in workers:
            stop(process)

    assert command.returncode == 0, err + keeper.log.read_text()[-3000:]
    assert saved_before_kill < len(URLS), "all saved before the kill; the test proves nothing"
    lines = [line.split("\t") for line in out.splitlines()]
    assert sorted(u for u, *_ in lines) == sorted(URLS)
    assert {state for _, state, _ in lines} == {"archived"}
    assert all(len([a for a in wayback.saves(u) if a.status == 200]) == 1 for u in URLS)
