"""``manage.py reindex``: write the library's search index again from the summaries."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from library.indexing import rebuild


class Command(BaseCommand):
    help = "Rebuild the library's search index from every finished summary."

    def handle(self, *args, **options) -> None:
        count = rebuild()
        self.stdout.write(f"indexed {count} summaries")
