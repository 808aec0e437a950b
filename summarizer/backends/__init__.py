"""Backends behind one interface; one loaded model per process.

A worker process loads its model on first use and keeps it: loading a 5 GB
GGUF per task would cost more than the summary.
"""

from __future__ import annotations

import functools

from django.conf import settings

from ..configured import bundled_model_path, configured_model_name
from .base import BackendError, Decoding, GenerationTimeout, LLMBackend, PromptProgress, Usage

__all__ = [
    "BackendError",
    "Decoding",
    "GenerationTimeout",
    "LLMBackend",
    "PromptProgress",
    "Usage",
    "bundled_model_path",
    "configured_model_name",
    "get_backend",
]


@functools.cache
def get_backend() -> LLMBackend:
    """The configured model, loaded; a tiny one (by its catalogue entry) with
    the smaller context it reads well within, so long pages go in parts."""
    from summarizer import catalogue

    name = settings.LLM_BACKEND
    model_path = settings.LLM_MODEL_PATH or bundled_model_path()
    entry = catalogue.active_entry()
    if name == "llama_cpp":
        from .llama_cpp import LlamaCppBackend

        return LlamaCppBackend(
            model_path,
            n_ctx=settings.LLM_CONTEXT or catalogue.planned_context(entry, 0),
            n_gpu_layers=settings.LLM_N_GPU_LAYERS,
            n_threads=settings.LLM_THREADS,
            chat_format=settings.LLM_CHAT_FORMAT,
        )
    if name == "openai":
        from .openai import OpenAIBackend

        backend = OpenAIBackend(
            settings.LLM_OPENAI_BASE_URL,
            model=settings.LLM_OPENAI_MODEL,
            api_key=settings.LLM_OPENAI_API_KEY,
            context_length=settings.LLM_CONTEXT,
        )
        backend.context_length = catalogue.planned_context(entry, backend.context_length)
        return backend
    if name == "ctransformers":
        from .ctransformers import CTransformersBackend

        return CTransformersBackend(
            model_path,
            model_type=settings.LLM_MODEL_TYPE,
            n_ctx=settings.LLM_CONTEXT,
            n_threads=settings.LLM_THREADS,
            n_gpu_layers=settings.LLM_N_GPU_LAYERS,
        )
    raise BackendError(f"Unknown LLM_BACKEND {name!r}: use llama_cpp, openai or ctransformers.")
