"""Every page a person sees passes axe-core (no serious or critical violation),
in the light scheme and in the dark one, as served by the production ASGI server.

Each page's full axe result is in test-artifacts/axe-<page>-<scheme>.json.
"""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from selenium.webdriver.common.by import By

from tests.support.sites.xuite import XuiteBlog
from tests.web.conftest import axe_check, color_scheme, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SCHEMES = ("light", "dark")
PASSWORD = "a-long-password-1"


class Pages:
    """Checks pages one by one and fails once at the end, naming every failure
    (one page's violation does not hide the next page's)."""

    def __init__(self, browser) -> None:
        self.browser, self.failures = browser, []

    def check(self, url: str, name: str, ready=None) -> None:
        """``url`` in the light and the dark scheme."""
        browser = self.browser
        for scheme in SCHEMES:
            color_scheme(browser, scheme)
            browser.get(url)  # returns once the page has loaded
            if ready is not None:
                wait_for(browser, ready, timeout=30)
            query = "return matchMedia('(prefers-color-scheme: dark)').matches"
            assert browser.execute_script(query) == (scheme == "dark"), f"{scheme}: not applied"
            try:
                axe_check(browser, f"{name}-{scheme}")
            except pytest.fail.Exception as failure:
                self.failures.append(str(failure))

    def verdict(self) -> None:
        if self.failures:
            pytest.fail("\n\n".join(self.failures), pytrace=False)


def showing(text: str, by: str, where: str):
    """A page is ready once the element found ``by`` ``where`` shows ``text``."""
    return lambda driver: text in driver.find_element(by, where).text


def sign_in(browser, server, user) -> None:
    """The browser signed in as ``user``: a session made by Django's test client."""
    client = Client()
    client.force_login(user)
    browser.get(server.url + "/healthz")  # a cookie needs a page of its site first
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": cookie, "path": "/"})


@pytest.fixture
def staff():
    return get_user_model().objects.create_superuser("staff", "staff@example.org", PASSWORD)


@pytest.fixture
def summaries() -> dict[str, object]:
    """One summary in each state a page shows: being written, done, failed."""
    from summarizer.models import Document, Summary

    document = Document.objects.create(
        url="https://example.org/post", final_url="https://example.org/post",
        content_hash="0" * 64, title="A post about tide pools", language="en", kind="article",
        text="Tide pools hold anemones, crabs and small fish between the tides. " * 20,
    )  # fmt: skip
    now = timezone.now()
    writing = Summary.objects.create(
        url=document.url, document=document, state=Summary.State.SUMMARIZING,
        stage="summarizing", partial_output="Tide pools are rocky hollows that keep",
        model="SmolLM2-360M-Instruct (Q8_0)",
    )  # fmt: skip
    done = Summary.objects.create(
        url="https://example.org/done", document=document, state=Summary.State.DONE,
        mode=Summary.Mode.TAKEAWAY, language="en", model="SmolLM2-360M-Instruct (Q8_0)",
        output="- Tide pools keep sea water between the tides.\n"
        "- **Anemones**, crabs and small fish live there.\n- Visit at low tide.",
        tokens_in=400, tokens_out=42, timings={"total_ms": 5120}, finished_at=now,
    )  # fmt: skip
    failed = Summary.objects.create(
        url="https://example.org/missing", state=Summary.State.FAILED, error_code="http_error",
        error_message="The page answered 404 Not Found.",
        partial_output="The page", finished_at=now - timedelta(minutes=1),
    )  # fmt: skip
    return {"writing": writing, "done": done, "failed": failed}


def test_the_public_pages(browser, asgi_live_server, summaries):
    """The pages anyone sees: home, a summary being written, a done one, a failed
    one, the status page, and both sign-in pages."""
    base, pages = asgi_live_server.url, Pages(browser)
    pages.check(base + "/", "home")
    pages.check(f"{base}/s/{summaries['writing'].token}", "summary-in-progress",
                ready=showing("rocky hollows", By.ID, "output"))  # fmt: skip
    pages.check(f"{base}/s/{summaries['done'].token}", "summary-done")
    pages.check(f"{base}/s/{summaries['failed'].token}", "summary-failed",
                ready=lambda d: d.find_elements(By.CSS_SELECTOR, ".error"))  # fmt: skip
    pages.check(base + "/status", "status")
    pages.check(base + "/accounts/login/", "login")
    pages.check(base + "/admin/login/", "admin-login")
    pages.verdict()


def test_the_signed_in_pages(browser, asgi_live_server, staff, summaries, blog_site):
    """The pages of a signed-in person: the home page's staff form, the sites
    list and one site's page (a crawled blog), and the library with a search."""
    base, pages = asgi_live_server.url, Pages(browser)
    sign_in(browser, asgi_live_server, staff)
    pages.check(base + "/", "home-staff")
    pages.check(base + "/sites/", "sites")
    pages.check(f"{base}/sites/{blog_site.pk}/", "site-detail")
    pages.check(base + "/library/", "library")
    pages.check(base + "/library/?q=tide", "library-search",
                ready=showing("Tide pools", By.TAG_NAME, "main"))  # fmt: skip
    pages.verdict()


@pytest.fixture
def blog_site(settings):
    """A local Xuite-shaped blog, crawled in this process as `manage.py crawl` does,
    shown as a site a person added, its posts in every state a capture gives
    (being archived, failed, archived, captured, stale) and one in none (missing)."""
    from django.core.management import call_command

    from archiver.models import Capture
    from crawler.models import Site
    from crawler.selectors import site_post_urls
    from tests.support.http import LocalServer
    from wayback import wayback_timestamp

    settings.FETCH_ALLOW_PRIVATE = True
    server = LocalServer().start()
    try:
        blog = XuiteBlog(server, posts=6)
        call_command("crawl", blog.home, stdout=io.StringIO(), stderr=io.StringIO())
    finally:
        server.stop()
    Site.objects.update(added_by_user=True)
    site = Site.objects.get()
    recent = wayback_timestamp(timezone.now() - timedelta(days=3))
    old = wayback_timestamp(timezone.now() - timedelta(days=3000))
    states = [
        {"state": Capture.State.PENDING},
        {"state": Capture.State.FAILED, "reason": "error:blocked-url"},
        {"state": Capture.State.ARCHIVED, "timestamp": recent},
        {"state": Capture.State.SKIPPED, "timestamp": recent, "reason": "already captured"},
        {"state": Capture.State.SKIPPED, "timestamp": old, "reason": "already captured"},
    ]
    posts = list(site_post_urls(site=site).order_by("pk").values_list("url", flat=True))
    assert len(posts) == 6, posts
    for url, fields in zip(posts, states, strict=False):  # the sixth has none: missing
        if "timestamp" in fields:
            fields["wayback_url"] = f"https://web.archive.org/web/{fields['timestamp']}/{url}"
        Capture.objects.create(url=url, **fields)
    return site
