from django.apps import AppConfig


class WaybriefConfig(AppConfig):
    """The project package is an app too: it owns the shared ledger pieces."""

    name = "waybrief"
    verbose_name = "Waybrief"
