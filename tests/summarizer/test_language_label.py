"""A summary's label names the language it is really in, never just the one asked."""

import pytest

from summarizer import services
from summarizer.models import Summary
from tests.summarizer.scripted import ScriptedBackend, user_text

pytestmark = pytest.mark.django_db
TEXT = "The lighthouse at Carrow Point was built in 1871. It is 34 metres tall."
ENGLISH = "The lighthouse was built in 1871 and is 34 metres tall."


def run(backend, **options) -> Summary:
    summary = services.request_text_summary(text=TEXT, **options)
    return services.run_summary(summary_id=summary.pk, backend=backend)


def test_an_english_answer_to_a_traditional_chinese_request_is_labelled_english():
    backend = ScriptedBackend([ENGLISH, ENGLISH])
    summary = run(backend, target_language="ZH-HANT")
    assert summary.state == Summary.State.DONE, summary.error_message
    assert (summary.target_language, summary.language) == ("ZH-HANT", "EN")
    assert len(backend.prompts) == 2  # the one stricter retry
    assert "請用繁體中文回答" in user_text(backend.prompts[1])


def test_an_answer_in_the_language_asked_is_labelled_so():
    backend = ScriptedBackend(["卡羅角燈塔建於一八七一年，高三十四公尺。"])
    summary = run(backend, target_language="ZH-HANT")
    assert summary.language == "ZH-HANT" and len(backend.prompts) == 1
