"""/api/v0/summarize answers like Kagi's Universal Summarizer: its envelope,
its codes, its parameters. Every answer is checked against Kagi's documented
schema (tests/support/kagi.py). The summaries a worker writes are in
test_kagi_clients.py; here the rows are made by hand, so no model runs."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
from asgiref.sync import async_to_sync
from django.test import AsyncRequestFactory
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIClient

from api import views_v0
from summarizer import prompts
from summarizer.backends import configured_model_name
from summarizer.models import Document, Summary
from tests.support.kagi import check_accepted, check_failure, check_success

pytestmark = pytest.mark.django_db
ASYNC = {"HTTP_PREFER": "respond-async"}


def done(url: str = "https://example.org/a", **fields) -> Summary:
    values = {"url": url, "state": Summary.State.DONE, "output": "It says hello.", "tokens_in": 40,
              "tokens_out": 2, "finished_at": timezone.now(), "model": configured_model_name(),
              "prompt_version": prompts.VERSION, **fields}  # fmt: skip
    return Summary.objects.create(**values)


@pytest.fixture(autouse=True)
def _short_deadline(settings):
    """No worker runs here: a request that misses the cache fails in seconds, not minutes."""
    settings.LLM_DEADLINE_SECONDS = 8
    settings.FETCH_TIMEOUT_SECONDS = 0


@pytest.fixture
def no_wait(settings):
    """A summary no worker will finish is given up on at once."""
    settings.LLM_DEADLINE_SECONDS = 0
    settings.FETCH_TIMEOUT_SECONDS = 0


def test_the_view_is_async_so_a_wait_holds_no_thread():
    assert resolve("/api/v0/summarize").func.__code__.co_flags & 0x80  # CO_COROUTINE


@pytest.mark.django_db(transaction=True)
def test_a_waiting_request_leaves_its_event_loop_free(token, settings, monkeypatch):
    """GIVEN a request waiting for its summary WHEN its event loop is timed
    meanwhile THEN the loop never stalls (the wait sleeps with asyncio between
    reads of the row, it does not block), and the request answers once
    another task on that loop finishes the row.

    The view is called directly: a sync-only middleware in the chain would
    run the whole request in a thread, whatever the view does."""
    settings.LLM_DEADLINE_SECONDS = 20
    # The row is this test's to finish: no worker (the suite's own may be running) is rung.
    monkeypatch.setattr("waybrief.doorbell.send", lambda *args, **kwargs: None)
    rows = Summary.objects.filter(url="https://example.org/later")
    request = AsyncRequestFactory().get("/api/v0/summarize", {"url": "https://example.org/later"},
                                        headers={"Authorization": f"Bot {token}"})  # fmt: skip

    async def scenario():
        waiting = asyncio.create_task(views_v0.summarize(request))
        while not await rows.aexists():
            assert not waiting.done(), (await waiting).content
            await asyncio.sleep(0.01)
        gaps, last = [], time.monotonic()
        for _ in range(150):  # 1.5 s of the view's waiting, in 10 ms ticks
            await asyncio.sleep(0.01)
            gaps.append(time.monotonic() - last)
            last = time.monotonic()
        await rows.aupdate(state="done", output="Later.", tokens_in=3, tokens_out=2,
                           finished_at=timezone.now())  # fmt: skip
        return await asyncio.wait_for(waiting, 10), max(gaps)

    response, stall = async_to_sync(scenario)()
    assert stall < 0.25, f"the event loop stalled for {stall:.2f}s"
    assert response.status_code == 200
    assert check_success(json.loads(response.content)) == {"output": "Later.", "tokens": 5}


def test_a_cached_summary_comes_in_kagis_envelope(bot, settings):
    """GIVEN a finished summary WHEN asked for THEN Kagi's success shape: a
    per-request uuid (not the row's id), api_balance, tokens in plus out."""
    settings.API_V0_BALANCE = 12.5
    summary = done()
    first = bot.get("/api/v0/summarize", {"url": summary.url})
    second = bot.get("/api/v0/summarize", {"url": summary.url})
    assert first.status_code == 200, first.content
    assert check_success(first.json()) == {"output": "It says hello.", "tokens": 42}
    meta = first.json()["meta"]
    assert meta["api_balance"] == 12.5 and uuid.UUID(meta["id"])
    assert meta["id"] != str(summary.pk) and meta["id"] != second.json()["meta"]["id"]


def test_it_needs_a_token():
    response = APIClient().get("/api/v0/summarize", {"url": "https://example.org/"})
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bot")
    assert check_failure(response.json())["code"] == 2


def test_a_wrong_token_is_code_2():
    client = APIClient(HTTP_AUTHORIZATION="Bot not-a-token")
    response = client.post("/api/v0/summarize", {"url": "https://example.org/"}, format="json")
    assert response.status_code == 401 and check_failure(response.json())["code"] == 2


@pytest.mark.parametrize(
    "query", [{}, {"url": "undefined"}, {"url": ""}, {"text": "   "}, {"url": "ftp://e.org/"}]
)
def test_missing_input_is_code_1(bot, query):
    response = bot.get("/api/v0/summarize", query)
    assert response.status_code == 400
    assert check_failure(response.json())["code"] == 1
    assert not Summary.objects.exists()


def test_url_and_text_are_exclusive(bot):
    response = bot.get("/api/v0/summarize", {"url": "https://example.org/", "text": "hello"})
    assert response.status_code == 400
    assert "exclusive" in check_failure(response.json())["msg"]


@pytest.mark.parametrize("url", ["undefined", "", "null", "about:blank"])
def test_a_url_that_is_not_http_gives_way_to_text(bot, url):
    """The extension sends GET ?url=undefined&text=…: it means the text."""
    response = bot.get("/api/v0/summarize", {"url": url, "text": "Words to read."}, **ASYNC)
    assert response.status_code == 202, response.content
    check_accepted(response.json())
    assert Document.objects.get().text == "Words to read." and Summary.objects.get().url == ""


@pytest.mark.parametrize("cache", [False, None, "false", "False", "0", "no", "", 0])
def test_every_no_cache_spelling_keeps_nothing(bot, cache):
    body = {"url": "https://example.org/p", "cache": cache}
    response = bot.post("/api/v0/summarize", body, format="json", **ASYNC)
    assert response.status_code == 202
    assert Summary.objects.get().keep is False


@pytest.mark.parametrize("cache", [True, "true", "1", "yes"])
def test_cache_true_keeps_the_summary(bot, cache):
    bot.post("/api/v0/summarize", {"url": "https://example.org/p", "cache": cache}, format="json",
             **ASYNC)  # fmt: skip
    assert Summary.objects.get().keep is True


def test_a_cache_that_means_nothing_is_code_1(bot):
    response = bot.get("/api/v0/summarize", {"url": "https://e.org/", "cache": "perhaps"})
    assert response.status_code == 400 and check_failure(response.json())["code"] == 1


def test_text_with_cache_null_keeps_nothing_even_when_not_finished(bot, no_wait):
    """kagi.el's JSON with "cache": null, answered when the deadline passes:
    the text it sent is deleted all the same."""
    body = {"text": "Private words. " * 60, "cache": None, "engine": "cecil"}
    response = bot.post("/api/v0/summarize", body, format="json")
    assert response.status_code == 503
    assert check_failure(response.json())["code"] == 200 and response["Retry-After"]
    assert not Summary.objects.exists() and not Document.objects.exists()


def test_a_summary_past_its_deadline_is_code_200_with_503(bot, no_wait):
    response = bot.get("/api/v0/summarize", {"url": "https://example.org/slow"})
    assert response.status_code == 503
    assert check_failure(response.json())["code"] == 200
    assert Summary.objects.get().keep  # it goes on; asking again joins it


def test_text_of_one_megabyte_is_taken_and_more_is_code_1_with_413(bot):
    megabyte = "x" * (1024 * 1024)
    taken = bot.post("/api/v0/summarize", {"text": megabyte}, format="json", **ASYNC)
    assert taken.status_code == 202
    refused = bot.post("/api/v0/summarize", {"text": megabyte + "x"}, format="json")
    assert refused.status_code == 413 and check_failure(refused.json())["code"] == 1


def test_a_body_too_large_for_any_text_is_413(bot):
    body = json.dumps({"text": "x" * (5 * 1024 * 1024)})
    response = bot.post("/api/v0/summarize", body, content_type="application/json")
    assert response.status_code == 413 and check_failure(response.json())["code"] == 1


def test_deeply_nested_json_is_code_1_not_a_server_error(bot):
    body = '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = bot.post("/api/v0/summarize", body, content_type="application/json")
    assert response.status_code == 400 and check_failure(response.json())["code"] == 1


def test_a_json_body_that_is_not_an_object_is_code_1(bot):
    response = bot.post("/api/v0/summarize", '"False"', content_type="application/json")
    assert response.status_code == 400
    assert "JSON object" in check_failure(response.json())["msg"]


@pytest.mark.parametrize(
    "body", [{"text": True}, {"url": ["https://e.org/"]}, {"url": "https://e.org/", "engine": 5}]
)
def test_parameters_of_the_wrong_type_are_code_1(bot, body):
    response = bot.post("/api/v0/summarize", body, format="json")
    assert response.status_code == 400
    assert "must be a string" in check_failure(response.json())["msg"]


def test_unknown_engines_types_and_languages_are_code_1(bot):
    for query in ({"engine": "x"}, {"summary_type": "poem"}, {"target_language": "XX"}):
        response = bot.get("/api/v0/summarize", {"url": "https://e.org/", **query})
        assert response.status_code == 400, query
        assert check_failure(response.json())["code"] == 1
    assert not Summary.objects.exists()


@pytest.mark.parametrize("engine", ["cecil", "agnes", "daphne", "muriel", "MURIEL"])
def test_every_engine_is_the_one_configured_model(bot, engine):
    """Decision (README): all four engines are one model, so a muriel request
    is answered from a cecil one's cache."""
    summary = done()
    response = bot.get("/api/v0/summarize", {"url": summary.url, "engine": engine})
    assert check_success(response.json())["output"] == summary.output
    assert Summary.objects.count() == 1


def test_respond_async_gives_a_202_and_an_unguessable_poll_url(bot, settings):
    settings.API_V0_WAIT_SECONDS = 0
    response = bot.get("/api/v0/summarize", {"url": "https://example.org/slow"},
                       HTTP_PREFER="respond-async, wait=5")  # fmt: skip
    assert response.status_code == 202 and response["Preference-Applied"] == "respond-async"
    check_accepted(response.json())
    summary = Summary.objects.get()
    assert str(summary.pk) not in response["Location"].rsplit("/", 1)[1]
    Summary.objects.filter(pk=summary.pk).update(state="done", output="Done.", tokens_in=40,
                                                 tokens_out=2)  # fmt: skip
    polled = bot.get(response["Location"])
    assert polled.status_code == 200
    assert check_success(polled.json()) == {"output": "Done.", "tokens": 42}


def test_a_poll_url_that_was_not_given_is_code_1_with_404(bot):
    summary = done()
    response = bot.get(f"/api/v0/summarize/{summary.pk}")
    assert response.status_code == 404 and check_failure(response.json())["code"] == 1


def test_a_poll_url_answers_only_the_user_who_asked(bot, django_user_model):
    from knox.models import AuthToken

    pending = bot.post("/api/v0/summarize", {"text": "Mine alone."}, format="json", **ASYNC)
    stranger = django_user_model.objects.create_user(username="stranger")
    other = APIClient(HTTP_AUTHORIZATION=f"Bot {AuthToken.objects.create(stranger)[1]}")
    response = other.get(pending["Location"])
    assert response.status_code == 404 and check_failure(response.json())["code"] == 1
    assert bot.get(pending["Location"]).status_code == 202


@pytest.mark.parametrize(
    ("error_code", "status", "code"),
    [("too_large", 413, 200), ("unreachable", 502, 200), ("model_failed", 503, 200),
     ("blocked_address", 400, 1), ("internal_error", 500, 0)],
)  # fmt: skip
def test_a_failure_carries_kagis_code_and_a_fitting_status(bot, error_code, status, code):
    pending = bot.get("/api/v0/summarize", {"url": "https://example.org/huge"}, **ASYNC)
    Summary.objects.update(state="failed", error_code=error_code, error_message="It failed.")
    response = bot.get(pending["Location"])
    assert response.status_code == status
    assert check_failure(response.json()) == {"code": code, "msg": "It failed.", "ref": None}


def test_tokens_are_throttled_with_code_101_and_retry_after(bot, settings):
    settings.API_RATE = "2/min"
    codes = [bot.get("/api/v0/summarize", {"url": f"https://e.org/{i}"}, **ASYNC).status_code
             for i in range(3)]  # fmt: skip
    assert codes == [202, 202, 429]
    last = bot.get("/api/v0/summarize", {"url": "https://e.org/x"})
    assert int(last["Retry-After"]) > 0 and check_failure(last.json())["code"] == 101


def test_nul_characters_in_text_are_dropped_not_a_server_error(bot):
    response = bot.post("/api/v0/summarize", {"text": "Half\x00way there."}, format="json",
                        **ASYNC)  # fmt: skip
    assert response.status_code == 202
    assert Document.objects.get().text == "Halfway there."


def test_the_path_answers_with_a_trailing_slash_too(bot):
    summary = done()
    response = bot.post("/api/v0/summarize/", {"url": summary.url}, format="json")
    assert response.status_code == 200 and check_success(response.json())
