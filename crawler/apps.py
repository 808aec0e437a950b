"""Blog address → every public post URL."""

from django.apps import AppConfig


class CrawlerConfig(AppConfig):
    name = "crawler"

    def ready(self) -> None:
        from waybrief.reconcile import Reconcile, declare

        from . import services

        declare(
            Reconcile(
                name="crawl runs",
                model="crawler.CrawlRun",
                states=services.WAITING,
                task=services.RUN_TASK,
                max_attempts=services.MAX_ATTEMPTS,
                after=services.hand_over_dropped,
            )
        )
