"""One Retry-After parser for every client: seconds or an HTTP date."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from waybrief.fetching import retry_after


def test_it_reads_seconds_whole_or_in_part():
    assert retry_after("7") == 7
    assert retry_after(" 120 ") == 120
    assert retry_after("1.5") == 1.5


def test_it_reads_an_http_date_as_the_seconds_until_then():
    soon = datetime.now(UTC) + timedelta(seconds=30)
    assert 25 < retry_after(format_datetime(soon, usegmt=True)) <= 30


def test_a_date_in_the_past_asks_for_no_wait():
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0


@pytest.mark.parametrize("value", [None, "", "soon", "-5", "inf", "nan", "1e3", "1_0"])
def test_anything_else_counts_as_no_header(value):
    assert retry_after(value) is None
