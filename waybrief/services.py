"""Writes for the project-level pieces: the heartbeat round trip."""

from __future__ import annotations

import socket
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from . import doorbell
from .ledger import claim
from .models import Heartbeat

HEARTBEAT_TASK = "waybrief.heartbeat"


def request_heartbeat() -> Heartbeat:
    """Queue a heartbeat, reusing a fresh pending one so a button mashed
    a hundred times does not write a hundred rows."""
    recent = timezone.now() - timedelta(seconds=10)
    pending = Heartbeat.objects.filter(state=Heartbeat.State.PENDING, created_at__gte=recent)
    if existing := pending.first():
        return existing
    with transaction.atomic():
        beat = Heartbeat.objects.create()
        doorbell.ring(HEARTBEAT_TASK, beat.pk)
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
