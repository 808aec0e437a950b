from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from crawler.models import CrawlRun, Site
from sites import recovery
from sites.archiving import site_progress
from sites.models import Recovery
from summarizer.models import Summary
from summarizer.prompts import LANGUAGES, MODES

from .models import Job, JobItem
from .services import MAX_URLS


class JobCreateSerializer(serializers.Serializer):
    urls = serializers.ListField(
        child=serializers.CharField(max_length=4096, trim_whitespace=True, allow_blank=True),
        min_length=1,
        max_length=MAX_URLS,
    )
    actions = serializers.MultipleChoiceField(choices=["archive", "summarize"], default=["archive"])
    summary_type = serializers.ChoiceField(choices=MODES, default="summary")
    target_language = serializers.CharField(required=False, allow_blank=True, default="")
    skip_invalid = serializers.BooleanField(
        default=False, help_text="accept the valid URLs and report the rest, instead of refusing"
    )

    def validate_target_language(self, value: str) -> str:
        if value and value.upper() not in LANGUAGES:
            raise serializers.ValidationError(f"unknown language {value!r}")
        return value.upper()


class ProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    finished = serializers.BooleanField()
    actions = serializers.DictField(child=serializers.DictField(child=serializers.IntegerField()))


class JobSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "actions", "summary_type", "target_language", "created_at",
                  "cancelled_at", "progress"]  # fmt: skip

    def get_progress(self, job: Job) -> ProgressSerializer:
        from .services import progress

        return progress(job)


class JobItemSerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)
    wayback_url = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()

    class Meta:
        model = JobItem
        fields = ["index", "url", "action", "state", "wayback_url", "summary", "error"]

    def get_wayback_url(self, item: JobItem) -> str | None:
        return item.capture.wayback_url or None if item.capture else None

    def get_summary(self, item: JobItem) -> str | None:
        return item.summary.output or None if item.summary else None

    def get_error(self, item: JobItem) -> str | None:
        if item.capture and item.capture.state == "failed":
            return item.capture.reason
        if item.summary and item.summary.state == Summary.State.FAILED:
            return item.summary.error_message
        return None


class SummarySerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="document.title", default="", read_only=True)

    class Meta:
        model = Summary
        fields = ["id", "url", "title", "state", "mode", "language", "model", "output",
                  "tokens_in", "tokens_out", "parts", "timings", "cache_hit", "error_code",
                  "error_message", "created_at", "finished_at"]  # fmt: skip


class SiteCreateSerializer(serializers.Serializer):
    url = serializers.CharField(max_length=2048)
    adapter = serializers.CharField(required=False, allow_blank=True, default="")


class SiteProgressSerializer(serializers.Serializer):
    found = serializers.IntegerField()
    archived = serializers.IntegerField()
    pending = serializers.IntegerField()
    failed = serializers.IntegerField()
    not_requested = serializers.IntegerField()


class CrawlRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = CrawlRun
        fields = ["id", "state", "adapter", "pages_fetched", "urls_found", "errors", "error",
                  "archive_posts", "started", "finished"]  # fmt: skip


class PostCoverageSerializer(serializers.Serializer):
    url = serializers.CharField()
    state = serializers.ChoiceField(choices=["captured", "stale", "missing", "gone"])
    timestamp = serializers.CharField(help_text="latest good capture, YYYYMMDDhhmmss; '' if none")
    original = serializers.CharField(help_text="the URL as that capture spelled it")


class SiteCoverageSerializer(serializers.Serializer):
    site = serializers.IntegerField()
    url = serializers.CharField()
    stale_before = serializers.CharField()
    counts = serializers.DictField(child=serializers.IntegerField())
    posts = PostCoverageSerializer(many=True)


class SiteSerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()
    latest_run = serializers.SerializerMethodField()

    class Meta:
        model = Site
        fields = ["id", "url", "adapter", "created", "progress", "latest_run"]

    def get_progress(self, site: Site) -> SiteProgressSerializer:
        return site_progress(site)

    @extend_schema_field(CrawlRunSerializer(allow_null=True))
    def get_latest_run(self, site: Site) -> dict | None:
        run = site.runs.order_by("-created_at").first()
        return CrawlRunSerializer(run).data if run else None


class RecoveredPostSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="the post, canonical")
    captured_at = serializers.CharField(help_text="its latest good capture, ISO 8601")
    timestamp = serializers.CharField(help_text="the same, YYYYMMDDhhmmss")
    wayback_url = serializers.CharField()
    original = serializers.CharField(help_text="the URL as that capture spelled it")
    title = serializers.CharField(help_text="from the archived copy, once summarized")
    summary = serializers.CharField(help_text="'' until (unless) summarized")


class RecoveryCreateSerializer(serializers.Serializer):
    summarize = serializers.BooleanField(
        default=False, help_text="summarize each post from its archived copy"
    )
    mode = serializers.ChoiceField(choices=Recovery.Mode.choices, default="summary")


class RecoverySerializer(serializers.ModelSerializer):
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Recovery
        fields = ["id", "site", "state", "summarize", "mode", "posts_found", "progress", "error",
                  "created_at", "finished"]  # fmt: skip

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_progress(self, row: Recovery) -> dict[str, int]:
        return recovery.progress(row)


class RecoveryListSerializer(RecoverySerializer):
    posts = serializers.SerializerMethodField()

    class Meta(RecoverySerializer.Meta):
        fields = [*RecoverySerializer.Meta.fields, "posts"]

    @extend_schema_field(RecoveredPostSerializer(many=True))
    def get_posts(self, row: Recovery) -> list[dict[str, str]]:
        return list(recovery.rows(row))
