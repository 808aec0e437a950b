"""The model failing under a real worker: an error answer, a server that dies
mid-stream, a stream that is not JSON, and a generation that never stops."""

from __future__ import annotations

import pytest

from summarizer import services
from summarizer.models import Summary
from tests.conftest import wait_until
from tests.faults.conftest import ring

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def finished(pk: int) -> Summary | None:
    summary = Summary.objects.get(pk=pk)
    return summary if summary.is_finished else None


def test_each_model_fault_ends_its_summary_failed_with_a_reason_and_the_worker_serves_on(
    private_redis, workers, model, pages, client
):
    """GIVEN a model server that answers 500, one that drops the connection mid-stream,
    and one that streams an event that is not JSON
    WHEN a summary meets each, followed by a good page
    THEN each faulty summary ends failed with a reason (shown on its page), the good
    one is done, and the same worker process is still serving."""
    broker = private_redis()
    (worker,) = workers(broker.url)
    faults = ["error", "die", "garbage"]
    rows = [services.request_summary(url=pages(n, fault), enqueue=False) for n, fault in
            enumerate(faults)]  # fmt: skip
    good = services.request_summary(url=pages(len(faults)), enqueue=False)
    ring(broker.url, "summarizer.summarize", [r.pk for r in [*rows, good]])

    ended = [wait_until(lambda pk=r.pk: finished(pk), timeout=30) for r in rows]
    good = wait_until(lambda: finished(good.pk), timeout=30)

    assert [s.state for s in ended] == ["failed"] * 3
    assert [s.error_code for s in ended] == ["model_failed", "model_failed", "internal_error"]
    assert "500" in ended[0].error_message and all(s.error_message for s in ended)
    assert ended[1].error_message in client.get(f"/s/{ended[1].pk}").content.decode()
    assert good.state == "done" and good.output.strip()
    assert worker.poll() is None


def test_a_generation_that_never_stops_is_cut_at_the_token_cap(
    private_redis, workers, model, pages
):
    """GIVEN a model server that streams without end, ignoring max_tokens
    WHEN a summary is asked for with a cap of 64 output tokens
    THEN the worker stops reading at the cap: the summary is done with 64 pieces, and
    the server sees the client hang up."""
    broker = private_redis()
    model.delay = 0.01
    workers(broker.url, LLM_MAX_OUTPUT_TOKENS=64)
    summary = services.request_summary(url=pages(0, "endless"), enqueue=False)
    ring(broker.url, "summarizer.summarize", [summary.pk])

    summary = wait_until(lambda: finished(summary.pk), timeout=30)

    assert summary.state == "done"
    assert summary.output.count("word") == 64 and "word64" not in summary.output
    wait_until(lambda: model.endless_pieces, timeout=10)
