"""The model failing under a real worker: an error answer, a server that dies
mid-stream, a stream that is not JSON, and a generation that never stops."""

from __future__ import annotations

import pytest

from summarizer import services
from summarizer.models import Summary
from tests.faults.conftest import ring
from tests.support.waiting import wait_until

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
    assert ended[1].error_message in client.get(f"/s/{ended[1].token}").content.decode()
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


def test_a_generation_past_its_deadline_fails_with_a_reason_whether_it_streams_or_stalls(
    private_redis, workers, model, pages, client
):
    """GIVEN a model server that streams without end (slowly, under a high token cap)
    and one that sends three pieces and then stalls, holding the connection open
    WHEN each is summarized under LLM_DEADLINE_SECONDS=2, followed by a good page
    THEN both end failed as model_timeout within seconds of the deadline, with what
    was written kept and the reason on the page; the good one is done by the same worker."""
    broker = private_redis()
    model.delay = 0.05
    (worker,) = workers(broker.url, LLM_DEADLINE_SECONDS=2, LLM_MAX_OUTPUT_TOKENS=100_000)
    rows = [services.request_summary(url=pages(n, fault), enqueue=False)
            for n, fault in enumerate(["endless", "stall"])]  # fmt: skip
    good = services.request_summary(url=pages(2), enqueue=False)
    ring(broker.url, "summarizer.summarize", [r.pk for r in [*rows, good]])

    ended = [wait_until(lambda pk=r.pk: finished(pk), timeout=30) for r in rows]
    good = wait_until(lambda: finished(good.pk), timeout=30)

    assert [(s.state, s.error_code) for s in ended] == [("failed", "model_timeout")] * 2
    assert all("LLM_DEADLINE_SECONDS" in s.error_message for s in ended)
    # Without the deadline the first would stream for over an hour, the second stall 60 s.
    assert all((s.finished_at - s.created_at).total_seconds() < 20 for s in ended)
    assert ended[0].partial_output.count("word") > 3  # what streamed before the cut
    assert ended[1].partial_output == "word0 word1 word2 "  # all of it, not the last feed
    page = client.get(f"/s/{ended[1].token}").content.decode()
    assert ended[1].error_message in page and "word0 word1 word2" in page
    assert good.state == "done" and good.output.strip()
    assert worker.poll() is None
