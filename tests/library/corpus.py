"""Summaries to search, and what each search must find, on either database.

``build()`` makes the rows; ``CASES`` are (query, expected titles). The
PostgreSQL tests run them in-process, ``sqlite_child`` runs them in a
process of its own on a SQLite file, so both backends answer the same cases.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from crawler.models import CrawlRun, DiscoveredURL, Site
from summarizer.models import Document, Summary

# Big5 bytes, decoded: what an old Xuite post's text is once fetched.
BIG5_TEXT = (
    (
        "上個星期六，我和家人從台北車站搭客運到瑞芳，再轉公車上山到九份。"
        "下午在一家老茶館坐了兩個小時，泡了一壺高山烏龍，窗外的雨時大時小。"
        "傍晚雨停了，遠方的海面上出現一道彩虹，大家都拿出手機拍個不停。"
    )
    .encode("big5")
    .decode("big5")
)
BIG5_TITLE = "九份老街一日遊"

SOURDOUGH = "Keeping a sourdough starter alive"
KERNEL = "Reading the Linux kernel scheduler"
HANGZHOU = "杭州西湖的春天"
TAKEAWAY = "Ten lessons from a failed bakery"
SECRET = "Private notes on the garden"

CASES: list[tuple[str, list[str]]] = [
    ("sourdough", [SOURDOUGH]),
    ("SOURDOUGH Starter", [SOURDOUGH]),
    ("rye", [SOURDOUGH]),  # only in the extracted text
    ("scheduler", [KERNEL]),
    ("彩虹", [BIG5_TITLE]),  # a two-character word of the Big5 body
    ("高山烏龍", [BIG5_TITLE]),
    ("虹", [BIG5_TITLE]),  # one character: the last of its run
    ("虹彩", []),  # the same two characters the other way round
    ("西湖", [HANGZHOU]),
    ("bakery", [TAKEAWAY]),
    ("garden", []),  # private to its owner
    ("sourdough kernel", []),  # every word must match
    ('"NEAR( a & !b :*', []),  # query syntax is only words
]


def post_urls(n: int, base: str = "http://blog.test") -> list[str]:
    return [f"{base}/post/{i}" for i in range(1, n + 1)]


def make_site(url: str, urls: list[str], *, owner=None) -> Site:
    site = Site.objects.create(url=url)
    if owner is not None:
        site.added_by.add(owner)
    run = CrawlRun.objects.create(site=site, state=CrawlRun.State.DONE)
    DiscoveredURL.objects.bulk_create(
        [DiscoveredURL(site=site, run=run, last_run=run, url=u) for u in urls], batch_size=1000
    )
    return site


def make_summary(
    *,
    url: str,
    title: str,
    output: str,
    text: str = "",
    mode: str = "summary",
    language: str = "EN",
    private: bool = False,
    owner=None,
    finished_at: datetime | None = None,
) -> Summary:
    document = Document.objects.create(
        url=url,
        final_url=url,
        content_hash=str(hash((url, text))),
        title=title,
        kind="article",
        text=text or output,
    )
    return Summary.objects.create(
        url=url,
        mode=mode,
        language=language,
        document=document,
        state=Summary.State.DONE,
        output=output,
        private=private,
        owner=owner,
        finished_at=finished_at or timezone.now(),
    )


def build() -> dict[str, object]:
    """The corpus: two sites, five public summaries and a private one."""
    users = get_user_model().objects
    alice = users.create_user("alice", password="pw-alice-1234")
    users.create_user("bob", password="pw-bob-1234")
    now = timezone.now()
    blog = make_site("http://blog.test/", ["http://blog.test/sourdough", "http://blog.test/jiufen"])
    make_summary(
        url="http://blog.test/sourdough",
        title=SOURDOUGH,
        output="Feed the starter flour and water every day; it doubles in hours.",
        text="A starter is flour and water. I use rye flour in winter.",
        finished_at=now - timedelta(days=10),
    )
    make_summary(
        url="http://blog.test/jiufen",
        title=BIG5_TITLE,
        language="ZH-HANT",
        output="作者和家人到九份老街，喝茶聊天，傍晚看到海景。",
        text=BIG5_TEXT,
    )
    make_site("http://code.test/", ["http://code.test/cfs"])
    make_summary(
        url="http://code.test/cfs",
        title=KERNEL,
        mode="explain",
        output="How the completely fair scheduler picks the next task.",
    )
    make_summary(
        url="http://other.test/hangzhou",
        title=HANGZHOU,
        language="ZH",
        output="三月去杭州看西湖，苏堤的桃花开了。",
    )
    make_summary(
        url="http://other.test/bakery",
        title=TAKEAWAY,
        mode="takeaway",
        output="- Rent is the bakery's first cost\n- Bread is cheap to make",
    )
    make_summary(
        url="http://other.test/garden",
        title=SECRET,
        private=True,
        owner=alice,
        output="Plant the garden beds with tomatoes in May.",
    )
    return {"alice": alice, "blog": blog, "now": now}


def titles(entries) -> list[str]:
    return [entry.summary.document.title for entry in entries]
