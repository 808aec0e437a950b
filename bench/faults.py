"""Faults at size: hundreds of captures and summaries through real workers while
workers are SIGKILLed (also during a 429 storm), Redis is killed (kept or
wiped) and PostgreSQL cuts the workers' connections. Prints one row per
scenario: units, how many reached a final state, lost (left open),
duplicated (URLs the Archive accepted more than one save for, plus summaries
finished a second time after they were done), summaries whose model was
called more than once (re-run), and the time from the last fault until
everything was final.

    .venv/bin/python bench/faults.py [--urls 300] [--summaries 30] [--kills 3]
        [--only baseline,worker-kill,storm-kill,redis-aof,redis-wiped,pg-terminate,
                redis-twice,long-model,embedded-kill]

The last three are issue 16's: Redis SIGKILLed twice, ``--redis-gap`` seconds
apart, with nobody to restart a worker that exits; a model silent for
``--long-prompt`` seconds before its first token under a ``--long-lease``
second lease; and the embedded default (SQLite and the file-system broker, in
a child process of its own) with its one worker (beat too) SIGKILLed and
replaced while summaries and saves both run.

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
SCENARIOS = ("baseline", "worker-kill", "storm-kill", "redis-aof", "redis-wiped", "pg-terminate",
             "redis-twice", "long-model", "embedded-kill")  # fmt: skip
ROW = "faults-row "  # how the embedded child hands its row back


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=300, help="captures per scenario")
    parser.add_argument("--summaries", type=int, default=30, help="summaries per scenario")
    parser.add_argument("--kills", type=int, default=3, help="SIGKILLs per kill scenario")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--redis-gap", type=float, default=30.0,
                        help="redis-twice: seconds between the two kills")  # fmt: skip
    parser.add_argument("--long-prompt", type=float, default=18.0,
                        help="long-model: the model's silence before its first token")  # fmt: skip
    parser.add_argument("--long-lease", type=int, default=5, help="long-model: LEASE_SECONDS")
    parser.add_argument("--long-summaries", type=int, default=4, help="long-model: summaries")
    parser.add_argument("--settle-seconds", type=float, default=600.0,
                        help="how long to wait for every unit after the last fault")  # fmt: skip
    parser.add_argument("--embedded-child", action="store_true", help=argparse.SUPPRESS)
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
        self.done_at: dict[int, object] = {}  # summary pk: finished_at when first seen done

    def close(self) -> None:
        self.stop_workers()
        for server in (self.site, self.model, self.wayback):
            server.stop()

    # --- processes --------------------------------------------------------------
    def start_workers(self, broker_url: str, n: int = 1, *, beat: bool = False, **env) -> list:
        from tests.support.processes import spawn, wait_ready
        from tests.support.scenarios import worker_environment

        base = {**os.environ, "PYTHONPATH": str(ROOT), "FETCH_ALLOW_PRIVATE": "1",
                "FETCH_TIMEOUT_SECONDS": "3", "LLM_CONTEXT": "4096"}  # fmt: skip
        env = worker_environment(base, broker_url=broker_url, wayback_url=self.wayback.base_url,
                                 model_url=self.model.base_url, data_dir=str(self.dir),
                                 **{"WAYBACK_MAX_ACTIVE": 20, **env})  # fmt: skip
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

    def settle(self, batch, *, revive: bool = True) -> None:
        deadline = time.monotonic() + self.args.settle_seconds
        while not batch.all_final() and time.monotonic() < deadline:
            if revive:
                self.revive()
            self.watch_done(batch)
            time.sleep(0.2)
        self.watch_done(batch)

    def watch_done(self, batch) -> None:
        """Note when each summary was first seen done, to catch one finished twice."""
        from summarizer.models import Summary

        rows = Summary.objects.filter(pk__in=batch.summary_ids, state="done")
        for pk, finished_at in rows.values_list("pk", "finished_at"):
            self.done_at.setdefault(pk, finished_at)

    def redone(self, batch) -> int:
        """Summaries finished again (or undone) after they were first seen done."""
        from summarizer.models import Summary

        now = dict(Summary.objects.filter(pk__in=batch.summary_ids, state="done")
                   .values_list("pk", "finished_at"))  # fmt: skip
        return sum(1 for pk, first in self.done_at.items() if now.get(pk) != first)

    def reruns(self, batch) -> int:
        """Summaries whose page reached the model stand-in more than once."""
        return sum(1 for n in range(len(batch.summary_ids)) if self.model.calls_for(n) > 1)

    def exited(self) -> int:
        """Workers that exited by themselves (not killed by the bench)."""
        return sum(1 for p in self.workers if p.poll() is not None and not getattr(p, "killed", 0))

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

    # --- issue 16 ---------------------------------------------------------------
    def redis_twice(self, redis) -> tuple[object, float, str]:
        """Redis (appendonly) SIGKILLed while saves and summaries run, restarted,
        and SIGKILLed again ``--redis-gap`` seconds after the first kill; nobody
        restarts a worker that exits."""
        broker = redis(appendonly=True)
        batch = self.batch("redis-twice")
        self.start_workers(broker.url, 2, beat=True)
        batch.ring(broker.url)
        self.wait_for(batch.in_flight, 60)
        first = time.monotonic()
        broker.kill()
        time.sleep(1.0)
        broker.start()
        self.wait_for(lambda: time.monotonic() - first >= self.args.redis_gap, 600)
        open_at_second = not batch.all_final()
        broker.kill()
        time.sleep(1.0)
        broker.start()
        last = time.monotonic()
        self.settle(batch, revive=False)
        note = f"2 SIGKILLs {self.args.redis_gap:.0f} s apart, no supervisor"
        note += f"; {self.exited()} of {len(self.workers)} workers exited"
        if not open_at_second:
            note += "; everything was final before the second kill"
        return batch, time.monotonic() - last, note

    def long_model(self, redis) -> tuple[object, float, str]:
        """Each summary's model call is silent for ``--long-prompt`` seconds
        (over 3 leases) while the reconciler runs every second."""
        from tests.support.scenarios import make_batch

        broker = redis(appendonly=True)
        lease, prompt = self.args.long_lease, self.args.long_prompt
        batch = make_batch("long-model", min(self.args.urls, 50), self.args.long_summaries,
                           self.page)  # fmt: skip
        self.model.prompt_seconds = prompt
        try:
            self.start_workers(broker.url, 2, beat=True, LEASE_SECONDS=lease)
            batch.ring(broker.url)
            last = time.monotonic()
            self.settle(batch)
        finally:
            self.model.prompt_seconds = 0.0
        calls = len(self.model.calls)
        note = (f"model silent {prompt:.0f} s (x{prompt / lease:.1f} the {lease} s lease);"
                f" {calls} model calls for {len(batch.summary_ids)} summaries")  # fmt: skip
        return batch, time.monotonic() - last, note

    def embedded_kill(self, redis) -> tuple[object, float, str]:
        """The embedded default: one worker with beat on SQLite and the file-system
        broker; each time a save and a summary are both in flight, its group gets
        SIGKILL and a new worker with beat takes its place."""
        from tests.support.processes import kill_group

        broker_url = "filesystem://"
        batch = self.batch("embedded-kill")
        (victim,) = self.start_workers(broker_url, 1, beat=True)
        batch.ring(broker_url)
        kills = 0
        for _ in range(self.args.kills):
            self.wait_for(lambda: batch.in_flight() or batch.all_final(), 120)
            if batch.all_final():
                break
            kill_group(victim)
            self.workers.remove(victim)
            kills += 1
            (victim,) = self.start_workers(broker_url, 1, beat=True)
            time.sleep(2.0)
        last = time.monotonic()
        self.settle(batch)
        return batch, time.monotonic() - last, f"{kills} SIGKILLs of the one worker (with beat)"

    def wait_for(self, predicate, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not predicate() and time.monotonic() < deadline:
            time.sleep(0.05)


def run_here(args: argparse.Namespace, names: list[str], data_dir: Path) -> dict[str, tuple]:
    """Run ``names`` in this process (Django set up by the caller); one row of cells each."""
    from archiver.models import Capture
    from summarizer.models import Document, Summary
    from tests.support.processes import PrivateRedis
    from tests.support.scenarios import outcome

    bench = Bench(args, data_dir)
    rows = {}
    try:
        for name in names:
            Capture.objects.all().delete()
            Summary.objects.all().delete()
            Document.objects.all().delete()
            bench.wayback.log.clear()
            with bench.model.lock:
                bench.model.calls.clear()
            bench.done_at.clear()
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
            result = outcome(batch, bench.wayback)
            note += "; " + " ".join(f"{k}={v}" for k, v in sorted(result.states.items()))
            rows[name] = (name, result.units, result.final, result.lost,
                          result.duplicated + bench.redone(batch), bench.reruns(batch),
                          f"{recover:.1f}", f"{wall:.1f}", note)  # fmt: skip
    finally:
        bench.close()
    return rows


def run_embedded_child(args: argparse.Namespace, names: list[str]) -> dict[str, tuple]:
    """Run the embedded scenarios in a child whose settings are the embedded
    default (no DATABASE_URL, no CELERY_BROKER_URL), in a data dir of its own."""
    import json
    import subprocess

    data_dir = Path(tempfile.mkdtemp(prefix="wb-bench-embedded-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(WAYBRIEF_DATA_DIR=str(data_dir), PYTHONPATH=str(ROOT))
    command = [sys.executable, str(Path(__file__).resolve()), "--embedded-child",
               "--only", ",".join(names), "--urls", str(args.urls),
               "--summaries", str(args.summaries), "--kills", str(args.kills),
               "--settle-seconds", str(args.settle_seconds)]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    rows = {}
    for line in done.stdout.splitlines():
        if line.startswith(ROW):
            cells = json.loads(line.removeprefix(ROW))
            rows[cells[0]] = tuple(cells)
    if done.returncode or len(rows) != len(names):
        raise SystemExit(f"embedded child failed (rc {done.returncode}), data in {data_dir}")
    return rows


def main() -> None:
    args = parse_args()
    names = args.only.split(",")
    embedded = [n for n in names if n == "embedded-kill"]
    if args.embedded_child:
        import json

        import django

        data_dir = Path(os.environ["WAYBRIEF_DATA_DIR"])
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waybrief.settings")
        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        for row in run_here(args, names, data_dir).values():
            print(ROW + json.dumps(row), flush=True)
        return
    rows: dict[str, tuple] = {}
    here = [n for n in names if n not in embedded]
    if here:
        data_dir = Path(tempfile.mkdtemp(prefix="wb-bench-faults-"))
        from bench.harness import setup_django

        setup_django(args.database_url, data_dir)
        rows.update(run_here(args, here, data_dir))
    if embedded:
        rows.update(run_embedded_child(args, embedded))
    print(f"fault bench: {args.urls} captures + {args.summaries} summaries per scenario")
    header = ("scenario", "units", "final", "lost", "duplicated", "re-run", "recover s", "wall s",
              "fault")  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for name in names:
        print("| " + " | ".join(str(c) for c in rows[name]) + " |")


if __name__ == "__main__":
    main()
