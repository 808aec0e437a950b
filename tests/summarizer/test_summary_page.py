"""The bookmarklet page answers at once, streams progress, and escapes model output."""

import re

import pytest
from django.test import Client

from summarizer.models import Summary
from tests.support.documents import ARTICLE
from tests.support.http import Reply
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db


def done_summary(**fields) -> Summary:
    values = {"url": "https://example.org/post", "state": Summary.State.DONE,
              "output": "A short summary.", "model": "test.gguf", "language": "EN"}  # fmt: skip
    values.update(fields)
    return Summary.objects.create(**values)


def test_it_answers_at_once_with_a_progress_page(client):
    response = client.get("/summarize", {"url": "https://example.org/post"})
    assert response.status_code == 200
    summary = Summary.objects.get()
    assert summary.state == Summary.State.PENDING
    page = response.content.decode()
    assert f"/s/{summary.token}/events" in page and "waiting for a worker" in page
    assert response["Cache-Control"] == "no-store"


def test_reloading_joins_the_summary_in_progress(client):
    client.get("/summarize", {"url": "https://example.org/post"})
    client.get("/summarize", {"url": "https://example.org/post"})
    assert Summary.objects.count() == 1


def test_kagi_parameters_choose_mode_and_language(client):
    client.get("/summarize", {"url": "https://example.org/post", "summary_type": "takeaway",
                              "target_language": "zh-hant"})  # fmt: skip
    summary = Summary.objects.get()
    assert (summary.mode, summary.target_language) == ("takeaway", "ZH-HANT")


@pytest.mark.parametrize(
    ("params", "message"),
    [({"url": "javascript:alert(1)"}, "Only http:// and https://"),
     ({"url": "https://example.org/", "summary_type": "poem"}, "Unknown mode"),
     ({"url": "https://example.org/", "target_language": "klingon"}, "Unknown target language")],
)  # fmt: skip
def test_bad_requests_get_a_page_that_explains(client, params, message):
    response = client.get("/summarize", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Summary.objects.count() == 0


def test_a_finished_summary_renders_escaped(client):
    summary = done_summary(output="<script>alert(1)</script> plain words")
    page = client.get(f"/s/{summary.token}").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; plain words" in page


def test_takeaways_render_as_a_list(client):
    summary = done_summary(mode="takeaway", output="- One\n- Two")
    page = client.get(f"/s/{summary.token}").content.decode()
    assert re.search(r"<li>One</li>\s*<li>Two</li>", page)


def test_a_failed_summary_explains_why(client):
    summary = Summary.objects.create(url="https://example.org/x", state=Summary.State.FAILED,
                                     error_message="The page is larger than 10 MB.")  # fmt: skip
    page = client.get(f"/s/{summary.token}").content.decode()
    assert "could not be summarized" in page and "larger than 10 MB" in page


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_new_summaries_are_rate_limited_per_client(client, settings):
    settings.SUMMARY_RATE_PER_MINUTE = 2
    codes = [client.get("/summarize", {"url": f"https://example.org/{i}"}).status_code
             for i in range(3)]  # fmt: skip
    assert codes == [200, 200, 429]


@pytest.mark.django_db(transaction=True)  # an async view: it reads from another thread
def test_the_event_stream_sends_progress_then_done():
    from tests.support.streams import read_stream

    summary = Summary.objects.create(url="https://example.org/p", state=Summary.State.SUMMARIZING,
                                     stage="summarizing", partial_output="Half a")  # fmt: skip
    done = lambda: Summary.objects.filter(pk=summary.pk).update(state="done", output="Whole.")  # noqa: E731
    stream, (first, second) = read_stream(f"/s/{summary.token}/events", 2, after_first=done)
    assert stream["Content-Type"] == "text/event-stream"
    assert first.startswith("event: progress") and '"partial": "Half a"' in first
    assert second.startswith("event: done")


def test_archiving_from_the_page_needs_a_post_with_csrf(settings):
    from archiver.models import Capture

    summary = done_summary()
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/archive", {"url": summary.url}).status_code == 403
    page = strict.get(f"/s/{summary.token}").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = strict.post("/archive", {"url": summary.url, "csrfmiddlewaretoken": token,
                                        "next": f"/s/{summary.token}"})  # fmt: skip
    assert response.status_code == 302
    assert Capture.objects.filter(url=summary.url).exists()


def test_the_home_page_lists_recent_summaries(client):
    done_summary(url="https://example.org/recent")
    page = client.get("/").content.decode()
    assert "Recent summaries" in page and "https://example.org/recent" in page


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_fills_the_page_in(site, celery_worker_process):
    url = site.route("/a", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    Client().get("/summarize", {"url": url})
    summary = Summary.objects.get()
    wait_until(lambda: Summary.objects.get(pk=summary.pk).is_finished, timeout=120)
    page = Client().get(f"/s/{summary.token}").content.decode()
    assert "The Closing of Xuite" in page and "SmolLM2" in page


def test_html_in_a_page_title_renders_as_text(client):
    from summarizer.models import Document

    document = Document.objects.create(url="https://e.org/", final_url="https://e.org/",
                                       content_hash="x", kind="article", text="t",
                                       title="<script>alert(1)</script>")  # fmt: skip
    summary = done_summary(document=document)
    page = client.get(f"/s/{summary.token}").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
