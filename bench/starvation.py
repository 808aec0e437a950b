"""Archive throughput while long summaries run (issue 16, item 4), measured.

The same work three ways, through real Celery workers on a Redis of their own,
against the test suite's Wayback and model stand-ins, with the shared save
rate scaled down in time (``--rate`` saves per ``--window`` seconds):

- ``alone``: serve's pools, captures only: the ceiling the rate limit allows;
- ``one-pool``: the old `make run`, one worker of 2 processes on every queue,
  with ``--summaries`` summaries whose model is silent ``--prompt-seconds``;
- ``serve``: serve's shape, a ``main`` pool (default, crawl, archive; 2
  processes, beat) and a ``model`` pool (summarize; 1 process), same summaries.

Prints, per run, the seconds until every capture was final, saves per
minute, and the ratio to ``alone``: 1.0 means summaries cost archiving
nothing.

    .venv/bin/python bench/starvation.py [--captures 30] [--summaries 2]
        [--prompt-seconds 60] [--rate 4] [--window 6]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DB = "postgres://postgres:postgres@127.0.0.1:5432/wb_starvation_bench"
MAIN_QUEUES, MODEL_QUEUES = "default,crawl,archive", "summarize"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--captures", type=int, default=30)
    parser.add_argument("--summaries", type=int, default=2, help="long summaries beside them")
    parser.add_argument("--prompt-seconds", type=float, default=60.0,
                        help="the model's silence before its first token")  # fmt: skip
    parser.add_argument("--rate", type=int, default=4, help="saves allowed per window")
    parser.add_argument("--window", type=float, default=6.0, help="the rate window, seconds")
    parser.add_argument("--timeout", type=float, default=600.0, help="per run")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    return parser.parse_args()


class Run:
    """One shape of workers over one batch; stand-ins shared across runs."""

    def __init__(self, args: argparse.Namespace, data_dir: Path, stand_ins) -> None:
        self.args, self.dir = args, data_dir
        self.site, self.model, self.wayback = stand_ins
        self.workers: list = []

    def environment(self, broker_url: str) -> dict[str, str]:
        from tests.support.scenarios import worker_environment

        base = {**os.environ, "PYTHONPATH": str(ROOT), "FETCH_ALLOW_PRIVATE": "1",
                "FETCH_TIMEOUT_SECONDS": "3", "LLM_CONTEXT": "4096"}  # fmt: skip
        return worker_environment(
            base, broker_url=broker_url, wayback_url=self.wayback.base_url,
            model_url=self.model.base_url, data_dir=str(self.dir),
            WAYBACK_RATE_PER_MINUTE=self.args.rate,
            WAYBACK_RATE_WINDOW_SECONDS=self.args.window, WAYBACK_MAX_ACTIVE=self.args.rate,
            LEASE_SECONDS=10,
        )  # fmt: skip

    def start(self, broker_url: str, pools: list[tuple[str, str, int, bool]]) -> None:
        """``pools``: (name, queues, processes, beat) each."""
        from tests.support.processes import wait_ready
        from tests.support.workers import spawn_worker

        env = self.environment(broker_url)
        for name, queues, concurrency, beat in pools:
            schedule = self.dir / f"beat-{name}" if beat else None
            log = self.dir / f"worker-{name}.log"
            process = spawn_worker(f"{name}-{os.getpid()}@%h", env, log, concurrency=concurrency,
                                   beat_schedule=schedule, queues=queues)  # fmt: skip
            self.workers.append(process)
        for process in self.workers:
            wait_ready(process)

    def stop(self) -> None:
        from tests.support.workers import stop

        for process in self.workers:
            stop(process)
        self.workers = []

    def measure(self, label: str, pools, summaries: int) -> tuple[float, int]:
        """Seconds until every capture was final (from the first doorbell), and how
        many the Archive stand-in accepted."""
        from archiver.models import Capture
        from tests.support.processes import PrivateRedis
        from tests.support.scenarios import article_pages, make_batch

        broker = PrivateRedis(self.dir / f"redis-{label}", appendonly=False).start()
        try:
            page = article_pages(self.site)
            batch = make_batch(label, self.args.captures, summaries, page)
            self.start(broker.url, pools)
            started = time.monotonic()
            batch.ring(broker.url)  # the summaries' doorbells first: they take the processes
            deadline = started + self.args.timeout
            while batch.open_captures() and time.monotonic() < deadline:
                time.sleep(0.2)
            seconds = time.monotonic() - started
            accepted = Capture.objects.filter(pk__in=batch.capture_ids, state="archived").count()
            return seconds, accepted
        finally:
            self.stop()
            broker.kill()


def main() -> None:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="wb-bench-starvation-"))
    from bench.harness import setup_django

    setup_django(args.database_url, data_dir)
    from archiver.models import Capture
    from summarizer.models import Document, Summary
    from tests.support.fake_model import FakeModel
    from tests.support.fake_wayback import FakeWayback
    from tests.support.http import LocalServer

    site = LocalServer().start()
    model = FakeModel(delay=0.05, prompt_seconds=args.prompt_seconds).start()
    wayback = FakeWayback(job_seconds=0.5).start()
    run = Run(args, data_dir, (site, model, wayback))
    shapes = {
        "alone": ([("main", MAIN_QUEUES, 2, True), ("model", MODEL_QUEUES, 1, False)], 0),
        "one-pool": ([("all", f"{MAIN_QUEUES},{MODEL_QUEUES}", 2, True)], args.summaries),
        "serve": ([("main", MAIN_QUEUES, 2, True), ("model", MODEL_QUEUES, 1, False)],
                  args.summaries),
    }  # fmt: skip
    rows = []
    try:
        for label, (pools, summaries) in shapes.items():
            Capture.objects.all().delete()
            Summary.objects.all().delete()
            Document.objects.all().delete()
            seconds, accepted = run.measure(label, pools, summaries)
            rows.append((label, summaries, seconds, accepted))
    finally:
        for server in (site, model, wayback):
            server.stop()
    ceiling = rows[0][2]
    print(f"archive throughput while summaries run: {args.captures} captures, rate "
          f"{args.rate} per {args.window:g} s, "
          f"summaries silent {args.prompt_seconds:g} s")  # fmt: skip
    print("| shape | long summaries | captures final after s | archived | saves/min | "
          "time vs alone |")
    print("|---|---|---|---|---|---|")
    for label, summaries, seconds, accepted in rows:
        print(f"| {label} | {summaries} | {seconds:.1f} | {accepted}/{args.captures} | "
              f"{accepted / seconds * 60:.1f} | {seconds / ceiling:.2f}x |")


if __name__ == "__main__":
    main()
