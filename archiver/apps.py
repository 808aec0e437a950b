"""URL → Wayback Machine capture, within the Archive's limits."""

from django.apps import AppConfig


class ArchiverConfig(AppConfig):
    name = "archiver"

    def ready(self) -> None:
        # Registers the capture reconciler with the ledger, in every process
        # that might run `waybrief.reconcile`.
        from . import services  # noqa: F401
