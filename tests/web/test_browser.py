"""What a person sees, in real headless Chromium against the production ASGI server.

Screenshots land in test-artifacts/ at the top of the checkout. The browser,
the wait and the server are tests/web/conftest.py's.
"""

from __future__ import annotations

import re
import time

import httpx
import pytest
from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By

from tests.support.documents import ARTICLE
from tests.support.http import Reply
from tests.support.sites.xuite import XuiteBlog
from tests.support.timings import FAST
from tests.web.conftest import ARTIFACTS, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fast_archive(archiver_settings) -> dict[str, object]:
    """Every page here runs against the Wayback stand-in, with fast timings."""
    return archiver_settings


def test_the_browser_tests_server_streams_as_production_does(asgi_live_server, settings):
    """GIVEN the browser tests' server and one stream allowed per client WHEN a
    client opens a summary's live stream, then a second THEN the first is the
    async event stream and the second is refused (429): the production view,
    with this test's settings, not the polled fallback a WSGI server gets."""
    from summarizer.models import Summary

    settings.SUMMARY_STREAMS_PER_CLIENT = 1
    row = Summary.objects.create(url="https://example.org/a", state=Summary.State.PENDING)
    events = f"{asgi_live_server.url}/s/{row.token}/events"
    with httpx.stream("GET", events, timeout=10) as first:
        assert first.status_code == 200
        assert first.headers["content-type"].startswith("text/event-stream")
        lines = first.iter_lines()  # kept: a dropped one hangs up
        assert next(lines) == "event: progress"
        second = httpx.get(events, timeout=10)
    assert second.status_code == 429, second.text


def test_a_summary_streams_in_and_has_a_permanent_link(
    browser, asgi_live_server, site, celery_worker_process
):
    """GIVEN a local article WHEN its address is submitted on the home page
    THEN the summary appears, and its permanent link shows the same summary."""
    url = site.route("/article", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    browser.get(asgi_live_server.url + "/")
    browser.find_element(By.ID, "url").send_keys(url)
    browser.find_element(By.CSS_SELECTOR, ".summarize-form button").click()
    wait_for(browser, lambda d: "/summarize" in d.current_url)
    browser.save_screenshot(str(ARTIFACTS / "summary-in-progress.png"))
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".summary .meta"))
    output = browser.find_element(By.CSS_SELECTOR, ".summary .output").text
    assert output.strip() and "SmolLM2" in browser.find_element(By.CSS_SELECTOR, ".meta").text
    browser.save_screenshot(str(ARTIFACTS / "summary-done.png"))

    browser.find_element(By.LINK_TEXT, "Permanent link").click()
    wait_for(browser, lambda d: re.search(r"/s/[\w-]{22,}$", d.current_url))
    assert browser.find_element(By.CSS_SELECTOR, ".summary .output").text == output
    browser.save_screenshot(str(ARTIFACTS / "summary-permalink.png"))


def test_a_failed_summary_lands_on_its_own_page_and_stays_there(
    browser, asgi_live_server, site, celery_worker_process
):
    """GIVEN a page that answers 404 WHEN it is summarized from /summarize?url=…
    THEN the browser ends on the failed summary's own page (/s/<token>), says why,
    and stays: no reload starts another summary; its button retries once."""
    from summarizer.models import Summary

    url = site.route("/missing", Reply(404, b"<h1>Not here</h1>", {"Content-Type": "text/html"}))
    browser.get(f"{asgi_live_server.url}/summarize?url={url}")
    wait_for(browser, lambda d: re.search(r"/s/[\w-]{22,}$", d.current_url)
             and d.find_elements(By.CSS_SELECTOR, ".error"), timeout=60)  # fmt: skip
    landed = browser.current_url
    browser.save_screenshot(str(ARTIFACTS / "summary-failed.png"))
    time.sleep(5)  # a page that reloaded itself would have started several by now
    assert browser.current_url == landed and Summary.objects.count() == 1
    assert "could not be summarized" in browser.find_element(By.CSS_SELECTOR, ".error").text

    browser.find_element(By.XPATH, "//button[contains(., 'Try summarizing')]").click()
    wait_for(browser, lambda d: d.current_url != landed and "/s/" in d.current_url, timeout=30)
    assert Summary.objects.count() == 2


def test_html_in_a_page_title_is_shown_as_text(
    browser, asgi_live_server, site, celery_worker_process
):
    title = "<img src=x onerror=alert(1)>Hostile"
    page = f"<html><head><title>{title}</title></head><body><article><p>{'Calm words. ' * 40}"
    url = site.route("/hostile", Reply(200, page.encode(), {"Content-Type": "text/html"}))
    browser.get(f"{asgi_live_server.url}/summarize?url={url}")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".summary .meta"))
    assert browser.find_element(By.TAG_NAME, "h1").text == title
    assert not browser.find_elements(By.CSS_SELECTOR, "h1 img")


def test_the_admin_crawls_and_archives_a_blog(
    browser, asgi_live_server, server_for_blog, start_workers
):
    """GIVEN a local Xuite-shaped blog and a local Wayback stand-in WHEN a staff
    member adds the blog in the admin THEN its page counts every post archived."""
    blog = XuiteBlog(server_for_blog, posts=14)
    start_workers(1)
    get_user_model().objects.create_superuser("staff", "staff@example.org", "a-long-password-1")
    browser.get(asgi_live_server.url + "/admin/login/")
    browser.find_element(By.ID, "id_username").send_keys("staff")
    browser.find_element(By.ID, "id_password").send_keys("a-long-password-1")
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    # The login answers with a redirect; leaving before it lands would lose the session.
    wait_for(browser, lambda d: "/admin/login/" not in d.current_url)
    browser.get(asgi_live_server.url + "/admin/crawler/site/add/")
    wait_for(browser, lambda d: d.find_elements(By.ID, "id_url"))
    browser.find_element(By.ID, "id_url").send_keys(blog.home)
    browser.find_element(By.NAME, "_continue").click()
    browser.save_screenshot(str(ARTIFACTS / "admin-site-added.png"))

    def all_archived(driver) -> bool:
        driver.refresh()
        return "14 posts found: 14 archived" in driver.page_source

    wait_for(browser, all_archived, timeout=120)
    browser.save_screenshot(str(ARTIFACTS / "admin-site-archived.png"))


@pytest.fixture
def server_for_blog(settings):
    from tests.support.http import LocalServer

    settings.FETCH_ALLOW_PRIVATE = True
    server = LocalServer().start()
    yield server
    server.stop()


assert FAST  # the archiver's fast timings come with its fixtures
