"""Summaries as Markdown, safely (summarizer/rendering.py), and what the summary
and home pages say around them: the copy button, the reading line, the note on
the demonstration model, the bookmarklet's chosen options."""

from __future__ import annotations

import html
import re

import pytest
from django.utils import timezone

from summarizer import rendering, streams
from summarizer.models import Summary

# --- rendering ---------------------------------------------------------------------


def test_raw_html_in_the_output_stays_text():
    """GIVEN output that carries markup (a model repeating a hostile page)
    THEN no element comes of it: it is shown as the characters it is."""
    out = rendering.markdown_html('<script>alert(1)</script>\n\n<img src=x onerror="alert(1)"> ok')
    assert "<script" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "&lt;img" in out


@pytest.mark.parametrize("link", [
    "[click](javascript:alert(1))", "<javascript:alert(1)>", "[x](JaVaScRiPt:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)", "[x](vbscript:msgbox)",
    '[x](https://e.org "t") <a href="javascript:alert(1)">a</a>',
])  # fmt: skip
def test_script_links_are_dropped(link):
    """Whatever the spelling, the only link left is a web one; the rest is text."""
    out = rendering.markdown_html(link)
    assert all(href == "https://e.org" for href in re.findall(r'<a href="([^"]*)"', out)), out
    assert not re.search(r"<a[^>]*(?:javascript|data|vbscript):", out, re.I), out


def test_web_links_stay_and_cannot_reach_back_to_the_opener():
    out = rendering.markdown_html("See [the post](https://blog.example.org/p/1).")
    assert '<a href="https://blog.example.org/p/1" rel="noopener noreferrer nofollow">' in out


def test_a_fenced_code_block_is_highlighted_with_classes_only():
    out = rendering.markdown_html('```python\ndef greet(name):\n    return f"hi {name}"\n```')
    assert '<pre><code><span class="hl-k">def</span>' in out
    assert '<span class="hl-nf">greet</span>' in out and "style=" not in out


def test_code_in_an_unknown_language_is_shown_plain_and_escaped():
    out = rendering.markdown_html("```nosuchlanguage\n<b>x</b> & y\n```")
    assert out == "<pre><code>&lt;b&gt;x&lt;/b&gt; &amp; y\n</code></pre>\n"


def test_a_class_that_is_not_pygments_is_dropped():
    """markdown-it never emits one, but whatever reaches nh3 keeps only hl- classes."""
    assert rendering._cleaner().clean('<span class="error hl-k">x</span>') == (
        '<span class="hl-k">x</span>'
    )


def test_chinese_text_comes_through_whole():
    text = "這篇文章談**九份**的老街，與「金瓜石」的礦業歷史。\n\n- 第一點：交通\n- 第二點：美食"
    out = rendering.markdown_html(text)
    assert "這篇文章談<strong>九份</strong>的老街，與「金瓜石」的礦業歷史。" in out
    assert "<li>第一點：交通</li>" in out and "<li>第二點：美食</li>" in out


def test_a_takeaway_is_a_list_whether_or_not_the_model_marked_its_lines():
    text = "• Tea grows on hills\nIt is picked by hand\n- 3. Dried"
    out = rendering.summary_html(text, "takeaway")
    assert out.count("<li>") == 3 and "<li>Tea grows on hills</li>" in out
    assert "<li>It is picked by hand</li>" in out


def test_empty_output_renders_nothing():
    assert rendering.markdown_html("") == rendering.markdown_html("  \n") == ""


# --- the stream and the pages ------------------------------------------------------

pytestmark = pytest.mark.django_db


def done_summary(output: str, **fields) -> Summary:
    values = {"url": "https://e.org/", "state": Summary.State.DONE, "output": output,
              "finished_at": timezone.now(), "model": "SmolLM2-135M", "language": "EN"}  # fmt: skip
    return Summary.objects.create(**{**values, **fields})


