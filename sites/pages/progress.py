"""A site's progress, as the pages and their live feed show it.

One snapshot a site: the latest crawl, the archive (with its ETA), the
summaries and the local copies, each as ``done`` of ``total`` with a
percentage (None while the total is not known: a crawl still finding posts).
The feed sends a snapshot when it differs from the last one sent.
"""

from __future__ import annotations

from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crawler.models import CrawlRun, Site
from crawler.selectors import latest_run, site_post_urls
from summarizer.models import Summary

from ..models import RecoveredPost
from . import eta, posts
from .copies import site_copies

SUMMARY_DONE = Summary.State.DONE
SUMMARY_FAILED = Summary.State.FAILED


def _bar(done: int, total: int) -> dict:
    percent = round(100 * done / total) if total else 0
    return {"done": done, "total": total, "percent": percent}


def crawl_progress(run: CrawlRun | None) -> dict:
    if run is None:
        return {"state": "", "pages": 0, "posts": 0, "finished": False, "percent": 0,
                "error": ""}  # fmt: skip
    finished = run.is_finished
    percent = 100 if finished else (0 if run.state == CrawlRun.State.PENDING else None)
    return {"state": run.state, "pages": run.pages_fetched, "posts": run.urls_found,
            "finished": finished, "percent": percent,
            "error": run.error if run.state == CrawlRun.State.FAILED else ""}  # fmt: skip


def summary_progress(site: Site, total: int) -> dict:
    """Posts whose summary is done, failed, or on its way (each post once: its best)."""
    urls = site_post_urls(site=site).order_by().values("url")
    best: dict[str, str] = {}
    rank = {SUMMARY_DONE: 3, SUMMARY_FAILED: 1}
    rows = Summary.objects.filter(url__in=urls, private=False).values_list("url", "state")
    recovered = RecoveredPost.objects.filter(recovery__site_id=site.pk).exclude(summary=None)
    for url, state in [*rows.iterator(), *recovered.values_list("url", "summary__state")]:
        if rank.get(state, 2) > rank.get(best.get(url, ""), 0):
            best[url] = state
    counts = Counter(best.values())
    done, failed = counts[SUMMARY_DONE], counts[SUMMARY_FAILED]
    return {**_bar(done, total), "failed": failed, "working": len(best) - done - failed}


def copy_progress(site: Site, total: int) -> dict:
    copies = site_copies(site)
    if copies is None:
        return {"kept": False, "done": 0, "total": total, "percent": 0}
    urls = site_post_urls(site=site).values_list("url", flat=True)
    done = sum(1 for url in urls.iterator() if url in copies)
    return {"kept": True, **_bar(done, total)}


def archive_progress(site: Site, counts: dict[str, int], run: CrawlRun | None) -> dict:
    """Posts the Archive holds (saved by Waybrief, or captured before: recently,
    long ago, or of a blog now gone) of all posts, with the ETA of what is left."""
    total = counts["total"]
    done = counts["archived"] + counts["captured"] + counts["stale"] + counts["gone"]
    remaining = counts["pending"]
    waiting_for_crawl = run is not None and run.archive_posts and not run.is_finished
    if waiting_for_crawl:  # its posts are queued when it ends
        remaining += counts["missing"] + counts["stale"]
    rate = eta.current_rate()
    urls = site_post_urls(site=site).order_by().values("url")
    ahead = eta.queue_ahead(urls, counts["pending"])
    seconds = eta.eta_seconds(remaining=remaining, ahead=ahead, rate=rate)
    return {
        **_bar(done, total),
        "pending": counts["pending"],
        "failed": counts["failed"],
        "remaining": remaining,
        "eta_seconds": round(seconds),
        "eta": eta.describe(seconds) if remaining else "",
        "rate_per_minute": round(rate.per_minute, 1),
        "paused_for": round(rate.paused_for),
        "after_crawl": waiting_for_crawl,
    }


