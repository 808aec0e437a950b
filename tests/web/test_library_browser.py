"""The library as a person uses it in Chromium, under the production ASGI server:
a search in Chinese finds a Big5 post by a word of its body, and a site of 300
posts downloads as one Markdown document ("the blog in brief").

Screenshots and axe's results land in test-artifacts/.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from summarizer import services
from summarizer.models import Summary
from tests.library import corpus
from tests.summarizer.scripted import ScriptedBackend
from tests.support.documents import POST as BIG5_POST
from tests.support.http import Reply
from tests.web.conftest import ARTIFACTS, axe_check, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-enough-password-1"


def sign_in(browser, server, username: str) -> None:
    browser.get(f"{server.url}/accounts/login/")
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(browser, lambda d: "/accounts/login" not in d.current_url, timeout=30)


def test_a_search_in_chinese_finds_a_big5_post_by_a_word_of_its_body(
    browser, asgi_live_server, site, loopback_fetcher
):
    """GIVEN a Big5 page (no charset declared) summarized through the pipeline
    WHEN someone types a two-character word of its body (棋子, in neither its
    title nor its summary) into the library's search box THEN the post is listed
    with the word marked, and its link opens its summary."""
    url = site.route("/big5", Reply(200, BIG5_POST.encode("cp950"), {"Content-Type": "text/html"}))
    summary = services.request_summary(url=url, enqueue=False)
    backend = ScriptedBackend(["作者去了大溪老街，吃了美食。"])
    summary = services.run_summary(summary_id=summary.pk, fetcher=loopback_fetcher, backend=backend)
    assert summary.state == Summary.State.DONE and summary.document.encoding == "cp950"

    browser.get(f"{asgi_live_server.url}/library/")
    box = browser.find_element(By.CSS_SELECTOR, "form.library-search input[type=search], "
                                                "form.library-search input[name=q]")  # fmt: skip
    box.send_keys("棋子")
    browser.find_element(By.CSS_SELECTOR, "form.library-search button[type=submit]").click()
    result = f'a[href="/s/{summary.token}"]'
    # /library/ lists recent summaries before any search: wait for the results page.
    wait_for(browser, lambda d: "q=" in d.current_url and d.find_elements(By.CSS_SELECTOR, "mark"))
    assert browser.find_elements(By.CSS_SELECTOR, result)
    marks = browser.execute_script(
        "return [...document.querySelectorAll('mark')].map(m => m.textContent)"
    )
    assert "棋子" in marks
    browser.save_screenshot(str(ARTIFACTS / "library-search-chinese.png"))
    axe_check(browser, "library-search")

    browser.find_element(By.CSS_SELECTOR, result).click()
    wait_for(browser, lambda d: d.current_url.endswith(f"/s/{summary.token}"))
    assert "大溪老街" in browser.find_element(By.CSS_SELECTOR, ".summary .output").text
    browser.save_screenshot(str(ARTIFACTS / "library-search-result-opened.png"))


def downloaded(folder: Path, suffix: str) -> Path | None:
    """The finished download in ``folder`` (Chromium writes .crdownload until done)."""
    done = [p for p in folder.glob(f"*{suffix}") if not p.name.endswith(".crdownload")]
    return done[0] if done else None


def test_a_site_of_300_posts_downloads_as_the_blog_in_brief(
    browser, asgi_live_server, django_user_model, tmp_path
):
    """GIVEN a site of 300 posts, each summarized, added by a signed-in user
    WHEN they click its Markdown export on the site's page THEN one document
    arrives with every post's title link and summary, in the posts' order."""
    owner = django_user_model.objects.create_user("reader", password=PASSWORD)
    urls = corpus.post_urls(300, base="http://blog.example.org")
    made = corpus.make_site("http://blog.example.org/", urls, owner=owner)
    for n, url in enumerate(urls, 1):
        corpus.make_summary(url=url, title=f"Post number {n}", output=f"What post {n} says.")
    folder = tmp_path / "downloads"
    folder.mkdir()
    browser.execute_cdp_cmd("Page.setDownloadBehavior",
                            {"behavior": "allow", "downloadPath": str(folder)})  # fmt: skip

    sign_in(browser, asgi_live_server, "reader")
    browser.get(f"{asgi_live_server.url}/sites/{made.pk}/")
    browser.save_screenshot(str(ARTIFACTS / "library-export-site-page.png"))
    exports = browser.find_element(By.CSS_SELECTOR, ".exports")
    exports.find_element(By.LINK_TEXT, "MD").click()
    deadline = time.monotonic() + 60
    while (path := downloaded(folder, ".md")) is None and time.monotonic() < deadline:
        time.sleep(0.2)

    assert path is not None, f"no Markdown download in {sorted(folder.iterdir())}"
    text = path.read_text("utf-8")
    sections = [line for line in text.splitlines() if line.startswith("## ")]
    assert len(sections) == 300
    assert sections[0] == "## [Post number 1](<http://blog.example.org/post/1>)"
    assert all(f"What post {n} says." in text for n in range(1, 301))
    (ARTIFACTS / "library-export-300-posts.md").write_text(text, "utf-8")