def test_the_finished_snapshot_carries_the_rendered_summary():
    """The done event (and status.json) has the page's HTML; one in progress has none."""
    running = Summary.objects.create(url="https://e.org/", state=Summary.State.SUMMARIZING,
                                     partial_output="**half")  # fmt: skip
    assert streams.snapshot(running)["html"] is None
    done = done_summary("**Tea** <script>x</script>")
    assert streams.snapshot(done)["html"] == (
        "<p><strong>Tea</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"
    )


def test_the_summary_page_shows_the_markdown_rendered_with_its_copy_button(client):
    summary = done_summary("Tea is **green**.\n\n```python\nprint(1)\n```")
    page = client.get(f"/s/{summary.token}").content.decode()
    assert "Tea is <strong>green</strong>." in page and 'class="hl-nb">print</span>' in page
    assert 'id="copy"' in page and "Copy the summary" in page
    # The copy button copies the text as written, carried as JSON (a script that never runs).
    source = re.search(r'<script id="summary-text" type="application/json">(.*?)</script>', page)
    assert source and "Tea is **green**" in source[1]


def test_a_page_being_read_says_how_far_the_model_has_read(client):
    """GIVEN a summary whose model is still reading a long page (no word yet)
    THEN its page says which part and how many tokens, in the reader's language."""
    summary = Summary.objects.create(url="https://e.org/long", state=Summary.State.SUMMARIZING,
                                     stage="summarizing", reading={"parts_done": 1, "parts": 3,
                                     "tokens_read": 1200, "tokens_total": 5000})  # fmt: skip
    english = client.get(f"/s/{summary.token}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "reading part 2 of 3 · 1,200 of 5,000 tokens…" in english
    chinese = client.get(f"/s/{summary.token}", HTTP_ACCEPT_LANGUAGE="zh-Hant").content.decode()
    assert "正在讀取第 2 部分，共 3 部分 · 已讀 1,200 / 5,000 個詞元…" in chinese
    # summary.js gets the same line, translated, to fill in as the stream goes on.
    assert "reading part {part} of {parts}" in html.unescape(english)


def test_a_page_in_parts_says_which_part_it_is_summarizing(client):
    summary = Summary.objects.create(url="https://e.org/", state=Summary.State.SUMMARIZING,
                                     stage="summarizing part 2 of 5")  # fmt: skip
    page = client.get(f"/s/{summary.token}", HTTP_ACCEPT_LANGUAGE="zh-Hant").content.decode()
    assert "正在摘要第 2 部分，共 5 部分…" in page


def test_the_home_page_says_when_the_small_demonstration_model_is_in_use(client, settings):
    settings.LLM_BACKEND, settings.LLM_MODEL_PATH = "llama_cpp", ""  # the bundled SmolLM2
    page = client.get("/").content.decode()
    assert "A small demonstration model writes these summaries" in page
    assert "LLM_MODEL_PATH" in page and "manage.py model list" in page

    settings.LLM_MODEL_PATH = "/models/qwen2.5-7b-instruct-q4_k_m.gguf"
    assert "demonstration model" not in client.get("/").content.decode()


def test_the_bookmarklet_asks_for_the_kind_and_language_chosen(client):
    """GIVEN the home page opened with a kind and a language chosen THEN its
    bookmarklet asks /summarize for them, and the form shows them chosen;
    home.js rewrites the link as the form's choices change."""
    page = client.get("/?summary_type=takeaway&target_language=zh-hant").content.decode()
    link = html.unescape(re.search(r'id="bookmarklet" href="([^"]+)"', page)[1])
    assert link == ("javascript:location='http://testserver/summarize?summary_type=takeaway"
                    "&target_language=ZH-HANT&url='+encodeURIComponent(location)")  # fmt: skip
    assert '<option value="takeaway" selected>' in page
    assert '<option value="ZH-HANT" selected>' in page


def test_the_bookmarklet_ignores_options_it_does_not_know(client):
    page = client.get("/?summary_type=<script>&target_language=xx").content.decode()
    link = html.unescape(re.search(r'id="bookmarklet" href="([^"]+)"', page)[1])
    assert link.endswith("/summarize?url='+encodeURIComponent(location)")
