"""Sites in the admin: add a blog, crawl and archive it, check its coverage,
recover it from the Archive, and watch it go."""

from __future__ import annotations

import itertools

from django import forms
from django.contrib import admin, messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from crawler import keeping, services
from crawler.models import Site
from waybrief import doorbell, warc
from waybrief.warc import download

from . import recovery
from .archiving import site_progress
from .coverage import COVERAGE_TASK
from .models import Recovery


class AddedBy(admin.SimpleListFilter):
    """Sites a person added, unless asked otherwise: ``crawl``, ``coverage`` and
    ``recover`` make a row only to keep their progress, and "select all" must
    not queue work for sites nobody added."""

    title = "added by"
    parameter_name = "added_by"

    def lookups(self, request, model_admin):
        return [("command", "a command (crawl, coverage, recover)"), ("all", "anyone")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "a person",
        }
        yield from list(super().choices(changelist))[1:]  # without the default "All"

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(added_by_user=self.value() != "command")


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ("url", "adapter", "keep_warc")

    def validate_unique(self) -> None:
        """A blog a command already crawled is not "already added": adding it
        takes that row over (its crawls are kept) instead of refusing."""
        if self.instance.pk is None and (url := self.cleaned_data.get("url")):
            made = Site.objects.filter(url=url, added_by_user=False).first()
            if made is not None:
                made.adapter = self.cleaned_data.get("adapter", made.adapter)
                made.added_by_user = True
                self.instance = made
        super().validate_unique()


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    form = SiteForm
    list_display = ("url", "adapter", "latest_run", "created", "added_by_user")
    list_filter = (AddedBy,)
    search_fields = ("url",)
    actions = ["crawl_and_archive", "crawl", "check_coverage", "archive_missing", "recover",
               "recover_and_summarize", "download_warc"]  # fmt: skip
    readonly_fields = ("progress", "coverage_panel")
    fields = ("url", "adapter", "keep_warc", "progress", "coverage_panel")

    def save_model(self, request, obj, form, change) -> None:
        """Adding a site queues it for archiving at once: one action, as promised."""
        super().save_model(request, obj, form, change)
        if not change:  # (a row a command had made counts as added now too)
            services.start_crawl(url=obj.url, adapter=obj.adapter, archive=True)
            services.add_owner(obj, request.user)
            self.message_user(request, "Crawling it now; every post found will be archived.")

    @admin.action(description="Crawl and archive every post")
    def crawl_and_archive(self, request, queryset) -> None:
        for site in queryset:
            services.start_crawl(url=site.url, adapter=site.adapter, archive=True)
        self.message_user(
            request, f"Queued {queryset.count()} crawl(s); their posts will be archived.",
            messages.SUCCESS,
        )  # fmt: skip

    @admin.action(description="Crawl again (no archiving)")
    def crawl(self, request, queryset) -> None:
        for site in queryset:
            services.start_crawl(url=site.url, adapter=site.adapter)
        self.message_user(request, f"Queued {queryset.count()} crawl(s).", messages.SUCCESS)

    @admin.action(description="Check coverage in the Archive (from the latest crawl)")
    def check_coverage(self, request, queryset) -> None:
        self._coverage(request, queryset, archive_missing=False)

    @admin.action(description="Archive the posts missing from the Archive")
    def archive_missing(self, request, queryset) -> None:
        self._coverage(request, queryset, archive_missing=True)

    def _coverage(self, request, queryset, *, archive_missing: bool) -> None:
        """On the workers: reading a big blog's CDX index takes longer than a request."""
        for site in queryset:
            doorbell.ring(COVERAGE_TASK, site.pk, archive_missing)
        then = " and queue the missing posts for archiving" if archive_missing else ""
        self.message_user(request, f"Queued {queryset.count()} coverage check(s){then}; "
                          "the counts appear on each site's page.", messages.SUCCESS)  # fmt: skip

    @admin.action(description="Recover: list the posts the Archive holds")
    def recover(self, request, queryset) -> None:
        self._recover(request, queryset, summarize=False)

    @admin.action(description="Recover and summarize each post from its archived copy")
    def recover_and_summarize(self, request, queryset) -> None:
        self._recover(request, queryset, summarize=True)

    def _recover(self, request, queryset, *, summarize: bool) -> None:
        for site in queryset:
            recovery.start_recovery(url=site.url, summarize=summarize)
        self.message_user(request, format_html(
            'Queued {} recovery(ies); follow them (and download the lists) under <a href="{}">'
            "Recoveries</a>.", queryset.count(), reverse("admin:sites_recovery_changelist"),
        ), messages.SUCCESS)  # fmt: skip

    @admin.action(description="Download the WARC copies")
    def download_warc(self, request, queryset) -> HttpResponse | None:
        """One site at a time: its page lists its files, each a download."""
        if queryset.count() != 1:
            self.message_user(request, "Choose one site to download its WARC copies.",
                              messages.WARNING)  # fmt: skip
            return None
        return redirect("admin:crawler_site_warc", queryset.get().pk)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:site_id>/warc/", view(self.warc_files), name="crawler_site_warc"),
            path("<int:site_id>/warc/record/", view(self.warc_record),
                 name="crawler_site_warc_record"),
            path("<int:site_id>/warc/<str:name>", view(self.warc_file),
                 name="crawler_site_warc_file"),
            *super().get_urls(),
        ]  # fmt: skip

    def _warc_site(self, request, site_id: int) -> Site:
        """The site as this admin shows it to this person, or a 404."""
        site = self.get_queryset(request).filter(pk=site_id).first()
        if site is None or not self.has_view_permission(request, site):
            raise Http404("No such site.")
        return site

    def warc_files(self, request, site_id: int) -> TemplateResponse:
        site = self._warc_site(request, site_id)
        files = [{"name": p.name, "size": p.stat().st_size} for p in warc.site_files(site.url)]
        context = {**self.admin_site.each_context(request), "site": site, "files": files,
                   "opts": self.model._meta, "title": f"WARC copies of {site.url}",
                   "posts_placed": site.urls.exclude(warc_file="").count()}  # fmt: skip
        return TemplateResponse(request, "admin/crawler/site/warc_files.html", context)

    def warc_file(self, request, site_id: int, name: str) -> FileResponse:
        site = self._warc_site(request, site_id)
        found = warc.site_file(site.url, name)
        if found is None:
            raise Http404("That site has no such WARC file.")
        return download.file_response(found)

    def warc_record(self, request, site_id: int) -> FileResponse:
        """One post's record (``?url=``), a .warc.gz of its own."""
        site = self._warc_site(request, site_id)
        try:
            return download.record_response(*keeping.kept_record(site, request.GET.get("url", "")))
        except warc.NotCopied as exc:
            raise Http404(str(exc)) from None

    @admin.display(description="Coverage")
    def coverage_panel(self, site: Site) -> str:
        counts = site.coverage or {}
        if not counts:
            return "Not checked yet: choose “Check coverage” in the site list."
        return format_html(
            "<p>{} live posts, {} in the Archive: {} captured, {} stale, {} missing, "
            "{} gone (checked {}).</p>"
            '<progress max="{}" value="{}">{} of {}</progress>',
            counts["live"], counts["in_archive"], counts["captured"], counts["stale"],
            counts["missing"], counts["gone"], counts.get("checked", "?"),
            counts["live"] or 1, counts["captured"] + counts["stale"],
            counts["captured"] + counts["stale"], counts["live"],
        )  # fmt: skip

    @admin.display(description="Latest crawl")
    def latest_run(self, site: Site) -> str:
        run = site.runs.order_by("-created_at").first()
        return f"{run.state}, {run.urls_found} posts" if run else "never"

    @admin.display(description="Progress")
    def progress(self, site: Site) -> str:
        if site.pk is None:
            return "—"
        counts = site_progress(site)
        run = site.runs.order_by("-created_at").first()
        crawl = f"crawl {run.state}, {run.pages_fetched} pages read" if run else "not crawled"
        return format_html(
            '<p>{}; {} posts found: {} archived, {} pending, {} failed, {} not requested.</p>'
            '<progress max="{}" value="{}">{} of {}</progress>'
            '<p><a href="{}?q={}">Captures of this site</a> · reload this page to update.</p>',
            crawl, counts["found"], counts["archived"], counts["pending"], counts["failed"],
            counts["not_requested"], counts["found"] or 1, counts["archived"], counts["archived"],
            counts["found"], reverse("admin:archiver_capture_changelist"), site.url,
        )  # fmt: skip


