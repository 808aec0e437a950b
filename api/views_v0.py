"""/api/v0/summarize: answers like Kagi's Universal Summarizer, so its clients work.

Waits for the worker up to API_V0_WAIT_SECONDS; past that, 202 with a URL
to poll. Errors keep Kagi's shape: ``{"meta", "data": null, "error": [...]}``.
"""

from __future__ import annotations

import math
import socket
import time

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from summarizer import services
from summarizer.models import Summary
from waybrief.fetching.errors import FetchError

from .auth import BotTokenAuthentication
from .throttling import TokenRateThrottle

MAX_REQUEST_BYTES = 1024 * 1024
# Kagi's engines are its model styles; here each maps to the configured model.
ENGINES = {"cecil", "agnes", "daphne", "muriel"}
ERROR_STATUS = {
    "invalid_url": 400, "invalid_request": 400, "blocked_address": 403, "not_text": 415,
    "too_large": 413, "timeout": 504, "upstream_error": 502, "unreachable": 502,
    "too_many_redirects": 502, "model_failed": 503, "cancelled": 409,
}  # fmt: skip


KAGI_REQUEST = inline_serializer(
    "KagiSummarizeRequest",
    {
        "url": serializers.CharField(required=False),
        "text": serializers.CharField(required=False),
        "summary_type": serializers.ChoiceField(["summary", "takeaway"], required=False),
        "engine": serializers.ChoiceField(sorted(ENGINES), required=False),
        "target_language": serializers.CharField(required=False),
        "cache": serializers.BooleanField(required=False, default=True),
        "source": serializers.ChoiceField(["live", "archive"], required=False),
    },
)
KAGI_META = inline_serializer(
    "KagiMeta", {"id": serializers.CharField(), "node": serializers.CharField(),
                 "ms": serializers.IntegerField()},
)  # fmt: skip
KAGI_RESPONSE = inline_serializer(
    "KagiSummarizeResponse",
    {
        "meta": KAGI_META,
        "data": inline_serializer(
            "KagiData",
            {
                "output": serializers.CharField(),
                "tokens": serializers.IntegerField(),
                "capture": serializers.DictField(required=False),
            },
            allow_null=True,
        ),
        "error": serializers.ListField(child=serializers.DictField(), required=False),
        "poll": serializers.CharField(required=False),
    },
)
QUERY = [OpenApiParameter(name, str) for name in
         ("url", "text", "summary_type", "engine", "target_language", "cache",
          "source")]  # fmt: skip


