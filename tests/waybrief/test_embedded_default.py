"""`make run` with no configuration: SQLite, the file-system broker, one command."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.waiting import ROOT, wait_until

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    env.update(WAYBRIEF_DATA_DIR=str(tmp_path), RECONCILE_INTERVAL_SECONDS="2")
    return env


def test_the_defaults_are_sqlite_and_a_file_system_broker(embedded_env, tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**embedded_env, "DJANGO_SETTINGS_MODULE": "waybrief.settings"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["django.db.backends.sqlite3", "filesystem://"]
    assert (tmp_path / "secret_key").exists()


def test_serve_runs_the_site_and_a_worker_and_stops_both(embedded_env, tmp_path):
    """GIVEN no configuration WHEN `manage.py serve` runs THEN the home page,
    the admin and a worker round trip work, and SIGTERM stops everything."""
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=embedded_env, check=True,
                   capture_output=True)  # fmt: skip
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [*manage, "serve", f"127.0.0.1:{port}"],
            cwd=ROOT, env=embedded_env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=5) as http:
            wait_until(lambda: _answers(http), timeout=60)
            home = http.get("/")
            assert home.status_code == 200
            assert f"javascript:location=&#x27;{base}/summarize?url=" in home.text
            assert http.get("/admin/login/").status_code == 200

            page = http.get("/status")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
            ping = http.post("/status/ping", data={"csrfmiddlewaretoken": token},
                             headers={"Referer": f"{base}/status"})  # fmt: skip
            assert ping.status_code == 302
            wait_until(lambda: http.get("/healthz").json()["worker_last_seen"], timeout=90)
        assert "Waybrief is up" in log.read_text()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)
    assert _celery_children_of(tmp_path) == [], log.read_text()[-2000:]


def _answers(http: httpx.Client) -> bool:
    try:
        return http.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


def _celery_children_of(data_dir) -> list[int]:
    """Celery processes still running with this test's data dir in their env."""
    alive = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            environ = Path(f"/proc/{pid}/environ").read_bytes()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"celery" in cmdline and f"WAYBRIEF_DATA_DIR={data_dir}".encode() in environ:
            alive.append(int(pid))
    return alive
