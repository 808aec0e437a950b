"""A time bound for a crawl test: ``within`` stops a crawl that overruns the
way Ctrl-C does (it saves what it read and ends) and fails the test."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

GRACE_SECONDS = 5.0  # for a stopped crawl to save its progress and end


class Overran(BaseException):
    """A crawl went on past its time bound, and then past the grace period."""


@contextmanager
def within(seconds: float) -> Iterator[None]:
    """Fail the test if its block runs longer than ``seconds``.

    At the bound the crawl is interrupted as by Ctrl-C; one that does not
    end even then is abandoned ``GRACE_SECONDS`` later.
    """
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("signals only reach the main thread")
    fired: list[float] = []

    def on_alarm(signum: int, frame: object) -> None:
        if fired:
            raise Overran(f"the crawl did not even stop within {GRACE_SECONDS:g} s more")
        fired.append(time.monotonic())
        signal.setitimer(signal.ITIMER_REAL, GRACE_SECONDS)
        signal.raise_signal(signal.SIGINT)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
        signal.setitimer(signal.ITIMER_REAL, 0)
    except (KeyboardInterrupt, Overran) as exc:
        if not fired:
            raise
        pytest.fail(f"the crawl was still going after {seconds:g} s ({exc!r})")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