def site_snapshot(site: Site) -> dict:
    """Everything the progress bars of ``site`` show, as plain JSON."""
    with posts.planned_plainly():
        run = latest_run(site=site)
        counts = posts.state_counts(site)
        total = counts["total"]
        archive = archive_progress(site, counts, run)
        summaries = summary_progress(site, total)
        copies = copy_progress(site, total)
    crawl = crawl_progress(run)
    crawling = crawl["state"] in (CrawlRun.State.PENDING, CrawlRun.State.RUNNING)
    busy = crawling or archive["remaining"] > 0 or summaries["working"] > 0
    return {
        "id": site.pk,
        "posts": total,
        "crawl": crawl,
        "archive": archive,
        "summaries": summaries,
        "copies": copies,
        "states": {state: counts[state] for state in posts.STATES},
        "coverage": posts.coverage_counts(site, counts),
        "busy": busy,
    }


def with_text(snapshot: dict) -> dict:
    """The snapshot with the lines a person reads beside each bar, in the
    active language (the feed sends them, so the page's script writes no words)."""
    crawl, archive = snapshot["crawl"], snapshot["archive"]
    summaries, copies = snapshot["summaries"], snapshot["copies"]
    text = {
        "crawl": _crawl_text(crawl),
        "archive": _("%(done)d of %(total)d in the Archive · %(pending)d waiting · "
                     "%(failed)d failed")
        % archive,
        "summaries": _("%(done)d of %(total)d summarized · %(failed)d failed") % summaries,
        "copies": _("%(done)d of %(total)d kept") % copies if copies["kept"]
        else _("not kept for this site"),
        "eta": _eta_text(archive),
        "posts": ngettext("%(n)d post", "%(n)d posts", snapshot["posts"]) % {
            "n": snapshot["posts"]},
    }  # fmt: skip
    return {**snapshot, "text": text}


def _crawl_text(crawl: dict) -> str:
    values = {"pages": crawl["pages"], "posts": crawl["posts"]}
    state = crawl["state"]
    if not state:
        return _("not crawled yet")
    if state == CrawlRun.State.PENDING:
        return _("waiting for a worker")
    if state == CrawlRun.State.RUNNING:
        return _("%(pages)d pages read, %(posts)d posts found so far") % values
    if state == CrawlRun.State.DONE:
        return _("done: %(posts)d posts found in %(pages)d pages") % values
    if state == CrawlRun.State.INCOMPLETE:
        return _("done, but some pages could not be read: %(posts)d posts found") % values
    if state == CrawlRun.State.STOPPED:
        return _("stopped after %(pages)d pages") % values
    return _("failed: %(error)s") % {"error": crawl["error"] or _("the blog could not be read")}


def _eta_text(archive: dict) -> str:
    if not archive["remaining"]:
        return _("nothing left to archive")
    rate = archive["rate_per_minute"]
    rate = int(rate) if float(rate).is_integer() else rate
    values = {"eta": archive["eta"], "rate": rate}
    if archive["after_crawl"]:
        line = _("at least %(eta)s left once the crawl ends, at %(rate)s saves a minute") % values
    else:
        line = _("%(eta)s left at %(rate)s saves a minute") % values
    if archive["paused_for"]:
        line += " " + _("(the Archive asked to pause: %(s)d s)") % {"s": archive["paused_for"]}
    return line


def bars(snapshot: dict) -> list[tuple[str, str, dict]]:
    """The four bars of a site's snapshot, in order, each with its label and line."""
    labels = {"crawl": _("Crawl"), "archive": _("Archive"), "summaries": _("Summaries"),
              "copies": _("Local copy")}  # fmt: skip
    return [(kind, label, {"percent": snapshot[kind]["percent"], "text": snapshot["text"][kind]})
            for kind, label in labels.items()]  # fmt: skip


def for_page(site: Site) -> dict:
    """A site's snapshot with its lines, and its bars for the templates."""
    snapshot = with_text(site_snapshot(site))
    return {**snapshot, "bars": bars(snapshot)}
