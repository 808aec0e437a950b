"""`make run`: the web server and a worker (with beat) in one command.

The embedded default needs no server besides this one: SQLite and the
file-system broker live under WAYBRIEF_DATA_DIR. Ctrl-C stops both.
"""

from __future__ import annotations

import signal
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and a Celery worker (with beat) together."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-worker", action="store_true", help="Serve the web only (workers run elsewhere)."
        )
        parser.add_argument("--concurrency", type=int, default=None, help="Worker processes.")

    def handle(self, *args, addrport: str, no_worker: bool, concurrency: int | None, **opts):
        # A SIGTERM (docker stop, a test) must also stop the worker: turn it
        # into the same orderly exit as Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        worker = None if no_worker else self._start_worker(concurrency)
        host, _, port = addrport.rpartition(":")
        self.stdout.write(
            self.style.SUCCESS(f"Waybrief is up: http://{host or '127.0.0.1'}:{port}/")
            + f"\n  admin: http://{host or '127.0.0.1'}:{port}/admin/"
            " (make a user with: .venv/bin/python manage.py createsuperuser)"
            f"\n  data:  {settings.DATA_DIR}"
            "\n  Ctrl-C stops the web server and the worker."
        )
        try:
            call_command("runserver", addrport, use_reloader=False, use_threading=True)
        except KeyboardInterrupt:
            pass
        finally:
            if worker is not None:
                self._stop_worker(worker)

    def _start_worker(self, concurrency: int | None) -> subprocess.Popen:
        command = [sys.executable, "-m", "celery", "-A", "waybrief", "worker", "--beat"]
        command += ["--loglevel", "INFO", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME]
        if concurrency:
            command += ["--concurrency", str(concurrency)]
        # Its own process group, so the terminal's Ctrl-C reaches us first
        # and we stop the worker in order (warm shutdown, then kill).
        return subprocess.Popen(command, start_new_session=True)

    def _stop_worker(self, worker: subprocess.Popen) -> None:
        if worker.poll() is not None:
            return
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
