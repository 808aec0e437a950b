"""`make run` and compose's web service: the ASGI server, plus supervised workers.

One command for both shapes. The web side is uvicorn (ASGI), so a live
summary stream or a v0 wait is a coroutine, not a thread. Unless
``--no-worker``, ``serve`` also runs two Celery workers and restarts either
when it dies: one for the model ("summarize", SERVE_MODEL_CONCURRENCY
processes, default 1) and one for everything else ("default,crawl,archive",
with beat, SERVE_WORKER_CONCURRENCY, default one per CPU up to 8), so archive
saves never wait behind a summary. The port is taken before any worker starts,
and every way out stops the workers (on Linux they also die with ``serve``).
Ctrl-C or SIGTERM stops everything.

``--web-workers N`` runs N uvicorn processes on the one socket (uvicorn's own
supervisor restarts one that dies). Each web process listens for the workers'
notices itself (waybrief/notify.py: Redis pub/sub, or one UNIX socket per
process), so every viewer of a summary hears of each piece whichever process
serves it. Per-client counters are per process unless CACHE_REDIS_URL is set.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

log = logging.getLogger("waybrief.serve")
STOP_SECONDS = 20  # a worker's warm shutdown before it is killed; its rows are re-rung later
BACKOFF_MAX_SECONDS = 60.0
STEADY_SECONDS = 60.0  # a worker up this long has recovered: its next crash restarts at once


@dataclass
class Pool:
    """One supervised `celery worker` process (and the processes it forks)."""

    name: str
    queues: str
    concurrency: int
    beat: bool = False
    process: subprocess.Popen | None = None
    started: float = 0.0
    failures: int = 0
    next_start: float = 0.0
    restarts: int = 0

    def command(self) -> list[str]:
        command = [sys.executable, "-m", "celery", "-A", "waybrief", "worker",
                   "--hostname", f"{self.name}@%h", "--queues", self.queues,
                   "--concurrency", str(self.concurrency), "--loglevel", "INFO"]  # fmt: skip
        if self.beat:
            command += ["--beat", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME]
        return command


def pools(concurrency: int | None, model_concurrency: int | None) -> list[Pool]:
    """The model's pool apart from the rest: a summary holds its process for
    minutes, an archive save for a second."""
    rest = concurrency or settings.SERVE_WORKER_CONCURRENCY or min(os.cpu_count() or 1, 8)
    model = model_concurrency or settings.SERVE_MODEL_CONCURRENCY or 1
    return [
        Pool("main", "default,crawl,archive", rest, beat=True),
        Pool("model", "summarize", model),
    ]


def _parent_death_signal():
    """Linux: a child that gets SIGTERM when `serve` dies without stopping it
    (SIGKILL). Looked up here, before any fork: the child only calls it."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    return lambda: prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


_die_with_parent = _parent_death_signal()


class Supervisor:
    """Starts the pools, restarts any that dies (with a backoff), stops them all.

    Every process is started from this one thread, which lives as long as
    `serve` does: the kernel's parent-death signal is tied to it.
    """

    def __init__(self, pools: list[Pool]) -> None:
        self.pools = pools
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, *, hurry: bool = False) -> None:
        if hurry:
            self._hurry.set()
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        else:
            self._stop_all()  # the thread never ran: nothing to stop, but be sure

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                for pool in self.pools:
                    self._tend(pool)
                self._stop.wait(0.25)
        finally:
            self._stop_all()

    def _tend(self, pool: Pool) -> None:
        now = time.monotonic()
        if pool.process is None:
            if now >= pool.next_start:
                self._spawn(pool)
            return
        code = pool.process.poll()
        if code is None:
            return
        uptime = now - pool.started
        pool.failures = 1 if uptime > STEADY_SECONDS else pool.failures + 1
        delay = min(BACKOFF_MAX_SECONDS, 2.0 ** (pool.failures - 1))
        why = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with code {code}"
        log.error("worker %r (pid %s) %s after %.0f s; restarting it in %.0f s",
                  pool.name, pool.process.pid, why, uptime, delay)  # fmt: skip
        _kill_group(pool.process)  # whatever it forked goes with it
        pool.process, pool.next_start = None, now + delay
        pool.restarts += 1

    def _spawn(self, pool: Pool) -> None:
        try:
            # Its own session: the terminal's Ctrl-C reaches `serve`, which stops
            # the worker in order (warm shutdown, then kill).
            pool.process = subprocess.Popen(pool.command(), start_new_session=True,
                                            preexec_fn=_die_with_parent)  # fmt: skip
        except OSError as exc:
            log.error("worker %r did not start (%s); trying again in 5 s", pool.name, exc)
            pool.next_start = time.monotonic() + 5
            return
        pool.started = time.monotonic()
        log.info("worker %r started (pid %s): queues %s, %s process(es)%s", pool.name,
                 pool.process.pid, pool.queues, pool.concurrency,
                 ", with beat" if pool.beat else "")  # fmt: skip

    def _stop_all(self) -> None:
        running = [p.process for p in self.pools if p.process and p.process.poll() is None]
        for process in running:
            _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while running and time.monotonic() < deadline and not self._hurry.is_set():
            running = [process for process in running if process.poll() is None]
            time.sleep(0.1)
        for pool in self.pools:
            if pool.process is not None:
                _kill_group(pool.process)
                pool.process = None


def _signal(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signum)


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the worker's whole session (its pool processes too), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def parse_addrport(addrport: str) -> tuple[str, int]:
    """``8000``, ``0.0.0.0:8000`` or ``[::1]:8000``."""
    host, _, port = addrport.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise CommandError(f"{addrport!r} is not an address and port (such as 127.0.0.1:8000).")
    return host, int(port)


