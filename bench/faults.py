"""Faults at size: hundreds of captures and summaries through real workers while
workers are SIGKILLed (also during a 429 storm), Redis is killed (kept or
wiped) and PostgreSQL cuts the workers' connections. Prints one row per
scenario: units, how many reached a final state, lost (left open),
duplicated (URLs the Archive accepted more than one save for), and the time
from the last fault until everything was final.

    .venv/bin/python bench/faults.py [--urls 300] [--summaries 30] [--kills 3]
        [--only baseline,worker-kill,storm-kill,redis-aof,redis-wiped,pg-terminate]

Needs PostgreSQL on 127.0.0.1 (`make services`) and `redis-server` on PATH:
each scenario starts a Redis of its own on a free loopback port. Uses its own
database (created if missing, emptied of captures and summaries first). The
Archive and the model server are the test suite's loopback stand-ins.
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

DEFAULT_DB = "postgres://postgres:postgres@127.0.0.1:5432/wb_faults_bench"
SCENARIOS = ("baseline", "worker-kill", "storm-kill", "redis-aof", "redis-wiped", "pg-terminate")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=300, help="captures per scenario")
    parser.add_argument("--summaries", type=int, default=30, help="summaries per scenario")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs per kill scenario")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    return parser.parse_args()


class Bench:
    def __init__(self, args: argparse.Namespace, data_dir: Path) -> None:
        from tests.support.fake_model import FakeModel
        from tests.support.fake_wayback import FakeWayback
        from tests.support.http import LocalServer
        from tests.support.scenarios import article_pages

        self.args = args
        self.dir = data_dir
        self.site = LocalServer().start()
        self.page = article_pages(self.site)
        self.model = FakeModel(delay=0.05).start()
        self.wayback = FakeWayback(job_seconds=0.5).start()
        self.workers: list = []
        self.count = 0
        self.revived = 0  # workers that exited by themselves and were replaced

    def close(self) -> None:
        self.stop_workers()
        for server in (self.site, self.model, self.wayback):
            server.stop()

    # --- processes --------------------------------------------------------------
    def start_workers(self, broker_url: str, n: int = 1, *, beat: bool = False) -> list:
        from tests.support.processes import spawn, wait_ready
        from tests.support.scenarios import worker_environment

        base = {**os.environ, "PYTHONPATH": str(ROOT), "FETCH_ALLOW_PRIVATE": "1",
                "FETCH_TIMEOUT_SECONDS": "3", "LLM_CONTEXT": "4096"}  # fmt: skip
        env = worker_environment(base, broker_url=broker_url, wayback_url=self.wayback.base_url,
                                 model_url=self.model.base_url, data_dir=str(self.dir),
                                 WAYBACK_MAX_ACTIVE=20)  # fmt: skip
        batch = []
        for i in range(n):
            batch.append(spawn(env, self.dir, self.count, beat=beat and i == 0))
            self.count += 1
        for process in batch:
            wait_ready(process)
        self.workers.extend(batch)
        return batch

    def stop_workers(self) -> None:
        from tests.support.workers import stop

        for process in self.workers:
            stop(process)
        self.workers = []

    def batch(self, label: str):
        from tests.support.scenarios import make_batch

        return make_batch(label, self.args.urls, self.args.summaries, self.page)

    def settle(self, batch, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while not batch.all_final() and time.monotonic() < deadline:
            self.revive()
            time.sleep(0.2)

    def revive(self) -> None:
        """Replace a worker that exited by itself, as compose's restart policy would."""
        from tests.support.processes import spawn

        for process in list(self.workers):
            if process.poll() is not None and not getattr(process, "killed", False):
                self.workers.remove(process)
                self.workers.append(spawn(process.env, self.dir, self.count, beat=process.beat))
                self.count += 1
                self.revived += 1

    # --- scenarios ---------------------------------------------------------------
    def baseline(self, redis) -> tuple[object, float, str]:
        broker = redis(appendonly=True)
        batch = self.batch("baseline")
        self.start_workers(broker.url, 2, beat=True)
        batch.ring(broker.url)
        last = time.monotonic()
        self.settle(batch)
        return batch, time.monotonic() - last, "none: the same work undisturbed"

    def worker_kill(self, redis) -> tuple[object, float, str]:
        broker = redis(appendonly=True)
        batch = self.batch("worker-kill")
        kills = self.kill_while(batch, broker.url, batch.in_flight)
        last = time.monotonic()
        self.settle(batch)
        return batch, time.monotonic() - last, f"{kills} SIGKILLs of a worker's group"

    def storm_kill(self, redis) -> tuple[object, float, str]:
        """The Archive takes 10 saves a second and answers 429 to the rest while
        workers (allowed 60) are killed: pauses and slowdowns, no failures."""
        broker = redis(appendonly=True)
        batch = self.batch("storm-kill")
        wayback = self.wayback
        with wayback.lock:
            wayback.save_limit, wayback.window, wayback.retry_after = 10, 1.0, "1"
        try:
            # Summaries outrun the throttled saves, so wait on saves alone.
            refusing = lambda: self.refusals() > 0 and batch.saves_in_flight()  # noqa: E731
            kills = self.kill_while(batch, broker.url, refusing)
            last = time.monotonic()
            self.settle(batch)
        finally:
            with wayback.lock:
                wayback.save_limit = None
        return batch, time.monotonic() - last, f"{kills} SIGKILLs during {self.refusals()} 429s"

    def kill_while(self, batch, broker_url: str, ready) -> int:
        """A worker with beat plus a victim; each time ``ready()`` holds, SIGKILL
        the victim's group and start another. Returns how many were killed."""
        from tests.support.processes import kill_group

        self.start_workers(broker_url, 1, beat=True)
        victims = self.start_workers(broker_url, 1)
        batch.ring(broker_url)
        kills = 0
        for _ in range(self.args.kills):
            self.wait_for(lambda: ready() or batch.all_final(), 60)
            if batch.all_final():
                break
            kill_group(victims[0])
            self.workers.remove(victims[0])
            kills += 1
            victims = self.start_workers(broker_url, 1)
            time.sleep(1.0)
        return kills

    def refusals(self) -> int:
        return sum(1 for arrival in self.wayback.saves() if arrival.status == 429)

    def redis_aof(self, redis) -> tuple[object, float, str]:
        broker = redis(appendonly=True)
        batch = self.batch("redis-aof")
        batch.ring(broker.url)
        broker.kill()
        broker.start()
        queued = broker.queued("archive") + broker.queued("summarize")
        last = time.monotonic()
        self.start_workers(broker.url, 2)  # no beat: the queue alone must do
        self.settle(batch)
        return batch, time.monotonic() - last, f"{queued} messages kept across SIGKILL"

    def redis_wiped(self, redis) -> tuple[object, float, str]:
        broker = redis(appendonly=False)
        batch = self.batch("redis-wiped")
        self.start_workers(broker.url, 2, beat=True)
        batch.ring(broker.url)
        self.wait_for(batch.in_flight, 60)
        time.sleep(2.0)
        broker.kill()
        broker.wipe()
        broker.start()
        last = time.monotonic()
        self.settle(batch)
        return batch, time.monotonic() - last, "SIGKILL mid-run, data wiped"

    def pg_terminate(self, redis) -> tuple[object, float, str]:
        from tests.support.processes import terminate_other_connections

        broker = redis(appendonly=True)
        batch = self.batch("pg-terminate")
        self.start_workers(broker.url, 2, beat=True)
        batch.ring(broker.url)
        self.wait_for(batch.in_flight, 60)
        cut = 0
        for _ in range(10):
            cut += terminate_other_connections()
            time.sleep(0.5)
        last = time.monotonic()
        self.settle(batch)
        return batch, time.monotonic() - last, f"{cut} connections terminated in 10 rounds"

    def wait_for(self, predicate, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate() and time.monotonic() < deadline:
            time.sleep(0.05)


def main() -> None:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="wb-bench-faults-"))
    os.environ.update(
        DATABASE_URL=args.database_url,
        CELERY_BROKER_URL="redis://127.0.0.1:9/0",  # this process only writes rows
        WAYBRIEF_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="waybrief.settings",
    )
    from bench.archive import ensure_database

    ensure_database(args.database_url)
    import django

    django.setup()
    from django.core.management import call_command

    from archiver.models import Capture
    from summarizer.models import Document, Summary
    from tests.support.processes import PrivateRedis
    from tests.support.scenarios import outcome

    call_command("migrate", verbosity=0)
    bench = Bench(args, data_dir)
    rows = []
    try:
        for name in args.only.split(","):
            Capture.objects.all().delete()
            Summary.objects.all().delete()
            Document.objects.all().delete()
            bench.wayback.log.clear()
            made: list[PrivateRedis] = []

            def redis(*, appendonly: bool, made=made, name=name) -> PrivateRedis:
                made.append(PrivateRedis(data_dir / f"redis-{name}", appendonly=appendonly))
                return made[-1].start()

            started, bench.revived = time.monotonic(), 0
            batch, recover, note = getattr(bench, name.replace("-", "_"))(redis)
            if bench.revived:
                note += f"; {bench.revived} workers exited by themselves and were restarted"
            wall = time.monotonic() - started
            bench.stop_workers()
            for server in made:
                server.kill()
            rows.append((name, outcome(batch, bench.wayback), recover, wall, note))
    finally:
        bench.close()
    print(f"fault bench: {args.urls} captures + {args.summaries} summaries per scenario")
    header = ("scenario", "units", "final", "lost", "duplicated", "recover s", "wall s", "fault")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name, result, recover, wall, note in rows:
        cells = (name, result.units, result.final, result.lost, result.duplicated,
                 f"{recover:.1f}", f"{wall:.1f}", note)  # fmt: skip
        print("| " + " | ".join(str(c) for c in cells) + " |")


if __name__ == "__main__":
    main()
