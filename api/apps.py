from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API: bulk jobs (v1) and the Kagi-compatible summarizer (v0)."""

    name = "api"
    verbose_name = "API"
