"""URL, text or document → main text → prompt → LLM → summary."""

from django.apps import AppConfig


class SummarizerConfig(AppConfig):
    name = "summarizer"

    def ready(self) -> None:
        from waybrief.reconcile import Reconcile, declare

        from . import services

        declare(
            Reconcile(
                name="summaries",
                model="summarizer.Summary",
                states=tuple(services.IN_PROGRESS),
                task=services.SUMMARIZE_TASK,
                batch=200,
            )
        )