def bind(host: str, port: int) -> socket.socket:
    """The listening socket, taken before anything else starts: a port in use
    fails here, with nothing left running."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CommandError(
            f"Cannot listen on {host}:{port}: {exc.strerror}. Another server may be running "
            f"there; stop it, or pick another port (manage.py serve {host}:{port + 1})."
        ) from None
    sock.listen(2048)
    return sock


def uvicorn_config(app: str = "waybrief.asgi:application", **extra):
    """uvicorn's settings for Waybrief, one process or several."""
    import uvicorn

    return uvicorn.Config(
        app,
        http="h11",  # it enforces a request size limit (below); httptools has none
        h11_max_incomplete_event_size=settings.SERVE_MAX_REQUEST_BYTES,
        lifespan="off",  # Django has no lifespan handler
        # Django reads X-Forwarded-* itself, only with WAYBRIEF_BEHIND_PROXY
        # (waybrief/throttle.py); uvicorn must not rewrite the client address first.
        proxy_headers=False,
        server_header=False,
        timeout_keep_alive=settings.SERVE_KEEPALIVE_SECONDS,
        # Streams last minutes: on stop, give them this long, then close them.
        timeout_graceful_shutdown=5,
        log_config=None,  # Django's LOGGING
        **extra,
    )


def uvicorn_server(sock: socket.socket):
    import uvicorn

    config = uvicorn_config()
    config.load()  # imports the app now: a broken setup fails before "is up"
    return uvicorn.Server(config)


def uvicorn_workers(sock: socket.socket, workers: int):
    """uvicorn's supervisor of ``workers`` web processes sharing ``sock``; ``.run()``
    serves until SIGINT or SIGTERM, then stops them."""
    import inspect

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    uvicorn_server(sock)  # the app imported here first: a broken setup fails before "is up"
    extra = {}
    if "timeout_worker_healthcheck" in inspect.signature(uvicorn.Config).parameters:
        extra["timeout_worker_healthcheck"] = 30  # uvicorn 0.37+; busy cores answer late
    config = uvicorn_config("waybrief.management.commands.serve:web_process_app",
                            factory=True, workers=workers, **extra)  # fmt: skip
    # Older uvicorn took the processes' target; newer ones make it themselves.
    if "target" in inspect.signature(Multiprocess).parameters:
        return Multiprocess(config, target=uvicorn.Server(config).run, sockets=[sock])
    return Multiprocess(config, sockets=[sock])


def web_process_app():
    """The ASGI app in one of ``--web-workers``' processes, which dies with `serve`
    (Linux): a web process left behind would go on answering on the port."""
    import multiprocessing

    if _die_with_parent is not None:
        _die_with_parent()
        parent = multiprocessing.parent_process()
        if parent is not None and os.getppid() != parent.pid:
            raise SystemExit("serve ended before this web process started")
    from waybrief.asgi import application

    return application


class Command(BaseCommand):
    help = "Run the ASGI web server and supervised Celery workers (with beat) together."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve the web only (workers run elsewhere)."
        )
        parser.add_argument("--concurrency", type=int, default=None,
                            help="Processes for default, crawl and archive.")  # fmt: skip
        parser.add_argument("--model-concurrency", type=int, default=None,
                            help="Processes for summarize (each holds a model).")  # fmt: skip
        parser.add_argument("--web-workers", type=int, default=1,
                            help="uvicorn processes serving the web (default 1).")  # fmt: skip

    def handle(self, *args, addrport: str, no_worker: bool, concurrency: int | None,
               model_concurrency: int | None, web_workers: int = 1, **opts):  # fmt: skip
        if web_workers < 1:
            raise CommandError("--web-workers must be 1 or more.")
        host, port = parse_addrport(addrport)
        sock = bind(host, port)
        # SIGTERM (docker stop, a test) is the same orderly exit as Ctrl-C.
        # uvicorn handles both while it serves and raises them again after.
        signal.signal(signal.SIGTERM, _exit_on_signal)
        supervisor = None
        try:
            # Several processes: uvicorn's supervisor takes SIGINT and SIGTERM over,
            # and its run() returns on either.
            run = (uvicorn_workers(sock, web_workers).run if web_workers > 1
                   else functools.partial(uvicorn_server(sock).run, sockets=[sock]))  # fmt: skip
            if not no_worker:
                supervisor = Supervisor(pools(concurrency, model_concurrency))
                supervisor.start()
            self._banner(host, port, no_worker, web_workers)
            run()
        except KeyboardInterrupt:
            pass
        finally:
            # A second Ctrl-C (or SIGTERM) while the workers stop kills them at once.
            for signum in (signal.SIGINT, signal.SIGTERM):
                signal.signal(signum, lambda *_: supervisor and supervisor.stop(hurry=True))
            if supervisor is not None:
                supervisor.stop()
            sock.close()

    def _banner(self, host: str, port: int, no_worker: bool, web_workers: int = 1) -> None:
        shown = f"[{host}]" if ":" in host else host
        base = f"http://{shown}:{port}"
        self.stdout.write(
            self.style.SUCCESS(f"Waybrief is up: {base}/") + f"\n  admin: {base}/admin/"
            " (make a user with: .venv/bin/python manage.py createsuperuser)"
            f"\n  data:  {settings.DATA_DIR}"
            + (f"\n  web:   {web_workers} processes" if web_workers > 1 else "")
            + ("\n  workers run elsewhere (--no-worker)" if no_worker else "")
            + "\n  Ctrl-C stops the web server and the workers."
        )
        self.stdout.flush()


def _exit_on_signal(signum, frame) -> None:
    raise KeyboardInterrupt
