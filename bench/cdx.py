"""CDX enumeration benchmark: a dead blog read from the Archive's index.

A Wayback stand-in (its own process) holds N captures of one Xuite blog:
each post captured twice as ``{id}`` (different years) and once as
``{id}-{title}``, plus captures of list pages, and answers at most
``--page-size`` rows a request (its own page size, whatever ``limit`` the
client asks for), with a resume key to go on. The measured process runs the
``wayback`` adapter's own enumeration (CDX pages within the shared look-up
limit at the real 60 a minute, canonicalization, the crawl's post set)
with an in-memory journal, and reports wall time, requests, the most
requests in any 60 s, Python's peak heap (tracemalloc) and recall.

    .venv/bin/python bench/cdx.py [--captures 2000 20000] [--page-size 1000]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOME = "http://blog.xuite.net/alice/diary"
START = 1_300_000_000.0


def post_id(number: int) -> int:
    return 12_000_000 + number * 37


def plan(captures: int, per_post: int) -> int:
    """How many posts ``captures`` captures under the blog's prefix make."""
    return captures // per_post


def _serve(captures: int, per_post: int, page_size: int, ready: mp.Queue, stop) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.fake_wayback import FakeWayback

    fake = FakeWayback(cdx_page_size=page_size)
    for n in range(plan(captures, per_post)):
        for k in range(per_post):
            suffix = "-%E6%97%A5%E8%A8%98" if k == per_post - 1 else ""
            fake.add_capture(f"{HOME}/{post_id(n)}{suffix}", START + n * 60 + k * 3e7)
    for n in range(captures % per_post):  # the rest: the feed, captured now and then
        fake.add_capture(f"{HOME}/rss.xml", START + n)
    fake.start()
    ready.put(fake.base_url)
    stop.wait()
    times = sorted(a.at for a in fake.cdx_requests())
    ready.put(max((sum(1 for t in times if s <= t < s + 60) for s in times), default=0))
    fake.stop()


class MemoryJournal:
    """The crawl journal's interface, kept in memory (no database)."""

    def __init__(self) -> None:
        self.known: set[str] = set()
        self.pages_fetched = 0

    def recall(self, url):
        return None

    def page_done(self, url, listing) -> None:
        pass

    def add(self, urls):
        new = [u for u in dict.fromkeys(urls) if u not in self.known]
        self.known.update(new)
        return new

    def fetched(self) -> None:
        self.pages_fetched += 1

    def failed(self, url, message) -> None:
        raise RuntimeError(f"{url}: {message}")

    def begun(self, adapter, base_url) -> None:
        pass


def enumerate_blog(base_url: str) -> dict:
    import anyio
    from django.conf import settings

    from crawler.adapters.wayback import Wayback
    from crawler.engine import Crawl

    settings.WAYBACK_URL = base_url
    journal = MemoryJournal()
    crawl = Crawl(client=None, journal=journal, start_url=HOME)  # type: ignore[arg-type]
    adapter = Wayback()
    crawl.home = adapter.home(HOME)
    tracemalloc.start()
    started = time.perf_counter()
    anyio.run(adapter.enumerate, crawl)
    wall = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"wall": wall, "found": journal.known, "peak": peak, **crawl.stats}


def run(captures: int, per_post: int, page_size: int) -> dict:
    ready: mp.Queue = mp.Queue()
    stop = mp.Event()
    server = mp.Process(target=_serve, args=(captures, per_post, page_size, ready, stop))
    server.start()
    try:
        result = enumerate_blog(ready.get(timeout=120))
    finally:
        stop.set()
    result["max_per_minute"] = ready.get(timeout=30)
    server.join(10)
    posts = plan(captures, per_post)
    expected = {f"{HOME}/{post_id(n)}" for n in range(posts)}
    found = result.pop("found")
    result.update(posts=posts, recall=len(found & expected) / len(expected),
                  extra=len(found - expected))  # fmt: skip
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--captures", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--per-post", type=int, default=3, help="captures of each post")
    parser.add_argument("--page-size", type=int, default=1000, help="the stand-in's page size")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waybrief.settings")
    os.environ["WAYBRIEF_DATA_DIR"] = tempfile.mkdtemp(prefix="bench-cdx-")  # file-based limiter
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.conf import settings

    print(f"one Xuite blog, {args.per_post} captures a post (2 URLs); the stand-in "
          f"answers {args.page_size} rows a request; {settings.WAYBACK_LOOKUP_RATE_PER_MINUTE} "
          f"CDX requests a minute; {os.cpu_count()} CPUs")  # fmt: skip
    print(f"{'captures':>9} {'posts':>6} {'wall s':>7} {'requests':>8} {'max/60s':>7} "
          f"{'recall':>7} {'extra':>5} {'peak heap MB':>12}")  # fmt: skip
    for captures in args.captures:
        r = run(captures, args.per_post, args.page_size)
        print(f"{captures:>9} {r['posts']:>6} {r['wall']:>7.2f} {r['cdx_requests']:>8} "
              f"{r['max_per_minute']:>7} {r['recall']:>7.1%} {r['extra']:>5} "
              f"{r['peak'] / 2**20:>12.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
