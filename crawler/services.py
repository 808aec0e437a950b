"""Crawling a blog: start a run, carry it out, pick lost runs up again.

The command line, the Celery task, the admin and the API all come through
here. ``crawl_site`` crawls in the calling process (or queues the run with
``enqueue=True``); ``start_crawl`` only queues; ``execute_run`` carries out
a run it can claim, resuming from what the run already read.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from waybrief import doorbell, warc
from waybrief.backoff import backoff_seconds
from waybrief.fetching.transport import Resolver
from waybrief.fetching.urls import check_url
from waybrief.ledger import Lease, LeaseLost, take

from . import engine
from .adapters import ADAPTERS
from .canonical import canonicalize
from .http import PoliteClient, Politeness
from .interrupt import run_interruptibly
from .journal import RunJournal
from .models import CrawlRun, Site
from .signals import run_finished

logger = logging.getLogger(__name__)
State = CrawlRun.State

#: states a run can be (re)started from; RUNNING only once its lease ran out
RESUMABLE = (State.PENDING, State.RUNNING, State.STOPPED, State.INCOMPLETE)
MAX_ATTEMPTS = 5
RETRY_SECONDS = 600  # first retry of an incomplete run; doubles
RUN_TASK = "crawler.run_crawl"
#: waiting for a worker: never reached, abandoned by a dead one, or due a retry
WAITING = (State.PENDING, State.RUNNING, State.INCOMPLETE)


class UnknownAdapter(ValueError):
    pass


def site_for(*, url: str, adapter: str = "", by_user: bool = True) -> Site:
    """The ``Site`` for a blog address, made on first sight.

    ``by_user`` false: a command needs the row for its own progress; such a
    site stays out of the sites a person added (the admin's list, its
    "select all" actions) until a person asks for it too.
    """
    url = check_url(url)
    if adapter and adapter not in ADAPTERS:
        names = ", ".join(sorted(ADAPTERS))
        raise UnknownAdapter(f"There is no adapter named {adapter!r}; choose one of: {names}.")
    if adapter:
        home = ADAPTERS[adapter]().home(url)
    elif (urlsplit(url).hostname or "").lower() in ("blog.xuite.net", "m.xuite.net"):
        home = ADAPTERS["xuite"]().home(url)  # one Site per blog, whichever page was given
    else:
        home = canonicalize(url) or url
    site, _ = Site.objects.get_or_create(
        url=home, defaults={"adapter": adapter, "added_by_user": by_user}
    )
    if by_user and not site.added_by_user:
        Site.objects.filter(pk=site.pk).update(added_by_user=True)
        site.added_by_user = True
    return site


def start_crawl(
    *,
    url: str,
    adapter: str = "",
    concurrency: int | None = None,
    delay: float | None = None,
    archive: bool = False,
    by_user: bool = True,
) -> CrawlRun:
    """Queue a crawl of ``url`` for the workers (the admin and API use this);
    with ``archive``, every post found is then submitted to the Wayback Machine."""
    with transaction.atomic():
        site = site_for(url=url, adapter=adapter, by_user=by_user)
        run = CrawlRun.objects.create(
            site=site, adapter=adapter or site.adapter, concurrency=concurrency, delay=delay,
            archive_posts=archive,
        )  # fmt: skip
        doorbell.ring(RUN_TASK, run.pk)
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
    by_user: bool = False,
    live: bool = False,
) -> CrawlRun:
    """Crawl ``url`` here and now (or queue it, with ``enqueue``): the commands'
    way, so a site made here is not one a person added unless ``by_user``.
    With ``live``, the site itself is read (its platform detected) even when
    it is set to be read from the Archive: ``coverage`` compares the two.

    An unfinished run of the same site (stopped, incomplete, or abandoned
    by a dead process) is resumed unless ``fresh``; ``on_url`` then hears
    the posts that run had already found before the new ones.
    """
    if enqueue:
        return start_crawl(
            url=url, adapter=adapter, concurrency=concurrency, delay=delay, by_user=by_user
        )
    site = site_for(url=url, adapter=adapter, by_user=by_user)
    run = None if fresh else resumable_run(site=site, adapter=adapter)
    if run is None:
        fallback = "" if live and site.adapter == "wayback" else site.adapter
        run = CrawlRun.objects.create(
            site=site, adapter=adapter or fallback, concurrency=concurrency, delay=delay
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
    lease = take(CrawlRun, run_id, states=RESUMABLE)
    if lease is None:
        return CrawlRun.objects.get(pk=run_id)
    run = CrawlRun.objects.select_related("site").get(pk=run_id)
    lease.write(state=State.RUNNING, started=run.started or timezone.now(), finished=None)
    journal = RunJournal(run, lease=lease)  # each flush renews through the lease
    errors_before = run.errors
    writer = warc.writer_for(run.site.url) if run.site.keep_warc else None
    kept = warc.Copies(writer.directory) if writer else None  # posts in closed WARC files
    client = PoliteClient(
        politeness=Politeness.from_settings(concurrency=run.concurrency, delay=run.delay),
        resolver=resolver,
        recorder=writer.record if writer else None,
    )

    options = {"shape": live_shape(run.site)}

    def crawl() -> Any:
        return engine.run(
            start_url=run.site.url, journal=journal, client=client, adapter=run.adapter,
            base_url=run.base_url, on_url=on_url, on_progress=on_progress,
            options=options, keep_posts=None if kept is None else (lambda url: url not in kept),
        )  # fmt: skip

    try:
        with lease, writer or contextlib.nullcontext():  # the WARC file closes at the end
            stats = run_interruptibly(crawl)
    except LeaseLost:
        logger.warning("crawl run %s: lease lost to another worker; this attempt stops", run_id)
    except engine.SiteUnreadable as exc:
        _finish(run_id, State.FAILED, error=str(exc), lease=lease)
    except KeyboardInterrupt:
        _finish(run_id, State.STOPPED, lease=lease)
        raise
    except Exception as exc:
        logger.exception("crawl run %s broke", run_id)
        _finish(run_id, State.FAILED, error=f"{type(exc).__name__}: {exc}", lease=lease)
        raise
    else:
        incomplete = journal.errors > errors_before
        _finish(run_id, State.INCOMPLETE if incomplete else State.DONE, stats=stats, lease=lease)
    return CrawlRun.objects.get(pk=run_id)


def _finish(
    run_id: int, state: str, *, error: str = "", stats: dict | None = None, lease: Lease
) -> None:
    """End the attempt, if the run is still ours (``lease``), and let the run go."""
    changes: dict[str, Any] = {"state": state, "next_attempt_at": None, "handed_over_at": None}
    if state != State.STOPPED:
        changes["finished"] = timezone.now()
    if error:
        changes["error"] = error
    if stats is not None:
        changes["stats"] = stats
        changes["adapter"] = stats.get("adapter", "")
    if state == State.INCOMPLETE:
        attempts = CrawlRun.objects.get(pk=run_id).attempts
        delay = backoff_seconds(attempts, RETRY_SECONDS)
        changes["next_attempt_at"] = timezone.now() + timedelta(seconds=delay)
    try:
        lease.write(release=True, **changes, updated_at=timezone.now())
    except LeaseLost:
        logger.warning("crawl run %s: lease lost before it ended; not recorded", run_id)
        return
    if state in (State.DONE, State.INCOMPLETE):
        try:
            hand_over(run_id)
        except Exception:  # the run is done; its handover is the reconciler's now
            logger.exception("crawl run %s: handing its posts over failed; retried later", run_id)


HANDOVER_GRACE_SECONDS = 60.0  # a run this long finished and still not handed over was dropped
HANDOVER_BATCH = 10  # runs handed over again in one reconciler pass, at most


def hand_over(run_id: int) -> bool:
    """Tell ``run_finished``'s listeners (sites: queue the posts for the Archive)
    and note that they were told, in one transaction: a process that dies in
    between leaves the run not handed over, and the reconciler hands it over
    again (``hand_over_dropped``). Listeners are idempotent. False if another
    process holds it or has done it."""
    with transaction.atomic():
        run = (
            CrawlRun.objects.select_for_update(skip_locked=True)
            .filter(pk=run_id, state__in=(State.DONE, State.INCOMPLETE), handed_over_at=None)
            .first()
        )
        if run is None:
            return False
        run_finished.send(sender=CrawlRun, run=run)
        CrawlRun.objects.filter(pk=run_id).update(handed_over_at=timezone.now())
    return True


def hand_over_dropped() -> int:
    """Once per reconciler pass: finished runs whose handover a dead process dropped."""
    cutoff = timezone.now() - timedelta(seconds=HANDOVER_GRACE_SECONDS)
    dropped = CrawlRun.objects.filter(state__in=(State.DONE, State.INCOMPLETE),
                                      handed_over_at=None, finished__lt=cutoff)  # fmt: skip
    handed = 0
    for run_id in dropped.order_by("pk").values_list("pk", flat=True)[:HANDOVER_BATCH]:
        try:
            handed += hand_over(run_id)
        except Exception:  # one listener's trouble: the next pass tries again
            logger.exception("crawl run %s: handing its posts over failed", run_id)
    if handed:
        logger.warning("handed over %d finished crawl run(s) a dead process had dropped", handed)
    return handed


def add_owner(site: Site, user) -> None:
    """``user`` added ``site``; another person may have added it too, and both see it."""
    if getattr(user, "is_authenticated", False):
        site.added_by.add(user)
