"""Summarizer overhead: end-to-end task time against a raw llama.cpp call.

For each fixed local document, the whole pipeline (fetch over loopback,
extract, database rows, prompt, model, clean-up) is timed against a bare
llama-cpp-python streaming call with the identical messages and sampling,
in the same process, alternating the order; "non-model ms" is the pipeline's
own time outside the model (fetch, extract, rows, prompt), read from its timings.
Reading the prompt (prefill) and writing the answer (generation) are timed
apart: "read tok/s" is prompt tokens read per second of reading, "write tok/s"
answer tokens per second from the first to the last. Then the KV prefix reuse
(what a call finds already read: the system prompt for every map-reduce part,
the whole document for the language retry) against the same calls read from
scratch, and the cached paths.

    .venv/bin/python bench/summarize.py [--repeat 3] [--small]

Uses a throw-away SQLite database unless DATABASE_URL is set.
"""

# ruff: noqa: E402 (Django is set up before the project's modules are imported)
from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("WAYBRIEF_DATA_DIR", tempfile.mkdtemp(prefix="wb-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waybrief.settings")
os.environ["FETCH_ALLOW_PRIVATE"] = "1"

import django

django.setup()

from django.core.management import call_command

from summarizer import prompts, services
from summarizer.backends import Usage, bundled_model_path
from summarizer.backends.llama_cpp import SAMPLING, LlamaCppBackend
from summarizer.extract import extract
from summarizer.generate import generate
from tests.support.documents import (
    ARTICLE,
    JS,
)
from tests.support.documents import POST as BIG5_POST
from tests.support.http import LocalServer, Reply
from waybrief.fetching import Fetcher

LONG = (ROOT / "bench/quality/docs/en-canals-long.txt").read_text()
DOCUMENTS = {
    "english-article": (ARTICLE.encode(), "text/html"),
    "big5-article": (BIG5_POST.encode("cp950"), "text/html"),
    "javascript": (JS, "application/javascript"),
}


def raw_call(backend: LlamaCppBackend, messages, max_tokens: int) -> tuple[float, float, int]:
    """Seconds, seconds to first token, tokens: llama-cpp-python with nothing around it."""
    started = time.perf_counter()
    first = None
    tokens = 0
    for chunk in backend.llm.create_chat_completion(
        messages=messages, max_tokens=max_tokens, stream=True, **SAMPLING
    ):
        if chunk["choices"][0]["delta"].get("content"):
            first = first or time.perf_counter() - started
            tokens += 1
    return time.perf_counter() - started, first or 0.0, tokens


def pipeline_call(url: str, fetcher: Fetcher, backend) -> tuple[float, dict, int]:
    started = time.perf_counter()
    summary = services.request_summary(url=url, enqueue=False, use_cache=False)
    summary = services.run_summary(summary_id=summary.pk, fetcher=fetcher, backend=backend)
    elapsed = time.perf_counter() - started
    assert summary.state == "done", summary.error_message
    summary.delete()  # so the next round is not a content-cache hit
    return elapsed, summary.timings, summary.tokens_out


def messages_for(url: str, fetcher: Fetcher) -> tuple[list[dict], str]:
    extracted = extract(fetcher.fetch(url))
    mode = "explain" if extracted.kind == "code" else "summary"
    job = prompts.Job(mode=mode, language=prompts.language_code(extracted.language),
                      title=extracted.title, kind=extracted.kind,
                      code_language=extracted.code_language)  # fmt: skip
    return prompts.document_messages(job, extracted.text), mode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--small", action="store_true",
                        help="one document, 1 round, 64-token answers: a quick look")  # fmt: skip
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from django.conf import settings

    if args.small:
        args.repeat = 1
        settings.LLM_MAX_OUTPUT_TOKENS = 64
    backend = LlamaCppBackend(bundled_model_path(), n_ctx=4096)
    fetcher = Fetcher(allow_private=True)
    server = LocalServer().start()
    max_tokens = min(settings.LLM_MAX_OUTPUT_TOKENS, backend.context_length // 4)
    print(f"model {backend.model_name}, n_ctx {backend.context_length}, repeat {args.repeat}, "
          f"max tokens {max_tokens}")  # fmt: skip
    print(f"{'document':16} {'e2e s':>7} {'raw s':>7} {'ratio':>6} {'ttft ms':>8} "
          f"{'tok/s':>6} {'tokens':>7} {'raw tok':>7} {'non-model ms':>12} "
          f"{'read tok':>8} {'read tok/s':>10} {'write tok/s':>11}")  # fmt: skip
    ratios = []
    documents = list(DOCUMENTS.items())[:1] if args.small else DOCUMENTS.items()
    try:
        for name, (body, content_type) in documents:
            url = server.route(f"/{name}", Reply(200, body, {"Content-Type": content_type}))
            messages, _mode = messages_for(url, fetcher)
            raw_call(backend, messages, 8)  # warm the caches of both paths alike
            e2e, raw, ttft, tokens, raw_tokens, outside = [], [], [], [], [], []
            read_speed, write_speed, read_tokens = [], [], []
            for round_ in range(args.repeat):
                order = [0, 1] if round_ % 2 == 0 else [1, 0]
                for which in order:
                    # Neither path may reuse the other's KV cache for the shared prefix.
                    backend.llm.reset()
                    if which == 0:
                        seconds, timings, count = pipeline_call(url, fetcher, backend)
                        e2e.append(seconds)
                        ttft.append(timings.get("first_token_ms", 0))
                        outside.append(timings["total_ms"] - timings["llm_ms"])
                        tokens.append(count)
                        read_tokens.append(timings["prompt_tokens_read"])
                        read_speed.append(_per_second(read_tokens[-1], timings["prompt_ms"]))
                        # The first piece's own token is written before the clock starts.
                        write_speed.append(_per_second(count - 1, timings["write_ms"]))
                    else:
                        seconds, _first, count = raw_call(backend, messages, max_tokens)
                        raw.append(seconds)
                        raw_tokens.append(count)
            e2e_s, raw_s = statistics.median(e2e), statistics.median(raw)
            ratios.append(e2e_s / raw_s)
            out_tokens, in_raw = statistics.median(tokens), statistics.median(raw_tokens)
            non_model = statistics.median(outside)
            print(f"{name:16} {e2e_s:7.3f} {raw_s:7.3f} {e2e_s / raw_s:6.3f} "
                  f"{statistics.median(ttft):8.1f} {out_tokens / e2e_s:6.1f} "
                  f"{int(out_tokens):7d} {int(in_raw):7d} {non_model:12.1f} "
                  f"{int(statistics.median(read_tokens)):8d} "
                  f"{statistics.median(read_speed):10.1f} "
                  f"{statistics.median(write_speed):11.1f}")  # fmt: skip
        print(
            f"overhead ratio (median of documents): {statistics.median(ratios):.3f} "
            "(target <= 1.05)"
        )
        report_prefix_reuse(args.small)
        report_cache(server, fetcher, backend)
    finally:
        server.stop()


def _per_second(tokens: float, ms: float) -> float:
    return tokens / (ms / 1000) if ms > 0 else 0.0


def report_prefix_reuse(small: bool) -> None:
    """Map-reduce of a long page, and a language retry, with the KV prefix
    kept between calls (as a worker runs) against every call read from scratch."""
    n_ctx = 1024 if small else 2048  # the demonstration model's effective context, or less
    backend = LlamaCppBackend(bundled_model_path(), n_ctx=n_ctx)
    job = prompts.Job(mode="summary", language="EN", title="", kind="article")
    text = LONG if small else LONG * 2
    print(f"KV prefix reuse (n_ctx {n_ctx}, {len(text)} characters):")
    print(f"{'case':24} {'reuse':>5} {'calls':>5} {'prompt tok':>10} {'cached':>7} "
          f"{'read ms':>9} {'first tok ms':>12} {'total ms':>9}")  # fmt: skip
    try:
        for reuse in (True, False):
            backend.reuse_prefix = reuse
            backend.llm.reset()
            result = generate(backend, job, text, max_output=48)
            print(f"{'map-reduce':24} {str(reuse):>5} {result.parts + 1:5d} "
                  f"{result.tokens_in:10d} {result.cached_tokens:7d} {result.prompt_ms:9.0f} "
                  f"{result.first_token_ms or 0:12.0f} {result.llm_ms:9.0f}")  # fmt: skip
        document = LONG[:2000]
        first = prompts.document_messages(job, document)
        retry = prompts.document_messages(dataclasses.replace(job, strict=True), document)
        for reuse in (True, False):
            backend.reuse_prefix = reuse
            backend.llm.reset()
            list(backend.stream_chat(first, max_tokens=16, usage=Usage()))
            usage = Usage()
            started = time.perf_counter()
            list(backend.stream_chat(retry, max_tokens=16, usage=usage))
            total = (time.perf_counter() - started) * 1000
            print(f"{'language retry':24} {str(reuse):>5} {1:5d} {usage.prompt_tokens:10d} "
                  f"{usage.cached_tokens:7d} {usage.prompt_ms:9.0f} {'':>12} "
                  f"{total:9.0f}")  # fmt: skip
    finally:
        backend.reuse_prefix = True
        backend.llm.close()


def report_cache(server: LocalServer, fetcher: Fetcher, backend) -> None:
    url = server.url("/english-article")
    summary = services.request_summary(url=url, enqueue=False)
    services.run_summary(summary_id=summary.pk, fetcher=fetcher, backend=backend)
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        cached = services.request_summary(url=url, enqueue=False)
        timings.append((time.perf_counter() - started) * 1000)
        assert cached.pk == summary.pk
    print(
        f"cached summary by URL: median {statistics.median(timings):.2f} ms, "
        f"max {max(timings):.2f} ms over 50 (target <= 20 ms)"
    )
    mirror = server.route("/mirror", server.routes["/english-article"])
    started = time.perf_counter()
    again = services.request_summary(url=mirror, enqueue=False)
    again = services.run_summary(summary_id=again.pk, fetcher=fetcher, backend=backend)
    print(
        f"cached summary by content (refetch + extract, no model): "
        f"{(time.perf_counter() - started) * 1000:.1f} ms, cache_hit={again.cache_hit}"
    )


if __name__ == "__main__":
    main()
