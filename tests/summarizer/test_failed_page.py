"""A summary that ends, failed or not, stays on its own page; only a button retries it.

The live page used to reload /summarize?url=… when a summary ended: a failed
one started a new one on each reload (21 rows in 20 s, then a 429 for
everyone behind the address).
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from summarizer.models import Summary

pytestmark = pytest.mark.django_db
URL = "https://example.org/gone"


def failed_summary(**fields) -> Summary:
    values = {"url": URL, "state": Summary.State.FAILED, "error_code": "not_found",
              "error_message": "The page answered 404.", "finished_at": timezone.now()}  # fmt: skip
    return Summary.objects.create(**{**values, **fields})


def test_the_live_page_sends_the_browser_to_the_permanent_page_when_it_ends(client):
    """GIVEN a summary being written, opened as /summarize?url=…
    THEN its page tells the script, and the no-script refresh, to go to /s/<token>
    when it ends, and the script never reloads /summarize."""
    page = client.get("/summarize", {"url": URL}).content.decode()
    summary = Summary.objects.get()
    assert f'data-page-url="/s/{summary.token}"' in page
    assert f'content="3;url=/s/{summary.token}"' in page
    script = (settings.BASE_DIR / "waybrief/static/waybrief/summary.js").read_text()
    assert "location.reload" not in script and "location.replace(pageUrl)" in script


def test_opening_a_request_that_just_failed_shows_the_failure_instead_of_starting_again(client):
    """GIVEN a summary of a URL that failed a moment ago
    WHEN /summarize?url=… is opened again, 20 times (a page reloading itself)
    THEN each goes to the failed summary's page: no new row, no 429."""
    failed = failed_summary()
    answers = [client.get("/summarize", {"url": URL}) for _ in range(20)]

    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {f"/s/{failed.token}"}
    assert Summary.objects.count() == 1
    page = client.get(f"/s/{failed.token}").content.decode()
    assert "The page answered 404." in page


def test_a_failure_long_ago_does_not_hold_back_a_new_request(client, settings):
    settings.SUMMARY_FAILED_HOLD_SECONDS = 60
    failed_summary(finished_at=timezone.now() - timezone.timedelta(seconds=120))
    assert client.get("/summarize", {"url": URL}).status_code == 200
    assert Summary.objects.count() == 2


def test_the_retry_button_is_a_post_with_csrf_that_starts_one_new_summary():
    """GIVEN a failed summary's page
    THEN it has a button that says it retries; a GET or a POST without the CSRF
    token starts nothing; the POST with it starts one summary of the same
    request and goes to its page."""
    failed = failed_summary(mode="takeaway", target_language="DE")
    strict = Client(enforce_csrf_checks=True)
    page = strict.get(f"/s/{failed.token}").content.decode()
    assert f'action="/s/{failed.token}/retry"' in page
    assert "Try summarizing this page again" in page

    assert strict.get(f"/s/{failed.token}/retry").status_code == 405
    assert strict.post(f"/s/{failed.token}/retry").status_code == 403
    assert Summary.objects.count() == 1
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = strict.post(f"/s/{failed.token}/retry", {"csrfmiddlewaretoken": csrf})

    retried = Summary.objects.exclude(pk=failed.pk).get()
    assert answer.status_code == 302 and answer["Location"] == f"/s/{retried.token}"
    assert (retried.url, retried.mode, retried.target_language, retried.state) == (
        URL, "takeaway", "DE", Summary.State.PENDING)  # fmt: skip
    again = strict.post(f"/s/{failed.token}/retry", {"csrfmiddlewaretoken": csrf})
    assert again["Location"] == f"/s/{retried.token}"  # joins the retry, no third row
    assert Summary.objects.count() == 2


def test_a_finished_page_has_no_retry_button_and_does_not_follow_events(client):
    done = Summary.objects.create(url=URL, state=Summary.State.DONE, output="Fine.")
    page = client.get(f"/s/{done.token}").content.decode()
    assert "/retry" not in page and 'data-finished="true"' in page
    assert 'http-equiv="refresh"' not in page
