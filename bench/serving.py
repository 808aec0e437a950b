"""Serving at scale: N viewers on live summaries while the site must stay quick.

The production shape: PostgreSQL, a private Redis, `manage.py serve --no-worker` (uvicorn)
and a `celery worker` for "summarize" whose model is the suite's stand-in
(tests/support/fake_model.py) streaming pieces at a steady rate. For each N,
S summaries are started and N viewers hold their live streams
(`/s/<token>/events`) while a prober times GET /healthz, / and /api/v1/jobs/
for ``--seconds``. Meanwhile ``--v0`` clients (default 50) ask
/api/v0/summarize for the same pages, as Kagi's clients do, and wait for their
synchronous answer: they join the summaries being written. Reported: p50/p95 of
each probe, whether every viewer saw every piece its summary's stream announced,
token-to-viewer p95 (the time from the worker's notice of a write, heard by the
bench on Redis, to a viewer's event carrying it), how many v0 waits were answered
200 with the summary, how late after their row was finished, and how many rows
there were (joined: one per page), the web processes' CPU seconds, and
PostgreSQL transactions per second in the bench database (each autocommit read is one).

``--baseline`` runs the same against gunicorn (sync, 3 workers x 4 threads) on
the same tree: under WSGI each open stream holds one of its 12 threads until it
ends, as the old polling view did (it needs gunicorn: `.venv/bin/pip install gunicorn`).

    .venv/bin/python bench/serving.py [--viewers 50,200,500] [--summaries 4]
        [--seconds 30] [--v0 50] [--web-workers 1] [--baseline]

Loopback only; every process it starts is stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import ensure_database  # noqa: E402  (after the path is set)

DEFAULT_DB = "postgres://postgres:postgres@127.0.0.1:5432/wb_serving_bench"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", default="50,200,500")
    parser.add_argument("--summaries", type=int, default=4, help="summaries written at once")
    parser.add_argument("--seconds", type=float, default=30.0, help="probe window")
    parser.add_argument("--piece-seconds", type=float, default=0.05, help="model: between pieces")
    parser.add_argument("--v0", type=int, default=50, help="v0 requests waiting meanwhile")
    parser.add_argument("--web-workers", type=int, default=1, help="serve --web-workers N")
    parser.add_argument("--baseline", action="store_true", help="also gunicorn sync 3x4")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    return parser.parse_args()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that were reaped."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / ticks


def tree_cpu(pid: int) -> float:
    """The web server's CPU, its worker processes' (gunicorn) included."""
    total = cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):  # a thread that ended meanwhile
            for child in (task / "children").read_text().split():
                total += cpu_seconds(int(child))
    return total


def transactions(database_url: str) -> int:
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        row = conn.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database"
                           " WHERE datname = %s", [name]).fetchone()  # fmt: skip
    return int(row[0])


class Stack:
    """The processes of one run, stopped whatever happens."""

    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.env, self.workdir, self.processes = env, workdir, []

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.workdir / f"{name}.log").open("wb")
        process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        self.processes.append(process)
        return process

    def stop(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)


def wait_http(url: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=2).status_code < 500:
                return
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


async def run_load(base: str, tokens: list[str], viewers: int, seconds: float, api_token: str,
                   redis_url: str, db_name: str, mark,
                   v0_urls: list[str] = ()) -> dict:  # fmt: skip
    import httpx
    import redis.asyncio as aioredis

    notices: dict[str, list[float]] = {}  # summary pk -> notice times
    received: list[list[tuple[float, dict]]] = [[] for _ in range(viewers)]
    stop = asyncio.Event()

    async def listen() -> None:
        client = aioredis.Redis.from_url(redis_url)
        async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.psubscribe(f"waybrief:{db_name}:summary:*")
            while not stop.is_set():
                message = await pubsub.get_message(timeout=0.5)
                if message:  # the worker's clock when it wrote (waybrief/notify.py)
                    pk = message["channel"].decode().rsplit(":", 1)[1]
                    notices.setdefault(pk, []).append(float(message["data"]))
        await client.aclose()

    async def viewer(n: int, http: httpx.AsyncClient) -> None:
        token = tokens[n % len(tokens)]
        with contextlib.suppress(httpx.HTTPError, asyncio.CancelledError):
            async with http.stream("GET", f"{base}/s/{token}/events") as response:
                async for line in response.aiter_lines():
                    if line.startswith("data: "):
                        data = json.loads(line[6:])
                        received[n].append((time.time(), data))
                        if data.get("finished"):
                            return

    async def probe(http: httpx.AsyncClient, timings: dict[str, list[float]]) -> None:
        paths = {"/healthz": {}, "/": {}, "/api/v1/jobs/": {"Authorization": f"Token {api_token}"}}
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for path, headers in paths.items():
                mark = time.monotonic()
                try:
                    answer = await http.get(base + path, headers=headers, timeout=30)
                    ok = answer.status_code < 400
                except httpx.HTTPError:
                    ok = False
                timings[path].append((time.monotonic() - mark) * 1000 if ok else float("inf"))
            await asyncio.sleep(0.2)

    async def v0_wait(url: str, http: httpx.AsyncClient) -> tuple[int, float, str]:
        """One Kagi client's synchronous call: (status, answered at, output or error)."""
        try:
            answer = await http.post(f"{base}/api/v0/summarize", json={"url": url},
                                     headers={"Authorization": f"Bot {api_token}"})  # fmt: skip
            body = answer.json()
            text = (body.get("data") or {}).get("output") or json.dumps(body.get("error"))
            return answer.status_code, time.time(), text
        except (httpx.HTTPError, ValueError) as exc:
            return 0, time.time(), f"{type(exc).__name__}: {exc}"

    listener = asyncio.create_task(listen())
    limits = httpx.Limits(max_connections=viewers + 10, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=httpx.Timeout(30, read=None), limits=limits) as http:
        tasks = [asyncio.create_task(viewer(n, http)) for n in range(viewers)]
        # The window opens once every viewer has its first event, or after 10 s: on
        # a server with a thread per stream the rest wait for a thread meanwhile.
        connect_by = time.monotonic() + 10
        while not all(received) and time.monotonic() < connect_by:
            await asyncio.sleep(0.1)
        started = mark()
        timings: dict[str, list[float]] = {"/healthz": [], "/": [], "/api/v1/jobs/": []}
        v0_limits = httpx.Limits(max_connections=len(v0_urls) + 1, max_keepalive_connections=0)
        v0_http = httpx.AsyncClient(timeout=httpx.Timeout(30, read=None), limits=v0_limits)
        v0_tasks = [asyncio.create_task(v0_wait(url, v0_http)) for url in v0_urls]
        async with httpx.AsyncClient(timeout=30) as prober:
            await probe(prober, timings)
        # Each viewer follows its summary to the end (its "done"), within a minute.
        await asyncio.wait(tasks, timeout=60)
        v0 = list(await asyncio.gather(*v0_tasks)) if v0_tasks else []  # they end with them
        await v0_http.aclose()
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await listener
    return {"timings": timings, "received": received, "notices": notices, "started": started,
            "v0": v0}  # fmt: skip


