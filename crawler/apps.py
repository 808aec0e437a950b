"""Blog address → every public post URL."""

from django.apps import AppConfig


class CrawlerConfig(AppConfig):
    name = "crawler"

    def ready(self) -> None:
        # Registers the crawl-run and recovery reconcilers with the ledger,
        # in every process that might run `waybrief.reconcile`.
        from . import recovery, services  # noqa: F401
