"""Reading the documents blogs are made of: HTML pages, sitemaps, feeds.

Parsers here never fetch: feedparser is handed bytes (given a string that
looks like a URL it would fetch it itself, past the guard), and the XML
parser resolves no entities and touches no network.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from urllib.parse import urljoin

import feedparser
import lxml.html
from lxml import etree

from waybrief.fetching import FetchedPage
from waybrief.fetching.errors import TooLarge

_XML = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


def html_document(response: FetchedPage) -> lxml.html.HtmlElement | None:
    """The page as an lxml tree, or None when it is not HTML at all."""
    text = response.text
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def page_base(doc: lxml.html.HtmlElement, response: FetchedPage) -> str:
    """The URL relative links on the page resolve against (``<base href>`` wins)."""
    for href in doc.xpath("//head/base/@href")[:1]:
        return urljoin(response.final_url, href.strip())
    return response.final_url


def links(response: FetchedPage, doc: lxml.html.HtmlElement | None = None) -> list[str]:
    """Every ``<a href>`` on the page, made absolute, in page order."""
    doc = html_document(response) if doc is None else doc
    if doc is None:
        return []
    base = page_base(doc, response)
    found: list[str] = []
    for href in doc.xpath("//a/@href"):
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if href.startswith(("http://", "https://")):
            found.append(href)  # already absolute: urljoin would change nothing
            continue
        try:
            found.append(urljoin(base, href))
        except ValueError:  # e.g. a broken IPv6 literal
            continue
    return found


def canonical_link(response: FetchedPage, doc: lxml.html.HtmlElement | None = None) -> str | None:
    """The page's ``<link rel=canonical>``, made absolute, if it has one."""
    doc = html_document(response) if doc is None else doc
    if doc is None:
        return None
    for href in doc.xpath("//link[contains(concat(' ', normalize-space(@rel), ' '), "
                          "' canonical ')]/@href")[:1]:  # fmt: skip
        return urljoin(page_base(doc, response), href.strip())
    return None


def alternate_feeds(response: FetchedPage) -> list[str]:
    """The feeds a page advertises, post feeds before comment feeds are dropped."""
    doc = html_document(response)
    if doc is None:
        return []
    base = page_base(doc, response)
    feeds = []
    for link in doc.xpath("//link[@rel='alternate'][@href]"):
        kind = (link.get("type") or "").lower()
        title = (link.get("title") or "").lower()
        href = link.get("href").strip()
        if kind in _FEED_TYPES and "comment" not in title and "comment" not in href.lower():
            feeds.append(urljoin(base, href))
    return feeds


def gunzip(body: bytes, *, max_bytes: int) -> bytes:
    """``body`` inflated if it is a gzip file (``sitemap.xml.gz``), capped."""
    if body[:2] != b"\x1f\x8b":
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise ValueError(f"broken gzip data: {exc}") from None
    if len(out) > max_bytes:
        raise TooLarge(f"The sitemap inflates to more than {max_bytes} bytes.")
    return out


@dataclass
class Sitemap:
    is_index: bool
    locations: list[str]


def sitemap(body: bytes) -> Sitemap:
    """A sitemap or sitemap index; raises ``ValueError`` for anything else."""
    try:
        root = etree.fromstring(body, _XML)
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"not XML: {exc}") from None
    if root is None:
        raise ValueError("not XML")
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        locations = root.findall("{*}sitemap/{*}loc")
    elif kind == "urlset":
        locations = root.findall("{*}url/{*}loc")
    else:
        raise ValueError(f"not a sitemap but <{kind}>")
    return Sitemap(kind == "sitemapindex", [el.text.strip() for el in locations if el.text])


@dataclass
class Feed:
    entries: list[str]
    next_pages: list[str]
    generator: str


def feed(response: FetchedPage) -> Feed:
    """The entry links of an RSS/Atom feed page and its RFC 5005 next page."""
    headers = {"content-location": response.final_url, "content-type": response.content_type}
    parsed = feedparser.parse(io.BytesIO(response.body), response_headers=headers)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        raise ValueError(f"{response.final_url} is not a feed")
    entries = [entry.link for entry in parsed.entries if entry.get("link")]
    next_pages = [
        urljoin(response.final_url, link.href)
        for link in parsed.feed.get("links", [])
        if link.get("rel") == "next" and link.get("href")
    ]
    return Feed(entries, next_pages, str(parsed.feed.get("generator", "")))
