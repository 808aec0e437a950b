"""WARC bench: a crawl that keeps every post in local WARC files, against the crawl alone.

A Xuite-shaped blog (bench/crawl.py's, 10 posts a list page) whose list
pages and posts each answer after 20 ms, from its own process. Each run is
the ``crawl`` service in a fresh process with its own SQLite ledger, at the
same politeness (``--concurrency`` requests at once on the host):

- "crawl alone": the enumeration, as today (keep WARC off);
- "crawl + WARC": the same crawl with the site's keep-WARC switch on, so it
  also reads every post once, into rotating WARC files;
- "posts, no WARC" and "posts into WARC": every post read through the
  crawler's client, without and with the WARC recorder, to show what the
  writing itself costs at the same pace.

Reported: posts per second, disk bytes per post, peak RSS of the process.

    .venv/bin/python bench/warc.py [--posts 2000 20000] [--delay 0.02] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent


def _serve(options: dict, ready: mp.Queue, stop: mp.Event) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.support.http import LocalServer, Reply
    from tests.support.sites.xuite import XuiteBlog

    server = LocalServer()
    server._server.RequestHandlerClass.disable_nagle_algorithm = True  # as bench/crawl.py
    server.start()
    blog = XuiteBlog(server, posts=options["posts"], delay=options["delay"])
    html = {"Content-Type": "text/html; charset=utf-8"}

    def post(n: int):
        def answer(request) -> Reply:
            time.sleep(options["delay"])
            return Reply(200, _post_html(n), html)

        return answer

    for n, url in enumerate(sorted(blog.expected)):
        server.route(urlsplit(url).path, post(n))
    ready.put((blog.home, sorted(blog.expected)))
    stop.wait()
    server.stop()


def _post_html(n: int) -> bytes:
    """About 6 KB, a short post's page; each different (no revisits)."""
    paragraph = (f"<p>Post {n} tells of the platform closing at the end of the year, and of "
                 f"everything written there since 2004 that must be saved in time.</p>")
    return (f"<!doctype html><html><head><title>Post {n}</title></head><body><article>"
            f"<h1>Post {n}</h1>{paragraph * 40}</article></body></html>").encode()


def _setup(data_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(WAYBRIEF_DATA_DIR=data_dir, FETCH_ALLOW_PRIVATE="1", LOG_LEVEL="WARNING",
                      DJANGO_SETTINGS_MODULE="waybrief.settings",
                      WARC_DIR=str(Path(data_dir) / "warc"))
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def _crawl(home: str, concurrency: int, keep: bool, data_dir: str, out: mp.Queue) -> None:
    _setup(data_dir)
    from crawler.models import Site
    from crawler.services import crawl_site, site_for

    Site.objects.filter(pk=site_for(url=home, adapter="xuite").pk).update(keep_warc=keep)
    started = time.perf_counter()
    run = crawl_site(url=home, adapter="xuite", concurrency=concurrency)
    wall = time.perf_counter() - started
    out.put({"wall": wall, "posts": run.urls.count(), "kept": run.stats.get("posts_kept", 0),
             "requests": run.pages_fetched, "disk": _disk(Path(data_dir) / "warc"),
             "rss_mb": _peak_rss_mb(), "state": run.state})


def _posts(urls: list[str], concurrency: int, record: bool, data_dir: str, out: mp.Queue) -> None:
    _setup(data_dir)
    import anyio

    from crawler.http import PoliteClient, Politeness
    from waybrief import warc

    writer = warc.writer_for(urls[0]) if record else None

    async def read_all() -> int:
        todo, read = iter(urls), 0

        async def worker(client) -> None:
            nonlocal read
            for url in todo:
                await client.get(url)
                read += 1

        client = PoliteClient(politeness=Politeness(concurrency=concurrency),
                              recorder=writer.record if writer else None)
        async with client, anyio.create_task_group() as group:
            for _ in range(16):
                group.start_soon(worker, client)
        return read

    started = time.perf_counter()
    read = anyio.run(read_all)
    if writer is not None:
        writer.close()
    wall = time.perf_counter() - started
    out.put({"wall": wall, "posts": read, "kept": read if record else 0, "requests": read,
             "disk": _disk(Path(data_dir) / "warc"), "rss_mb": _peak_rss_mb(), "state": "done"})


def _disk(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*.warc.gz")) if folder.exists() else 0


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _in_child(target, *args) -> dict:
    context = mp.get_context("spawn")
    out = context.Queue()
    with tempfile.TemporaryDirectory() as data_dir:
        process = context.Process(target=target, args=(*args, data_dir, out))
        process.start()
        result = out.get(timeout=1800)
        process.join()
    return result


def bench(posts: int, delay: float, concurrency: int) -> None:
    context = mp.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=({"posts": posts, "delay": delay}, ready, stop))
    server.start()
    home, urls = ready.get(timeout=120)
    print(f"blog: {posts} posts, {delay * 1000:g} ms per response, concurrency {concurrency}; "
          f"{os.cpu_count()} CPUs")
    try:
        rows = [
            ("crawl alone", _in_child(_crawl, home, concurrency, False)),
            ("crawl + WARC", _in_child(_crawl, home, concurrency, True)),
            ("posts, no WARC", _in_child(_posts, urls, concurrency, False)),
            ("posts into WARC", _in_child(_posts, urls, concurrency, True)),
        ]
    finally:
        stop.set()
        server.join()
    print(f"{'':18} {'wall s':>7} {'requests':>8} {'posts/s':>8} {'into WARC':>9} "
          f"{'bytes/post':>10} {'peak RSS MB':>11}")
    for name, r in rows:
        per_post = r["disk"] / r["kept"] if r["kept"] else 0
        print(f"{name:18} {r['wall']:7.2f} {r['requests']:8d} {r['posts'] / r['wall']:8.1f} "
              f"{r['kept']:9d} {per_post:10.0f} {r['rss_mb']:11.1f}  {r['state']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, nargs="+", default=[2000])
    parser.add_argument("--delay", type=float, default=0.02, help="seconds per response")
    parser.add_argument("--concurrency", type=int, default=8)
    options = parser.parse_args()
    for posts in options.posts:
        bench(posts, options.delay, options.concurrency)


if __name__ == "__main__":
    main()
