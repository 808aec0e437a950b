from django.apps import AppConfig


class WaybackConfig(AppConfig):
    """A Django app only for its one table: the shared limiter state without Redis."""

    name = "wayback"
    verbose_name = "Wayback Machine"
