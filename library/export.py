"""A whole site as one file, "the blog in brief": Markdown, HTML, CSV or JSON.

Each is a generator of text pieces, fed by ``posts``, which reads the site's
posts ``chunk_size`` at a time (a server-side cursor on PostgreSQL) and looks
up each chunk's captures and summaries in two queries. So the memory an
export takes does not grow with the site: a 10,000-post blog streams as a
300-post one does (``bench/export.py`` measures it).
"""

from __future__ import annotations

import csv
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from archiver.models import Capture
from crawler.models import DiscoveredURL, Site
from summarizer.models import Summary
from summarizer.rendering import as_markdown, summary_html
from wayback.urls import capture_url, parse_timestamp
from waybrief.spreadsheet import csv_cell

from .selectors import visible_summaries_q

CHUNK_SIZE = 500
FORMATS = {
    "md": ("text/markdown; charset=utf-8", "md"),
    "html": ("text/html; charset=utf-8", "html"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
}
FIELDS = [
    "title",
    "url",
    "found_at",
    "captured_at",
    "wayback_url",
    "summary_url",
    "mode",
    "language",
    "summary",
]


@dataclass
class Post:
    """One post of the site, as every format writes it."""

    title: str
    url: str
    found_at: datetime
    captured_at: datetime | None
    wayback_url: str
    summary_url: str
    mode: str
    language: str
    summary: str

    def as_json(self) -> dict[str, str]:
        row = asdict(self)
        row["found_at"] = _iso(self.found_at)
        row["captured_at"] = _iso(self.captured_at)
        return row


def _iso(when: datetime | None) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else ""


def posts(
    site: Site, *, user, link: Callable[[str], str], chunk_size: int = CHUNK_SIZE
) -> Iterator[Post]:
    """The site's posts in the order they were found, each with its latest
    capture and the summary ``user`` may see (a "summary" over key points,
    the newest of a kind); ``link(token)`` makes a summary's address."""
    rows = (
        DiscoveredURL.objects.filter(site=site)
        .order_by("pk")
        .values_list("url", "found_at")
        .iterator(chunk_size=chunk_size)
    )
    while chunk := list(itertools.islice(rows, chunk_size)):
        urls = [url for url, _found in chunk]
        captures = _latest_captures(urls)
        summaries = _best_summaries(urls, user)
        for url, found_at in chunk:
            capture = captures.get(url)
            summary = summaries.get(url)
            document = summary.document if summary else None
            yield Post(
                title=(document.title if document else "") or url,
                url=url,
                found_at=found_at,
                captured_at=capture[0] if capture else None,
                wayback_url=capture[1] if capture else "",
                summary_url=link(summary.token) if summary else "",
                mode=summary.mode if summary else "",
                language=summary.language if summary else "",
                summary=summary.output if summary else "",
            )


def _latest_captures(urls: list[str]) -> dict[str, tuple[datetime | None, str]]:
    found: dict[str, tuple[str, tuple[datetime | None, str]]] = {}
    rows = Capture.objects.filter(url__in=urls, state=Capture.State.ARCHIVED).values_list(
        "url", "timestamp", "wayback_url", "finished_at"
    )
    for url, stamp, wayback_url, finished_at in rows:
        if url not in found or stamp > found[url][0]:
            link = wayback_url or (capture_url(stamp, url) if stamp else "")
            found[url] = (stamp, (_captured_at(stamp) or finished_at, link))
    return {url: value for url, (_stamp, value) in found.items()}


def _captured_at(stamp: str) -> datetime | None:
    return parse_timestamp(stamp) if stamp else None


def _best_summaries(urls: list[str], user) -> dict[str, Summary]:
    rows = (
        Summary.objects.filter(url__in=urls, state=Summary.State.DONE, keep=True)
        .filter(visible_summaries_q(user))
        .select_related("document")
        .only("url", "token", "mode", "language", "output", "finished_at", "document__title")
    )
    best: dict[str, Summary] = {}
    for summary in rows:
        held = best.get(summary.url)
        if held is None or _preference(summary) > _preference(held):
            best[summary.url] = summary
    return best


_NEVER = datetime.min.replace(tzinfo=UTC)


def _preference(summary: Summary) -> tuple:
    return (summary.mode == Summary.Mode.SUMMARY, summary.finished_at or _NEVER)


# --- the formats ---------------------------------------------------------------


def render(fmt: str, site: Site, rows: Iterable[Post]) -> Iterator[str]:
    return {"md": markdown, "html": html, "csv": csv_rows, "json": json_document}[fmt](site, rows)


class _Line:
    """csv.writer's file: hands back each row it writes instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def csv_rows(site: Site, rows: Iterable[Post]) -> Iterator[str]:
    """A header, then a row a post; every cell safe to open in a spreadsheet."""
    writer = csv.writer(_Line())
    yield writer.writerow(FIELDS)
    for post in rows:
        record = post.as_json()
        yield writer.writerow([csv_cell(record[name]) for name in FIELDS])


def json_document(site: Site, rows: Iterable[Post]) -> Iterator[str]:
    """``{"site": …, "exported_at": …, "posts": [...]}``, written a post at a time."""
    head = {"site": site.url, "exported_at": _iso(timezone.now())}
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "posts": ['
    for index, post in enumerate(rows):
        yield ("," if index else "") + "\n" + json.dumps(post.as_json(), ensure_ascii=False)
    yield "\n]}\n"


def _day(when: datetime | None) -> str:
    return formats.date_format(timezone.localtime(when), "DATE_FORMAT") if when else ""


# What could start markup inside a line (a title never starts one: it follows "## [").
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]<>|~"})


def _md_text(text: str) -> str:
    """A title as Markdown shows it literally (it is the blog's words, not markup)."""
    return " ".join(text.split()).translate(_MD_SPECIAL)


def _md_url(url: str) -> str:
    return "<" + url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E") + ">"


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.*?)\1")


def _md_no_html(text: str) -> str:
    """A summary's Markdown with raw HTML shown as text (``<`` as ``&lt;``), as
    the app's own renderer shows it, except inside code, where it is code."""
    out, fence = [], ""
    for line in text.splitlines():
        opened = _FENCE.match(line)
        if fence:
            fence = "" if opened and opened.group(1)[0] == fence[0] else fence
            out.append(line)
        elif opened:
            fence = opened.group(1)
            out.append(line)
        else:
            pieces, last = [], 0
            for code in _CODE_SPAN.finditer(line):
                pieces.append(line[last : code.start()].replace("<", "&lt;"))
                pieces.append(code.group())
                last = code.end()
            pieces.append(line[last:].replace("<", "&lt;"))
            out.append("".join(pieces))
    return "\n".join(out)


def summary_page_label() -> str:
    """Outside an f-string, where xgettext (makemessages) can find it."""
    return _("Summary page")


def not_summarized_label() -> str:
    return _("Not summarized yet.")


def markdown(site: Site, rows: Iterable[Post]) -> Iterator[str]:
    yield f"# {_md_text(_('%(site)s in brief') % {'site': site.url})}\n\n"
    yield _("Exported %(date)s.") % {"date": _day(timezone.now())} + "\n"
    for post in rows:
        facts = [_("Found %(date)s") % {"date": _day(post.found_at)}]
        if post.wayback_url:
            facts.append(f"[{_('Wayback Machine')}]({_md_url(post.wayback_url)})")
            facts.append(_("captured %(date)s") % {"date": _day(post.captured_at)})
        if post.summary_url:
            facts.append(f"[{summary_page_label()}]({_md_url(post.summary_url)})")
        body = (
            _md_no_html(as_markdown(post.summary, post.mode)).strip()
            or f"*{not_summarized_label()}*"
        )
        yield (
            f"\n## [{_md_text(post.title)}]({_md_url(post.url)})\n\n{' · '.join(facts)}\n\n{body}\n"
        )


_HTML_STYLE = """
body { font: 1rem/1.55 system-ui, sans-serif; max-width: 46rem; margin: 0 auto; padding: 1rem;
  color: #1b1b1b; background: #fdfdfb; }
a { color: #0b5cad; } .meta { color: #555; font-size: .9rem; }
article { border-top: 1px solid #ddd; padding-top: .5rem; }
@media (prefers-color-scheme: dark) {
  body { color: #e8e8e3; background: #16181b; } a { color: #7ab7ff; } .meta { color: #aaa; }
  article { border-color: #333; } }
"""


def html(site: Site, rows: Iterable[Post]) -> Iterator[str]:
    """A page that stands alone (its style inline): it is a file, read offline."""
    title = escape(_("%(site)s in brief") % {"site": site.url})
    yield (
        f'<!doctype html>\n<html><head><meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title><style>{_HTML_STYLE}</style></head>\n<body>\n<h1>{title}</h1>\n"
        f'<p class="meta">{escape(_("Exported %(date)s.") % {"date": _day(timezone.now())})}</p>\n'
    )
    for post in rows:
        facts = [escape(_("Found %(date)s") % {"date": _day(post.found_at)})]
        if post.wayback_url:
            facts.append(f'<a href="{escape(post.wayback_url)}">{escape(_("Wayback Machine"))}</a>')
            facts.append(escape(_("captured %(date)s") % {"date": _day(post.captured_at)}))
        if post.summary_url:
            facts.append(f'<a href="{escape(post.summary_url)}">{escape(summary_page_label())}</a>')
        body = summary_html(post.summary, post.mode) or (
            f"<p><em>{escape(not_summarized_label())}</em></p>"
        )
        yield (
            f'<article>\n<h2><a href="{escape(post.url)}">{escape(post.title)}</a></h2>\n'
            f'<p class="meta">{" · ".join(facts)}</p>\n{body}\n</article>\n'
        )
    yield "</body></html>\n"
