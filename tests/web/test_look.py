"""The look of the pages in real headless Chromium: the interface in Traditional
Chinese (chosen with the page's own switch), dark mode, a phone's width, the
rendered Markdown, the copy button and the reading line of a summary being written.

Screenshots of each land in test-artifacts/ (look-*.png), axe-core's results beside them.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from summarizer.models import Summary
from tests.web.conftest import ARTIFACTS, axe_check, color_scheme, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

OUTPUT = """這篇文章介紹**九份**老街與金瓜石的礦業歷史。

- 交通：從瑞芳搭公車
- 美食：芋圓與草仔粿

```python
def visit(place):
    return f"前往 {place}"
```
"""


def shot(driver, name: str) -> None:
    driver.save_screenshot(str(ARTIFACTS / f"look-{name}.png"))


def background(driver, selector: str = "body") -> tuple[int, ...]:
    value = driver.execute_script(
        "return getComputedStyle(document.querySelector(arguments[0])).backgroundColor", selector
    )
    return tuple(int(part) for part in value[value.index("(") + 1 : -1].split(",")[:3])


def fits_the_width(driver) -> bool:
    """Nothing makes the page scroll sideways."""
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def switch_to_chinese(driver, base: str) -> None:
    """The page's own switch: a POST with its CSRF token, back to the page it was on."""
    driver.get(base + "/")
    Select(driver.find_element(By.ID, "language-switch")).select_by_value("zh-hant")
    driver.find_element(By.CSS_SELECTOR, "form.language button").click()
    wait_for(driver, lambda d: d.execute_script("return document.documentElement.lang")
             == "zh-hant", timeout=20)  # fmt: skip


def test_the_interface_in_traditional_chinese_light_and_dark(browser, live_server):
    """GIVEN the English home page WHEN its switch chooses 繁體中文 THEN the pages
    are in Chinese (the note on the small demonstration model too), in light and
    in dark mode, and pass axe-core without a serious violation."""
    switch_to_chinese(browser, live_server.url)
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading == "在網頁消失之前保存下來"
    assert "小型示範模型" in browser.find_element(By.CSS_SELECTOR, ".note").text
    assert background(browser)[0] > 200  # light by default
    shot(browser, "home-zh-hant-light")
    axe_check(browser, "home-zh-hant-light")

    color_scheme(browser, "dark")
    browser.refresh()
    assert max(background(browser)) < 60 and max(background(browser, ".note")) < 80
    assert browser.find_element(By.ID, "language-switch").get_attribute("value") == "zh-hant"
    shot(browser, "home-zh-hant-dark")
    axe_check(browser, "home-zh-hant-dark")

    browser.get(live_server.url + "/status")
    assert browser.find_element(By.TAG_NAME, "h1").text == "狀態"
    shot(browser, "status-zh-hant-dark")
    axe_check(browser, "status-zh-hant-dark")

    browser.set_window_size(390, 844)  # a phone
    browser.get(live_server.url + "/")
    assert fits_the_width(browser), "the home page is wider than the phone"
    shot(browser, "home-zh-hant-dark-phone")


def test_a_finished_summary_in_dark_mode_on_a_phone(browser, live_server):
    """GIVEN a finished summary in Markdown with code WHEN it is opened at a
    phone's width in dark mode THEN it is rendered (bold, list, coloured code),
    nothing overflows sideways, and the copy button copies the text as written."""
    summary = Summary.objects.create(
        url="https://e.org/jiufen", state=Summary.State.DONE, output=OUTPUT,
        finished_at=timezone.now(), model="SmolLM2-135M-Instruct", language="ZH-HANT",
        tokens_out=48,
    )  # fmt: skip
    switch_to_chinese(browser, live_server.url)
    color_scheme(browser, "dark")
    browser.set_window_size(390, 844)
    browser.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": live_server.url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"],
    })  # fmt: skip
    browser.get(f"{live_server.url}/s/{summary.token}")
    output = browser.find_element(By.CSS_SELECTOR, ".summary .output")
    assert output.find_element(By.TAG_NAME, "strong").text == "九份"
    assert len(output.find_elements(By.TAG_NAME, "li")) == 2
    assert output.find_elements(By.CSS_SELECTOR, "pre code span.hl-k")
    assert max(background(browser, ".output pre")) < 40  # the dark code style
    assert "摘要，繁體中文，由 SmolLM2-135M-Instruct 撰寫" in browser.find_element(
        By.CSS_SELECTOR, ".meta").text  # fmt: skip
    assert fits_the_width(browser), "the summary is wider than the phone"
    shot(browser, "summary-zh-hant-dark-phone")
    axe_check(browser, "summary-zh-hant-dark-phone")

    browser.find_element(By.ID, "copy").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "copy-status").text == "已複製。", timeout=10)
    copied = browser.execute_async_script(
        "const done = arguments[0];"
        " navigator.clipboard.readText().then(done, e => done(String(e)));"
    )
    assert copied == OUTPUT
    shot(browser, "summary-copied")


def test_a_summary_being_read_says_how_far_then_shows_the_rendered_text(browser, live_server):
    """GIVEN a summary whose model is reading a long page before its first word
    WHEN the page is open THEN it says which part and how many tokens (in
    Chinese), follows the reading as it goes on, shows the words as plain text
    as they come, and ends on the rendered Markdown."""
    summary = Summary.objects.create(
        url="https://e.org/long", state=Summary.State.SUMMARIZING, stage="summarizing",
        reading={"parts_done": 0, "parts": 3, "tokens_read": 512, "tokens_total": 6000},
    )  # fmt: skip
    switch_to_chinese(browser, live_server.url)
    browser.get(f"{live_server.url}/s/{summary.token}")
    stage = browser.find_element(By.ID, "stage")
    assert stage.text.startswith("正在讀取第 1 部分，共 3 部分 · 已讀 512 / ")
    shot(browser, "summary-reading-zh-hant")
    axe_check(browser, "summary-reading-zh-hant")

    Summary.objects.filter(pk=summary.pk).update(
        reading={"parts_done": 2, "parts": 3, "tokens_read": 4608, "tokens_total": 6000}
    )
    wait_for(browser, lambda d: "正在讀取第 3 部分" in d.find_element(By.ID, "stage").text,
             timeout=20)  # fmt: skip
    assert "4,608 / 6,000 個詞元" in browser.find_element(By.ID, "stage").text

    Summary.objects.filter(pk=summary.pk).update(reading=None, partial_output="**九份**老街")
    wait_for(browser, lambda d: d.find_element(By.ID, "output").text == "**九份**老街", timeout=20)
    assert not browser.find_elements(By.CSS_SELECTOR, "#output *")  # plain text while written
    assert browser.find_element(By.ID, "stage").text == "正在摘要…"

    Summary.objects.filter(pk=summary.pk).update(
        state=Summary.State.DONE, output=OUTPUT, partial_output="", finished_at=timezone.now()
    )
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".summary .output strong"),
             timeout=20)  # fmt: skip
    assert browser.find_element(By.CSS_SELECTOR, ".summary .output strong").text == "九份"
    shot(browser, "summary-rendered-zh-hant")
