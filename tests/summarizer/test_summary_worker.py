"""Summaries run on a real worker; a bad page does not hurt the next one."""

import time

import pytest

from summarizer import services
from summarizer.models import Summary
from tests.support.documents import ARTICLE
from tests.support.http import Reply
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def finished(pk: int) -> Summary | None:
    summary = Summary.objects.get(pk=pk)
    return summary if summary.is_finished else None


def test_a_worker_summarizes_after_a_slow_page_times_out(site, celery_worker_process):
    """GIVEN a page that trickles forever and a good page WHEN both are queued
    THEN the slow one fails with a timeout and the good one is summarized."""

    def trickle():
        for _ in range(100):
            yield b"x"
            time.sleep(0.1)

    slow_url = site.route("/slow", Reply(200, trickle, {"Content-Type": "text/html"}))
    good_url = site.route("/a", Reply(200, ARTICLE.encode(), {"Content-Type": "text/html"}))
    slow = services.request_summary(url=slow_url)
    good = services.request_summary(url=good_url)

    slow = wait_until(lambda: finished(slow.pk), timeout=60)
    good = wait_until(lambda: finished(good.pk), timeout=120)

    assert (slow.state, slow.error_code) == (Summary.State.FAILED, "timeout")
    assert good.state == Summary.State.DONE and good.output.strip()
    assert celery_worker_process.poll() is None
