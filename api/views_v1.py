"""/api/v1/: bulk jobs and summaries, token-authenticated, self-documenting."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from archiver.models import Capture
from crawler import keeping
from crawler.models import Site
from crawler.selectors import visible_sites
from crawler.services import UnknownAdapter, add_owner, start_crawl
from sites import recovery
from sites.coverage import site_coverage
from summarizer.models import Summary
from summarizer.selectors import owned_by
from wayback import WaybackError
from waybrief import warc
from waybrief.fetching.errors import InvalidURL
from waybrief.fetching.urls import check_url
from waybrief.warc import download

from . import services
from .models import Job, JobItem
from .serializers import (
    JobCreateSerializer,
    JobItemSerializer,
    JobSerializer,
    RecoveryCreateSerializer,
    RecoveryListSerializer,
    RecoverySerializer,
    SiteCoverageSerializer,
    SiteCreateSerializer,
    SiteSerializer,
    SummarySerializer,
)

WARC_FILES = inline_serializer(
    "SiteWarcFiles",
    {
        "site": serializers.IntegerField(),
        "url": serializers.CharField(),
        "files": serializers.ListField(child=inline_serializer("WarcFile", {
            "name": serializers.CharField(), "size": serializers.IntegerField(),
            "download": serializers.URLField()})),
    },
)  # fmt: skip
REJECTED = inline_serializer(
    "RejectedURLs",
    {
        "detail": serializers.CharField(),
        "errors": serializers.ListField(child=serializers.DictField()),
    },
)


class JobViewSet(
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = JobSerializer
    queryset = Job.objects.all()  # the schema's types; requests see only their owner's

    def get_queryset(self):
        return Job.objects.filter(owner=self.request.user)

    @extend_schema(
        request=JobCreateSerializer,
        responses={201: JobSerializer, 200: JobSerializer, 400: REJECTED},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
    )
    def create(self, request: Request) -> Response:
        """Archive and/or summarize up to 10,000 URLs. With an Idempotency-Key header,
        a retried POST returns the job the first one created (200)."""
        form = JobCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if not data["actions"]:  # a job that would do nothing is a mistake, not a job
            raise ValidationError({"actions": "name at least one of archive, summarize"})
        try:
            job, rejected, created = services.create_job(
                owner=request.user, urls=data["urls"], actions=sorted(data["actions"]),
                summary_type=data["summary_type"], target_language=data["target_language"],
                skip_invalid=data["skip_invalid"],
                idempotency_key=request.headers.get("Idempotency-Key", "")[:255],
            )  # fmt: skip
        except services.RejectedURLs as exc:
            return Response(
                {"detail": f"{len(exc.errors)} URL(s) are not valid; nothing was accepted.",
                 "errors": exc.errors},
                status=status.HTTP_400_BAD_REQUEST,
            )  # fmt: skip
        body = {**JobSerializer(job).data, "rejected": rejected}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses={200: JobSerializer})
    def destroy(self, request: Request, pk=None) -> Response:
        """Cancel what has not started; finished work stays."""
        job = self.get_object()
        services.cancel(job)
        job.refresh_from_db()
        return Response(JobSerializer(job).data)

    @extend_schema(
        responses={200: JobItemSerializer(many=True)},
        parameters=[OpenApiParameter("state", str), OpenApiParameter("action", str)],
    )
    @action(detail=True, methods=["get"])
    def items(self, request: Request, pk=None) -> Response:
        job = self.get_object()
        items = job.items.select_related("capture", "summary")
        if wanted := request.query_params.get("action"):
            items = items.filter(action=_one_of("action", wanted, JobItem.Action.values))
        if state := request.query_params.get("state"):
            items = _with_state(items, _one_of("state", state, ITEM_STATES))
        page = self.paginate_queryset(items)
        return self.get_paginated_response(JobItemSerializer(page, many=True).data)


ITEM_STATES = sorted({*Capture.State.values, *Summary.State.values, "cancelled"})


def _one_of(name: str, value: str, allowed) -> str:
    if value not in allowed:
        raise ValidationError({name: f"must be one of {', '.join(sorted(allowed))}"})
    return value


def _with_state(items, state: str):
    if state == "cancelled":
        return items.filter(cancelled=True)
    live = items.filter(cancelled=False)
    return live.filter(capture__state=state) | live.filter(summary__state=state)


class SiteViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Blogs: POST one to crawl it and archive every post; GET shows how far it got."""

    serializer_class = SiteSerializer
    queryset = Site.objects.all()

    def get_queryset(self):
        """Staff see every site; anyone else the sites they added (as on /sites/)."""
        return visible_sites(self.request.user)

    @extend_schema(request=SiteCreateSerializer, responses={201: SiteSerializer})
    def create(self, request: Request) -> Response:
        form = SiteCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            run = start_crawl(url=form.validated_data["url"],
                              adapter=form.validated_data["adapter"], archive=True)  # fmt: skip
        except (InvalidURL, UnknownAdapter) as exc:
            raise ValidationError({"url": str(exc)}) from None
        add_owner(run.site, request.user)
        return Response(SiteSerializer(run.site).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[OpenApiParameter("stale_days", int, required=False)],
        responses={200: SiteCoverageSerializer},
    )
    @action(detail=True, methods=["get"])
    def coverage(self, request: Request, pk: str | None = None) -> Response:
        """The site's posts (as its latest crawl saw them) against the Archive's
        index now: counts and each post's state and latest capture."""
        site = self.get_object()
        try:
            stale_days = int(request.query_params.get("stale_days", "") or 0) or None
        except ValueError:
            raise ValidationError({"stale_days": "a whole number of days"}) from None
        try:
            report = site_coverage(site=site, stale_days=stale_days)
        except WaybackError as exc:
            return Response({"detail": f"The Archive's index cannot be read: {exc}"}, status=503)
        posts = [vars(post) for post in report.posts]
        data = {"site": site.pk, "url": site.url, "stale_before": report.cutoff,
                "counts": report.counts, "posts": posts}  # fmt: skip
        return Response(SiteCoverageSerializer(data).data)

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("export", str, enum=["json", "csv"], required=False)],
        responses={200: RecoveryListSerializer, 404: None},
        description="The site's latest recovery: its state, progress and every post listed "
        "so far; `export=csv` or `export=json` answers the list as a file.",
    )
    @extend_schema(
        methods=["POST"], request=RecoveryCreateSerializer, responses={202: RecoverySerializer},
        description="Recover the site from the Archive on the workers: list every captured "
        "post (CDX) and, with `summarize`, summarize each from its archived copy.",
    )  # fmt: skip
    @action(detail=True, methods=["get", "post"])
    def recover(self, request: Request, pk: str | None = None) -> Response | HttpResponse:
        site = self.get_object()
        if request.method == "POST":
            form = RecoveryCreateSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            row = recovery.start_recovery(url=site.url, **form.validated_data)
            return Response(RecoverySerializer(row).data, status=status.HTTP_202_ACCEPTED)
        row = site.recoveries.first()
        if row is None:
            raise NotFound("This site has not been recovered yet: POST here to start.")
        fmt = request.query_params.get("export", "")
        if fmt:
            fmt = _one_of("export", fmt, ["csv", "json"])
            response = HttpResponse(
                recovery.export(row, fmt),
                content_type="text/csv" if fmt == "csv" else "application/json",
            )
            response["Content-Disposition"] = f'attachment; filename="recovery-{row.pk}.{fmt}"'
            return response
        return Response(RecoveryListSerializer(row).data)


    @extend_schema(
        responses={200: WARC_FILES, 404: None},
        description="The site's closed WARC files (its local copies): each one's name, size "
        "and download address. Staff, and the people who added the site, only (others: 404).",
    )
    @action(detail=True, methods=["get"], url_path="warc")
    def warc(self, request: Request, pk: str | None = None) -> Response:
        site = self._warc_site(request)
        link = request.build_absolute_uri(reverse("site-warc-file", kwargs={"pk": site.pk}))
        files = [{"name": found.name, "size": found.stat().st_size,
                  "download": f"{link}?{urlencode({'name': found.name})}"}
                 for found in warc.site_files(site.url)]  # fmt: skip
        return Response({"site": site.pk, "url": site.url, "files": files})

    @extend_schema(
        parameters=[OpenApiParameter("name", str, required=True)],
        responses={(200, download.CONTENT_TYPE): OpenApiTypes.BINARY, 404: None},
        description="One of the site's WARC files (`.warc.gz`, by the `name` the list "
        "gives), streamed.",
    )
    @action(detail=True, methods=["get"], url_path="warc-file")
    def warc_file(self, request: Request, pk: str | None = None) -> FileResponse:
        site = self._warc_site(request)
        found = warc.site_file(site.url, request.query_params.get("name", ""))
        if found is None:
            raise NotFound("That site has no such WARC file.")
        return download.file_response(found)

    @extend_schema(
        parameters=[OpenApiParameter("url", str, required=True)],
        responses={(200, download.CONTENT_TYPE): OpenApiTypes.BINARY, 404: None},
        description="The WARC record of one post (`url`): its own gzip member, a whole "
        "`.warc.gz` that warcio, pywb and ReplayWeb.page read.",
    )
    @action(detail=True, methods=["get"], url_path="warc-record")
    def warc_record(self, request: Request, pk: str | None = None) -> FileResponse:
        site = self._warc_site(request)
        try:
            return download.record_response(
                *keeping.kept_record(site, request.query_params.get("url", ""))
            )
        except warc.NotCopied as exc:
            raise NotFound(str(exc)) from None

    def _warc_site(self, request: Request) -> Site:
        """Copies are whole pages of someone's blog: staff and the site's own
        people may download them; to others they are not there (404, as
        another user's summary is)."""
        site = self.get_object()
        if not (request.user.is_staff or site.added_by.filter(pk=request.user.pk).exists()):
            raise NotFound("This site's WARC copies are for staff and the people who added it.")
        return site


class SummaryViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A user's own summaries only: another user's, private or not, is a 404."""

    serializer_class = SummarySerializer
    queryset = Summary.objects.select_related("document")  # the schema's; requests: their own

    def get_queryset(self):
        return owned_by(self.request.user).select_related("document")

    @extend_schema(parameters=[OpenApiParameter("url", str, required=True)])
    def list(self, request: Request) -> Response:
        """The latest finished summary of ``url`` that this user asked for."""
        try:
            url = check_url(request.query_params.get("url", ""))
        except InvalidURL as exc:
            raise ValidationError({"url": str(exc)}) from None
        summary = (
            self.get_queryset()
            .filter(url=url, state=Summary.State.DONE, keep=True)
            .order_by("-finished_at")
            .first()
        )
        if summary is None:
            raise NotFound("No finished summary of that URL.")
        return Response(SummarySerializer(summary).data)


__all__ = ["JobViewSet", "SummaryViewSet", "get_object_or_404"]