@admin.register(Recovery)
class RecoveryAdmin(admin.ModelAdmin):
    """Each recovery with its progress; the lists download as CSV or JSON."""

    list_display = ("id", "site", "state", "posts_found", "summaries", "created_at", "finished")
    list_filter = ("state", "summarize")
    search_fields = ("site__url",)
    list_select_related = ("site",)
    readonly_fields = [f.name for f in Recovery._meta.fields] + ["summaries"]
    actions = ["download_csv", "download_json"]

    def has_add_permission(self, request) -> bool:
        return False  # started from a site: "Recover" in the site list

    @admin.display(description="Summaries")
    def summaries(self, row: Recovery) -> str:
        if not row.summarize:
            return "not asked for"
        counts = recovery.progress(row)
        return (f"{counts['summarized']} of {counts['posts']} done, "
                f"{counts['summary_failed']} failed")  # fmt: skip

    @admin.action(description="Download the list (CSV)")
    def download_csv(self, request, queryset) -> HttpResponse:
        return self._download(queryset, "csv", "text/csv")

    @admin.action(description="Download the list (JSON)")
    def download_json(self, request, queryset) -> HttpResponse:
        return self._download(queryset, "json", "application/json")

    def _download(self, queryset, fmt: str, content_type: str) -> HttpResponse:
        posts = itertools.chain.from_iterable(recovery.rows(row) for row in queryset)
        response = HttpResponse(recovery.export_rows(posts, fmt), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="recovered-posts.{fmt}"'
        return response
