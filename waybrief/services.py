"""Writes for the project-level pieces: the heartbeat round trip."""

from __future__ import annotations

import socket
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .ledger import claim, due, enqueue_on_commit, register_reconciler
from .models import Heartbeat


def request_heartbeat() -> Heartbeat:
    """Queue a heartbeat, reusing a fresh pending one so a button mashed
    a hundred times does not write a hundred rows."""
    recent = timezone.now() - timedelta(seconds=10)
    pending = Heartbeat.objects.filter(state=Heartbeat.State.PENDING, created_at__gte=recent)
    if existing := pending.first():
        return existing
    from .tasks import heartbeat

    with transaction.atomic():
        beat = Heartbeat.objects.create()
        enqueue_on_commit(heartbeat, beat.pk)
    return beat


def answer_heartbeat(*, heartbeat_id: int, worker: str | None = None) -> bool:
    """Mark the heartbeat done; a second delivery finds nothing to do."""
    if not claim(Heartbeat, heartbeat_id, states=[Heartbeat.State.PENDING]):
        return False
    Heartbeat.objects.filter(pk=heartbeat_id).update(
        state=Heartbeat.State.DONE,
        worker=worker or socket.gethostname(),
        done_at=timezone.now(),
        claimed_until=None,
    )
    return True


def _reconcile_heartbeats() -> int:
    from .tasks import heartbeat

    ids = list(due(Heartbeat, states=[Heartbeat.State.PENDING]).values_list("pk", flat=True)[:100])
    for pk in ids:
        heartbeat.delay(pk)
    return len(ids)


register_reconciler("heartbeats", _reconcile_heartbeats)
