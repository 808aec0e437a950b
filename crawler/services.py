"""Crawling a blog: start a run, carry it out, pick lost runs up again.

The command line, the Celery task, the admin and the API all come through
here. ``crawl_site`` crawls in the calling process (or queues the run with
``enqueue=True``); ``start_crawl`` only queues; ``execute_run`` carries out
a run it can claim, resuming from what the run already read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from waybrief.fetching.transport import Resolver
from waybrief.fetching.urls import check_url
from waybrief.ledger import claim, due, enqueue_on_commit, register_reconciler

from . import engine
from .adapters import ADAPTERS
from .bridge import CallerThread
from .canonical import canonicalize
from .http import PoliteClient, Politeness
from .journal import RunJournal
from .models import CrawlRun, Site

logger = logging.getLogger(__name__)
State = CrawlRun.State

#: states a run can be (re)started from; RUNNING only once its lease ran out
RESUMABLE = (State.PENDING, State.RUNNING, State.STOPPED, State.INCOMPLETE)
MAX_ATTEMPTS = 5
RETRY_SECONDS = 600  # first retry of an incomplete run; doubles


class UnknownAdapter(ValueError):
    pass


def site_for(*, url: str, adapter: str = "") -> Site:
    """The ``Site`` for a blog address, made on first sight."""
    url = check_url(url)
    if adapter and adapter not in ADAPTERS:
        names = ", ".join(sorted(ADAPTERS))
        raise UnknownAdapter(f"There is no adapter named {adapter!r}; choose one of: {names}.")
    if adapter:
        home = ADAPTERS[adapter]().home(url)
    elif (urlsplit(url).hostname or "").lower() == "blog.xuite.net":
        home = ADAPTERS["xuite"]().home(url)  # one Site per blog, whichever page was given
    else:
        home = canonicalize(url) or url
    site, _ = Site.objects.get_or_create(url=home, defaults={"adapter": adapter})
    return site


def start_crawl(
    *, url: str, adapter: str = "", concurrency: int | None = None, delay: float | None = None,
    archive: bool = False,
) -> CrawlRun:  # fmt: skip
    """Queue a crawl of ``url`` for the workers (the admin and API use this);
    with ``archive``, every post found is then submitted to the Wayback Machine."""
    from .tasks import run_crawl

    with transaction.atomic():
        site = site_for(url=url, adapter=adapter)
        run = CrawlRun.objects.create(
            site=site, adapter=adapter or site.adapter, concurrency=concurrency, delay=delay,
            archive_posts=archive,
        )  # fmt: skip
        enqueue_on_commit(run_crawl, run.pk)
    return run


def crawl_site(
    *,
    url: str,
    adapter: str = "",
    concurrency: int | None = None,
    delay: float | None = None,
    enqueue: bool = False,
    fresh: bool = False,
    on_url: Callable[[str], None] | None = None,
    on_progress: engine.Progress | None = None,
    resolver: Resolver | None = None,
) -> CrawlRun:
    """Crawl ``url`` here and now (or queue it, with ``enqueue``).

    An unfinished run of the same site (stopped, incomplete, or abandoned
    by a dead process) is resumed unless ``fresh``; ``on_url`` then hears
    the posts that run had already found before the new ones.
    """
    if enqueue:
        return start_crawl(url=url, adapter=adapter, concurrency=concurrency, delay=delay)
    site = site_for(url=url, adapter=adapter)
    run = None if fresh else resumable_run(site=site, adapter=adapter)
    if run is None:
        run = CrawlRun.objects.create(
            site=site, adapter=adapter or site.adapter, concurrency=concurrency, delay=delay
        )
    elif concurrency or delay is not None:
        CrawlRun.objects.filter(pk=run.pk).update(concurrency=concurrency, delay=delay)
    if on_url is not None:
        for known in run.urls.values_list("url", flat=True).iterator():
            on_url(known)
    return execute_run(run_id=run.pk, on_url=on_url, on_progress=on_progress, resolver=resolver)


def resumable_run(*, site: Site, adapter: str = "") -> CrawlRun | None:
    """The site's latest unfinished run that nobody is working on."""
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=timezone.now())
    runs = site.runs.filter(free, state__in=RESUMABLE)
    if adapter:
        runs = runs.filter(adapter=adapter)
    return runs.order_by("-created_at").first()


