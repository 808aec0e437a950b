"""A crawl run's memory, kept in the database as the crawl goes.

The crawl (in its event loop) records into buffers; a flush every fraction
of a second writes them in the calling thread: the posts first, then the
pages that held them, in one transaction, so a page is never marked read
while its posts are lost. A flush also renews the run's lease.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

import anyio
from asgiref.sync import sync_to_async
from django.db import transaction
from django.utils import timezone

from waybrief import notify
from waybrief.ledger import Lease, lease_deadline

from .adapters.base import Listing
from .models import MAX_URL_LENGTH, CrawledPage, CrawlRun, DiscoveredURL

MAX_ERROR_LINES = 20



def site_channel(site_id: int) -> str:
    """The notices channel of a site's crawl progress (waybrief/notify.py)."""
    return f"site:{site_id}"

class RunJournal:
    """Implements ``engine.Journal`` for one ``CrawlRun``; build it in the
    calling thread (it reads what the run already knows), and crawl under
    ``interrupt.run_interruptibly``, whose calling thread runs the writes."""

    def __init__(
        self, run: CrawlRun, *, flush_seconds: float = 0.5, lease: Lease | None = None
    ) -> None:
        self.run_id, self.site_id = run.pk, run.site_id
        self.lease = lease  # the run's claim: a flush of a run lost to another worker fails
        self.flush_seconds = flush_seconds
        self.done: dict[str, Listing] = {
            url: Listing(list(posts), list(follow))
            for url, posts, follow in run.pages.values_list("url", "posts", "follow")
        }
        self.known: set[str] = set(run.urls.values_list("url", flat=True))
        self.pages_fetched = run.pages_fetched
        self.errors = run.errors
        self.error_lines: list[str] = []  # this attempt's; ``errors`` counts them all
        self._pages: list[tuple[str, Listing]] = []
        self._urls: list[str] = []
        self._begun: tuple[str, str] | None = None
        self._dirty = False

    # --- recorded from the event loop ------------------------------------
    def recall(self, url: str) -> Listing | None:
        return self.done.get(url)

    def page_done(self, url: str, listing: Listing) -> None:
        self.done[url] = listing
        self._pages.append((url, listing))
        self._dirty = True

    def add(self, urls: Iterable[str]) -> list[str]:
        new = [u for u in dict.fromkeys(urls) if u not in self.known and len(u) <= MAX_URL_LENGTH]
        self.known.update(new)
        self._urls.extend(new)
        self._dirty = self._dirty or bool(new)
        return new

    def fetched(self) -> None:
        self.pages_fetched += 1
        self._dirty = True

    def failed(self, url: str, message: str) -> None:
        self.errors += 1
        self.error_lines = [*self.error_lines, f"{url}: {message}"][-MAX_ERROR_LINES:]
        self._dirty = True

    def begun(self, adapter: str, base_url: str) -> None:
        self._begun = (adapter, base_url)
        self._dirty = True

    # --- written in the calling thread -----------------------------------
    async def flush(self) -> None:
        if not self._dirty:
            return
        pages, urls, begun = self._pages, self._urls, self._begun
        self._pages, self._urls, self._begun, self._dirty = [], [], None, False
        counts = {
            "pages_fetched": self.pages_fetched,
            "urls_found": len(self.known),
            "errors": self.errors,
            "error": "\n".join(self.error_lines),
        }
        if begun:
            counts.update(adapter=begun[0], base_url=begun[1])
        # The batch has left the buffers: a flush cancelled now (the crawl
        # ending or being stopped meanwhile) would drop it, the write never
        # run and no later flush knowing of it. So the write is seen through.
        with anyio.CancelScope(shield=True):
            await sync_to_async(self._write, thread_sensitive=True)(pages, urls, counts)

    async def keep_flushing(self) -> None:
        """Flush every ``flush_seconds`` until cancelled."""
        while True:
            await anyio.sleep(self.flush_seconds)
            await self.flush()

    def _write(self, pages: list[tuple[str, Listing]], urls: list[str], counts: dict) -> None:
        with transaction.atomic():
            # The sites pages' live feed (sites/pages/feed.py) hears of it once committed.
            transaction.on_commit(partial(notify.publish, site_channel(self.site_id)))
            DiscoveredURL.objects.bulk_create(
                [
                    DiscoveredURL(site_id=self.site_id, run_id=self.run_id,
                                  last_run_id=self.run_id, url=url)
                    for url in urls
                ],  # fmt: skip
                batch_size=1000,
                update_conflicts=True,
                unique_fields=["site", "url"],
                update_fields=["last_run"],
            )
            CrawledPage.objects.bulk_create(
                [
                    CrawledPage(run_id=self.run_id, url=url[:MAX_URL_LENGTH],
                                posts=listing.posts, follow=listing.follow)
                    for url, listing in pages
                ],  # fmt: skip
                batch_size=500,
                ignore_conflicts=True,
            )
            if self.lease is not None:  # last: LeaseLost rolls back the whole batch
                self.lease.write(**counts, updated_at=timezone.now())
                return
            CrawlRun.objects.filter(pk=self.run_id).update(
                **counts, claimed_until=lease_deadline(), updated_at=timezone.now()
            )
