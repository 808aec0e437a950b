"""The GPU path, measured three ways on one synthetic Llama-3-8B-shaped Q4_K_M GGUF.

  (a) llama.cpp's own llama-bench: pp512 and tg128 (the ceiling on this file);
  (b) the project's in-process llama_cpp backend on a 2,000-token page: prompt
      tokens/s, generated tokens/s and time to first token, against (a);
  (c) llama-server through the project's openai backend with --parallel 8 and 32:
      pages per minute for 64 pages of 2,000 tokens in and 200 out, against one
      page at a time on the same server.

Weights are synthetic (bench/gpu_model.py): speed does not depend on them.

    python bench/gpu.py                 # the GPU shape; one line and exit 0 with no GPU
    python bench/gpu.py --shape tiny    # a tiny shape on the CPU (tests/bench/test_gpu_tiny.py)

Binaries: LLAMA_SERVER_BIN and LLAMA_BENCH_BIN (scripts/gpu-check.sh sets them to the
CUDA build); else scripts/build-llama-server.sh's. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
from gpu_model import LLAMA3_8B, TINY, Shape, page_text, write_gguf  # noqa: E402


@dataclass(frozen=True)
class Plan:
    shape: Shape
    page_tokens: int
    out_tokens: int
    pages: int
    parallel: tuple[int, int]
    single_pages: int  # one at a time, for the single-stream figure
    pp: int
    tg: int


PLANS = {
    "llama3-8b": Plan(
        LLAMA3_8B,
        page_tokens=2000,
        out_tokens=200,
        pages=64,
        parallel=(8, 32),
        single_pages=4,
        pp=512,
        tg=128,
    ),  # fmt: skip
    "tiny": Plan(
        TINY, page_tokens=64, out_tokens=16, pages=8, parallel=(2, 4), single_pages=2, pp=64, tg=16
    ),  # fmt: skip
}


def gpu_name() -> str:
    """The first NVIDIA GPU nvidia-smi lists, or "" when there is none."""
    if not shutil.which("nvidia-smi"):
        return ""
    try:
        out = subprocess.run(["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
                             capture_output=True, text=True, timeout=30)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() else ""


def binaries() -> tuple[str, str]:
    server = os.environ.get("LLAMA_SERVER_BIN")
    if not server:
        build = ROOT / "scripts/build-llama-server.sh"
        server = subprocess.run([str(build)], cwd=ROOT, check=True, capture_output=True,
                                text=True).stdout.strip()  # fmt: skip
    bench = os.environ.get("LLAMA_BENCH_BIN") or str(Path(server).with_name("llama-bench"))
    return server, bench


def prompt_texts() -> list[str]:
    """Everything the prompt says besides the page, for the vocabulary."""
    from summarizer import prompts

    return [m["content"] for m in prompts.document_messages(_job(), "")]


def _job():
    from summarizer import prompts

    return prompts.Job(mode="summary", language="EN", title="", kind="article")


def llama_bench(binary: str, model: Path, plan: Plan, ngl: int, threads: int,
                flash: str, log: Path) -> dict[str, float]:  # fmt: skip
    """llama-bench's mean tokens/s for pp and tg, per flash-attention setting, on an
    empty context (the published figures) and after a page (where (b) generates)."""
    cmd = [binary, "-m", str(model), "-p", str(plan.pp), "-n", str(plan.tg), "-ngl", str(ngl),
           "-t", str(threads), "-fa", flash, "-d", f"0,{plan.page_tokens}", "-r", "3",
           "-o", "json"]  # fmt: skip
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    log.write_text(" ".join(cmd) + "\n" + out.stderr)
    out.check_returncode()
    figures = {}
    for row in json.loads(out.stdout):
        test = f"pp{row['n_prompt']}" if row["n_prompt"] else f"tg{row['n_gen']}"
        fa = int(row.get("flash_attn", 0) not in (0, False, "0"))
        figures[f"{test} fa{fa} d{row.get('n_depth', 0)}"] = float(row["avg_ts"])
    return figures


def in_process(model: Path, plan: Plan, pages: list[str], ngl: int, threads: int) -> dict:
    """The llama_cpp backend as a worker runs it, timed from outside, per page."""
    import llama_cpp

    from summarizer.backends import Usage
    from summarizer.backends.llama_cpp import LlamaCppBackend
    from summarizer.prompts import document_messages

    backend = LlamaCppBackend(str(model), n_ctx=plan.page_tokens + plan.out_tokens + 256,
                              n_gpu_layers=ngl, n_threads=threads)  # fmt: skip
    if backend.count_tokens(pages[0]) != plan.page_tokens:
        raise RuntimeError("the synthetic vocabulary does not make each page word one token")
    for _ in backend.stream_chat(document_messages(_job(), "warm up"), max_tokens=4,
                                 usage=Usage()):  # fmt: skip
        pass
    runs = []
    for page in pages:
        llama_cpp.llama_perf_context_reset(backend.llm.ctx)
        started = time.perf_counter()
        first = last = 0.0
        for _ in backend.stream_chat(document_messages(_job(), page), max_tokens=plan.out_tokens,
                                     usage=Usage()):  # fmt: skip
            last = time.perf_counter()
            first = first or last
        perf = llama_cpp.llama_perf_context(backend.llm.ctx)
        # llama.cpp's counters say how many tokens went in and came out; the clock is ours.
        runs.append({"ttft": first - started, "prompt": perf.n_p_eval / (first - started),
                     # the first token comes from the prompt's pass, each later one from an eval
                     "gen": perf.n_eval / (last - first), "page_s": last - started,
                     "n_prompt": perf.n_p_eval, "n_gen": perf.n_eval + 1})  # fmt: skip
    backend.llm.close()
    return {k: statistics.median(r[k] for r in runs) for k in runs[0]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def served(binary: str, model: Path, plan: Plan, pages: list[str], parallel: int, ngl: int,
           threads: int, log: Path, single: bool) -> dict:  # fmt: skip
    """Pages per minute through the openai backend, ``parallel`` at a time (and one at a
    time first, when ``single``), on llama-server --parallel ``parallel``."""
    from summarizer.backends import Usage
    from summarizer.backends.openai import OpenAIBackend
    from summarizer.prompts import document_messages

    port = _free_port()
    slot = plan.page_tokens + plan.out_tokens + 256
    cmd = [binary, "-m", str(model), "--host", "127.0.0.1", "--port", str(port), "--parallel",
           str(parallel), "-c", str(slot * parallel), "-ngl", str(ngl), "--threads", str(threads),
           "--alias", "synthetic", "--no-webui"]  # fmt: skip
    with log.open("wb") as out:
        server = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"llama-server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("llama-server did not come up in 300 s")
            time.sleep(0.5)
        backend = OpenAIBackend(f"http://127.0.0.1:{port}/v1", model="synthetic")

        def one(page: str) -> tuple[int, int]:
            usage = Usage()
            for _ in backend.stream_chat(document_messages(_job(), page),
                                         max_tokens=plan.out_tokens, usage=usage):  # fmt: skip
                pass
            return usage.prompt_tokens, usage.completion_tokens

        one("warm up")
        result = {}
        # One at a time on pages of its own, so no prompt is in the server's cache twice.
        rounds = [("single", 1, pages[plan.pages :])] if single else []
        for label, workers, batch in [*rounds, (f"p{parallel}", parallel, pages[: plan.pages])]:
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=workers) as pool:
                counts = list(pool.map(one, batch))
            seconds = time.perf_counter() - started
            result[label] = {"ppm": len(batch) / seconds * 60, "seconds": seconds,
                             "pages": len(batch), "gen": sum(c[1] for c in counts),
                             "prompt": sum(c[0] for c in counts)}  # fmt: skip
        return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def table(rows: list[tuple[str, float, str, str]]) -> str:
    lines = ["| measure | value | unit | ratio |", "| --- | ---: | --- | --- |"]
    lines += [f"| {name} | {value:.2f} | {unit} | {ratio} |" for name, value, unit, ratio in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", choices=sorted(PLANS), default="llama3-8b")
    parser.add_argument("--gguf", type=Path, help="where to write the model (default: a temp dir)")
    parser.add_argument("--logs", type=Path, help="where the binaries' logs go")
    parser.add_argument("--threads", type=int, default=min(8, os.cpu_count() or 1))
    parser.add_argument("--ngl", type=int, help="layers on the GPU (default: all with a GPU)")
    args = parser.parse_args()
    plan = PLANS[args.shape]
    gpu = gpu_name()
    if not gpu and args.shape != "tiny":
        print(f"no GPU here (no nvidia-smi or no CUDA device): {args.shape} not measured; "
              "try --shape tiny")  # fmt: skip
        return 0
    ngl = args.ngl if args.ngl is not None else (99 if gpu else 0)
    work = Path(tempfile.mkdtemp(prefix="wb-gpu-"))
    logs = args.logs or work
    logs.mkdir(parents=True, exist_ok=True)
    model = args.gguf or work / f"synthetic-{plan.shape.name}-q4_k_m.gguf"

    started = time.perf_counter()
    words = write_gguf(model, plan.shape, prompt_texts())
    wrote = time.perf_counter() - started
    pages = [
        page_text(words, plan.page_tokens, seed) for seed in range(plan.pages + plan.single_pages)
    ]
    server_bin, bench_bin = binaries()
    size = model.stat().st_size / 1e9
    print(f"synthetic {plan.shape.name} Q4_K_M, {size:.2f} GB written in {wrote:.1f} s; "
          f"{gpu or 'CPU'}, -ngl {ngl}, {args.threads} threads", flush=True)  # fmt: skip

    flash = "0,1" if gpu else "0"
    a = llama_bench(bench_bin, model, plan, ngl, args.threads, flash, logs / "llama-bench.log")
    print(f"(a) done: {a}", flush=True)
    b = in_process(model, plan, pages[:3], ngl, args.threads)
    print(f"(b) done: {b}", flush=True)
    c: dict = {}
    for i, n in enumerate(plan.parallel):
        c.update(served(server_bin, model, plan, pages, n, ngl, args.threads,
                        logs / f"llama-server-p{n}.log", single=i == 0))  # fmt: skip
    print(f"(c) done: {json.dumps(c)}", flush=True)

    pp, tg = f"pp{plan.pp}", f"tg{plan.tg}"
    rows = [(f"(a) llama-bench {k.replace(' fa', ' flash-attn ').replace(' d', ' depth ')}", v,
             "tok/s", "") for k, v in a.items()]  # fmt: skip
    deep = f"d{plan.page_tokens}"
    # The backend runs llama-cpp-python's default, flash attention off: compare like with like.
    rows += [
        ("(b) backend prompt", b["prompt"], "tok/s",
         f"{b['prompt'] / a[f'{pp} fa0 d0']:.2f} of (a) {pp}"),
        ("(b) backend generated", b["gen"], "tok/s",
         f"{b['gen'] / a[f'{tg} fa0 d0']:.2f} of (a) {tg}; "
         f"{b['gen'] / a[f'{tg} fa0 {deep}']:.2f} of (a) {tg} at depth {plan.page_tokens}"),
        (f"(b) backend time to first token, {b['n_prompt']:.0f}-token prompt", b["ttft"] * 1000,
         "ms", ""),
        ("(b) backend one page", 60 / b["page_s"], "pages/min", ""),
    ]  # fmt: skip
    base = c["single"]["ppm"]
    rows.append(("(c) llama-server, one page at a time", base, "pages/min", "1.00 of single"))
    for n in plan.parallel:
        r = c[f"p{n}"]
        rows.append((f"(c) llama-server --parallel {n}, {r['pages']} pages", r["ppm"], "pages/min",
                     f"{r['ppm'] / base:.2f} of single"))  # fmt: skip
    print(f"pages: {plan.page_tokens} tokens in, up to {plan.out_tokens} out; generated "
          + ", ".join(f"{k}: {v['gen']} tokens" for k, v in c.items()))  # fmt: skip
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
