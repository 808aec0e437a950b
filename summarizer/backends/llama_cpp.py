"""The default backend: a GGUF model in this process, through llama-cpp-python.

The chat template comes from the GGUF's own metadata, so any instruct model
is prompted the way it was trained.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator

from .base import BackendError, Usage

# Low temperature: summaries should say what the page says, not improvise.
SAMPLING = {"temperature": 0.2, "top_p": 0.9, "repeat_penalty": 1.15, "seed": 42}


class LlamaCppBackend:
    def __init__(
        self, model_path: str, *, n_ctx: int = 0, n_gpu_layers: int = 0, n_threads: int = 0
    ) -> None:
        from llama_cpp import Llama

        if not os.path.isfile(model_path):
            raise BackendError(f"No model file at {model_path}; set LLM_MODEL_PATH to a GGUF file.")
        try:
            self.llm = Llama(
                model_path=model_path,
                n_ctx=n_ctx,
                n_gpu_layers=n_gpu_layers,
                n_threads=n_threads or None,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"The model at {model_path} could not be loaded: {exc}") from None
        # Free the model before interpreter teardown, or llama-cpp-python's
        # __del__ runs after its C bindings are gone and prints a traceback.
        atexit.register(self.llm.close)
        self.model_name = os.path.basename(model_path)
        self.context_length = self.llm.n_ctx()
        # One Llama object serves one generation at a time.
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream_chat(
        self, messages: list[dict[str, str]], *, max_tokens: int, usage: Usage
    ) -> Iterator[str]:
        with self._lock:
            try:
                chunks = self.llm.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, stream=True, **SAMPLING
                )
                usage.prompt_tokens = sum(self.count_tokens(m["content"]) for m in messages)
                for chunk in chunks:
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        usage.completion_tokens += 1
                        yield piece
            except ValueError as exc:  # llama-cpp-python's context overflow
                raise BackendError(f"The model refused the prompt: {exc}") from None