def summarize_run(label: str, result: dict, pks: dict[str, str], tokens: list[str],
                  cpu: float, tps: float, seconds: float,
                  v0: dict | None = None) -> list[str]:  # fmt: skip
    lines = [f"{label}"]
    for path, values in result["timings"].items():
        failed = sum(v == float("inf") for v in values)
        good = [v for v in values if v != float("inf")]
        lines.append(f"  GET {path:<14} p50 {pct(good, 0.5):7.1f} ms  p95 {pct(good, 0.95):7.1f} ms"
                     f"  ({len(values)} requests, {failed} failed or timed out)")  # fmt: skip
    lags, complete, connected = [], 0, 0
    final: dict[str, int] = {}  # the longest text any viewer of a summary saw
    for n, events in enumerate(result["received"]):
        token = tokens[n % len(tokens)]
        for _, data in events:
            final[token] = max(final.get(token, 0), len(data["partial"]))
    for n, events in enumerate(result["received"]):
        token = tokens[n % len(tokens)]
        times = sorted(result["notices"].get(pks[token], []))
        if not events:
            continue
        connected += 1
        # The text is cumulative: a viewer that saw the whole text last written
        # before "done", and then "done", received every token.
        longest = max(len(data["partial"]) for _, data in events)
        if events[-1][1]["finished"] and longest >= final[token]:
            complete += 1
        for seen, data in events[1:]:
            before = [t for t in times if t <= seen]
            if before and not data["finished"]:
                lags.append((seen - before[-1]) * 1000)
    viewers = len(result["received"])
    lines.append(f"  viewers connected     {connected}/{viewers}; saw every token and done"
                 f" {complete}")  # fmt: skip
    lines.append(f"  token-to-viewer       p50 {pct(lags, 0.5):.1f} ms"
                 f"  p95 {pct(lags, 0.95):.1f} ms  ({len(lags)} events)")  # fmt: skip
    if v0 is not None and v0["asked"]:
        lines.append(f"  v0 waits              {v0['answered']}/{v0['asked']} answered 200 with"
                     f" their summary; after its row was done p50 {pct(v0['lags'], 0.5):.0f} ms"
                     f"  p95 {pct(v0['lags'], 0.95):.0f} ms; rows {v0['rows']}"
                     f" for {len(tokens)} pages")  # fmt: skip
        for problem in v0["problems"][:3]:
            lines.append(f"    {problem}")
    lines.append(f"  web CPU               {cpu:.1f} s over {seconds:.0f} s")
    lines.append(f"  database transactions {tps:.1f} per second")
    return lines


