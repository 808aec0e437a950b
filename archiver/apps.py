"""URL → Wayback Machine capture, within the Archive's limits."""

from django.apps import AppConfig


class ArchiverConfig(AppConfig):
    name = "archiver"

    def ready(self) -> None:
        from waybrief.reconcile import Reconcile, declare

        from . import services
        from .models import Capture

        declare(
            Reconcile(
                name="captures",
                model="archiver.Capture",
                states=tuple(Capture.OPEN_STATES),
                task=services.PROCESS_TASK,
                batch=1000,
                oldest_due_first=True,
                after=services.after_reconcile,
            )
        )
