"""Crawler benchmark: a local Xuite-shaped blog, the crawler against the classic.

A blog of 2,000 posts (10 a list page) answers every request after 20 ms,
from its own process. The classic enumeration (xuite-urldump: read the
highest ``?&p=N`` on the home page, walk the list pages one request at a
time, keep links matching ``{home}/\\d+``) and Waybrief's ``crawl`` (the
same service the command runs, SQLite ledger included) each run in a fresh
process, so each peak RSS is its own.

    .venv/bin/python bench/crawl.py [--posts 2000] [--delay 0.02] [--concurrency 4 8 16]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin

import httpx
import lxml.html

ROOT = Path(__file__).resolve().parent.parent


def page_links(html: str, base: str) -> list[str]:
    """Absolute ``<a href>`` targets, as WWW::Mechanize's ``url_abs`` gives them."""
    if not html.strip():
        return []
    return [urljoin(base, href) for href in lxml.html.fromstring(html).xpath("//a/@href")]


def classic_enumeration(home: str) -> set[str]:
    """The sequential classic, one request at a time (after xuite-urldump)."""
    page_link = re.compile("^" + re.escape(home) + r"\?&p=(\d+)$")
    post_link = re.compile("^" + re.escape(home) + r"/\d+$")
    found: set[str] = set()
    with httpx.Client(trust_env=False, timeout=30) as client:
        html = client.get(home).text
        links = page_links(html, home)
        last = max((int(m[1]) for link in links if (m := page_link.match(link))), default=1)
        for page in range(1, last + 1):
            if page > 1:
                links = page_links(client.get(f"{home}?&p={page}").text, home)
            found.update(link for link in links if post_link.match(link))
    return found


# --- the measured runs, each in its own process ----------------------------
def _serve(options: dict, ready: mp.Queue, stop: mp.Event) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.http import LocalServer
    from tests.support.sites.xuite import XuiteBlog

    server = LocalServer()
    # Headers and body leave in two writes; without TCP_NODELAY, Nagle and
    # delayed ACKs add 40 ms to every answer, and the 20 ms would be 60.
    server._server.RequestHandlerClass.disable_nagle_algorithm = True
    server.start()
    blog = XuiteBlog(server, posts=options["posts"], per_page=options["per_page"],
                     delay=options["delay"])  # fmt: skip
    ready.put((blog.home, sorted(blog.expected), blog.pages))
    stop.wait()
    server.stop()


def _measure_classic(home: str, out: mp.Queue) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    found = classic_enumeration(home)
    wall = time.perf_counter() - started
    out.put({"found": sorted(found), "wall": wall, "cpu": time.process_time() - cpu,
             "rss_mb": _peak_rss_mb(), "requests": None})  # fmt: skip


def _measure_crawler(home: str, concurrency: int, data_dir: str, out: mp.Queue) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(WAYBRIEF_DATA_DIR=data_dir, FETCH_ALLOW_PRIVATE="1",
                      DJANGO_SETTINGS_MODULE="waybrief.settings", LOG_LEVEL="WARNING")  # fmt: skip
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from crawler.services import crawl_site

    found: list[str] = []
    started, cpu = time.perf_counter(), time.process_time()
    run = crawl_site(url=home, adapter="xuite", concurrency=concurrency, on_url=found.append)
    wall = time.perf_counter() - started
    out.put({"found": found, "wall": wall, "cpu": time.process_time() - cpu,
             "rss_mb": _peak_rss_mb(), "requests": run.pages_fetched})  # fmt: skip


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _in_child(target, *args) -> dict:
    context = mp.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=target, args=(*args, out))
    process.start()
    result = out.get(timeout=600)
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds per response")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 8, 16])
    options = parser.parse_args()

    context = mp.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(vars(options), ready, stop))
    server.start()
    home, expected, pages = ready.get(timeout=60)
    expected = set(expected)
    print(f"blog: {len(expected)} posts on {pages} list pages, {options.delay * 1000:g} ms "
          f"per response; {os.cpu_count()} CPUs")  # fmt: skip
    try:
        rows = [("classic (sequential)", _in_child(_measure_classic, home))]
        for concurrency in options.concurrency:
            with tempfile.TemporaryDirectory() as data_dir:
                result = _in_child(_measure_crawler, home, concurrency, data_dir)
            rows.append((f"waybrief crawl, concurrency {concurrency}", result))
    finally:
        stop.set()
        server.join()
    _report(rows, expected, pages)


def _report(rows: list[tuple[str, dict]], expected: set[str], pages: int) -> None:
    classic_wall = rows[0][1]["wall"]
    print(f"{'':34} {'wall s':>7} {'CPU s':>6} {'pages/s':>8} {'speed-up':>8} {'recall':>7} "
          f"{'peak RSS MB':>11}")  # fmt: skip
    for name, result in rows:
        found = set(result["found"])
        recall = len(found & expected) / len(expected)
        precision = len(found & expected) / len(found) if found else 0.0
        wall, rate = result["wall"], (result["requests"] or pages) / result["wall"]
        print(f"{name:34} {wall:7.2f} {result['cpu']:6.2f} {rate:8.1f} {classic_wall / wall:7.1f}x "
              f"{recall:7.1%} {result['rss_mb']:11.1f}"
              + ("" if precision == 1 else f"  precision {precision:.1%}"))  # fmt: skip


if __name__ == "__main__":
    main()
