"""The blog in brief at size: time and peak memory of exporting a whole site.

Builds a site of N posts (each archived, each summarized with a ~700-character
summary) and exports it in every format through the view's own stream
(``library.export`` into ``library.views._chunks``), reading the bytes and
dropping them as a client would. Prints, per size and format, the seconds it
took (without tracing), the peak Python memory during a second, traced run
(tracemalloc), and the bytes written. Memory that stays flat from 2,000 to
10,000 posts is what streaming promises.

    .venv/bin/python bench/export.py [--sizes 2000,10000] [--formats md,html,csv,json]
        [--database-url postgres://…/wb_export_bench | --sqlite]

Uses a database of its own on PostgreSQL (created if missing; its site rows
are replaced), or with ``--sqlite`` the embedded default in a fresh temporary
data dir.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import ensure_database  # noqa: E402  (after the path is set)

DEFAULT_DB = "postgres://postgres:postgres@127.0.0.1:5432/wb_export_bench"
SUMMARY = (
    "The author walks from the station to the old street and describes, stall by stall, "
    "what each shop sells: **taro balls**, tea, iron eggs. "
) * 5
STAMP = "20260102030405"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,10000")
    parser.add_argument("--formats", default="md,html,csv,json")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--sqlite", action="store_true", help="the embedded default instead")
    return parser.parse_args()


def build_site(n: int):
    """A site of ``n`` posts, each archived and summarized (bulk: no signals)."""
    from archiver.models import Capture
    from crawler.models import CrawlRun, DiscoveredURL, Site
    from summarizer.models import Document, Summary
    from wayback.urls import capture_url

    base = f"http://bench-{n}.test"
    Site.objects.filter(url=f"{base}/").delete()
    Summary.objects.filter(url__startswith=base).delete()
    Document.objects.filter(url__startswith=base).delete()
    Capture.objects.filter(url__startswith=base).delete()
    site = Site.objects.create(url=f"{base}/")
    run = CrawlRun.objects.create(site=site, state=CrawlRun.State.DONE)
    urls = [f"{base}/post/{i}" for i in range(n)]
    DiscoveredURL.objects.bulk_create(
        [DiscoveredURL(site=site, run=run, last_run=run, url=u) for u in urls], batch_size=2000
    )
    Capture.objects.bulk_create(
        [
            Capture(
                url=u,
                state=Capture.State.ARCHIVED,
                timestamp=STAMP,
                wayback_url=capture_url(STAMP, u),
            )
            for u in urls
        ],
        batch_size=2000,
    )
    documents = Document.objects.bulk_create(
        [
            Document(
                url=u,
                final_url=u,
                content_hash=str(i),
                title=f"Post {i} of the old blog",
                kind="article",
                text="text " * 200,
            )
            for i, u in enumerate(urls)
        ],
        batch_size=2000,
    )
    Summary.objects.bulk_create(
        [
            Summary(url=d.url, document=d, state=Summary.State.DONE, output=SUMMARY, language="EN")
            for d in documents
        ],
        batch_size=2000,
    )
    return site


def export_once(site, fmt: str, user) -> int:
    """One whole export as a client reads it; the bytes it wrote."""
    from library import export, views

    rows = export.posts(site, user=user, link=lambda token: f"http://bench.test/s/{token}")
    return sum(len(chunk) for chunk in views._chunks(export.render(fmt, site, rows), "en"))


def main() -> None:
    args = parse_args()
    if args.sqlite:
        os.environ.pop("DATABASE_URL", None)
        os.environ["WAYBRIEF_DATA_DIR"] = tempfile.mkdtemp(prefix="wb-bench-export-")
    else:
        ensure_database(args.database_url)
        os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waybrief.settings")
    import django

    django.setup()
    from django.contrib.auth.models import AnonymousUser
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")
    print(f"{'posts':>6} {'format':>6} {'seconds':>8} {'peak MiB':>9} {'output MiB':>11}")
    for n in (int(s) for s in args.sizes.split(",")):
        site = build_site(n)
        for fmt in args.formats.split(","):
            started = time.perf_counter()
            size = export_once(site, fmt, AnonymousUser())
            seconds = time.perf_counter() - started
            tracemalloc.start()
            export_once(site, fmt, AnonymousUser())
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"{n:>6} {fmt:>6} {seconds:>8.2f} {peak / 2**20:>9.2f} {size / 2**20:>11.2f}")


if __name__ == "__main__":
    main()
