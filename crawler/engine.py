"""One crawl of one blog: fetching, remembering, collecting posts.

An adapter drives the crawl through ``listing`` (read one list page) and
``walk`` (read list pages concurrently, following what each points to).
Every page read is handed to the journal with what it held; a resumed
run replays those pages from the journal instead of fetching them again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Any, Protocol

import anyio
from protego import Protego

from waybrief.fetching import FetchedPage
from waybrief.fetching.errors import FetchError

from . import keeping
from .adapters import ADAPTERS, DETECTION_ORDER
from .adapters.base import Adapter, Listing, Parse
from .canonical import origin
from .errors import SiteUnreadable
from .http import PoliteClient

logger = logging.getLogger(__name__)

#: (pages fetched, post URLs found) so far in the run
Progress = Callable[[int, int], None]
#: (url, listing, depth) -> the pages to read next, each with its depth
Expand = Callable[[str, Listing, int], Iterable[tuple[str, int]]]
_ABSENT = {401, 403, 404, 410}
#: a first page answering these (or 5xx, or nothing) means the blog is gone
_GONE = {404, 410}
_NO_ANSWER = {"unreachable", "timeout"}  # FetchError codes: no name, no server, no answer
#: the most pages one walk reads when its adapter sets no limit of its own:
#: a backstop for traps no other rule catches (a sitemap index naming a new
#: index for ever). A walk that reaches it says so in the run's stats.
MAX_WALK_PAGES = 20_000


class Journal(Protocol):
    """Where a crawl remembers what it read and found (see ``journal.py``)."""

    def recall(self, url: str) -> Listing | None: ...
    def page_done(self, url: str, listing: Listing) -> None: ...
    def add(self, urls: Iterable[str]) -> list[str]: ...
    def fetched(self) -> None: ...
    def failed(self, url: str, message: str) -> None: ...
    def begun(self, adapter: str, base_url: str) -> None: ...

    pages_fetched: int
    known: set[str]


class Crawl:
    """What an adapter sees while it enumerates a blog."""

    def __init__(
        self,
        *,
        client: PoliteClient,
        journal: Journal,
        start_url: str,
        on_url: Callable[[str], None] | None = None,
        on_progress: Progress | None = None,
    ) -> None:
        self.client = client
        self.on_progress = on_progress
        self.journal = journal
        self.start_url = start_url
        self.on_url = on_url
        self.first: FetchedPage | None = None
        self.home = start_url
        self.adapter: Adapter | None = None
        self.stats: dict[str, Any] = {}
        self._robots: Protego | None = None
        self._robots_lock = anyio.Lock()

    async def begin(self, adapter: str = "", base_url: str = "", **options: Any) -> Adapter:
        """Read the first page and pick the adapter, unless a resumed run
        already knows both."""
        if adapter and base_url:
            self.adapter = ADAPTERS[adapter](**options)
            self.home = self.adapter.home(base_url)
            return self.adapter
        if adapter and not ADAPTERS[adapter].reads_live:
            return self._begin_offline(ADAPTERS[adapter](**options))
        try:
            self.first = await self.fetch(self.start_url)
        except FetchError as exc:
            reason = f"{self.start_url} cannot be read: {exc}"
            if exc.code not in _NO_ANSWER:  # refused by us (a blocked address): not gone
                raise SiteUnreadable(reason) from None
            return self._unreadable(reason, adapter, options)
        if not self.first.ok:
            status = self.first.status
            reason = f"{self.start_url} cannot be read: it answered {status}."
            if status in _GONE or status >= 500:
                return self._unreadable(reason, adapter, options)
            raise SiteUnreadable(reason)
        if adapter:
            self.adapter = ADAPTERS[adapter](**options)
        else:
            self.adapter = await self._detect(**options)
        self.home = self.adapter.home_from(self.first)
        # the home, not the page: a resumed run gets it back through ``home``
        self.journal.begun(self.adapter.name, self.home)
        return self.adapter

    def _begin_offline(self, adapter: Adapter) -> Adapter:
        self.adapter = adapter
        self.home = adapter.home(self.start_url)
        self.journal.begun(adapter.name, self.home)
        return adapter

    def _unreadable(self, reason: str, adapter: str, options: dict[str, Any]) -> Adapter:
        """A site that cannot be read is listed from the Archive's index
        instead, unless an adapter was asked for by name."""
        if adapter:
            raise SiteUnreadable(reason)
        logger.info("%s; listing its posts from the Archive's index instead", reason)
        return self._begin_offline(ADAPTERS["wayback"](fallback=reason.rstrip("."), **options))

    async def _detect(self, **options: Any) -> Adapter:
        for name in DETECTION_ORDER:
            candidate = ADAPTERS[name](**options)
            if await candidate.detect(self):
                logger.info("%s looks like a %s blog", self.start_url, name)
                return candidate
        raise AssertionError("the links adapter always fits")

    async def fetch(self, url: str) -> FetchedPage:
        """GET ``url`` politely; counts toward the run's pages fetched."""
        response = await self.client.get(url)
        self.journal.fetched()
        self._progress()
        return response

    async def robots(self) -> Protego:
        """The site's robots.txt rules, read once per run.

        As RFC 9309 says: a missing file allows everything; a server error
        or no answer at all forbids everything.
        """
        async with self._robots_lock:
            if self._robots is None:
                self._robots = Protego.parse(await self._robots_txt())
        return self._robots

    async def _robots_txt(self) -> str:
        url = origin(self.home) + "/robots.txt"
        try:
            response = await self.fetch(url)
        except FetchError as exc:
            self.journal.failed(url, str(exc))
            return "User-agent: *\nDisallow: /"
        if response.ok:
            return response.text
        if response.status < 500:
            return ""
        self.journal.failed(url, f"HTTP {response.status}")
        return "User-agent: *\nDisallow: /"

    async def listing(self, url: str, parse: Parse, *, probe: bool = False) -> Listing | None:
        """Read one list page (or replay it from the journal).

        A ``probe`` is a page that may well not exist (``/wp-sitemap.xml``):
        its absence or a parse failure is not an error of the run.
        """
        if (known := self.journal.recall(url)) is not None:
            self.found(known.posts)
            return known
        try:
            response = self._first_page(url) or await self.fetch(url)
        except FetchError as exc:
            self.journal.failed(url, str(exc))
            return None
        if not response.ok:
            if not (probe and response.status in _ABSENT):
                self.journal.failed(url, f"HTTP {response.status}")
            return None
        try:
            listing = parse(response)
        except FetchError as exc:  # e.g. a gzipped sitemap that inflates past the cap
            self.journal.failed(url, str(exc))
            return None
        except (ValueError, KeyError, TypeError) as exc:
            if not probe:
                self.journal.failed(url, f"unreadable: {exc}")
            return None
        self.found(listing.posts)
        self.journal.page_done(url, listing)
        if response.final_url != url:  # a redirect: its target is read too
            self.journal.page_done(response.final_url, listing)
        return listing

    def _first_page(self, url: str) -> FetchedPage | None:
        first = self.first
        if first is not None and url in {first.url, first.final_url}:
            return first
        return None

    async def walk(
        self,
        starts: Iterable[str],
        parse: Parse,
        *,
        expand: Expand | None = None,
        probe: bool = False,
        max_pages: int | None = None,
        until_stale: bool = False,
    ) -> set[str]:
        """Read ``starts`` and every page they lead to, concurrently.

        ``expand`` says what to read next after a page (default: its
        ``follow`` links, one level deeper). Each URL is read once. Returns
        every URL scheduled. ``probe`` applies to every page: for chains
        that end in a 404 (feed pages); to probe only a start page, read it
        with ``listing(probe=True)`` first, and the walk replays it. At most
        ``max_pages`` (default ``MAX_WALK_PAGES``) are read; a walk that
        would read more sets ``page_limit_reached`` in the run's stats.

        ``until_stale`` is for pagers whose pages list posts (feeds, list
        pages): a page that lists no post beyond those earlier pages of
        this walk listed leads nowhere. A pager that runs on past its end
        with empty pages, or repeats earlier pages under new addresses,
        would otherwise be followed for ever, each address being new.
        """
        expand = expand or _follow_links
        limit = MAX_WALK_PAGES if max_pages is None else max_pages
        scheduled: set[str] = set()
        listed: set[str] = set()  # posts the walk's pages listed, for ``until_stale``
        async with anyio.create_task_group() as group:

            async def visit(url: str, depth: int) -> None:
                listing = await self.listing(url, parse, probe=probe)
                if listing is None:
                    return
                if until_stale:
                    stale = listed.issuperset(listing.posts)
                    listed.update(listing.posts)
                    if stale:
                        return
                for next_url, next_depth in expand(url, listing, depth):
                    schedule(next_url, next_depth)

            def schedule(url: str, depth: int) -> None:
                if url in scheduled:
                    return
                if len(scheduled) >= limit:
                    if not self.stats.get("page_limit_reached"):
                        logger.warning("%s: stopped at the page limit (%d)", self.home, limit)
                    self.stats["page_limit_reached"] = True
                    return
                scheduled.add(url)
                group.start_soon(visit, url, depth)

            for url in starts:
                schedule(url, 0)
        return scheduled

    def found(self, urls: Iterable[str]) -> None:
        """Posts found (already canonical); new ones are stored and announced."""
        new = self.journal.add(urls)
        if self.on_url is not None:
            for url in new:
                self.on_url(url)
        if new:
            self._progress()

    def _progress(self) -> None:
        if self.on_progress is not None:
            self.on_progress(self.journal.pages_fetched, len(self.journal.known))


