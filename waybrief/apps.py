from django.apps import AppConfig


class WaybriefConfig(AppConfig):
    """The project package is an app too: it owns the shared ledger pieces."""

    name = "waybrief"
    verbose_name = "Waybrief"

    def ready(self) -> None:
        from .models import Heartbeat
        from .reconcile import Reconcile, declare
        from .services import HEARTBEAT_TASK

        declare(
            Reconcile(
                name="heartbeats",
                model="waybrief.Heartbeat",
                states=(Heartbeat.State.PENDING,),
                task=HEARTBEAT_TASK,
            )
        )