def one_run(args, viewers: int, server: str) -> list[str]:
    from tests.support.documents import ARTICLE
    from tests.support.fake_model import FakeModel
    from tests.support.http import LocalServer, Reply
    from tests.support.processes import PrivateRedis, free_port

    workdir = Path(f"/tmp/wb-serving-bench-{os.getpid()}-{server}-{viewers}")
    workdir.mkdir(parents=True, exist_ok=True)
    ensure_database(args.database_url, fresh=True)
    # The writing outlasts the probe window by 10 s; then each viewer gets "done".
    pieces = int((args.seconds + 10) / args.piece_seconds)
    model = FakeModel(tokens=pieces, delay=args.piece_seconds).start()
    # A Redis of its own: a shared one may have other consumers of "summarize".
    private_redis = PrivateRedis(workdir / "redis", appendonly=False).start()
    redis_url = private_redis.url
    site = LocalServer().start()
    env = {**os.environ, "DATABASE_URL": args.database_url, "CELERY_BROKER_URL": redis_url,
           "WAYBRIEF_DATA_DIR": str(workdir), "PYTHONPATH": str(ROOT), "LLM_BACKEND": "openai",
           "LLM_OPENAI_BASE_URL": model.base_url, "LLM_MAX_OUTPUT_TOKENS": str(pieces),
           "LLM_CONTEXT": "65536", "FETCH_ALLOW_PRIVATE": "1", "SUMMARY_STREAMS_PER_CLIENT": "0",
           "SUMMARY_RATE_PER_MINUTE": "1000", "SUMMARY_CONCURRENCY_PER_CLIENT": "0",
           "API_RATE": "100000/min", "LOG_LEVEL": "WARNING",
           "SECRET_KEY": "bench-only-not-secret"}  # fmt: skip
    stack = Stack(env, workdir)
    manage = [sys.executable, "manage.py"]
    try:
        subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                       capture_output=True)  # fmt: skip
        api_token = subprocess.run([*manage, "createtoken", "bench", "--create-user"], cwd=ROOT,
                                   env=env, check=True, capture_output=True,
                                   text=True).stdout.strip().split()[-1]  # fmt: skip
        port = free_port()
        if server == "uvicorn":
            web = stack.start("web", [*manage, "serve", f"127.0.0.1:{port}", "--no-worker",
                                      "--web-workers", str(args.web_workers)])  # fmt: skip
        else:
            web = stack.start("web", [sys.executable, "-m", "gunicorn", "waybrief.wsgi", "--bind",
                                      f"127.0.0.1:{port}", "--workers", "3", "--threads", "4",
                                      "--timeout", "600"])  # fmt: skip
        stack.start("worker", [sys.executable, "-m", "celery", "-A", "waybrief", "worker", "-Q",
                               "summarize", "--concurrency", str(args.summaries), "--loglevel",
                               "WARNING"])  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/healthz")
        import httpx

        tokens, pks, urls = [], {}, []
        for n in range(args.summaries):
            html = ARTICLE.replace("</article>", f"<p>Bench page {n}.</p></article>")
            url = site.route(f"/post/{n}", Reply(200, html.encode(), {"Content-Type": "text/html"}))
            page = httpx.get(f"{base}/summarize", params={"url": url}, timeout=60).text
            tokens.append(re.search(r"/s/([\w-]+)/events", page).group(1))
            urls.append(url)
        pks = _pks(args.database_url, tokens)
        time.sleep(3)  # the worker has started writing
        # The window opens once every viewer is connected: connecting costs each
        # viewer one lookup; what is measured is the cost of following.
        db_name = args.database_url.rsplit("/", 1)[1]

        def mark() -> tuple[float, int, float]:
            return tree_cpu(web.pid), transactions(args.database_url), time.monotonic()

        v0_urls = [urls[n % len(urls)] for n in range(args.v0 if server == "uvicorn" else 0)]
        result = asyncio.run(run_load(base, tokens, viewers, args.seconds, api_token,
                                      redis_url, db_name, mark, v0_urls))  # fmt: skip
        cpu0, tx0, t0 = result["started"]
        elapsed = time.monotonic() - t0
        cpu = tree_cpu(web.pid) - cpu0
        tps = (transactions(args.database_url) - tx0) / elapsed
        v0 = _v0_figures(args.database_url, result["v0"], v0_urls)
        workers = f" x{args.web_workers}" if server == "uvicorn" and args.web_workers > 1 else ""
        label = (
            f"{server}{workers}: {viewers} viewers and {len(v0_urls)} v0 waits on"
            f" {args.summaries} summaries being written"
            f" (a piece every {args.piece_seconds * 1000:.0f} ms), {args.seconds:.0f} s"
        )
        return summarize_run(label, result, pks, tokens, cpu, tps, elapsed, v0)
    finally:
        stack.stop()
        private_redis.kill()
        model.stop()
        site.stop()


