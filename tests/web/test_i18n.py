"""The interface in Traditional Chinese: chosen from Accept-Language or the page's
switch, every string of every template translated, dates in the reader's format.

The untranslated-string checks cover every template under templates/, whoever
wrote it. When one fails: ``scripts/messages.sh refresh``, fill in the empty
msgstrs of locale/zh_Hant/LC_MESSAGES/django.po, ``scripts/messages.sh compile``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.template.base import Lexer, TokenType
from django.test import Client

from tests.support.waiting import ROOT
from waybrief.models import Heartbeat

pytestmark = pytest.mark.django_db
LOCALE = "zh_Hant"
PO = ROOT / "locale" / LOCALE / "LC_MESSAGES" / "django.po"
TEMPLATES = ROOT / "templates"
CHINESE_TITLE = "在網頁消失之前保存下來"  # the home page's heading, translated

# --- choosing the language -------------------------------------------------------


@pytest.mark.parametrize("header", ["zh-Hant", "zh-TW,zh;q=0.9,en;q=0.5", "zh-hant-tw"])
def test_a_browser_asking_for_traditional_chinese_gets_the_home_page_in_it(client, header):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE=header)
    text = page.content.decode()
    assert CHINESE_TITLE in text and 'lang="zh-hant"' in text
    assert "Save the web before it disappears" not in text
    assert "Accept-Language" in page.headers["Vary"]  # a cache keeps one page per language


def test_a_browser_asking_for_nothing_in_particular_gets_english(client):
    text = client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,fr;q=0.8").content.decode()
    assert "Save the web before it disappears" in text and CHINESE_TITLE not in text


def test_the_switch_sets_the_language_for_the_pages_that_follow():
    """GIVEN an English page WHEN its switch posts zh-hant (with the page's CSRF
    token) THEN it goes back where it was, and every page after is in Chinese,
    whatever the browser's Accept-Language says."""
    browser = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    page = browser.get("/status").content.decode()
    assert "Worker last answered" in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    answer = browser.post("/i18n/setlang/", {"language": "zh-hant", "next": "/status",
                                             "csrfmiddlewaretoken": token})  # fmt: skip
    assert answer.status_code == 302 and answer.headers["Location"] == "/status"
    again = browser.get("/status").content.decode()
    assert "工作程序上次回應" in again and "Worker last answered" not in again
    assert CHINESE_TITLE in browser.get("/").content.decode()


def test_the_switch_refuses_a_post_without_the_pages_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/i18n/setlang/", {"language": "zh-hant"}).status_code == 403


def test_dates_are_written_as_the_readers_language_writes_them(client):
    """GIVEN a worker that answered WHEN the status page is read in each language
    THEN the time is the locale's: 2026-12-01 in English, 2026年12月1日 in Chinese."""
    at = datetime(2026, 12, 1, 7, 0, 5, tzinfo=UTC)
    Heartbeat.objects.create(state=Heartbeat.State.DONE, worker="w1", done_at=at)
    english = client.get("/status", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get("/status", HTTP_ACCEPT_LANGUAGE="zh-Hant").content.decode()
    assert "2026-12-01 07:00:05 UTC by w1" in english
    assert "2026年12月1日 07:00:05 UTC，由 w1 回應" in chinese


# --- nothing left untranslated ------------------------------------------------------


def read_catalogue(path: Path = PO):
    with path.open("rb") as source:
        return read_po(source, locale=LOCALE)


def test_every_message_in_the_catalogue_has_a_checked_translation():
    """(a) Every msgid has a msgstr (each plural form zh_Hant has), none fuzzy."""
    catalogue = read_catalogue()
    problems = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        forms = strings[: catalogue.num_plurals] if message.pluralizable else strings
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not all(s.strip() for s in forms):
            where = ", ".join(path for path, _ in message.locations)
            problems.append(f"untranslated: {message.id!r} ({where})")
    assert not problems, f"{PO.relative_to(ROOT)}:\n" + "\n".join(problems)


class _VisibleText(HTMLParser):
    """Text a reader sees (or hears), in a template whose tags are blanked out.
    Scripts and styles are not read, nor code (a command is the same in every language)."""

    UNREAD = {"script", "style", "code", "kbd", "samp"}
    SPOKEN = {"aria-label", "title", "placeholder", "alt", "aria-description"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag, attrs):
        if tag in self.UNREAD:
            self._hidden += 1
        values = dict(attrs)
        for name, value in attrs:
            spoken = name in self.SPOKEN or (
                name == "value" and tag == "input" and values.get("type") in ("submit", "button")
            )
            if spoken and value:
                self._check(value, f"{tag}[{name}]")

    def handle_endtag(self, tag):
        if tag in self.UNREAD and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self._check(data, "text")

    def _check(self, text: str, where: str) -> None:
        words = ADDRESS.sub(" ", text.replace(BLANK, " "))
        for name in ALLOWED_WORDS:
            words = words.replace(name, " ")
        if LETTER.search(words):
            self.found.append(f"{where}: {' '.join(text.replace(BLANK, '…').split())!r}")


BLANK = "\x00"  # stands where a template tag or variable was: no letters in it
LETTER = re.compile(r"[^\W\d_]")
ALLOWED_WORDS = ("Waybrief",)  # the product's name, the same in every language
LITERAL_DEFAULT = re.compile(r"\|default(?:_if_none)?:([\"'])[^\"']*[^\W\d_][^\"']*\1")
ADDRESS = re.compile(r"\b[a-z][a-z0-9+.-]*://\S*", re.I)  # a URL (a placeholder's example)


def untranslated(source: str) -> list[str]:
    """(b) What a template shows outside {% translate %}/{% blocktranslate %}.

    Django's own lexer splits the template; every tag, variable and comment
    becomes a blank, a blocktranslate block a blank as a whole, and the HTML
    that is left is read for text and for the attributes that are read aloud
    (aria-label, title, placeholder, alt, a button input's value). A variable
    with a literal ``|default:"text"`` is flagged too (``default:_("text")``
    is translated).
    """
    kept, inside_block, found = [], 0, []
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "blocktrans"):
                inside_block += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                inside_block -= 1
        if token.token_type == TokenType.VAR and LITERAL_DEFAULT.search(token.contents):
            found.append(f"variable: {{{{ {token.contents} }}}}")
        if token.token_type == TokenType.TEXT and not inside_block:
            kept.append(token.contents)
        else:
            kept.append(BLANK)
    parser = _VisibleText()
    parser.feed("".join(kept))
    parser.close()
    return found + parser.found


