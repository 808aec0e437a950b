"""Any OpenAI-compatible server: llama-server (continuous batching), vLLM, Ollama.

The server's address is configured by the operator and trusted as it is; it
does not pass through the SSRF guard meant for user-supplied URLs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx

from waybrief.fetching.deadline import deadline_transport

from .base import BackendError, Decoding, PromptProgress, Usage


class OpenAIBackend:
    def __init__(
        self, base_url: str, *, model: str, api_key: str = "", context_length: int = 0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.model_name = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        # Reads end at the deadline of the generation in progress (generate.py
        # sets it), so a server that stalls mid-answer cannot hold a worker.
        self.client = httpx.Client(headers=headers, timeout=httpx.Timeout(600, connect=10),
                                   transport=deadline_transport())  # fmt: skip
        # llama-server (it answers /props) also reports how far it has read a
        # prompt, and keeps each slot's last prompt cached; others are not asked.
        self.llama_server = False
        self.context_length = self._server_context() or 4096
        if context_length:
            self.context_length = context_length
        self._tokenize = True  # until the server shows it has no /tokenize

    def _server_context(self) -> int:
        """llama-server reports its per-slot context at /props; others do not."""
        try:
            props = self.client.get(self.base_url.removesuffix("/v1") + "/props").json()
            settings = props.get("default_generation_settings", {})
            context = int(settings.get("n_ctx") or props.get("n_ctx") or 0)
        except (httpx.HTTPError, ValueError, AttributeError):
            return 0
        self.llama_server = bool(context)
        return context

    def count_tokens(self, text: str) -> int:
        """llama-server's exact count; each is a round trip, so the chunker
        asks for few (once per part, not per paragraph)."""
        if not self._tokenize:
            return _estimate(text)
        try:
            response = self.client.post(
                self.base_url.removesuffix("/v1") + "/tokenize", json={"content": text}
            )
            response.raise_for_status()
            return len(response.json()["tokens"])
        except (httpx.HTTPError, KeyError, ValueError):
            # No tokenizer endpoint (vLLM, Ollama): estimate from now on, no more asking.
            self._tokenize = False
            return _estimate(text)

    def stream_chat(
        self, messages: list[dict[str, str]], *, max_tokens: int, usage: Usage,
        decoding: Decoding | None = None, on_prompt: PromptProgress | None = None,
    ) -> Iterator[str]:  # fmt: skip
        decoding = decoding or Decoding()
        body = {
            "model": self.model_name,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": decoding.temperature,
            "top_p": decoding.top_p,
            "seed": decoding.seed,
            # llama-server's name; OpenAI-compatible servers ignore what they lack.
            "repeat_penalty": decoding.repeat_penalty,
            "stream": True,
            "stream_options": {"include_usage": True},
        }
        if self.llama_server:
            # Its slot keeps the last prompt's KV cache: a prompt that starts the
            # same way (the system prompt; the whole document on the language
            # retry) is read only past the shared part. And it says how far it read.
            body.update(cache_prompt=True, return_progress=on_prompt is not None)
        try:
            with self.client.stream("POST", f"{self.base_url}/chat/completions", json=body) as r:
                if r.status_code >= 400:
                    r.read()
                    raise BackendError(f"The model server answered {r.status_code}: {r.text[:300]}")
                yield from _sse_pieces(r.iter_lines(), usage, on_prompt)
        except httpx.HTTPError as exc:
            raise BackendError(f"The model server at {self.base_url} failed: {exc}") from None


def _estimate(text: str) -> int:
    """A cautious count: no tokenizer makes fewer than a token per 3 bytes."""
    return len(text.encode("utf-8")) // 3 + 1


def _sse_pieces(
    lines: Iterator[str], usage: Usage, on_prompt: PromptProgress | None = None
) -> Iterator[str]:
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[5:].strip()
        if data == "[DONE]":
            break
        event = json.loads(data)
        _server_figures(event, usage, on_prompt)
        if event.get("usage"):
            usage.prompt_tokens = event["usage"].get("prompt_tokens", usage.prompt_tokens)
            usage.completion_tokens = event["usage"].get("completion_tokens", 0)
        for choice in event.get("choices", []):
            if reason := choice.get("finish_reason"):
                usage.extra["finish_reason"] = reason  # "length": ran to max_tokens
            if piece := (choice.get("delta") or {}).get("content"):
                if not event.get("usage"):
                    usage.completion_tokens += 1
                yield piece


def _server_figures(event: dict, usage: Usage, on_prompt: PromptProgress | None) -> None:
    """llama-server's own figures: ``prompt_progress`` while it reads the
    prompt (tokens in the slot so far, of the prompt's total; the cached part
    included), and ``timings`` (prefill and generation apart)."""
    progress = event.get("prompt_progress")
    if isinstance(progress, dict):
        total, read = int(progress.get("total") or 0), int(progress.get("processed") or 0)
        usage.cached_tokens = int(progress.get("cache") or 0)
        if on_prompt is not None and total:
            on_prompt(min(read, total), total)
    timings = event.get("timings")
    if isinstance(timings, dict):
        usage.prompt_ms = float(timings.get("prompt_ms") or 0.0)
        if "cache_n" in timings:
            usage.cached_tokens = int(timings["cache_n"] or 0)
        usage.extra["timings"] = timings
