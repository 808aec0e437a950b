"""The whole pipeline with the bundled model, against pages on loopback."""

import pytest

from summarizer import services
from summarizer.backends.llama_cpp import LlamaCppBackend
from summarizer.models import Summary
from tests.support.documents import ARTICLE, JS
from tests.support.documents import POST as BIG5_POST
from tests.support.documents import TITLE as BIG5_TITLE
from tests.support.http import Reply

pytestmark = pytest.mark.django_db



def summarize(url: str, fetcher, backend, **options) -> Summary:
    summary = services.request_summary(url=url, enqueue=False, **options)
    return services.run_summary(summary_id=summary.pk, fetcher=fetcher, backend=backend)


def test_it_summarizes_an_english_article(site, loopback_fetcher, model):
    url = site.route("/article", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    summary = summarize(url, loopback_fetcher, model)
    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.output.strip()
    assert (summary.language, summary.parts, summary.document.title) == (
        "EN", 1, "The Closing of Xuite")  # fmt: skip
    assert summary.tokens_in > 50 and summary.tokens_out > 0
    assert summary.timings["first_token_ms"] > 0


def test_it_summarizes_a_big5_article_served_without_charset(site, loopback_fetcher, model):
    url = site.route("/big5", Reply(200, BIG5_POST.encode("cp950"), {"Content-Type": "text/html"}))
    summary = summarize(url, loopback_fetcher, model)
    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.document.title == BIG5_TITLE
    assert summary.document.encoding == "cp950"
    assert summary.language == "ZH-HANT"
    assert summary.output.strip()


def test_it_explains_a_javascript_file_and_names_its_language(site, loopback_fetcher, model):
    url = site.route("/debounce.js", Reply(200, JS, {"Content-Type": "application/javascript"}))
    summary = summarize(url, loopback_fetcher, model)
    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.mode == "explain"
    assert summary.document.code_language == "JavaScript"
    assert summary.output.strip()


def test_a_document_longer_than_the_context_is_summarized_in_parts(site, loopback_fetcher):
    small = LlamaCppBackend(model_path_of_bundle(), n_ctx=1024)
    paragraphs = [
        f"Chapter {i}. The archivists met on day {i} to list blog addresses, check which "
        f"posts had been captured, and submit the missing ones before the deadline. " * 4
        for i in range(1, 25)
    ]
    body = "<html><body><article>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</article>"
    url = site.route("/long", Reply(200, body.encode(), {"Content-Type": "text/html"}))
    assert small.count_tokens(" ".join(paragraphs)) > small.context_length

    summary = summarize(url, loopback_fetcher, small)
    small.llm.close()

    assert summary.state == Summary.State.DONE, summary.error_message
    assert summary.parts >= 3
    assert summary.output.strip()


def test_a_cache_hit_does_not_call_the_model(site, loopback_fetcher, counting_model):
    """GIVEN a summary of a page WHEN another URL serves the same text
    THEN its summary comes from the cache and the model is not called."""
    reply = Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"})
    first = summarize(site.route("/article", reply), loopback_fetcher, counting_model)
    assert counting_model.calls == 1

    again = summarize(site.route("/mirror", reply), loopback_fetcher, counting_model)

    assert counting_model.calls == 1
    assert again.cache_hit is True and again.output == first.output
    assert site.hits["/mirror"] == 1  # fetched: the text is the cache key


def test_without_cache_the_model_always_runs(site, loopback_fetcher, counting_model):
    url = site.route("/article", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    summarize(url, loopback_fetcher, counting_model)
    again = summarize(url, loopback_fetcher, counting_model, use_cache=False)
    assert counting_model.calls == 2 and again.cache_hit is False


def test_a_recent_summary_of_the_same_url_is_returned_without_fetching(
    site, loopback_fetcher, counting_model
):
    url = site.route("/article", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    first = summarize(url, loopback_fetcher, counting_model)
    cached = services.request_summary(url=url, enqueue=False)
    assert cached.pk == first.pk and site.hits["/article"] == 1


def test_a_refused_fetch_fails_the_summary_with_the_reason(site, model):
    from waybrief.fetching import Fetcher

    url = site.route("/article", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    summary = summarize(url, Fetcher(allow_private=False), model)
    assert (summary.state, summary.error_code) == (Summary.State.FAILED, "blocked_address")
    assert "public addresses" in summary.error_message
    assert site.hits["/article"] == 0


def test_a_row_already_done_is_not_run_again(site, loopback_fetcher, counting_model):
    url = site.route("/article", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    done = summarize(url, loopback_fetcher, counting_model)
    services.run_summary(summary_id=done.pk, fetcher=loopback_fetcher, backend=counting_model)
    assert counting_model.calls == 1


def model_path_of_bundle() -> str:
    from summarizer.backends import bundled_model_path

    return bundled_model_path()


def test_a_generation_past_its_deadline_fails_as_model_timeout(
    settings, site, loopback_fetcher, model
):
    """The deadline is checked between tokens, so even the first one is too late here."""
    settings.LLM_DEADLINE_SECONDS = 0.001
    url = site.route("/slow", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    summary = summarize(url, loopback_fetcher, model)
    assert (summary.state, summary.error_code) == (Summary.State.FAILED, "model_timeout")
    assert "LLM_DEADLINE_SECONDS" in summary.error_message
