"""Every state-changing page takes POST with a CSRF token; /summarize, the one
GET that starts work, is bounded per client and never sends anyone off-site
(issue #10)."""

from __future__ import annotations

import re
import threading
from urllib.parse import quote, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from archiver.models import Capture
from crawler.models import CrawlRun
from summarizer import prompts
from summarizer.models import Summary
from summarizer.selectors import configured_model_name
from waybrief.models import Heartbeat

pytestmark = pytest.mark.django_db


# --- State-changing pages: POST with CSRF -----------------------------------------

# (the page, the page whose form posts to it, the form's fields, what the POST writes)
STATE_CHANGING = {
    "/archive": ("/s/{summary}", {"url": "https://example.org/post", "next": "/s/{summary}"},
                 lambda: Capture.objects.count()),
    "/sites/archive": ("/", {"url": "https://blog.xuite.net/alice/diary"},
                       lambda: CrawlRun.objects.count()),
    "/status/ping": ("/status", {}, lambda: Heartbeat.objects.count()),
}  # fmt: skip


@pytest.fixture
def strict(admin_user) -> Client:
    """A browser-like client (CSRF checked) logged in as staff, so that only
    the method and the token decide, not the login."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    return client


@pytest.fixture
def summary() -> Summary:
    return Summary.objects.create(url="https://example.org/post", state=Summary.State.DONE,
                                  output="A short summary.")  # fmt: skip


def form_token(client: Client, page: str) -> str:
    html = client.get(page).content.decode()
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("path", STATE_CHANGING)
def test_state_changing_pages_refuse_get(strict, summary, path):
    """GIVEN a page that changes state WHEN it is fetched with GET (a link, an
    <img>, a prefetch) THEN 405 and nothing is written."""
    _, fields, written = STATE_CHANGING[path]
    response = strict.get(path, {k: v.format(summary=summary.token) for k, v in fields.items()})
    assert response.status_code == 405
    assert written() == 0


@pytest.mark.parametrize("path", STATE_CHANGING)
def test_state_changing_pages_refuse_a_post_without_a_csrf_token(strict, summary, path):
    """GIVEN a page that changes state WHEN another site's form POSTs to it
    (no CSRF token) THEN 403 and nothing is written."""
    _, fields, written = STATE_CHANGING[path]
    response = strict.post(path, {k: v.format(summary=summary.token) for k, v in fields.items()})
    assert response.status_code == 403
    assert written() == 0


@pytest.mark.parametrize("path", STATE_CHANGING)
def test_state_changing_pages_take_a_post_from_their_own_form(strict, summary, path):
    """GIVEN the token from the page whose form posts there WHEN the form is
    POSTed with it THEN the change is made and the browser is sent on."""
    page, fields, written = STATE_CHANGING[path]
    token = form_token(strict, page.format(summary=summary.token))
    data = {k: v.format(summary=summary.token) for k, v in fields.items()}
    response = strict.post(path, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert written() == 1


# --- /summarize is not an open proxy ------------------------------------------------


def summarize(client: Client, url: str, **extra):
    return client.get("/summarize", {"url": url}, **extra)


def test_a_client_with_too_many_unfinished_summaries_gets_429(client, settings):
    """GIVEN SUMMARY_CONCURRENCY_PER_CLIENT of 2 WHEN one client asks for a
    third page while its first two are still pending THEN a 429 page that says
    why, and no third summary; once one of its summaries finishes it may start
    another."""
    settings.SUMMARY_CONCURRENCY_PER_CLIENT = 2
    assert [summarize(client, f"https://example.org/{i}").status_code for i in (1, 2)] == [200, 200]
    refused = summarize(client, "https://example.org/3")
    assert refused.status_code == 429
    assert "2 summaries you asked for are still being written" in refused.content.decode()
    assert Summary.objects.count() == 2

    Summary.objects.filter(url="https://example.org/1").update(state=Summary.State.FETCHING)
    assert summarize(client, "https://example.org/3").status_code == 429  # fetching is unfinished
    Summary.objects.filter(url="https://example.org/1").update(state=Summary.State.FAILED)
    assert summarize(client, "https://example.org/3").status_code == 200
    assert Summary.objects.count() == 3


def test_at_the_limit_existing_summaries_still_answer(client, settings):
    """GIVEN a client at its limit of unfinished summaries WHEN it asks again
    for one of them, or for a page already summarized THEN each answers 200 with
    that summary, and nothing new is started."""
    settings.SUMMARY_CONCURRENCY_PER_CLIENT = 1
    done = Summary.objects.create(
        url="https://example.org/done", state=Summary.State.DONE, output="Already written.",
        finished_at=timezone.now(), model=configured_model_name(), prompt_version=prompts.VERSION,
    )  # fmt: skip
    assert summarize(client, "https://example.org/running").status_code == 200
    running = Summary.objects.get(url="https://example.org/running")

    again = summarize(client, "https://example.org/running")
    cached = summarize(client, "https://example.org/done")
    assert (again.status_code, cached.status_code) == (200, 200)
    assert again.context["summary"] == running and cached.context["summary"] == done
    assert Summary.objects.count() == 2


def test_the_limit_is_per_client_and_keeps_no_address(client, settings):
    """GIVEN one client at its limit WHEN another address asks THEN it is
    served; each row knows its client only as a keyed hash, never the address;
    and a made-up X-Forwarded-For does not make a new client unless the
    deployment says a proxy sets it."""
    settings.SUMMARY_CONCURRENCY_PER_CLIENT = 1
    assert summarize(client, "https://example.org/a", REMOTE_ADDR="192.0.2.1").status_code == 200
    assert summarize(client, "https://example.org/b", REMOTE_ADDR="192.0.2.1").status_code == 429
    assert summarize(client, "https://example.org/b", REMOTE_ADDR="192.0.2.1",
                     HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 429  # fmt: skip
    assert summarize(client, "https://example.org/b", REMOTE_ADDR="192.0.2.2").status_code == 200

    keys = dict(Summary.objects.values_list("url", "client_key"))
    assert len(set(keys.values())) == 2 and all(
        re.fullmatch(r"[0-9a-f]{64}", k) for k in keys.values()
    )
    assert not Summary.objects.filter(client_key__contains="192.0.2").exists()

    settings.WAYBRIEF_BEHIND_PROXY = True
    assert summarize(client, "https://example.org/c", REMOTE_ADDR="10.0.0.1",
                     HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.1").status_code == 200  # fmt: skip
    assert summarize(client, "https://example.org/d", REMOTE_ADDR="10.0.0.1",
                     HTTP_X_FORWARDED_FOR="198.51.100.7, 10.0.0.1").status_code == 429  # fmt: skip


def test_api_and_command_line_summaries_do_not_count_against_a_client():
    """GIVEN summaries started without a client (API jobs, Kagi, the command)
    THEN they carry no client key, so no web client's limit counts them."""
    from summarizer import services

    summary = services.request_summary(url="https://example.org/api", enqueue=False)
    assert summary.client_key == ""


