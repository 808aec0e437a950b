"""`manage.py archive`: the work in the calling process, TSV out, clear errors."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from archiver.models import Capture
from tests.support.waiting import ROOT

pytestmark = pytest.mark.django_db

A, B = "https://blog.example.org/a", "https://blog.example.org/b"


def run(*args: str) -> tuple[list[list[str]], str]:
    out, err = StringIO(), StringIO()
    call_command("archive", *args, stdout=out, stderr=err)
    return [line.split("\t") for line in out.getvalue().splitlines()], err.getvalue()


def test_it_archives_urls_and_prints_their_wayback_urls(wayback):
    """GIVEN two URLs and no worker WHEN `archive --wait` runs THEN each line is
    URL<TAB>archived<TAB>its Wayback URL, in the order given."""
    rows, progress = run(B, A, "--wait")
    assert [(url, state) for url, state, _ in rows] == [(B, "archived"), (A, "archived")]
    for url, _, wayback_url in rows:
        assert wayback_url.startswith(f"{wayback.base_url}/web/") and wayback_url.endswith(url)
    assert "archived" in progress


def test_it_reads_urls_from_a_file_skipping_blanks_and_comments(wayback, tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# posts\n{A}\n\n  {B}  \n{A}\n")
    rows, _ = run("--file", str(listing), "--wait")
    assert [url for url, *_ in rows] == [A, B]


def test_without_wait_it_returns_once_every_url_is_submitted(wayback):
    wayback.job_seconds = 30
    rows, _ = run(A)
    assert rows == [[A, "submitted", ""]]
    assert Capture.objects.get().job_id


def test_enqueue_leaves_the_work_to_the_workers(wayback):
    rows, _ = run(A, "--enqueue")
    assert rows == [[A, "pending", ""]] and wayback.log == []


def test_it_exits_non_zero_when_a_url_fails(wayback):
    wayback.job_errors[A] = ["error:blocked-url"]
    with pytest.raises(CommandError, match="1 of 2 URLs failed"):
        run(A, B, "--wait")
    assert Capture.objects.get(url=A).reason.startswith("error:blocked-url")


def test_it_refuses_bad_urls_and_a_call_without_any(wayback):
    with pytest.raises(CommandError, match="not an http"):
        run("ftp://example.org/file")
    with pytest.raises(CommandError, match="at least one URL"):
        run()
    assert not Capture.objects.exists()


def test_on_401_it_keeps_every_url_pending_and_says_to_set_the_keys(wayback, settings):
    """GIVEN an Archive that refuses anonymous saves WHEN archiving without keys
    THEN the command stops with the fix spelled out and the URLs stay pending;
    with the keys set, the same URLs are archived."""
    wayback.keys = "key:secret"
    with pytest.raises(CommandError, match="Set WAYBACK_ACCESS_KEY and WAYBACK_SECRET_KEY"):
        run(A, B, "--wait")
    assert set(Capture.objects.values_list("state", flat=True)) == {"pending"}
    assert len(wayback.saves()) == 1  # the others were held back, not refused one by one

    settings.WAYBACK_ACCESS_KEY, settings.WAYBACK_SECRET_KEY = "key", "secret"
    rows, _ = run(A, B, "--wait")
    assert {state for _, state, _ in rows} == {"archived"}


def test_it_works_embedded_with_sqlite_and_no_redis(wayback, tmp_path, archiver_settings):
    """GIVEN the embedded default (SQLite, file-system broker, no Redis, no worker)
    WHEN `manage.py archive --wait` runs THEN the URLs are archived and printed."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update({k: str(v) for k, v in archiver_settings.items()})
    env["WAYBRIEF_DATA_DIR"] = str(tmp_path)
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    done = subprocess.run(
        [*manage, "archive", A, B, "--wait"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert [line.split("\t")[1] for line in done.stdout.splitlines()] == ["archived"] * 2
    # The limiter's state lived in the embedded database (no Redis), one row.
    rows = sqlite3.connect(tmp_path / "waybrief.sqlite3").execute(
        "SELECT name, data FROM wayback_statedocument"
    ).fetchall()
    assert [name for name, _ in rows] == ["limits"] and '"window:save"' in rows[0][1]


def test_an_embedded_worker_archives_what_the_command_enqueues(
    wayback, tmp_path, archiver_settings
):
    """GIVEN the embedded default with its worker (file-system broker, beat, no Redis)
    WHEN `archive --enqueue --wait` hands URLs over THEN the worker archives them."""
    from tests.support.waiting import wait_until
    from tests.support.workers import spawn_worker, stop

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update({k: str(v) for k, v in archiver_settings.items()})
    env.update(WAYBRIEF_DATA_DIR=str(tmp_path), RECONCILE_INTERVAL_SECONDS="1")
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True, capture_output=True
    )
    worker = spawn_worker(
        "embedded@%h",
        env,
        tmp_path / "worker.log",
        concurrency=1,
        beat_schedule=tmp_path / "beat-schedule",
    )
    try:
        wait_until(lambda: b"ready." in worker.log.read_bytes(), timeout=60)
        done = subprocess.run(
            [*manage, "archive", A, B, "--enqueue", "--wait", "--timeout", "60"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
    finally:
        stop(worker)
    assert done.returncode == 0, done.stderr + worker.log.read_text()[-3000:]
    assert [line.split("\t")[1] for line in done.stdout.splitlines()] == ["archived"] * 2
    assert len(wayback.saves()) == 2
