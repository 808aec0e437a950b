"""What a site's page can ask for, each through the services the admin and API use.

Every action queues work for the workers and returns at once with a line to
show; none runs a crawl, a CDX read or a model in the request.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from archiver.services import retry_failed
from crawler.models import Site
from crawler.services import start_crawl
from summarizer import services as summaries
from summarizer.models import Summary
from waybrief import doorbell

from .. import recovery
from ..coverage import COVERAGE_TASK
from . import posts

#: gone posts summarized one request each at most; more go to a recovery (workers)
MANY_GONE = 200


def archive_gaps(site: Site, user) -> str:
    """The admin's "archive the missing posts": a coverage check on the workers
    that then queues every post the Archive lacks."""
    doorbell.ring(COVERAGE_TASK, site.pk, True)
    return _("Checking coverage now; every post the Archive lacks will be archived.")


def retry(site: Site, user) -> str:
    count = retry_failed(posts.latest_failed_captures(site))
    return ngettext("%(n)d failed post queued again.", "%(n)d failed posts queued again.",
                    count) % {"n": count}  # fmt: skip


def summarize_all(site: Site, user) -> str:
    """A summary of every post that has none done or on its way. A post read
    from the Archive (the blog is gone) is summarized from its capture; past
    ``MANY_GONE`` of those, a recovery with summaries does it on the workers."""
    rows = posts.site_posts(site=site).values_list("url", "state")
    settled = set(
        Summary.objects.filter(url__in=posts.site_posts(site=site).values("url"), private=False)
        .exclude(state=Summary.State.FAILED)
        .values_list("url", flat=True)
    )
    live, gone = [], []
    for url, state in rows.iterator():
        if url not in settled:
            (gone if state == "gone" else live).append(url)
    with transaction.atomic():
        made = summaries.request_many(urls=live, mode="summary", target_language="", owner=user)
        doorbell.ring_many(summaries.SUMMARIZE_TASK, [row.pk for row in made])
        if len(gone) > MANY_GONE:
            recovery.start_recovery(url=site.url, summarize=True)
        else:
            for url in gone:
                summaries.request_summary(url=url, source=summaries.ARCHIVE, owner=user)
    message = ngettext("%(n)d post queued for summarizing.",
                       "%(n)d posts queued for summarizing.", len(live) + len(gone))  # fmt: skip
    message %= {"n": len(live) + len(gone)}
    if len(gone) > MANY_GONE:
        message += " " + _("The posts only the Archive holds are summarized by a recovery.")
    return message


def recover(site: Site, user, *, summarize: bool = False) -> str:
    """The admin's "Recover": list what the Archive holds (and summarize it)."""
    recovery.start_recovery(url=site.url, summarize=summarize)
    return _(
        "Reading what the Archive holds of this blog; each post shows its capture once listed."
    )


def crawl_again(site: Site, user) -> str:
    start_crawl(url=site.url, adapter=site.adapter, archive=True)
    return _("Crawling it again; every new post will be archived.")


ACTIONS = {
    "archive-gaps": archive_gaps,
    "retry-failed": retry,
    "summarize": summarize_all,
    "recover": recover,
    "crawl": crawl_again,
}
