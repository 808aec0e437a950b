"""The openai backend against a real llama-server serving the bundled model.

`make test` builds llama-server from the pinned llama.cpp sources first
(cached under ~/.cache/waybrief); this is the continuous-batching path.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from summarizer import services
from summarizer.backends import BackendError, Usage
from summarizer.backends.openai import OpenAIBackend
from summarizer.models import Summary
from tests.support.documents import ARTICLE
from tests.support.http import Reply
from tests.support.llama_server import start_llama_server, stop_llama_server
from tests.support.waiting import ROOT

PARALLEL = 2


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    server, base_url = start_llama_server(tmp_path_factory.mktemp("llama-server"))
    yield base_url
    stop_llama_server(server)


@pytest.fixture
def backend(llama_server) -> OpenAIBackend:
    return OpenAIBackend(llama_server, model="smollm2")


def test_it_reads_the_servers_context_and_tokenizer(backend):
    assert backend.context_length == 2048  # per slot: -c divided among --parallel slots
    assert 3 <= backend.count_tokens("Waybrief saves blogs.") <= 10


def test_it_streams_an_answer_and_reports_usage(backend):
    usage = Usage()
    messages = [{"role": "user", "content": "Say hello in one short sentence."}]
    pieces = list(backend.stream_chat(messages, max_tokens=30, usage=usage))
    assert len(pieces) > 1 and "".join(pieces).strip()
    assert usage.prompt_tokens > 5 and 0 < usage.completion_tokens <= 30


@pytest.mark.django_db(transaction=True)
def test_summaries_run_concurrently_through_the_server(backend, site, loopback_fetcher):
    """GIVEN a server with 2 slots WHEN two workers' summaries run at once
    THEN both finish, batched by the server."""
    url = site.route("/a", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    rows = [services.request_summary(url=url, enqueue=False, use_cache=False)
            for _ in range(PARALLEL)]  # fmt: skip

    def run(pk: int) -> None:
        try:
            services.run_summary(summary_id=pk, fetcher=loopback_fetcher, backend=backend)
        finally:
            connection.close()  # each thread opened its own

    threads = [threading.Thread(target=run, args=(row.pk,)) for row in rows]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done = Summary.objects.filter(pk__in=[r.pk for r in rows], state=Summary.State.DONE)
    assert done.count() == PARALLEL
    assert all(summary.output and summary.model == "smollm2" for summary in done)


def test_a_server_that_dies_mid_stream_is_a_clear_model_failure(tmp_path):
    server, base_url = start_llama_server(tmp_path, parallel=1)
    backend = OpenAIBackend(base_url, model="smollm2")
    messages = [{"role": "user", "content": "Count from one to two hundred in words."}]
    stream = backend.stream_chat(messages, max_tokens=400, usage=Usage())
    next(stream)
    server.kill()
    server.wait()
    with pytest.raises(BackendError):
        for _piece in stream:
            pass


def test_it_reports_how_far_the_server_read_the_prompt_and_reads_a_repeat_from_its_cache(
    backend,
):
    """llama-server says how far it has read a prompt (``return_progress``) and keeps
    each slot's last prompt cached (``cache_prompt``): asked the same document again
    (as the language retry does), it reads almost none of it."""
    text = (ROOT / "bench/quality/docs/en-canals-long.txt").read_text()[:1500]
    messages = [{"role": "system", "content": "You summarize."},
                {"role": "user", "content": f"{text}\n\nSummarize the text above."}]  # fmt: skip
    seen: list[tuple[int, int]] = []
    first = Usage()
    list(backend.stream_chat(messages, max_tokens=4, usage=first,
                             on_prompt=lambda read, total: seen.append((read, total))))  # fmt: skip
    assert seen and seen[-1] == (first.prompt_tokens, first.prompt_tokens)
    assert [read for read, _ in seen] == sorted(read for read, _ in seen)
    assert first.prompt_ms > 0 and first.prompt_tokens > 300
    again = Usage()
    list(backend.stream_chat(messages, max_tokens=4, usage=again))
    assert again.cached_tokens >= again.prompt_tokens - 1
