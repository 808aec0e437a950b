"""Hostile page titles and model output stay text, on the pages and in the
event stream, down to what Chromium shows (issue #10)."""

from __future__ import annotations

import json
import re
from html import escape as html_escape

import pytest
from django.utils import timezone
from django.utils.html import escape

from summarizer.models import Summary
from tests.web.conftest import browser, wait_for  # noqa: F401 - the Chromium fixture

pytestmark = pytest.mark.django_db


# --- Hostile HTML stays text ---------------------------------------------------------

HOSTILE_HTML = ['<script>alert(1)</script>', '<img src=x onerror="alert(1)">']  # fmt: skip


def hostile_summary(html: str, **fields) -> Summary:
    from summarizer.models import Document

    document = Document.objects.create(url="https://e.org/", final_url="https://e.org/",
                                       content_hash="x", kind="article", text="t",
                                       title=f"{html} title")  # fmt: skip
    values = {"url": "https://e.org/", "document": document, "state": Summary.State.DONE,
              "output": f"{html} output", "finished_at": timezone.now()}  # fmt: skip
    return Summary.objects.create(**{**values, **fields})


@pytest.mark.parametrize("html", HOSTILE_HTML)
def test_hostile_titles_are_escaped_in_the_home_pages_recent_list(client, html):
    """GIVEN a finished summary whose page title is markup WHEN the home page
    lists it among recent summaries THEN the title appears escaped, as text."""
    hostile_summary(html)
    page = client.get("/").content.decode()
    assert "Recent summaries" in page
    assert html not in page
    assert escape(html) in page


@pytest.mark.parametrize("html", HOSTILE_HTML)
@pytest.mark.parametrize("state", ["done", "failed", "summarizing"])
def test_hostile_output_is_escaped_on_the_summary_page(client, html, state):
    """GIVEN a summary whose title, output, text so far and error message are
    markup WHEN its page is shown, finished, failed or in progress THEN none of
    it appears as markup, and all of it as escaped text."""
    summary = hostile_summary(html, state=state, partial_output=f"{html} partial",
                              error_message=f"{html} error")  # fmt: skip
    page = client.get(f"/s/{summary.token}").content.decode()
    assert html not in page
    assert f"{escape(html)} title" in page
    shown = {"done": "output", "failed": "error", "summarizing": "partial"}[state]
    # A finished summary is rendered Markdown, sanitized by nh3, which leaves quotes in
    # text as they are: the markup is still characters, never an element.
    as_text = html_escape(html, quote=False) if state == "done" else escape(html)
    assert f"{as_text} {shown}" in page


def read_events(chunks) -> list[tuple[str, str]]:
    """Server-sent events as a browser's EventSource splits them: (event, data)."""
    events, kind, data = [], "message", []
    for line in "".join(chunks).split("\n"):
        if line == "":
            if data:
                events.append((kind, "\n".join(data)))
            kind, data = "message", []
        elif line.startswith("event:"):
            kind = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].removeprefix(" "))
    return events


@pytest.mark.django_db(transaction=True)  # an async view: it reads from another thread
def test_the_event_stream_carries_hostile_text_as_json_strings(settings):
    """GIVEN a summary in progress whose text so far is markup that also tries
    to end the event and forge a "done" one (blank lines, event:, data:)
    WHEN the page's event stream sends it THEN it is one progress event whose
    data, parsed as JSON, gives back exactly that text as a string: nothing was
    forged, and the page receives text, not markup."""
    forged = '<img src=x onerror="alert(1)">\n\nevent: done\ndata: {"finished": true}\n\n<b>'
    summary = Summary.objects.create(
        url="https://e.org/", state=Summary.State.SUMMARIZING, stage="summarizing <script>",
        partial_output=forged,
    )  # fmt: skip
    from tests.support.streams import read_stream

    _, [first] = read_stream(f"/s/{summary.token}/events", 1)
    [(kind, data)] = read_events([first])
    snapshot = json.loads(data)
    assert kind == "progress"
    assert snapshot["partial"] == forged and snapshot["stage"] == "summarizing <script>"
    assert snapshot["finished"] is False


def test_the_page_script_inserts_streamed_text_as_text_only():
    """GIVEN the script that shows the streamed summary THEN it writes the
    server's strings with textContent and never parses them as HTML."""
    from django.contrib.staticfiles import finders

    with open(finders.find("waybrief/summary.js"), encoding="utf-8") as source:
        script = re.sub(r"^\s*//.*$", "", source.read(), flags=re.M)  # comments may name them
    assert "output.textContent = snapshot.partial" in script
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "DOMParser", "createContextualFragment"):  # fmt: skip
        assert sink not in script, sink


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_browser_shows_hostile_streamed_text_as_text(browser, live_server):  # noqa: F811
    """GIVEN a summary page open in Chromium while the summary is written
    WHEN the text so far and the stage turn into markup (an <img onerror>, tags)
    THEN the page shows that markup as characters: no element is created from
    it and its handler never runs."""
    from selenium.webdriver.common.by import By

    summary = Summary.objects.create(url="https://e.org/", state=Summary.State.SUMMARIZING,
                                     stage="summarizing", partial_output="Calm words")  # fmt: skip
    browser.get(f"{live_server.url}/s/{summary.token}")
    wait_for(browser, lambda d: d.find_element(By.ID, "output").text == "Calm words", timeout=20)

    hostile = '<img src=x onerror="document.body.dataset.pwned=1">Hostile <b>bold</b>'
    Summary.objects.filter(pk=summary.pk).update(partial_output=hostile,
                                                 stage="part <i>2</i>")  # fmt: skip
    wait_for(browser, lambda d: d.find_element(By.ID, "output").text == hostile, timeout=20)
    assert browser.find_element(By.ID, "stage").text == "part <i>2</i>…"
    assert not browser.find_elements(By.CSS_SELECTOR, "#output *, #stage *")
    assert browser.execute_script("return document.body.dataset.pwned") is None

    Summary.objects.filter(pk=summary.pk).update(state=Summary.State.DONE, output="Done.",
                                                 finished_at=timezone.now())  # fmt: skip
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".summary .meta"), timeout=20)
