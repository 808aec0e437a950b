"""The suite runs against the real services `make test` starts, not stand-ins."""

from django.db import connection


def test_it_runs_on_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert cursor.fetchone()[0]


def test_it_reaches_redis(redis_client):
    assert redis_client.ping() is True