@pytest.mark.django_db(transaction=True)
def test_parallel_requests_of_one_client_cannot_pass_the_limit_together():
    """GIVEN a limit of one unfinished summary WHEN eight requests of one
    client start a summary of eight pages at the same instant THEN exactly one
    summary is created and the seven others are refused."""
    from django.db import connection

    from summarizer import services

    barrier, refused, errors = threading.Barrier(8), [], []

    def start(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            services.request_summary(url=f"https://example.org/p{i}", enqueue=False,
                                     client="ab" * 32, client_limit=1)  # fmt: skip
        except services.TooManyUnfinished:
            refused.append(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=start, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert Summary.objects.filter(client_key="ab" * 32).count() == 1 and len(refused) == 7


# --- No open redirect ---------------------------------------------------------------

HOSTILE_NEXT = ["//evil.example", "https://evil.example", "/\\evil.example", "\\\\evil.example",
                "javascript:alert(1)", "http:evil.example", "/s//evil.example",
                "/s/1/../../\\evil.example", " //evil.example",
                "/s/1\r\nLocation: //evil.example"]  # fmt: skip


def assert_stays_on_the_site(response) -> None:
    """A redirect, if any, to this site only, read the way a browser reads it
    (backslashes as slashes, leading blanks dropped)."""
    if not 300 <= response.status_code < 400:
        return
    location = response["Location"].strip().replace("\\", "/")
    parts = urlsplit(location)
    assert parts.scheme in ("", "http", "https"), location
    assert parts.netloc in ("", "testserver"), location


@pytest.mark.parametrize("hostile", HOSTILE_NEXT)
def test_no_redirecting_page_follows_a_hostile_next(admin_user, summary, hostile):
    """GIVEN a hostile next= (protocol-relative, absolute, backslashed,
    javascript:, header injection) WHEN it is sent, in the query and in the
    form, to every page that redirects THEN no redirect leaves the site."""
    client = Client()
    client.force_login(admin_user)
    requests = [
        ("post", "/archive", {"url": summary.url, "next": hostile}),
        ("post", f"/status/ping?next={quote(hostile)}", {"next": hostile}),
        ("post", f"/sites/archive?next={quote(hostile)}",
         {"url": "https://blog.example.org/", "next": hostile}),
        ("get", "/summarize", {"url": "", "next": hostile}),
        ("get", "/summarize", {"url": "https://example.org/x", "next": hostile}),
        ("post", f"/admin/logout/?next={quote(hostile)}", {"next": hostile}),
    ]  # fmt: skip
    for method, path, data in requests:
        assert_stays_on_the_site(getattr(client, method)(path, data))
    anonymous = Client()
    login = anonymous.post(f"/admin/login/?next={quote(hostile)}",
                           {"username": admin_user.username, "password": "password",
                            "next": hostile})  # fmt: skip
    assert login.status_code == 302
    assert_stays_on_the_site(login)


def test_the_archive_button_returns_to_the_summary_page_it_names(client, summary):
    """GIVEN the summary page's own next= WHEN its archive button is pressed
    THEN the browser goes back to that summary page."""
    response = client.post("/archive", {"url": summary.url, "next": f"/s/{summary.token}"})
    assert response["Location"] == f"/s/{summary.token}"


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example", "/\\evil.example",
                                 "javascript:alert(1)", "http:evil.example", ""])  # fmt: skip
def test_summarize_never_redirects_to_the_address_it_was_given(client, url):
    """GIVEN any url=, a real site or a hostile one WHEN /summarize is asked
    THEN it answers a page of its own (or an empty request goes home), never a
    redirect to that address."""
    response = summarize(client, url)
    if url:
        assert response.status_code in (200, 400) and not response.has_header("Location")
    else:
        assert response.status_code == 302 and response["Location"] == "/"
