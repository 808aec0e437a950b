"""The default backend: a GGUF model in this process, through llama-cpp-python.

The chat template comes from the GGUF's own metadata, so any instruct model
is prompted the way it was trained. A GGUF without one (a base model, most
often) is refused: llama-cpp-python would silently fall back to llama-2's
format and the model would echo ``<<SYS>>``. ``LLM_CHAT_FORMAT`` names a
template to use instead, for a model known to need one.

The prompt is read (evaluated) here, in steps, before the generation starts,
so that the page can show "tokens read of N" and a lost lease or the deadline
can stop a long read. Only the tokens past what the KV cache already holds
are read: llama-cpp-python keeps the last prompt's cache, so the system
prompt and chat template (every call), or a whole document (the language
retry), are not read twice.
"""

from __future__ import annotations

import atexit
import dataclasses
import os
import threading
import time
from collections.abc import Iterator

from .base import BackendError, Decoding, PromptProgress, Usage

# The default sampling (the bench and older callers use it); generate.py
# passes each mode's own.
SAMPLING = dataclasses.asdict(Decoding())
# Tokens read between two progress reports (llama.cpp reads in batches of n_batch anyway).
PROMPT_STEP = 256


class _Captured(Exception):
    """Raised by ``_PromptCatcher`` once the chat handler has built the prompt."""


class _PromptCatcher:
    """Stands in for the Llama object in front of its chat handler: the
    handler renders the template and tokenizes exactly as for a real call,
    and hands the tokens here instead of generating."""

    def __init__(self, llm) -> None:
        self._llm = llm
        self.prompt: list[int] | None = None

    def __getattr__(self, name: str):
        return getattr(self._llm, name)

    def create_completion(self, prompt=None, **kwargs):
        self.prompt = prompt if isinstance(prompt, list) else None
        raise _Captured


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
        # False: read every prompt from its first token (bench/summarize.py measures the gain).
        self.reuse_prefix = True

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream_chat(
        self, messages: list[dict[str, str]], *, max_tokens: int, usage: Usage,
        decoding: Decoding | None = None, on_prompt: PromptProgress | None = None,
    ) -> Iterator[str]:  # fmt: skip
        sampling = dataclasses.asdict(decoding) if decoding else SAMPLING
        with self._lock:
            try:
                if not self.reuse_prefix:
                    self.llm.reset()
                tokens = self._prompt_tokens(messages)
                if tokens is None:  # a handler we cannot look into: it reads the prompt itself
                    usage.prompt_tokens = sum(self.count_tokens(m["content"]) for m in messages)
                else:
                    usage.prompt_tokens = len(tokens)
                    if len(tokens) < self.context_length:  # else the call below refuses it
                        self._read_prompt(tokens, usage, on_prompt)
                chunks = self.llm.create_chat_completion(
                    messages=messages, max_tokens=max_tokens, stream=True, **sampling
                )
                for chunk in chunks:
                    if reason := chunk["choices"][0].get("finish_reason"):
                        usage.extra["finish_reason"] = reason  # "length": ran to max_tokens
                    piece = chunk["choices"][0]["delta"].get("content")
                    if piece:
                        usage.completion_tokens += 1
                        yield piece
            except ValueError as exc:  # llama-cpp-python's context overflow
                raise BackendError(f"The model refused the prompt: {exc}") from None

    def _prompt_tokens(self, messages: list[dict[str, str]]) -> list[int] | None:
        """The tokens ``create_chat_completion`` will read for ``messages``,
        from the very chat handler it will use; None if it cannot be asked."""
        from llama_cpp import llama_chat_format

        llm = self.llm
        handler = (
            llm.chat_handler
            or llm._chat_handlers.get(llm.chat_format)
            or llama_chat_format.get_chat_completion_handler(llm.chat_format)
        )
        catcher = _PromptCatcher(llm)
        try:
            handler(llama=catcher, messages=messages, stream=True)
        except _Captured:
            return catcher.prompt
        except Exception:  # noqa: BLE001 - a handler of another shape: no pre-reading
            return None
        return None

    def _read_prompt(self, tokens: list[int], usage: Usage, on_prompt: PromptProgress | None):
        """Evaluate ``tokens`` past the cached prefix, PROMPT_STEP at a time,
        reporting each step; the generation then finds them all cached."""
        llm = self.llm
        cached = 0
        for held, wanted in zip(llm.input_ids[: llm.n_tokens].tolist(), tokens, strict=False):
            if held != wanted:
                break
            cached += 1
        total = len(tokens)
        exact = cached == total == llm.n_tokens and not getattr(llm, "_requires_eval", False)
        if not exact:
            cached = min(cached, total - 1)  # the last token is read again for fresh logits
            if cached and not llm._ctx.kv_cache_seq_rm(-1, cached, -1):
                cached = 0  # a model whose cache cannot be cut: read it all
            if not cached:
                llm.reset()
            llm.n_tokens = cached
        usage.cached_tokens = cached if not exact else total
        if on_prompt is not None:
            on_prompt(usage.cached_tokens, total)
        started = time.monotonic()
        read = usage.cached_tokens
        while read < total:
            step = tokens[read : read + PROMPT_STEP]
            llm.eval(step)
            read += len(step)
            if on_prompt is not None:
                on_prompt(read, total)
        usage.prompt_ms = (time.monotonic() - started) * 1000
