"""A blog, each crawl of it, and every post URL a crawl found.

A crawl writes what it learns as it goes (the list pages it has read, with
what they held, and the post URLs), so a crawl that is stopped or killed
picks up where it was instead of starting over.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from waybrief.ledger import LeasedWork

MAX_URL_LENGTH = 2048


class Site(models.Model):
    """A blog, by the address it was given as."""

    url = models.CharField(max_length=MAX_URL_LENGTH, unique=True)
    adapter = models.CharField(
        max_length=32, blank=True, help_text="Forced adapter; empty means detect it."
    )
    created = models.DateTimeField(auto_now_add=True)
    coverage = models.JSONField(
        default=dict, blank=True, help_text="Counts of the latest coverage check, and when."
    )
    added_by_user = models.BooleanField(
        default=True,
        help_text="Added by a person (admin, API, the home page); false when a command "
        "(crawl, coverage, recover) made it only to keep its own progress.",
    )
    added_by = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="sites_added",
        help_text="The people who added it (its pages show it to them, and to staff).",
    )
    keep_warc = models.BooleanField(
        _("keep WARC copies"),
        default=False,
        help_text="Keep local WARC copies: each crawl also reads every post into WARC "
        "files under WARC_DIR. Off by default: it reads every post once more.",
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.url


class CrawlRun(LeasedWork):
    """One enumeration of a site's posts; the row is the ledger entry."""

    class State(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        STOPPED = "stopped"  # interrupted by its user; `crawl URL` resumes it
        INCOMPLETE = "incomplete"  # finished, but some pages could not be read
        DONE = "done"
        FAILED = "failed"  # the site could not be read at all

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="runs")
    adapter = models.CharField(max_length=32, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    base_url = models.CharField(
        max_length=MAX_URL_LENGTH, blank=True, help_text="Where the blog really lives."
    )
    concurrency = models.PositiveSmallIntegerField(null=True, blank=True)
    delay = models.FloatField(null=True, blank=True)
    archive_posts = models.BooleanField(
        default=False, help_text="Submit every post found to the Wayback Machine when done."
    )
    pages_fetched = models.PositiveIntegerField(default=0)
    urls_found = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why it failed, or the last page errors.")
    stats = models.JSONField(default=dict, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    handed_over_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the run's listeners (crawl and archive) took its posts. Empty on a "
        "finished run: its process died first, and the reconciler hands it over again.",
    )  # fmt: skip

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"crawl {self.pk} of {self.site_id} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.INCOMPLETE, self.State.FAILED}


class CrawledPage(models.Model):
    """A list page (or sitemap, feed, API page) a run has read, with what it
    held, so a resumed run replays it instead of fetching it again."""

    run = models.ForeignKey(CrawlRun, on_delete=models.CASCADE, related_name="pages")
    url = models.CharField(max_length=MAX_URL_LENGTH)
    posts = models.JSONField(default=list)
    follow = models.JSONField(default=list)
    fetched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "url"], name="crawled_page_once")]

    def __str__(self) -> str:
        return self.url


class DiscoveredURL(models.Model):
    """A post of a site; ``last_run`` is the latest run that saw it."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="urls")
    run = models.ForeignKey(
        CrawlRun, on_delete=models.SET_NULL, null=True, related_name="+", help_text="First seen by"
    )
    last_run = models.ForeignKey(CrawlRun, on_delete=models.CASCADE, related_name="urls")
    url = models.CharField(max_length=MAX_URL_LENGTH)
    found_at = models.DateTimeField(auto_now_add=True)
    # Where the post's local copy is (a site that keeps WARC copies), so it is
    # read back by offset, no file scanned: ``FOLDER/NAME.warc.gz`` under
    # WARC_DIR, and the byte range of its record (one gzip member, itself a
    # valid .warc.gz). Empty until a crawl kept the post.
    warc_file = models.CharField("WARC file", max_length=300, blank=True, default="")
    warc_offset = models.BigIntegerField("WARC record offset", null=True, blank=True)
    warc_length = models.BigIntegerField("WARC record length", null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["site", "url"], name="discovered_url_once_per_site")
        ]
        verbose_name = "discovered URL"

    def __str__(self) -> str:
        return self.url
