"""What the benches share: their own PostgreSQL database, and Django set up on it.

Each bench runs against a database of its own (created if missing), so it never
touches a test run's or a deployment's rows.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

NO_BROKER = "redis://127.0.0.1:9/0"  # a bench process that only writes rows rings nobody


def ensure_database(url: str, *, fresh: bool = False) -> None:
    """Create the database ``url`` names if it is missing (``fresh``: drop it first)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str, data_dir: Path | str, *, broker_url: str = NO_BROKER) -> None:
    """Point this process at the bench's database and data dir, set Django up, migrate."""
    os.environ.update(
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        WAYBRIEF_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="waybrief.settings",
    )
    ensure_database(database_url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
