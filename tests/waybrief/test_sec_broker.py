"""The embedded file-system broker survives a poison file and a busy folder
(issue #24, item 7): a real worker on ``filesystem://``, and two processes
putting and getting at once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kombu import Connection

from tests.support.waiting import ROOT, wait_until
from tests.support.workers import celery_worker_command
from waybrief.broker import TRANSPORT
from waybrief.models import Heartbeat

POISON = {
    "0_empty.default.msg": b"",
    "0_truncated.default.msg": b'{"body": "eyJhcmdzIjogWzFd", "properties": {"deliv',
    "0_binary.default.msg": b"\xff\xfe\x00garbage",
    "0_not-a-message.default.msg": b'{"hello": "world"}',
}


def folders(data_dir: Path) -> dict[str, str]:
    """The transport options settings.py gives the embedded broker under ``data_dir``."""
    broker = data_dir / "broker"
    names = {
        "data_folder_in": "queue",
        "data_folder_out": "queue",
        "processed_folder": "processed",
        "control_folder": "control",
        "quarantine_folder": "quarantine",
    }
    for sub in set(names.values()):
        (broker / sub).mkdir(parents=True, exist_ok=True)
    return {key: str(broker / sub) for key, sub in names.items()}


def connect(options: dict[str, str]) -> Connection:
    return Connection("filesystem://", transport=TRANSPORT, transport_options=options)


def plant_poison(options: dict[str, str], tag: str, queue: str = "default") -> list[str]:
    names = [name.replace("0_", f"0_{tag}-").replace(".default.", f".{queue}.") for name in POISON]
    for name, data in zip(names, POISON.values(), strict=True):
        Path(options["data_folder_in"], name).write_bytes(data)
    return names


def test_the_embedded_default_uses_the_guarded_transport(tmp_path):
    """GIVEN no broker configured THEN Celery's broker is this transport."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    code = "from waybrief.celery import app; print(app.connection_for_write().transport)"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True,
        env={
            **env, "WAYBRIEF_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "waybrief.settings"
        },
    ).stdout
    assert "waybrief.broker.Transport" in out


def test_a_poison_file_is_quarantined_and_the_next_message_is_delivered(tmp_path):
    options = folders(tmp_path)
    with connect(options) as connection:
        # kombu remembers bindings per process, not per folder: a queue name
        # of its own keeps another test's "default" binding out of this one.
        queue = connection.SimpleQueue("solo")
        poison = plant_poison(options, "a", queue="solo")
        queue.put({"n": 1})
        message = queue.get(timeout=5)
        message.ack()
        assert message.payload == {"n": 1}
        queue.close()
    assert sorted(os.listdir(options["quarantine_folder"])) == sorted(poison)
    assert os.listdir(options["data_folder_in"]) == []


def test_a_half_written_file_is_left_alone_until_it_is_stale(tmp_path):
    """GIVEN a temporary file a writer is still filling, and one a dead writer
    left an hour ago WHEN a getter looks THEN it reads neither; the old one
    goes to quarantine, the fresh one stays for its rename."""
    options = folders(tmp_path)
    fresh = Path(options["data_folder_in"], ".1_a.sweep.msg.tmp")
    old = Path(options["data_folder_in"], ".0_b.sweep.msg.tmp")
    fresh.write_bytes(b'{"body": ')
    old.write_bytes(b'{"body": ')
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    with connect(options) as connection:
        queue = connection.SimpleQueue("sweep")
        with pytest.raises(queue.Empty):
            queue.get_nowait()
        queue.close()
    assert fresh.exists() and not old.exists()
    assert os.listdir(options["quarantine_folder"]) == [old.name]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_poison_files_do_not_stop_a_real_worker(worker_env, tmp_path):
    """GIVEN empty, truncated, binary and non-message files in the queue before
    the worker starts, and more while it runs WHEN heartbeats are rung THEN the
    worker stays up, answers each, and the bad files sit in quarantine."""
    options = folders(tmp_path)
    poison = plant_poison(options, "before")
    env = {**worker_env, "CELERY_BROKER_URL": "filesystem://", "WAYBRIEF_DATA_DIR": str(tmp_path)}
    log = tmp_path / "worker.log"
    command = celery_worker_command(f"poison-{os.getpid()}@%h", concurrency=1, queues="default")
    with log.open("wb") as out:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        wait_until(lambda: b"ready." in log.read_bytes() or worker.poll() is not None, timeout=60)
        for round_ in ("first", "later"):
            if round_ == "later":
                poison += plant_poison(options, "during")
            beat = Heartbeat.objects.create()
            ring_heartbeat(options, beat.pk)
            done = Heartbeat.objects.filter(pk=beat.pk, state=Heartbeat.State.DONE)
            wait_until(lambda: worker.poll() is not None or done.exists(), timeout=60)  # noqa: B023
            assert worker.poll() is None, log.read_text()[-3000:]
            assert Heartbeat.objects.get(pk=beat.pk).state == Heartbeat.State.DONE
        assert sorted(os.listdir(options["quarantine_folder"])) == sorted(poison)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def ring_heartbeat(options: dict[str, str], pk: int) -> None:
    from waybrief.celery import app

    with connect(options) as connection:
        producer = connection.Producer()
        app.send_task("waybrief.heartbeat", args=[pk], producer=producer, queue="default")


PUTTER = """
import sys
from kombu import Connection
options = dict(zip(sys.argv[2::2], sys.argv[3::2]))
with Connection("filesystem://", transport=sys.argv[1], transport_options=options) as c:
    queue = c.SimpleQueue("stress")
    for i in range(1500):
        queue.put({"i": i, "pad": "x" * 20000})
"""


@pytest.mark.integration
def test_put_and_get_across_two_processes_read_every_message_whole(tmp_path):
    """GIVEN one process putting 1,500 messages of 20 kB while this one gets
    them as fast as it can THEN each arrives once, whole, and none is quarantined."""
    options = folders(tmp_path)
    args = [x for pair in options.items() for x in pair]
    with connect(options) as connection:
        queue = connection.SimpleQueue("stress")  # declared (bound) before the putter starts
        putter = subprocess.Popen([sys.executable, "-c", PUTTER, TRANSPORT, *args], cwd=ROOT)
        seen: list[int] = []
        deadline = time.monotonic() + 120
        while len(seen) < 1500 and time.monotonic() < deadline:
            try:
                message = queue.get_nowait()
            except queue.Empty:
                if putter.poll() is not None and len(seen) < 1500 and not _queued(options):
                    break
                continue
            seen.append(message.payload["i"])
            assert message.payload["pad"] == "x" * 20000
            message.ack()
        queue.close()
    assert putter.wait(timeout=30) == 0
    assert os.listdir(options["quarantine_folder"]) == []
    assert sorted(seen) == list(range(1500))


def _queued(options: dict[str, str]) -> bool:
    return any(name.endswith(".msg") for name in os.listdir(options["data_folder_in"]))