def _follow_links(url: str, listing: Listing, depth: int) -> Iterable[tuple[str, int]]:
    return ((link, depth + 1) for link in listing.follow)


async def run(
    *,
    start_url: str,
    journal: RunJournalLike,
    client: PoliteClient,
    adapter: str = "",
    base_url: str = "",
    on_url: Callable[[str], None] | None = None,
    on_progress: Progress | None = None,
    options: dict[str, Any] | None = None,
    keep_posts: Callable[[str], bool] | None = None,
) -> dict[str, Any]:
    """Crawl one blog to the end; returns the adapter's figures.

    With ``keep_posts``, every post found that it names is then read once
    too (a local WARC copy: the client's recorder keeps what it reads).

    The journal is flushed every fraction of a second while the crawl runs,
    and once more at the end, even when the crawl is cancelled or fails.
    """
    crawl = Crawl(
        client=client, journal=journal, start_url=start_url, on_url=on_url, on_progress=on_progress
    )
    try:
        async with client, anyio.create_task_group() as group:
            group.start_soon(journal.keep_flushing)
            try:
                chosen = await crawl.begin(adapter, base_url, **(options or {}))
                await chosen.enumerate(crawl)
                if keep_posts is not None and chosen.reads_live:
                    crawl.stats["posts_kept"] = await keeping.read_posts(crawl, keep_posts)
            finally:
                group.cancel_scope.cancel()
    except BaseExceptionGroup as group_error:
        raise _first_leaf(group_error) from None
    finally:
        with anyio.CancelScope(shield=True):
            await journal.flush()
    return {"adapter": crawl.adapter.name if crawl.adapter else "", **crawl.stats}


class RunJournalLike(Journal, Protocol):
    async def flush(self) -> None: ...
    async def keep_flushing(self) -> None: ...


def _first_leaf(group: BaseExceptionGroup) -> BaseException:
    """The real error inside (possibly nested) task-group errors."""
    leaves = list(_leaves(group))
    cancelled = anyio.get_cancelled_exc_class()
    return next((e for e in leaves if not isinstance(e, cancelled)), leaves[0])


def _leaves(error: BaseException) -> Iterable[BaseException]:
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            yield from _leaves(inner)
    else:
        yield error
