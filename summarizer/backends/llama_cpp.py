"""The default backend: a GGUF model in this process, through llama-cpp-python.

The chat template comes from the GGUF's own metadata, so any instruct model
is prompted the way it was trained. A GGUF without one (a base model, most
often) is refused: llama-cpp-python would silently fall back to llama-2's
format and the model would echo ``<<SYS>>``. ``LLM_CHAT_FORMAT`` names a
template to use instead, for a model known to need one.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import threading
from collections.abc import Iterator

from .base import BackendError, Decoding, Usage

# The default sampling (the bench and older callers use it); generate.py
# passes each mode's own.
SAMPLING = dataclasses.asdict(Decoding())


class LlamaCppBackend:
    def __init__(
        self, model_path: str, *, n_ctx: int = 0, n_gpu_layers: int = 0, n_threads: int = 0,
        chat_format: str = "",
    ) -> None:  # fmt: skip
        from llama_cpp import Llama

        if not os.path.isfile(model_path):
            raise BackendError(f"No model file at {model_path}; set LLM_MODEL_PATH to a GGUF file.")
        try:
            self.llm = Llama(
                model_path=model_path,
                n_ctx=n_ctx,
                n_gpu_layers=n_gpu_layers,
                n_threads=n_threads or None,
                chat_format=chat_format or None,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"The model at {model_path} could not be loaded: {exc}") from None
        # Free the model before interpreter teardown, or llama-cpp-python's
        # __del__ runs after its C bindings are gone and prints a traceback.
        atexit.register(self.llm.close)
        if not chat_format and not self.llm.metadata.get("tokenizer.chat_template"):
            self.llm.close()
            raise BackendError(
                f"The model at {model_path} has no chat template (tokenizer.chat_template), so it "
                "is most likely a base model, not an instruct one, and would answer with garbage. "
                "Use an instruct GGUF (see `manage.py model list`), or set LLM_CHAT_FORMAT to the "
                "llama-cpp-python chat format it was trained with (chatml, llama-2, gemma, ...)."
            )
        self.model_name = os.path.basename(model_path)
        self.context_length = self.llm.n_ctx()
        # One Llama object serves one generation at a time.
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream_chat(
        self, messages: list[dict[str, str]], *, max_tokens: int, usage: Usage,
        decoding: Decoding | None = None,
    ) -> Iterator[str]:  # fmt: skip
        sampling = dataclasses.asdict(decoding) if decoding else SAMPLING
        with self._lock:
            try:
                chunks = self.llm.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, stream=True, **sampling
                )
                usage.prompt_tokens = sum(self.count_tokens(m["content"]) for m in messages)
                for chunk in chunks:
                    if reason := chunk["choices"][0].get("finish_reason"):
                        usage.extra["finish_reason"] = reason  # "length": ran to max_tokens
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        usage.completion_tokens += 1
                        yield piece
            except ValueError as exc:  # llama-cpp-python's context overflow
                raise BackendError(f"The model refused the prompt: {exc}") from None
