"""A Xuite-shaped blog: windowed pager, both post link forms, category lists, rss.xml.

List pages are ``{home}?&p=N``; the pager shows ``window`` page numbers
around the current one, first/previous/next links and (unless turned off)
a last-page link, as Xuite did. Each post is linked by title as
``{home}/{id}-{title}`` and, unless it is in ``title_only``, by a
"read more" link ``{home}/{id}``. ``rss_only`` posts appear in rss.xml but
on no list page.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote_plus, urlsplit

from tests.support.http import LocalServer, Reply, Request


@dataclass
class XuiteBlog:
    server: LocalServer
    posts: int = 47
    per_page: int = 10
    window: int = 5
    last_link: bool = True
    title_only: frozenset[int] = frozenset()  # post numbers linked only as {id}-{title}
    rss_only: int = 0
    rss_items: int = 10
    delay: float = 0.0  # seconds before each answer
    uid: str = "alice"
    blog: str = "diary"
    throttle_page: int | None = None  # this page answers 429 once
    broken_page: int | None = None  # this page answers 500 (Retry-After: 0)
    retry_after: str = "1"
    served_at: dict[str, list[float]] = field(default_factory=dict)
    in_flight: int = 0
    most_in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.path = f"/{self.uid}/{self.blog}"
        self.home = self.server.url(self.path)
        self.server.route(self.path, self._list_page)
        self.server.route(f"{self.path}/rss.xml", self._rss)

    # --- what a crawler should find -------------------------------------
    def post_id(self, number: int) -> int:
        """Post ``number`` (0 = newest) has a large id, newest highest."""
        return 12_000_000 + (self.posts + self.rss_only - number) * 37

    @property
    def pages(self) -> int:
        return max(1, -(-self.posts // self.per_page))

    @property
    def expected(self) -> set[str]:
        return {f"{self.home}/{self.post_id(n)}" for n in range(self.posts + self.rss_only)}

    def list_path(self, page: int) -> str:
        return self.path if page == 1 else f"{self.path}?&p={page}"

    @property
    def list_hits(self) -> Counter[str]:
        return Counter({p: n for p, n in self.server.hits.items() if "rss" not in p})

    # --- pages ----------------------------------------------------------
    def _list_page(self, request: Request) -> Reply:
        self._enter(request.path)
        try:
            if self.delay:
                time.sleep(self.delay)
            query = parse_qs(urlsplit(request.path).query)
            if "st" in query:  # a category list: the same posts again
                return Reply(200, self._html(1, category=True), _HTML)
            page = int(query.get("p", ["1"])[0])
            throttled = self.served_at.get(request.path, [])
            if page == self.throttle_page and len(throttled) == 1:
                return Reply(429, b"slow down", {"Retry-After": self.retry_after})
            if page == self.broken_page:
                return Reply(500, b"oops", {"Retry-After": "0"})
            return Reply(200, self._html(page), _HTML)
        finally:
            self._leave()

    def _enter(self, path: str) -> None:
        with self._lock:
            self.served_at.setdefault(path, []).append(time.monotonic())
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _html(self, page: int, *, category: bool = False) -> bytes:
        first = self.rss_only + (page - 1) * self.per_page
        numbers = range(first, min(first + self.per_page, self.rss_only + self.posts))
        articles = "".join(self._article(n) for n in numbers)
        other_blog = self.server.url(f"/bob/{self.blog}/{self.post_id(0)}")
        return f"""<!DOCTYPE html><html lang="zh-TW"><head><meta charset="utf-8">
<title>{self.blog} - 隨意窩 Xuite日誌</title>
<link rel="alternate" type="application/rss+xml" href="{self.home}/rss.xml"></head>
<body><h1><a href="{self.home}">{self.blog}</a></h1>
<div id="categories"><a href="{self.home}?st=c&amp;w=101&amp;p=1">旅行</a>
<a href="{self.home}?st=c&amp;w=102&amp;p=2">生活</a></div>
{articles}
<div class="pager">{self._pager(page)}</div>
<div id="friends"><a href="{other_blog}">朋友的文章</a></div>
<footer>Powered by Xuite 隨意窩</footer></body></html>""".encode()

    def _article(self, number: int) -> str:
        post_id = self.post_id(number)
        title = f"第{number}篇 日記 & notes"
        more = "" if number in self.title_only else f'<a href="{self.home}/{post_id}">繼續閱讀</a>'
        return (f'<div class="article"><h2><a href="{self.home}/{post_id}-{quote_plus(title)}">'
                f"{title}</a></h2><p>……</p>{more}</div>\n")  # fmt: skip

    def _pager(self, page: int) -> str:
        def link(number: int, label: str) -> str:
            return f'<a href="{self.home}?&amp;p={number}">{label}</a>'

        half = self.window // 2
        low = max(1, min(page - half, self.pages - self.window + 1))
        high = min(self.pages, low + self.window - 1)
        parts = [f'<a href="{self.home}">第一頁</a>'] if page > 1 else []
        if page > 1:
            parts.append(link(page - 1, "上一頁"))
        window = range(low, high + 1)
        parts += [f"<span>{n}</span>" if n == page else link(n, str(n)) for n in window]
        if page < self.pages:
            parts.append(link(page + 1, "下一頁"))
            if self.last_link:
                parts.append(link(self.pages, "最後一頁"))
        return " ".join(parts)

    def _rss(self, request: Request) -> Reply:
        items = "".join(
            f"<item><title>post {n}</title><link>{self.home}/{self.post_id(n)}</link></item>"
            for n in range(min(self.rss_items + self.rss_only, self.posts + self.rss_only))
        )
        body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                f"<title>{self.blog}</title><link>{self.home}</link>"
                f"{items}</channel></rss>")  # fmt: skip
        return Reply(200, body.encode(), {"Content-Type": "application/rss+xml; charset=utf-8"})


_HTML = {"Content-Type": "text/html; charset=utf-8"}