class KagiError(Exception):
    def __init__(self, status_code: int, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code


def _meta(started: float, summary_id: int | None = None) -> dict:
    return {
        "id": str(summary_id) if summary_id else "",
        "node": settings.WAYBRIEF_NODE or socket.gethostname(),
        "ms": int((time.monotonic() - started) * 1000),
    }


class KagiSummarizeView(APIView):
    authentication_classes = [BotTokenAuthentication, TokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [TokenRateThrottle]
    parser_classes = [JSONParser, FormParser]

    def initial(self, request, *args, **kwargs):
        self.started = time.monotonic()
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        """Every failure, auth and throttling included, in Kagi's error shape."""
        if isinstance(exc, KagiError):
            code, message = exc.status_code, str(exc)
        elif isinstance(exc, exceptions.APIException):
            code, message = exc.status_code, str(exc.detail)
            if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
                code = status.HTTP_401_UNAUTHORIZED
        else:
            return super().handle_exception(exc)
        response = Response(
            {"meta": _meta(getattr(self, "started", time.monotonic())), "data": None,
             "error": [{"code": code, "msg": message}]},
            status=code,
        )  # fmt: skip
        if isinstance(exc, exceptions.Throttled) and exc.wait:
            response["Retry-After"] = str(max(1, math.ceil(exc.wait)))
        if code == status.HTTP_401_UNAUTHORIZED:
            response["WWW-Authenticate"] = 'Bot realm="api"'
        return response

    @extend_schema(operation_id="kagi_summarize_get", parameters=QUERY,
                   responses={200: KAGI_RESPONSE, 202: KAGI_RESPONSE})  # fmt: skip
    def get(self, request: Request) -> Response:
        return self._summarize(request, request.query_params)

    @extend_schema(operation_id="kagi_summarize_post", request=KAGI_REQUEST,
                   responses={200: KAGI_RESPONSE, 202: KAGI_RESPONSE})  # fmt: skip
    def post(self, request: Request) -> Response:
        if len(request.body) > MAX_REQUEST_BYTES:
            raise KagiError(413, "The request is larger than 1 MB.")
        params = {**request.query_params.dict(), **_flat(request.data)}
        return self._summarize(request, params)

    def _summarize(self, request: Request, params) -> Response:
        for name in ("url", "text", "summary_type", "engine", "target_language"):
            if params.get(name) is not None and not isinstance(params.get(name), str):
                raise KagiError(400, f"'{name}' must be a string.")
        url, text = params.get("url", "") or "", params.get("text", "") or ""
        if bool(url) == bool(text):
            raise KagiError(400, "Give exactly one of 'url' or 'text'.")
        if len(text.encode("utf-8")) > MAX_REQUEST_BYTES:
            raise KagiError(413, "The text is larger than 1 MB.")
        engine = (params.get("engine") or "cecil").lower()
        if engine not in ENGINES:
            raise KagiError(400, f"Unknown engine {engine!r}: use cecil, agnes, daphne or muriel.")
        keep = str(params.get("cache", "true")).lower() not in {"false", "0", "no"}
        options = {
            "mode": params.get("summary_type") or "summary",
            "target_language": params.get("target_language") or "",
            "keep": keep,
        }
        try:
            if url:
                source = params.get("source") or ""
                summary = services.request_summary(url=url, source=source, **options)
            else:
                summary = services.request_text_summary(text=text, **options)
        except (FetchError, services.InvalidRequest) as exc:
            raise KagiError(400, str(exc)) from None
        return answer(summary, started=self.started, wait=settings.API_V0_WAIT_SECONDS)


class KagiPollView(KagiSummarizeView):
    http_method_names = ["get", "head", "options"]

    @extend_schema(operation_id="kagi_summarize_poll", responses={200: KAGI_RESPONSE,
                                                                  202: KAGI_RESPONSE})  # fmt: skip
    def get(self, request: Request, pk: int) -> Response:
        summary = Summary.objects.filter(pk=pk).first()
        if summary is None:
            raise KagiError(404, "No such summary (a cache=false result is gone once delivered).")
        return answer(summary, started=self.started, wait=0)


def answer(summary: Summary, *, started: float, wait: float) -> Response:
    deadline = time.monotonic() + wait
    while not summary.is_finished and time.monotonic() < deadline:
        time.sleep(0.1)
        summary.refresh_from_db()
    if not summary.is_finished:
        poll = f"/api/v0/summarize/{summary.pk}"
        return Response(
            {"meta": _meta(started, summary.pk), "data": None, "status": summary.state,
             "poll": poll},
            status=status.HTTP_202_ACCEPTED, headers={"Location": poll},
        )  # fmt: skip
    if summary.state == Summary.State.FAILED:
        code = ERROR_STATUS.get(summary.error_code, 500)
        body = {"meta": _meta(started, summary.pk), "data": None,
                "error": [{"code": code, "msg": summary.error_message}]}  # fmt: skip
        response = Response(body, status=code)
    else:
        data = {"output": summary.output, "tokens": summary.tokens_in}
        if summary.capture_timestamp:  # read from the Archive: say which capture
            data["capture"] = {"timestamp": summary.capture_timestamp, "url": summary.capture_url}
        body = {"meta": _meta(started, summary.pk), "data": data}
        response = Response(body)
    if not summary.keep:
        services.forget(summary)
    return response


def _flat(data) -> dict:
    """Form data arrives as a QueryDict of lists; JSON as a dict (anything else is refused)."""
    if hasattr(data, "dict"):
        return data.dict()
    if not isinstance(data, dict):
        raise KagiError(400, "The body must be a JSON object or a form.")
    return data
