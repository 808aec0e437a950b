"""A long text that needs several parts, sent by kagiapi as it sends every
text: in a GET query string. Answered 200 in Kagi's shape, written in parts.

The bundled model takes minutes for several full parts on a shared CPU, so
this stack is the fast model stand-in behind a real worker, on a Redis of its
own, with the web process a real `runserver` pointed at the same broker.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from summarizer.models import Summary
from tests.conftest import ROOT, wait_until
from tests.support.fake_model import FakeModel
from tests.support.kagi import check_success
from tests.support.workers import celery_worker_command

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def long_text(paragraphs: int = 120) -> str:
    """About 32 KB of prose: several parts in a 4096-token context."""
    return "\n\n".join(
        f"Part {i} of the rescue. Volunteer team {i} archived {i * 37} posts from blog "
        f"number {i * 11}, checked that each capture in the Wayback Machine showed the "
        f"text and the photos, and wrote down the posts that failed so that team {i + 1} "
        f"could try them again the next morning."
        for i in range(paragraphs)
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def stack(worker_env, tmp_path_factory) -> Iterator[str]:
    """The base URL of a web process whose summaries a stand-in model writes."""
    directory = tmp_path_factory.mktemp("kagi-long")
    redis_port, web_port = free_port(), free_port()
    model = FakeModel().start()
    env = {**worker_env, "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
           "WAYBRIEF_DATA_DIR": str(directory), "API_RATE": "1000/min",
           "LLM_BACKEND": "openai", "LLM_OPENAI_BASE_URL": model.base_url}  # fmt: skip
    log = (directory / "stack.log").open("wb")
    processes = [subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind",
                                   "127.0.0.1", "--save", ""], stdout=log, stderr=log)]  # fmt: skip
    try:
        wait_until(lambda: listening(redis_port), timeout=10)
        worker = celery_worker_command("kagi-long@%h", concurrency=1, queues="summarize")
        web = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{web_port}"]
        processes += [subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
                      for command in (worker, web)]  # fmt: skip
        wait_until(lambda: listening(web_port) and b"ready." in (directory / "stack.log")
                   .read_bytes(), timeout=60)  # fmt: skip
        yield f"http://127.0.0.1:{web_port}/api/v0"
    finally:
        for process in reversed(processes):
            stop(process)
        model.stop()


def test_kagiapi_gets_a_long_text_summarized_in_several_parts(stack, token, monkeypatch):
    from kagiapi import KagiClient

    monkeypatch.setattr(KagiClient, "BASE_URL", stack)
    text = long_text()
    assert len(text.encode()) > 30_000  # far past gunicorn's 4094-byte request line

    answer = check_success(KagiClient(token).summarize(text=text, engine="cecil"))

    assert answer["output"]
    summary = Summary.objects.get()
    assert summary.parts >= 3 and answer["tokens"] == summary.tokens_in + summary.tokens_out
