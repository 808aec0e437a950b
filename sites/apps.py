"""A whole site: coverage, recovery, crawl-and-archive; the site-level commands and admin."""

from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "sites"
    label = "sites"
    verbose_name = "Sites"

    def ready(self) -> None:
        from crawler.signals import run_finished
        from waybrief.reconcile import Reconcile, declare

        from . import archiving, recovery

        declare(
            Reconcile(
                name="recoveries",
                model="sites.Recovery",
                states=recovery.OPEN,
                task=recovery.RECOVER_TASK,
                max_attempts=recovery.MAX_ATTEMPTS,
            )
        )
        run_finished.connect(archiving.archive_finished_run, dispatch_uid="sites.archive-run")
