"""A Blogger-shaped blog: ``/feeds/posts/default?start-index=N&max-results=M``.

It answers ``alt=json`` with Blogger's JSON feed (``openSearch$totalResults``,
``entry[].link[]``), anything else with Atom and a ``next`` link; with
``json=False`` it ignores ``alt`` and always answers Atom.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

from tests.support.http import LocalServer, Reply, Request


@dataclass
class BloggerBlog:
    server: LocalServer
    posts: int = 320
    json: bool = True
    page_cap: int = 150  # Blogger gives at most this many entries a page

    def __post_init__(self) -> None:
        self.base = self.server.base
        self.server.route("/", self._home)
        self.server.route("/feeds/posts/default", self._feed)

    def post_url(self, number: int) -> str:
        return f"{self.base}/{2010 + number % 12}/{1 + number % 12:02d}/post-{number}.html"

    @property
    def expected(self) -> set[str]:
        return {self.post_url(n) for n in range(self.posts)}

    def _home(self, request: Request) -> Reply:
        body = f"""<!DOCTYPE html><html><head><meta content='blogger' name='generator'/>
<link rel="alternate" type="application/atom+xml" href="{self.base}/feeds/posts/default"/>
</head><body><a href="{self.post_url(0)}?m=1">latest</a></body></html>"""
        return Reply(200, body.encode(), {"Content-Type": "text/html; charset=UTF-8"})

    def _feed(self, request: Request) -> Reply:
        query = parse_qs(urlsplit(request.path).query)
        start = int(query.get("start-index", ["1"])[0])
        size = min(int(query.get("max-results", ["25"])[0]), self.page_cap)
        numbers = range(start - 1, min(start - 1 + size, self.posts))
        if self.json and query.get("alt") == ["json"]:
            return self._json(numbers)
        return self._atom(numbers, start, size)

    def _json(self, numbers: range) -> Reply:
        entries = [
            {"title": {"$t": f"post {n}"},
             "link": [{"rel": "replies", "href": f"{self.post_url(n)}#comment-form"},
                      {"rel": "alternate", "type": "text/html", "href": self.post_url(n)}]}
            for n in numbers
        ]  # fmt: skip
        feed = {"feed": {"openSearch$totalResults": {"$t": str(self.posts)}, "entry": entries}}
        return Reply(200, json.dumps(feed).encode(), {"Content-Type": "application/json"})

    def _atom(self, numbers: range, start: int, size: int) -> Reply:
        entries = "".join(
            f'<entry><title>post {n}</title><link rel="alternate" type="text/html" '
            f'href="{escape(self.post_url(n))}"/></entry>'
            for n in numbers
        )
        following = start + size
        more = (f'<link rel="next" href="{self.base}/feeds/posts/default?start-index={following}'
                f'&amp;max-results={size}"/>') if following <= self.posts else ""  # fmt: skip
        body = ('<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
                'xmlns:openSearch="http://a9.com/-/spec/opensearchrss/1.0/"><title>blog</title>'
                f"<openSearch:totalResults>{self.posts}</openSearch:totalResults>{more}{entries}"
                "</feed>")  # fmt: skip
        return Reply(200, body.encode(), {"Content-Type": "application/atom+xml; charset=UTF-8"})