def live_shape(site: Site) -> str:
    """The platform the site was last read as while live, so its captures
    are read the same way (Xuite's ``{id}-{title}`` is ``{id}``)."""
    if site.adapter and site.adapter != "wayback":
        return site.adapter
    runs = site.runs.filter(state__in=(State.DONE, State.INCOMPLETE))
    return runs.exclude(adapter__in=("", "wayback")).values_list("adapter", flat=True).first() or ""


def execute_run(
    *,
    run_id: int,
    on_url: Callable[[str], None] | None = None,
    on_progress: engine.Progress | None = None,
    resolver: Resolver | None = None,
) -> CrawlRun:
    """Carry out run ``run_id`` if it can be claimed; a second delivery, or a
    run someone else holds, is left alone. Returns the run as it ended."""
    if not claim(CrawlRun, run_id, states=RESUMABLE):
        return CrawlRun.objects.get(pk=run_id)
    run = CrawlRun.objects.select_related("site").get(pk=run_id)
    CrawlRun.objects.filter(pk=run_id).update(
        state=State.RUNNING, started=run.started or timezone.now(), finished=None
    )
    caller = CallerThread()
    journal = RunJournal(run, caller)
    errors_before = run.errors
    client = PoliteClient(
        politeness=Politeness.from_settings(concurrency=run.concurrency, delay=run.delay),
        resolver=resolver,
    )

    options = {"shape": live_shape(run.site)}

    def crawl() -> Any:
        return engine.run(
            start_url=run.site.url, journal=journal, client=client, adapter=run.adapter,
            base_url=run.base_url, on_url=on_url, on_progress=on_progress,
            options=options,
        )  # fmt: skip

    try:
        stats = caller.run(crawl)
    except engine.SiteUnreadable as exc:
        _finish(run_id, State.FAILED, error=str(exc))
    except KeyboardInterrupt:
        _finish(run_id, State.STOPPED)
        raise
    except Exception as exc:
        logger.exception("crawl run %s broke", run_id)
        _finish(run_id, State.FAILED, error=f"{type(exc).__name__}: {exc}")
        raise
    else:
        incomplete = journal.errors > errors_before
        _finish(run_id, State.INCOMPLETE if incomplete else State.DONE, stats=stats)
    return CrawlRun.objects.get(pk=run_id)


def _finish(run_id: int, state: str, *, error: str = "", stats: dict | None = None) -> None:
    changes: dict[str, Any] = {"state": state, "claimed_until": None, "next_attempt_at": None}
    if state != State.STOPPED:
        changes["finished"] = timezone.now()
    if error:
        changes["error"] = error
    if stats is not None:
        changes["stats"] = stats
        changes["adapter"] = stats.get("adapter", "")
    if state == State.INCOMPLETE:
        attempts = CrawlRun.objects.get(pk=run_id).attempts
        delay = RETRY_SECONDS * 2 ** max(0, attempts - 1)
        changes["next_attempt_at"] = timezone.now() + timedelta(seconds=delay)
    CrawlRun.objects.filter(pk=run_id).update(**changes, updated_at=timezone.now())
    if state in (State.DONE, State.INCOMPLETE):
        run = CrawlRun.objects.get(pk=run_id)
        if run.archive_posts:
            from .archiving import archive_posts

            archive_posts(run)


def _reconcile_runs() -> int:
    """Re-queue runs no message reached, runs whose worker died, and
    incomplete runs whose retry time has come."""
    from .tasks import run_crawl

    waiting = (State.PENDING, State.RUNNING, State.INCOMPLETE)
    ids = list(
        due(CrawlRun, states=waiting)
        .filter(attempts__lt=MAX_ATTEMPTS)
        .values_list("pk", flat=True)[:100]
    )
    for pk in ids:
        run_crawl.delay(pk)
    return len(ids)


register_reconciler("crawl runs", _reconcile_runs)
