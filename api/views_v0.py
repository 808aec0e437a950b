"""/api/v0/summarize: answers like Kagi's Universal Summarizer, so its clients work.

Synchronous, as Kagi is: the answer comes when the summary is done or has
failed, bounded by the summary's own deadline. The wait is an async view that
sleeps between reads of the row, so under an ASGI server a waiting client holds
no thread. Auth, throttling and starting the summary are ordinary DRF work,
run in a thread for the few milliseconds they take. A client that sends
``Prefer: respond-async`` gets a ``202`` and a URL to poll instead.
"""

from __future__ import annotations

import asyncio
import logging
import math

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from knox.auth import TokenAuthentication
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.views import APIView

from summarizer import catalogue, services
from summarizer.models import Summary
from summarizer.streams import follow
from waybrief.fetching.errors import FetchError

from . import kagi
from .auth import BotTokenAuthentication
from .kagi import Call, KagiError, malformed
from .throttling import TokenRateThrottle

log = logging.getLogger(__name__)
POLL_SALT = "api.v0.poll"
# Failed summaries: (HTTP status, Kagi code) by the row's error code.
REFUSED = {"invalid_url", "invalid_request", "blocked_address"}
OVERLOADED = {"model_failed", "model_timeout", "gave_up", "cancelled"}

KAGI_REQUEST = inline_serializer(
    "KagiSummarizeRequest",
    {
        "url": serializers.CharField(required=False),
        "text": serializers.CharField(required=False),
        "summary_type": serializers.ChoiceField(kagi.SUMMARY_TYPES, required=False),
        "engine": serializers.ChoiceField(kagi.ENGINES, required=False),
        "target_language": serializers.CharField(required=False),
        "cache": serializers.BooleanField(required=False, default=True, allow_null=True),
        "source": serializers.ChoiceField(["live", "archive"], required=False),
    },
)
KAGI_RESPONSE = inline_serializer(
    "KagiSummarizeResponse",
    {
        "meta": inline_serializer("KagiMeta", {
            "id": serializers.CharField(), "node": serializers.CharField(),
            "ms": serializers.IntegerField(), "api_balance": serializers.FloatField()}),
        "data": inline_serializer("KagiData", {
            "output": serializers.CharField(), "tokens": serializers.IntegerField()},
            allow_null=True),
        "error": serializers.ListField(required=False, child=inline_serializer("KagiErrorItem", {
            "code": serializers.IntegerField(), "msg": serializers.CharField(),
            "ref": serializers.CharField(allow_null=True)})),
    },
)  # fmt: skip
RESPONSES = {200: KAGI_RESPONSE, 202: KAGI_RESPONSE}
PARAMETERS = ("url", "text", "summary_type", "engine", "target_language", "cache", "source")
QUERY = [OpenApiParameter(name, str) for name in PARAMETERS]
ABOUT = ("Kagi's Universal Summarizer API: answers when the summary is done. With "
         "`Prefer: respond-async` (and optionally `wait=N`), a 202 and a poll URL in "
         "`Location` instead.")  # fmt: skip


class Started(HttpResponse):
    """What the DRF part hands the async part: the row to wait for."""

    def __init__(self, summary_id: int) -> None:
        super().__init__(status=status.HTTP_202_ACCEPTED)
        self.summary_id = summary_id