def test_the_check_finds_bare_text_and_spoken_attributes_but_not_code():
    """The checker itself: it catches what it should, and nothing else."""
    source = """{% load i18n %}<nav aria-label="Main"><a href="{% url 'x' %}">Home</a></nav>
      <p title="{% translate 'Fine' %}">{% translate "Fine" %} {{ name }} 2026 · …</p>
      <p>{% blocktranslate %}Also fine, {{ n }} of them{% endblocktranslate %}</p>
      <input type="submit" value="Send"><input type="hidden" name="next" value="/back">
      <script>var words = "not shown";</script><style>p::after { content: "x"; }</style>
      {# a comment #}{{ stage|default:"waiting" }}{{ stage|default:_("waiting") }}"""
    assert untranslated(source) == [
        'variable: {{ stage|default:"waiting" }}',
        "nav[aria-label]: 'Main'",
        "text: 'Home'",
        "input[value]: 'Send'",
    ]


def test_no_template_shows_text_outside_translate_tags():
    """(b) Across every template under templates/."""
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for finding in untranslated(path.read_text("utf-8")):
            problems.append(f"{path.relative_to(ROOT)}: {finding}")
    assert not problems, "text outside {% translate %}:\n" + "\n".join(problems)


def _sources_copy(into: Path) -> Path:
    ignore = shutil.ignore_patterns(".git", ".venv", "var", "node_modules", "test-artifacts",
                                    "__pycache__", "*.egg-info", "*.mo")  # fmt: skip
    return Path(shutil.copytree(ROOT, into / "tree", ignore=ignore, symlinks=True))


def test_makemessages_would_add_nothing_to_the_catalogue(tmp_path):
    """(c) The project's own refresh (scripts/messages.sh refresh), run on a copy of
    the tree, finds no string the catalogue lacks: every {% translate %} and
    gettext() call made since the last refresh is in it."""
    assert shutil.which("xgettext"), "gettext is missing (scripts/ensure-services.sh installs it)"
    tree = _sources_copy(tmp_path)
    env = {**os.environ, "PYTHON": sys.executable, "WAYBRIEF_DATA_DIR": str(tmp_path / "data")}
    refresh = subprocess.run(["bash", "scripts/messages.sh", "refresh"], cwd=tree, env=env,
                             capture_output=True, text=True, timeout=300)  # fmt: skip
    assert refresh.returncode == 0, refresh.stdout + refresh.stderr
    have = {m.id for m in read_catalogue() if m.id}
    wanted = {m.id for m in read_catalogue(tree / PO.relative_to(ROOT)) if m.id}
    missing = "\n".join(sorted(str(m) for m in wanted - have))
    assert not missing, f"not in the catalogue yet (run scripts/messages.sh refresh):\n{missing}"


def test_the_compiled_catalogue_is_the_one_the_po_file_makes():
    """The .mo Django reads is built from today's .po (make install, make test and
    the image run scripts/messages.sh compile): a translation filled in but not
    compiled fails here rather than silently showing English."""
    mo = PO.with_suffix(".mo")
    assert mo.exists(), "run scripts/messages.sh compile (make install does)"
    expected = BytesIO()
    write_mo(expected, read_catalogue(), use_fuzzy=False)
    assert mo.read_bytes() == expected.getvalue(), "stale: run scripts/messages.sh compile"
