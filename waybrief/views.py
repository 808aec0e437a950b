"""Project-level pages: worker status and a health probe."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from . import services
from .models import Heartbeat


def _status() -> dict:
    last = Heartbeat.objects.first()
    answered = Heartbeat.objects.filter(state=Heartbeat.State.DONE).first()
    return {
        "database": connection.vendor,
        "broker": settings.CELERY_BROKER_URL.split("://", 1)[0],
        "last_heartbeat": last,
        "last_answered": answered,
    }


@require_GET
def status(request: HttpRequest) -> HttpResponse:
    return render(request, "status.html", _status())


@require_POST
def ping_worker(request: HttpRequest) -> HttpResponse:
    services.request_heartbeat()
    return redirect("status")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and compose health checks: the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    info = _status()
    answered = info["last_answered"]
    return JsonResponse(
        {
            "database": info["database"],
            "broker": info["broker"],
            "worker_last_seen": answered.done_at.isoformat() if answered else None,
        }
    )