class KagiView(APIView):
    """Kagi's auth, limits and errors; the async views below do the waiting."""

    authentication_classes = [BotTokenAuthentication, TokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [TokenRateThrottle]
    parser_classes = []  # bodies are read by kagi.read_body
    renderer_classes = [JSONRenderer]

    def initial(self, request, *args, **kwargs):
        self.call = getattr(request, "kagi_call", None) or Call.begin()
        super().initial(request, *args, **kwargs)

    def handle_exception(self, exc):
        """Every failure, auth and throttling included, in Kagi's error shape."""
        call = getattr(self, "call", None) or Call.begin()
        headers = {}
        if isinstance(exc, KagiError):
            error = exc
        elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            error = KagiError(401, kagi.UNAUTHORIZED, str(exc.detail))
            headers["WWW-Authenticate"] = 'Bot realm="api"'
        elif isinstance(exc, exceptions.Throttled):
            # Kagi has no rate-limit code; its nearest is "insufficient credit".
            error = KagiError(429, kagi.NO_CREDIT, str(exc.detail))
            if exc.wait:
                headers["Retry-After"] = str(max(1, math.ceil(exc.wait)))
        elif isinstance(exc, exceptions.APIException):
            code = kagi.INTERNAL if exc.status_code >= 500 else kagi.MALFORMED
            error = KagiError(exc.status_code, code, str(exc.detail))
        elif isinstance(exc, SuspiciousOperation | MultiPartParserError):
            error = malformed(f"The request could not be read: {exc}")
        else:
            log.exception("/api/v0 failed")
            error = KagiError(500, kagi.INTERNAL, "Something went wrong on this server.")
        return call.failure(error, headers=headers)


class KagiSummarizeView(KagiView):
    @extend_schema(operation_id="kagi_summarize_get", parameters=QUERY, responses=RESPONSES,
                   description=ABOUT)  # fmt: skip
    def get(self, request: Request) -> HttpResponse:
        return _start(request.query_params.dict(), owner=request.user)

    @extend_schema(operation_id="kagi_summarize_post", request=KAGI_REQUEST,
                   responses=RESPONSES, description=ABOUT)  # fmt: skip
    def post(self, request: Request) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit() or int(length) > kagi.MAX_BODY_BYTES:
            raise malformed("The request is larger than the 1 MB text it may carry.", 413)
        django_request = request._request
        body = kagi.read_body(request.content_type, django_request.body, django_request.POST)
        return _start({**request.query_params.dict(), **body}, owner=request.user)


class KagiPollView(KagiView):
    http_method_names = ["get", "head", "options"]

    @extend_schema(operation_id="kagi_summarize_poll", responses=RESPONSES)
    def get(self, request: Request, id: str) -> HttpResponse:
        try:
            summary_id = signing.loads(id, salt=POLL_SALT)
        except signing.BadSignature:
            summary_id = None
        owner = Summary.objects.filter(pk=summary_id).values_list("owner_id", flat=True).first()
        if summary_id is None or owner not in (None, request.user.pk):
            raise KagiError(404, kagi.MALFORMED, "No such summary.")
        return Started(summary_id)


def _start(raw: dict, *, owner) -> Started:
    params = kagi.parse(raw)
    _check_engine(params.engine)
    options = {"mode": params.summary_type, "target_language": params.target_language,
               "keep": params.keep, "owner": owner}  # fmt: skip
    try:
        if params.url:
            summary = services.request_summary(url=params.url, source=params.source, **options)
        else:
            summary = services.request_text_summary(text=params.text, **options)
    except (FetchError, services.InvalidRequest) as exc:
        raise malformed(str(exc)) from None
    return Started(summary.pk)


def _check_engine(engine: str) -> None:
    """``KAGI_ENGINE_MODELS`` maps Kagi's engine names to catalogue entries
    ("muriel=qwen2.5-7b-instruct"). An engine mapped to a model this server does
    not run is refused with that said, rather than answered by another model;
    an engine not mapped (the default: none is) is the one configured model."""
    wanted = settings.KAGI_ENGINE_MODELS.get(engine)
    if not wanted:
        return
    running = catalogue.active_entry()
    named = catalogue.entry_for(wanted)
    if running is None or named is None or named.name != running.name:
        raise malformed(f"Engine {engine!r} is set to the model {wanted!r}, which this server "
                        f"does not run (it runs {catalogue.active_model_name()}).")  # fmt: skip


_summarize_view = KagiSummarizeView.as_view()
_poll_view = KagiPollView.as_view()


def _async_view(view, *, poll: bool, documented: bool = True):
    """An async view that runs ``view`` in a thread, then waits without one.

    ``documented``: carries the DRF class, so drf-spectacular lists it; the
    trailing-slash twin does not, so the schema shows one form of the path.
    """

    @csrf_exempt
    async def wrapper(request: HttpRequest, **kwargs) -> HttpResponse:
        request.kagi_call = call = Call.begin()
        started = await sync_to_async(view)(request, **kwargs)
        if not isinstance(started, Started):
            return started
        prefer = preferences(request.headers.get("Prefer", ""))
        respond_async = poll or "respond-async" in prefer
        if respond_async:
            wait = min(_seconds(prefer.get("wait")), settings.API_V0_WAIT_SECONDS)
        else:
            wait = settings.LLM_DEADLINE_SECONDS + settings.FETCH_TIMEOUT_SECONDS
        return await settle(call, started.summary_id, wait=wait, respond_async=respond_async)

    if documented:
        wrapper.cls, wrapper.initkwargs = view.cls, view.initkwargs
    return wrapper


summarize = _async_view(_summarize_view, poll=False)
summarize_with_slash = _async_view(_summarize_view, poll=False, documented=False)
poll = _async_view(_poll_view, poll=True)


async def settle(call: Call, summary_id: int, *, wait: float, respond_async: bool):
    """The answer once the row is finished or ``wait`` seconds have passed."""
    try:
        await wait_for_row(summary_id, wait)
    except asyncio.CancelledError:  # the client hung up: keep nothing it asked not to keep
        await sync_to_async(_forget_unkept)(summary_id)
        raise
    return await sync_to_async(answer)(call, summary_id, respond_async=respond_async)


async def wait_for_row(summary_id: int, wait: float) -> None:
    """Until the summary is finished (or ``wait`` seconds pass), fed by the
    worker's notices through the summary's shared watch: one database read per
    new piece per process, however many clients wait (bench/serving.py --v0)."""
    state = await Summary.objects.filter(pk=summary_id).values_list("state", flat=True).afirst()
    if state is None or state in (Summary.State.DONE, Summary.State.FAILED) or wait <= 0:
        return
    async for value in follow(summary_id, seconds=wait):
        if value is not None and value["finished"]:
            return


def answer(call: Call, summary_id: int, *, respond_async: bool) -> JsonResponse:
    summary = Summary.objects.filter(pk=summary_id).first()
    if summary is None:
        return call.failure(KagiError(404, kagi.MALFORMED, "No such summary (a cache=false "
                                      "result is gone once delivered)."))  # fmt: skip
    if not summary.is_finished and respond_async:
        location = f"/api/v0/summarize/{signing.dumps(summary.pk, salt=POLL_SALT)}"
        headers = {"Location": location, "Preference-Applied": "respond-async",
                   "Retry-After": "1"}  # fmt: skip
        return JsonResponse({"meta": call.meta(), "data": None}, status=202, headers=headers)
    if not summary.is_finished:
        response = call.failure(KagiError(503, kagi.SUMMARIZE_FAILED, "The summary did not "
                                          "finish in time; ask again later."),
                                headers={"Retry-After": "30"})  # fmt: skip
    elif summary.state == Summary.State.FAILED:
        response = call.failure(failure(summary))
    else:
        response = call.success(summary.output, summary.tokens_in + summary.tokens_out)
        if summary.capture_url:  # read from the Archive: say which capture, outside the body
            response["Link"] = f'<{summary.capture_url}>; rel="memento"'
    if not summary.keep:
        services.forget(summary)
    return response


def failure(summary: Summary) -> KagiError:
    code = summary.error_code
    if code in REFUSED:
        return KagiError(400, kagi.MALFORMED, summary.error_message)
    if code == "internal_error" or not code:
        return KagiError(500, kagi.INTERNAL, summary.error_message or "Summarizing failed.")
    http = 413 if code == "too_large" else 503 if code in OVERLOADED else 502
    return KagiError(http, kagi.SUMMARIZE_FAILED, summary.error_message)


def _forget_unkept(summary_id: int) -> None:
    summary = Summary.objects.filter(pk=summary_id, keep=False).first()
    if summary is not None:
        services.forget(summary)


def preferences(header: str) -> dict[str, str]:
    """RFC 7240 ``Prefer``: ``respond-async, wait=10`` -> {"respond-async": "", "wait": "10"}."""
    found = {}
    for item in header.split(","):
        name, _, value = item.split(";", 1)[0].strip().partition("=")
        if name:
            found[name.lower()] = value.strip().strip('"')
    return found


def _seconds(value: str | None) -> float:
    try:
        seconds = float(value or 0)
    except ValueError:
        return 0.0
    return seconds if math.isfinite(seconds) and seconds > 0 else 0.0
