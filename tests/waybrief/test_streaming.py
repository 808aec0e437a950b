"""The live streams' one reading thread keeps working when PostgreSQL ends its
connection (a restart, an administrator, pg_terminate_backend)."""

from __future__ import annotations

import asyncio

import pytest
from django.contrib.auth import get_user_model

from tests.support.processes import terminate_other_connections
from waybrief import streaming

pytestmark = pytest.mark.django_db(transaction=True)


def users() -> int:
    return get_user_model().objects.count()


def test_a_read_after_the_server_ended_the_connection_is_answered():
    """GIVEN the streams' thread holding an open connection WHEN PostgreSQL
    terminates it THEN the next read is answered on a new connection."""
    get_user_model().objects.create_user("watcher")
    assert asyncio.run(streaming.shared_read(users)) == 1

    assert terminate_other_connections() >= 1  # the streams' thread's among them

    assert asyncio.run(streaming.shared_read(users)) == 1
    streaming.close_connection()