def _v0_figures(database_url: str, answers: list[tuple[int, float, str]],
                urls: list[str]) -> dict:  # fmt: skip
    """v0's answers against the rows: answered 200 with the row's output, and how
    long after the row was finished (its ``finished_at``, the worker's clock)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT url, output, extract(epoch FROM finished_at)"
                            " FROM summarizer_summary WHERE url = ANY(%s)",
                            [sorted(set(urls))]).fetchall()  # fmt: skip
    by_url: dict[str, list[tuple[str, float | None]]] = {}
    for url, output, finished in rows:
        by_url.setdefault(url, []).append((output, float(finished) if finished else None))
    answered, lags, problems = 0, [], []
    for url, (status, at, text) in zip(urls, answers, strict=True):
        matches = [finished for output, finished in by_url.get(url, []) if output == text]
        if status == 200 and matches:
            answered += 1
            if matches[0] is not None:
                lags.append((at - matches[0]) * 1000)
        else:
            problems.append(f"{status}: {text[:120]}")
    return {"asked": len(urls), "answered": answered, "lags": lags, "problems": problems,
            "rows": len(rows)}  # fmt: skip


def _pks(database_url: str, tokens: list[str]) -> dict[str, str]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        rows = conn.execute("SELECT token, id FROM summarizer_summary WHERE token = ANY(%s)",
                            [tokens]).fetchall()  # fmt: skip
    return {token: str(pk) for token, pk in rows}


def main() -> None:
    args = parse_args()
    lines = []
    runs = [(int(n), "uvicorn") for n in args.viewers.split(",")]
    if args.baseline:
        runs.append((runs[0][0], "gunicorn"))
    for viewers, server in runs:
        run = one_run(args, viewers, server)
        print("\n".join(run), flush=True)
        lines += run
    print("\n" + "\n".join(lines))


if __name__ == "__main__":
    main()
