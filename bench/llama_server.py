"""Continuous batching on llama-server: aggregate tokens/s, one at a time vs N at once.

Starts the llama-server that `make llama-server` built, serving the bundled
model with --parallel N, and sends the same set of summary requests first
sequentially, then N at a time, through the openai backend.

    .venv/bin/python bench/llama_server.py [--parallel 4] [--requests 8] [--tokens 96]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("WAYBRIEF_DATA_DIR", tempfile.mkdtemp(prefix="wb-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "waybrief.settings")

import django  # noqa: E402

django.setup()

from summarizer import prompts  # noqa: E402
from summarizer.backends import Usage  # noqa: E402
from summarizer.backends.openai import OpenAIBackend  # noqa: E402
from tests.support.llama_server import start_llama_server  # noqa: E402

TOPICS = ["the closing of a blog platform", "archiving web pages", "Big5 text encoding",
          "rate limits of a public archive", "summarizing long documents", "running models on GPUs",
          "crawling a site politely", "recovering deleted posts"]  # fmt: skip


def one(backend: OpenAIBackend, index: int, tokens: int) -> int:
    job = prompts.Job(mode="summary", language="EN", title=f"Notes {index}", kind="article")
    text = f"Notes on {TOPICS[index % len(TOPICS)]}. " * 30
    usage = Usage()
    for _piece in backend.stream_chat(prompts.document_messages(job, text), max_tokens=tokens,
                                      usage=usage):  # fmt: skip
        pass
    return usage.completion_tokens


def run(backend: OpenAIBackend, *, workers: int, requests: int, tokens: int) -> tuple[float, int]:
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        produced = sum(pool.map(lambda i: one(backend, i, tokens), range(requests)))
    return time.perf_counter() - started, produced


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--requests", type=int, default=8)
    parser.add_argument("--tokens", type=int, default=96)
    args = parser.parse_args()
    server, base_url = start_llama_server(Path(tempfile.mkdtemp()), parallel=args.parallel)
    try:
        backend = OpenAIBackend(base_url, model="smollm2")
        one(backend, 0, 8)  # warm up
        print(f"llama-server --parallel {args.parallel}, {args.requests} requests, "
              f"{args.tokens} tokens max each, bundled SmolLM2-135M Q4_1 on CPU")  # fmt: skip
        results = {}
        for workers in (1, args.parallel):
            seconds, produced = run(backend, workers=workers, requests=args.requests,
                                    tokens=args.tokens)  # fmt: skip
            results[workers] = produced / seconds
            print(f"  {workers} at a time: {seconds:6.2f} s, {produced} tokens, "
                  f"{produced / seconds:6.1f} tokens/s aggregate")  # fmt: skip
        print(f"  batching speed-up: {results[args.parallel] / results[1]:.2f}x")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
