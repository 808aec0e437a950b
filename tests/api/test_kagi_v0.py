"""/api/v0/summarize answers like Kagi's Universal Summarizer."""

import pytest
from rest_framework.test import APIClient

from summarizer.models import Document, Summary
from tests.summarizer.test_extract import ARTICLE
from tests.support.http import Reply

pytestmark = pytest.mark.django_db


def kagi_error(response) -> dict:
    body = response.json()
    assert body["data"] is None and set(body["meta"]) == {"id", "node", "ms"}
    return body["error"][0]


def test_it_needs_a_token():
    response = APIClient().get("/api/v0/summarize", {"url": "https://example.org/"})
    assert response.status_code == 401
    assert kagi_error(response)["code"] == 401


def test_url_and_text_are_exclusive(bot):
    response = bot.get("/api/v0/summarize", {"url": "https://example.org/", "text": "hello"})
    assert response.status_code == 400
    assert "exactly one" in kagi_error(response)["msg"]


def test_it_refuses_requests_over_one_megabyte(bot):
    response = bot.post("/api/v0/summarize", {"text": "x" * (1024 * 1024 + 1)}, format="json")
    assert response.status_code == 413


def test_it_refuses_unknown_engines_and_languages(bot):
    assert bot.get("/api/v0/summarize", {"url": "https://e.org/", "engine": "x"}).status_code == 400
    response = bot.get("/api/v0/summarize", {"url": "https://e.org/", "target_language": "XX"})
    assert response.status_code == 400


def test_it_answers_202_with_a_poll_url_when_the_summary_takes_longer(bot, settings):
    settings.API_V0_WAIT_SECONDS = 0
    response = bot.get("/api/v0/summarize", {"url": "https://example.org/slow"})
    assert response.status_code == 202
    summary = Summary.objects.get()
    assert response["Location"] == f"/api/v0/summarize/{summary.pk}"
    Summary.objects.filter(pk=summary.pk).update(state="done", output="Done.", tokens_in=42)
    polled = bot.get(response["Location"])
    assert polled.status_code == 200
    assert polled.json()["data"] == {"output": "Done.", "tokens": 42}


def test_a_failure_carries_a_fitting_status(bot, settings):
    settings.API_V0_WAIT_SECONDS = 0
    pending = bot.get("/api/v0/summarize", {"url": "https://example.org/huge"})
    Summary.objects.filter(pk=pending.json()["meta"]["id"]).update(
        state="failed", error_code="too_large", error_message="The page is larger than 10 MB."
    )
    response = bot.get(pending["Location"])
    assert response.status_code == 413
    assert kagi_error(response) == {"code": 413, "msg": "The page is larger than 10 MB."}


def test_tokens_are_throttled_with_a_clear_429(bot, settings):
    settings.API_RATE = "2/min"
    settings.API_V0_WAIT_SECONDS = 0
    codes = [bot.get("/api/v0/summarize", {"url": f"https://e.org/{i}"}).status_code
             for i in range(3)]  # fmt: skip
    assert codes == [202, 202, 429]
    last = bot.get("/api/v0/summarize", {"url": "https://e.org/x"})
    assert int(last["Retry-After"]) > 0 and kagi_error(last)["code"] == 429


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_it_summarizes_a_url_through_a_worker(bot, site, celery_worker_process):
    url = site.route("/a", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    response = bot.post("/api/v0/summarize", {"url": url, "summary_type": "takeaway"},
                        format="json")  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["data"]["output"].startswith("- ") and body["data"]["tokens"] > 0
    assert body["meta"]["id"] and body["meta"]["ms"] > 0


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_text_with_cache_false_keeps_nothing(bot, celery_worker_process):
    text = "Waybrief saves blogs. " * 20
    response = bot.post("/api/v0/summarize", {"text": text, "cache": False}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["data"]["output"]
    assert not Summary.objects.exists() and not Document.objects.exists()


def test_nul_characters_in_text_are_dropped_not_a_server_error(bot, settings):
    settings.API_V0_WAIT_SECONDS = 0
    response = bot.post("/api/v0/summarize", {"text": "Half\x00way there."}, format="json")
    assert response.status_code == 202
    assert Document.objects.get().text == "Halfway there."


@pytest.mark.parametrize(
    "body", [{"text": True}, {"url": ["https://e.org/"]}, {"url": "https://e.org/", "engine": 5}]
)
def test_parameters_of_the_wrong_type_are_a_clear_400(bot, body):
    response = bot.post("/api/v0/summarize", body, format="json")
    assert response.status_code == 400
    assert "must be a string" in kagi_error(response)["msg"]


def test_a_json_body_that_is_not_an_object_is_a_clear_400(bot):
    response = bot.post("/api/v0/summarize", '"False"', content_type="application/json")
    assert response.status_code == 400
    assert "JSON object" in kagi_error(response)["msg"]
