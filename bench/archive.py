"""Archiver throughput: N real workers against a rate-limited local Wayback stand-in.

A local Wayback-compatible server enforces a save limit per window (429 with
Retry-After beyond it, like the Archive); real `celery worker` processes on
PostgreSQL and Redis archive every URL. Prints the achieved save rate against
the limit, the 429s received, duplicate saves and URLs lost.

Time is scaled down: the Archive's window is 60 s; here it is ``--window``
seconds (6 by default, through WAYBACK_RATE_WINDOW_SECONDS), with the same
count per window, so 500 URLs take about 100 s instead of 17 minutes.

    .venv/bin/python bench/archive.py [--urls 500] [--workers 3] [--limit 30]
        [--window 6] [--kill-one] [--outage SECONDS]

Needs PostgreSQL and Redis on 127.0.0.1 (`make services`); uses its own
database (created if missing) and Redis db 14, which it flushes: give it one
nothing else uses (--redis-url), or its limits are shared with strangers.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import ensure_database  # noqa: E402  (after the path is set)

DEFAULT_DB = "postgres://postgres:postgres@127.0.0.1:5432/wb_archiver_bench"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=500)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=4, help="processes per worker")
    parser.add_argument("--limit", type=int, default=30, help="saves per window")
    parser.add_argument("--window", type=float, default=6.0, help="seconds (60 for real)")
    parser.add_argument(
        "--archive-limit",
        type=int,
        default=None,
        help="what the stand-in accepts per window (default: --limit); lower "
        "it to see 429s slow the pool",
    )
    parser.add_argument("--max-active", type=int, default=10, help="jobs in flight")
    parser.add_argument("--job-seconds", type=float, default=0.5, help="how long a capture takes")
    parser.add_argument("--kill-one", action="store_true", help="SIGKILL a worker a third in")
    parser.add_argument("--outage", type=float, default=0.0, help="503 for this long, halfway")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS))
    return parser.parse_args()


def configure(args: argparse.Namespace, data_dir: str) -> dict[str, str]:
    """The environment for this process and the workers (read by waybrief/settings.py)."""
    env = {
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.redis_url,
        "WAYBRIEF_DATA_DIR": data_dir,
        "DJANGO_SETTINGS_MODULE": "waybrief.settings",
        "WAYBACK_RATE_PER_MINUTE": str(args.limit),
        "WAYBACK_RATE_WINDOW_SECONDS": str(args.window),
        "WAYBACK_MAX_ACTIVE": str(args.max_active),
        "WAYBACK_LOOKUP_RATE_PER_MINUTE": str(args.limit * 4),
        "WAYBACK_POLL_SECONDS": str(max(0.2, args.job_seconds)),
        "WAYBACK_BREAKER_SECONDS": "2",
        "WAYBACK_PAUSE_SECONDS": str(args.window),
        "WAYBACK_SLOWDOWN_SECONDS": str(args.window * 10),
        "WAYBACK_INLINE_WAIT_SECONDS": "5",
        "WAYBACK_TIMEOUT_SECONDS": "10",
        "LEASE_SECONDS": "20",
        "RECONCILE_INTERVAL_SECONDS": "2",
    }
    os.environ.update(env)
    return {**os.environ, **env}


def start_worker(env: dict[str, str], n: int, args, beat: bool, log_dir: Path) -> subprocess.Popen:
    from tests.support.workers import celery_worker_command

    schedule = log_dir / "beat-schedule" if beat else None
    command = celery_worker_command(f"bench-{n}@%h", concurrency=args.concurrency,
                                    loglevel="WARNING", beat_schedule=schedule)  # fmt: skip
    log = (log_dir / f"worker-{n}.log").open("wb")
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
    )


def wait_ready(app, count: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= count:
            return
    raise SystemExit(f"only {len(replies)} of {count} workers answered")


def kill(worker: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait()


def stop(worker: subprocess.Popen) -> None:
    try:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        kill(worker)


def run(args, env, fake, log_dir: Path) -> tuple[float, list, dict]:
    """Queue every URL, drive the chaos asked for, return (wall time, events, states)."""
    from archiver.models import Capture
    from archiver.services import archive_urls
    from waybrief.celery import app

    workers = [start_worker(env, n, args, n == 0, log_dir) for n in range(args.workers)]
    wait_ready(app, args.workers)
    urls = [f"https://blog.example.org/{n:04d}/post-{n}" for n in range(args.urls)]
    happened: list[str] = []
    started = time.monotonic()
    archive_urls(urls, source="bench")
    while Capture.objects.filter(state__in=Capture.OPEN_STATES).exists():
        done = Capture.objects.exclude(state__in=Capture.OPEN_STATES).count()
        if args.kill_one and not any("killed" in h for h in happened) and done > args.urls / 3:
            kill(workers[-1])
            workers[-1] = start_worker(env, args.workers, args, False, log_dir)
            happened.append(f"killed worker {args.workers - 1} with SIGKILL after {done} URLs")
        if args.outage and not any("outage" in h for h in happened) and done > args.urls / 2:
            fake.outage(args.outage)
            happened.append(f"outage (503 everywhere) for {args.outage:.0f} s after {done} URLs")
        if time.monotonic() - started > 20 * args.urls / args.limit * args.window + 300:
            happened.append("gave up waiting")
            break
        time.sleep(0.2)
    wall = time.monotonic() - started
    for worker in workers:
        stop(worker)
    states = Counter(Capture.objects.values_list("state", flat=True))
    return wall, happened, dict(states)


def report(args, fake, wall: float, happened: list[str], states: dict) -> None:
    saves = fake.saves()
    jobs = Counter(job.url for job in fake.jobs.values())
    accepted = sorted(a.at for a in saves if a.status == 200)
    refused = [a for a in saves if a.status == 429]
    span = accepted[-1] - accepted[0] if len(accepted) > 1 else 0.0
    # Saves per window over every whole window from the first save: a limiter
    # that keeps the Archive busy scores the limit exactly, never more.
    windows = max(1, int(span // args.window))
    per_window = [
        sum(1 for t in accepted if 0 <= t - accepted[0] - k * args.window < args.window)
        for k in range(windows)
    ]
    achieved = sum(per_window) / windows
    ideal = (-(-len(accepted) // args.limit) - 1) * args.window
    lost = args.urls - states.get("archived", 0) - states.get("skipped", 0)
    print(
        f"archive bench: {args.urls} URLs, {args.workers} workers x {args.concurrency} "
        f"processes, limit {args.limit} saves per {args.window:g} s window "
        f"(time scaled {60 / args.window:g}x); the stand-in accepts "
        f"{args.archive_limit or args.limit}"
    )
    for line in happened:
        print(f"  event: {line}")
    rows = [
        ("save requests sent", len(saves)),
        ("saves accepted", len(accepted)),
        (
            "achieved rate",
            f"{achieved:.2f} saves per window over {windows} windows "
            f"= {achieved / args.limit:.1%} of the limit (lowest {min(per_window)})",
        ),
        ("most in any window", f"{fake.max_saves_in_window(args.window)} (limit {args.limit})"),
        ("429s received", len(refused)),
        ("duplicates submitted", sum(n - 1 for n in jobs.values() if n > 1)),
        ("URLs lost", lost),
        ("final states", " ".join(f"{k}={v}" for k, v in sorted(states.items()))),
        ("wall time", f"{wall:.1f} s (saves spanned {span:.1f} s; ideal {ideal:.1f} s)"),
    ]
    for name, value in rows:
        print(f"  {name:22} {value}")


def main() -> None:
    args = parse_args()
    data_dir = tempfile.mkdtemp(prefix="wb-bench-archive-")
    env = configure(args, data_dir)
    ensure_database(args.database_url)

    import django

    django.setup()
    import redis
    from django.core.management import call_command

    from archiver.models import Capture
    from tests.support.fake_wayback import FakeWayback

    call_command("migrate", verbosity=0)
    Capture.objects.all().delete()
    redis.Redis.from_url(args.redis_url).flushdb()
    fake = FakeWayback(
        save_limit=args.archive_limit or args.limit,
        window=args.window,
        retry_after=f"{args.window:g}",
        max_active=args.max_active,
        job_seconds=args.job_seconds,
    ).start()
    os.environ["WAYBACK_URL"] = env["WAYBACK_URL"] = fake.base_url
    from django.conf import settings

    settings.WAYBACK_URL = fake.base_url
    try:
        wall, happened, states = run(args, env, fake, Path(data_dir))
    finally:
        fake.stop()
    report(args, fake, wall, happened, states)


if __name__ == "__main__":
    main()
