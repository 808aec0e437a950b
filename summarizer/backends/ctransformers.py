"""Legacy GGML files that llama.cpp no longer reads, through ctransformers.

Optional (``pip install 'waybrief[ctransformers]'``). A GGML file does not
say what architecture it holds, so ``LLM_MODEL_TYPE`` names it (llama, gpt2,
gptj, gpt_neox, mpt, falcon, starcoder, ...). ctransformers has no chat
templates, so messages are joined into a plain instruction prompt.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from .base import BackendError, Decoding, Usage


class CTransformersBackend:
    def __init__(
        self, model_path: str, *, model_type: str = "llama", n_ctx: int = 0,
        n_threads: int = 0, n_gpu_layers: int = 0,
    ) -> None:  # fmt: skip
        try:
            from ctransformers import AutoModelForCausalLM
        except ImportError:
            raise BackendError(
                "LLM_BACKEND=ctransformers needs the extra: pip install 'waybrief[ctransformers]'"
            ) from None
        if not os.path.isfile(model_path):
            # ctransformers would take any other name for a Hugging Face repo and download it.
            raise BackendError(f"No model file at {model_path}; set LLM_MODEL_PATH to a GGML file.")
        # ctransformers' default is a thread per core, whose spinning costs far
        # more than it gains on a busy machine (measured: 100x slower on 2 cores).
        gpu_layers = n_gpu_layers if n_gpu_layers >= 0 else 10_000  # -1: every layer
        config = {"threads": n_threads or 1, "gpu_layers": gpu_layers}
        if n_ctx:
            config["context_length"] = n_ctx
        try:
            self.llm = AutoModelForCausalLM.from_pretrained(
                model_path, model_type=model_type, **config
            )
        except (OSError, RuntimeError, ValueError) as exc:
            raise BackendError(f"The model at {model_path} could not be loaded: {exc}") from None
        self.model_name = os.path.basename(model_path)
        self.context_length = n_ctx or getattr(self.llm, "context_length", 0) or 2048

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text))

    def stream_chat(
        self, messages: list[dict[str, str]], *, max_tokens: int, usage: Usage,
        decoding: Decoding | None = None,
    ) -> Iterator[str]:  # fmt: skip
        decoding = decoding or Decoding()
        prompt = "\n\n".join(f"### {m['role'].title()}:\n{m['content']}" for m in messages)
        prompt += "\n\n### Assistant:\n"
        usage.prompt_tokens = self.count_tokens(prompt)
        pieces = self.llm(prompt, max_new_tokens=max_tokens, temperature=decoding.temperature,
                          top_p=decoding.top_p, repetition_penalty=decoding.repeat_penalty,
                          seed=decoding.seed, stream=True)  # fmt: skip
        for piece in pieces:
            usage.completion_tokens += 1
            yield piece
