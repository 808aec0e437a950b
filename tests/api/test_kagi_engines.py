"""Kagi's engine names as catalogue entries (KAGI_ENGINE_MODELS): an engine is the
model it is set to, or refused with that said; never answered by another model."""

from __future__ import annotations

import pytest

from tests.api.test_kagi_v0 import done
from tests.support.kagi import check_failure, check_success

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _bundled_model(settings):
    settings.LLM_BACKEND, settings.LLM_MODEL_PATH = "llama_cpp", ""
    settings.LLM_CATALOGUE_ENTRY = ""
    settings.API_V0_WAIT_SECONDS = 0


def test_an_engine_set_to_the_model_in_use_is_answered(bot, settings):
    settings.KAGI_ENGINE_MODELS = {"agnes": "smollm2-135m"}
    summary = done()
    response = bot.get("/api/v0/summarize", {"url": summary.url, "engine": "agnes"})
    assert response.status_code == 200, response.content
    assert check_success(response.json())["output"] == "It says hello."


def test_an_engine_set_to_a_model_this_server_does_not_run_is_refused(bot, settings):
    settings.KAGI_ENGINE_MODELS = {"muriel": "qwen2.5-7b"}
    summary = done()
    response = bot.get("/api/v0/summarize", {"url": summary.url, "engine": "muriel"})
    assert response.status_code == 400
    message = check_failure(response.json())["msg"]
    assert "qwen2.5-7b" in message and "SmolLM2-135M-Instruct" in message


def test_an_engine_left_unmapped_is_the_configured_model(bot, settings):
    settings.KAGI_ENGINE_MODELS = {"muriel": "qwen2.5-7b"}
    summary = done()
    response = bot.get("/api/v0/summarize", {"url": summary.url, "engine": "daphne"})
    assert response.status_code == 200, response.content
