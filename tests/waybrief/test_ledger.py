"""Claims are exclusive, leases expire, and the reconciler finds what is due."""

from datetime import timedelta

import pytest
from django.utils import timezone

from waybrief import ledger
from waybrief.models import Heartbeat

pytestmark = pytest.mark.django_db

PENDING = [Heartbeat.State.PENDING]


def test_it_lets_only_one_claim_win():
    beat = Heartbeat.objects.create()
    assert ledger.claim(Heartbeat, beat.pk, states=PENDING) is True
    assert ledger.claim(Heartbeat, beat.pk, states=PENDING) is False


def test_it_lets_a_row_be_claimed_again_once_its_lease_expires():
    beat = Heartbeat.objects.create()
    ledger.claim(Heartbeat, beat.pk, states=PENDING)
    Heartbeat.objects.filter(pk=beat.pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
    assert ledger.claim(Heartbeat, beat.pk, states=PENDING) is True
    assert Heartbeat.objects.get(pk=beat.pk).attempts == 2


def test_it_refuses_a_claim_in_the_wrong_state():
    beat = Heartbeat.objects.create(state=Heartbeat.State.DONE)
    assert ledger.claim(Heartbeat, beat.pk, states=PENDING) is False


def test_due_skips_fresh_rows_held_rows_and_future_retries():
    old = timezone.now() - timedelta(minutes=5)
    ready = Heartbeat.objects.create()
    held = Heartbeat.objects.create(claimed_until=timezone.now() + timedelta(minutes=1))
    later = Heartbeat.objects.create(next_attempt_at=timezone.now() + timedelta(minutes=1))
    Heartbeat.objects.update(updated_at=old)
    fresh = Heartbeat.objects.create()

    due = set(ledger.due(Heartbeat, states=PENDING).values_list("pk", flat=True))

    assert ready.pk in due
    assert {held.pk, later.pk, fresh.pk}.isdisjoint(due)
