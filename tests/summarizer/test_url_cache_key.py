"""The URL cache answers only with a summary that today's model, prompts and
decoding wrote: after a model switch, a plain request must not get the old one."""

import pytest
from django.utils import timezone

from summarizer import prompts, selectors
from summarizer.backends import configured_model_name
from summarizer.models import Summary

pytestmark = pytest.mark.django_db
URL = "https://blog.example/post"


def finished(**fields) -> Summary:
    values = {"url": URL, "mode": "summary", "target_language": "", "state": Summary.State.DONE,
              "output": "old", "model": configured_model_name(),
              "prompt_version": prompts.VERSION, "finished_at": timezone.now()}  # fmt: skip
    return Summary.objects.create(**(values | fields))


def cached() -> Summary | None:
    return selectors.cached_for_url(url=URL, mode="summary", target_language="")


def test_a_summary_by_the_configured_model_and_prompts_is_reused():
    row = finished()
    assert cached() == row


def test_a_summary_by_another_model_is_not_reused(settings, tmp_path):
    finished()
    settings.LLM_MODEL_PATH = str(tmp_path / "Qwen2.5-3B-Instruct-Q4_K_M.gguf")
    assert configured_model_name() == "Qwen2.5-3B-Instruct-Q4_K_M.gguf"
    assert cached() is None


def test_a_summary_under_older_prompts_or_decoding_is_not_reused():
    finished(prompt_version=prompts.VERSION - 1)
    assert cached() is None


def test_the_openai_backend_names_its_model(settings):
    settings.LLM_BACKEND, settings.LLM_OPENAI_MODEL = "openai", "llama-3.1-8b"
    finished(model="llama-3.1-8b")
    assert cached() is not None
