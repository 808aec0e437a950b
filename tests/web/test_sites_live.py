"""A person adds a blog and watches it saved, live, in real headless Chromium:
the sites list and the site's own page, both kept current by the pushed feed
under the production ASGI server, never reloaded. Screenshots of each stage
land in test-artifacts/."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from selenium.webdriver.common.by import By

from sites.pages import eta, feed
from tests.support.http import LocalServer
from tests.support.sites.xuite import XuiteBlog
from tests.web.conftest import ARTIFACTS, axe_check, color_scheme, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
POSTS = 20
PASSWORD = "a-long-password-1"


@pytest.fixture
def blog_site(settings):
    settings.FETCH_ALLOW_PRIVATE = True
    server = LocalServer().start()
    yield server
    server.stop()


def bar_text(driver, kind: str) -> str:
    found = driver.find_elements(By.CSS_SELECTOR, f'.site-bars [data-text="{kind}"]')
    return found[0].text if found else ""


def archived(driver) -> int:
    """How many posts the archive bar's line says are archived ("12 of 20 archived …")."""
    words = bar_text(driver, "archive").split()
    return int(words[0]) if words and words[0].isdigit() else -1


def mark_page(driver) -> None:
    """A mark a reload would wipe: the test checks at the end that it is still there."""
    driver.execute_script("window.__notReloaded = true;")


def not_reloaded(driver) -> bool:
    return driver.execute_script("return window.__notReloaded === true;")


def test_a_blog_added_is_watched_live_until_done_without_a_reload(
    browser, asgi_live_server, blog_site, start_workers, settings, monkeypatch
):
    """GIVEN a Xuite-shaped blog of 20 posts, the Wayback stand-in and a worker that
    saves 2 posts a second WHEN a signed-in person (not staff) adds the blog
    THEN its page and the sites list each show the crawl, then the archiving with
    an ETA, then every post archived, without being reloaded."""
    monkeypatch.setattr(feed, "POLL_SECONDS", 0.5)  # nothing announces crawls yet: poll
    blog = XuiteBlog(blog_site, posts=POSTS, per_page=5, delay=1.0)  # a crawl to watch
    start_workers(1, WAYBACK_RATE_PER_MINUTE=2, WAYBACK_RATE_WINDOW_SECONDS=1.0)
    settings.WAYBACK_RATE_PER_MINUTE = 2  # the server's ETA reads the workers' rate
    monkeypatch.setattr(eta, "_cached", None)
    get_user_model().objects.create_user("reader", password=PASSWORD)
    base = asgi_live_server.url

    browser.get(f"{base}/sites/")
    wait_for(browser, lambda d: "/accounts/login/" in d.current_url)
    browser.find_element(By.ID, "id_username").send_keys("reader")
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.save_screenshot(str(ARTIFACTS / "sites-sign-in.png"))
    browser.find_element(By.CSS_SELECTOR, ".sign-in button[type=submit]").click()
    wait_for(browser, lambda d: d.current_url.rstrip("/").endswith("/sites"))
    browser.save_screenshot(str(ARTIFACTS / "sites-empty.png"))

    browser.find_element(By.ID, "site-url").send_keys(blog.home)
    browser.find_element(By.CSS_SELECTOR, ".add-site button[type=submit]").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".site-page"))
    site_page = browser.current_window_handle
    mark_page(browser)
    browser.save_screenshot(str(ARTIFACTS / "sites-site-added.png"))
    wait_for(browser, lambda d: "found so far" in bar_text(d, "crawl"), timeout=60)
    browser.save_screenshot(str(ARTIFACTS / "sites-site-crawling.png"))

    browser.switch_to.new_window("window")  # the list, watched side by side
    list_page = browser.current_window_handle
    browser.get(f"{base}/sites/")
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".site-bars"))
    mark_page(browser)

    browser.switch_to.window(site_page)
    wait_for(browser, lambda d: 0 < archived(d) < POSTS, timeout=120)
    assert "left at 120 saves a minute" in bar_text(browser, "eta")  # 2 a second
    browser.save_screenshot(str(ARTIFACTS / "sites-site-archiving.png"))

    browser.switch_to.window(list_page)
    wait_for(browser, lambda d: archived(d) > 0)
    browser.save_screenshot(str(ARTIFACTS / "sites-list-archiving.png"))
    wait_for(browser, lambda d: archived(d) == POSTS, timeout=180)
    assert bar_text(browser, "crawl").startswith("done")
    assert bar_text(browser, "eta") == "nothing left to archive"
    assert browser.find_element(By.CSS_SELECTOR, ".site-bars").get_attribute("data-busy") == "false"
    browser.save_screenshot(str(ARTIFACTS / "sites-list-done.png"))
    assert not_reloaded(browser)

    browser.switch_to.window(site_page)
    wait_for(browser, lambda d: archived(d) == POSTS, timeout=60)
    # The posts table and the chart were swapped in from the server, not reloaded.
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr.post.state-archived"))
             == POSTS, timeout=30)  # fmt: skip
    assert browser.find_elements(By.CSS_SELECTOR, "#live-chart svg polyline")
    browser.save_screenshot(str(ARTIFACTS / "sites-site-done.png"))
    browser.find_element(By.ID, "live-chart").screenshot(str(ARTIFACTS / "sites-site-chart.png"))
    browser.find_element(By.ID, "live-posts").screenshot(str(ARTIFACTS / "sites-site-posts.png"))
    assert not_reloaded(browser)
    axe_check(browser, "sites-site")  # the watched page, its "Crawling it now" message too

    browser.switch_to.window(list_page)
    axe_check(browser, "sites-list")
    browser.set_window_size(390, 844)  # a phone
    browser.save_screenshot(str(ARTIFACTS / "sites-list-phone.png"))
    browser.switch_to.window(site_page)
    browser.set_window_size(390, 844)
    browser.save_screenshot(str(ARTIFACTS / "sites-site-phone.png"))
    browser.set_window_size(1100, 900)
    color_scheme(browser, "dark")
    browser.save_screenshot(str(ARTIFACTS / "sites-site-dark.png"))
    browser.find_element(By.ID, "live-chart").screenshot(str(ARTIFACTS / "sites-chart-dark.png"))
