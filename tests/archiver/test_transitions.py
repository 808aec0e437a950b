"""The archiver's table of allowed moves is enforced in one place."""

from __future__ import annotations

import pytest

from archiver import services
from archiver.models import Capture
from wayback import Snapshot

pytestmark = pytest.mark.django_db

State = Capture.State
URL = "https://blog.example.org/post/1"
SNAPSHOT = Snapshot("20240101000000", URL, f"https://web.archive.org/web/20240101000000/{URL}")


def capture_in(state: str) -> Capture:
    return Capture.objects.create(url=URL, state=state)


def test_a_pending_capture_cannot_be_marked_archived_without_being_sent():
    """GIVEN a capture never sent WHEN marked archived THEN that is a bug, refused loudly,
    and the row is unchanged."""
    capture = capture_in(State.PENDING)
    with pytest.raises(services.IllegalTransition):
        services.mark_archived(capture, SNAPSHOT)
    assert Capture.objects.get(pk=capture.pk).state == State.PENDING


@pytest.mark.parametrize("final", [State.ARCHIVED, State.SKIPPED])
def test_a_final_capture_never_moves(final):
    capture = capture_in(final)
    moves = [
        lambda: services.mark_failed(capture, "late error"),
        lambda: services.retry_later(capture, "late retry"),
        lambda: services.mark_sending(capture),
    ]
    for move in moves:
        with pytest.raises(services.IllegalTransition):
            move()
    assert Capture.objects.get(pk=capture.pk).state == final


def test_the_allowed_path_moves_and_records_each_step():
    capture = capture_in(State.PENDING)
    assert services.mark_sending(capture)
    assert services.mark_archived(capture, SNAPSHOT)
    moves = list(capture.events.values_list("from_state", "to_state"))
    assert moves == [("pending", "submitted"), ("submitted", "archived")]


def test_every_state_has_a_row_in_the_table():
    assert set(services.ALLOWED_MOVES) == set(State.values)
