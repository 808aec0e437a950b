"""Summary quality, measured: the yardstick for every prompt and decoding change.

Runs a fixed set of documents (bench/quality/docs, licences in its README)
through the real pipeline (``summarizer.generate``) in every mode, plus
target languages other than the source's, and prints per mode and language:

    lang%    the output's detected language is the one asked (or, when the
             pipeline gave up, the row's label tells the truth: ``label%``)
    copy8    share of the output's 8-grams found verbatim in the source
    rep4     share of the output's 4-grams that repeat an earlier one
    replin   repeated lines (count, per output)
    bounds%  2-8 sentences (summary, explain), 3-7 bullets (takeaway)
    leak%    chat-template tokens, preambles, echoed instructions, code in explain
    cap%     the last call ran to its token cap
    midcut%  the output ends mid-sentence without saying it was cut
    faith%   numbers, URLs and Latin-script names in the output that the source has
    ttft/total  seconds to the first token and for the whole generation

    .venv/bin/python bench/quality.py                 # the full benchmark
    .venv/bin/python bench/quality.py --size small    # a smoke test (make test)
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer import prompts  # noqa: E402
from summarizer.generate import generate  # noqa: E402
from summarizer.language import detect_language  # noqa: E402

DOCS = ROOT / "bench" / "quality" / "docs"

# file → (source language as a Kagi code, kind, code language)
DOCUMENTS = {
    "en-lighthouse.txt": ("EN", "article", ""),
    "en-sourdough.txt": ("EN", "article", ""),
    "en-library-readme.txt": ("EN", "article", ""),
    "en-city-council.txt": ("EN", "article", ""),
    "en-sleep-study.txt": ("EN", "article", ""),
    "en-canals-long.txt": ("EN", "article", ""),
    "zh-hant-xuite-backup.txt": ("ZH-HANT", "article", ""),
    "zh-hant-tea-farm.txt": ("ZH-HANT", "article", ""),
    "zh-hant-typhoon.txt": ("ZH-HANT", "article", ""),
    "zh-hans-remote-work.txt": ("ZH", "article", ""),
    "zh-hans-hiking.txt": ("ZH", "article", ""),
    "zh-hans-market-long.txt": ("ZH", "article", ""),
    "ja-bicycle.txt": ("JA", "article", ""),
    "ja-library-closing.txt": ("JA", "article", ""),
    "code-ratelimit.py": ("EN", "code", "Python"),
    "code-debounce.js": ("EN", "code", "JavaScript"),
    "code-wordcount.go": ("EN", "code", "Go"),
}
# A target language other than the source's, per document (full size).
CROSS = {
    "en-lighthouse.txt": "ZH-HANT", "en-sourdough.txt": "ZH", "en-city-council.txt": "JA",
    "en-canals-long.txt": "ZH-HANT", "zh-hant-xuite-backup.txt": "EN",
    "zh-hant-tea-farm.txt": "EN", "zh-hans-remote-work.txt": "EN",
    "zh-hans-market-long.txt": "EN", "ja-bicycle.txt": "EN", "code-ratelimit.py": "ZH-HANT",
}  # fmt: skip
SMALL = [
    ("en-lighthouse.txt", "summary", "EN"),
    ("zh-hant-tea-farm.txt", "summary", "EN"),
    ("code-ratelimit.py", "explain", "EN"),
]

_UNIT = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]|[^\W_]+", re.UNICODE)
_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]+")
_ENDS = tuple(".!?。！？」』）)\"'”’*`")
_NUMBER = re.compile(r"\d[\d,.:/-]*\d|\d")
_URL = re.compile(r"https?://\S+")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]{2,}(?:\s[A-Z][a-z]+)*")
_LEAKS = re.compile(
    r"<\|im_(?:start|end)\|>|<<SYS>>|\[/?INST\]|<\|eot_id\|>|<\|start_header_id\|>|</?s>"
    r"|^\s*(?:sure|certainly|here(?:'s| is| are)|summary:|key points:)"
    r"|write your answer in|summarize (?:this|the) (?:document|text)|\bpart \d+ of \d+\b"
    r"|the text above|consecutive parts|notes on the \d+|use only facts|in \w+ chinese, write"
    r"|請用|请用|で答えて",
    re.IGNORECASE | re.MULTILINE,
)
CUT_NOTICE = ("[cut off", "（已截斷", "（已截断", "（途中で")


@dataclass
class Row:
    doc: str
    mode: str
    target: str
    output: str = ""
    detected: str = ""
    label: str = ""
    parts: int = 1
    copy8: float = 0.0
    rep4: float = 0.0
    repeated_lines: int = 0
    in_bounds: bool = False
    leak: bool = False
    capped: bool = False
    midcut: bool = False
    faithful: float | None = None
    ttft_s: float = 0.0
    total_s: float = 0.0
    extra: dict = field(default_factory=dict)


def units(text: str) -> list[str]:
    """Words, and single CJK characters, lower-cased: n-grams across scripts."""
    return [u.casefold() for u in _UNIT.findall(text)]


def ngrams(seq: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(seq[i : i + n]) for i in range(len(seq) - n + 1)]


def copy_rate(output: str, source: str, n: int = 8) -> float:
    grams = ngrams(units(output), n)
    if not grams:
        return 0.0
    have = set(ngrams(units(source), n))
    return sum(g in have for g in grams) / len(grams)


def repeat_rate(output: str, n: int = 4) -> float:
    grams = ngrams(units(output), n)
    return (len(grams) - len(set(grams))) / len(grams) if grams else 0.0


def repeated_lines(output: str) -> int:
    seen: set[str] = set()
    repeats = 0
    for line in (ln.strip(" -*•").casefold() for ln in output.splitlines()):
        if line and line in seen:
            repeats += 1
        seen.add(line)
    return repeats


def in_bounds(output: str, mode: str) -> bool:
    if mode == "takeaway":
        bullets = [ln for ln in output.splitlines() if ln.lstrip().startswith(("- ", "* ", "• "))]
        return 3 <= len(bullets) <= 7
    sentences = len(_SENTENCE.findall(output))
    return 2 <= sentences <= 8


def leaks(output: str, mode: str) -> bool:
    if _LEAKS.search(output):
        return True
    return mode == "explain" and "```" in output


def ends_mid_sentence(output: str) -> bool:
    text = output.rstrip()
    return bool(text) and not text.endswith(_ENDS) and not any(n in text for n in CUT_NOTICE)


def _facts(text: str) -> set[str]:
    facts = {m.replace(",", "").rstrip(".") for m in _NUMBER.findall(text)}
    facts |= {m.rstrip(".,)") for m in _URL.findall(text)}
    facts |= set(_NAME.findall(text))
    return {f for f in facts if f}


def faithfulness(output: str, source: str) -> float | None:
    """Share of the output's checkable facts that the source contains."""
    facts = _facts(output)
    if not facts:
        return None
    flat = source.replace(",", "")
    return sum(f in flat for f in facts) / len(facts)


class Recorder:
    """The real backend, with each call's cap and length kept for the bench."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.model_name = inner.model_name
        self.context_length = inner.context_length
        self.calls: list[tuple[int, int]] = []  # (max_tokens, tokens written)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def stream_chat(self, messages, *, max_tokens, usage, **options):
        written = 0
        try:
            for piece in self.inner.stream_chat(messages, max_tokens=max_tokens, usage=usage,
                                                **options):  # fmt: skip
                written += 1
                yield piece
        finally:
            ran_out = usage.extra.get("finish_reason") == "length"
            self.calls.append((max_tokens, max_tokens if ran_out else written))


def runs(size: str) -> list[tuple[str, str, str]]:
    """Every document in every mode, and in its other language; interleaved
    across languages and modes, so that any prefix of a run is a fair sample."""
    if size == "small":
        return SMALL
    lanes: dict[str, list[tuple[str, str, str]]] = {}
    for name, (lang, kind, _code) in DOCUMENTS.items():
        lane = lanes.setdefault(name.split("-")[0] if kind != "code" else "code", [])
        for mode in ("explain",) if kind == "code" else ("summary", "takeaway"):
            lane.append((name, mode, lang))
        if name in CROSS:
            lane.append((name, "explain" if kind == "code" else "summary", CROSS[name]))
    out = []
    while any(lanes.values()):
        out += [lane.pop(0) for lane in lanes.values() if lane]
    return out


def load_rows(path: str) -> list[Row]:
    """Rows from --json (a list) or --jsonl (a line each)."""
    text = Path(path).read_text(encoding="utf-8").strip()
    lines = text.splitlines()
    items = json.loads(text) if text.startswith("[") else [json.loads(ln) for ln in lines]
    rows = [Row(**item) for item in items]
    for row in rows:  # re-judged by today's rules, so old and new rows compare
        row.leak = leaks(row.output, row.mode)
    return rows


def measure(
    backend: Recorder, name: str, mode: str, target: str, max_output: int, *, short: bool = False
) -> Row:
    source_lang, kind, code_language = DOCUMENTS[name]
    text = (DOCS / name).read_text(encoding="utf-8")
    title = "" if kind == "code" else text.split("\n", 1)[0].strip()
    body = text if kind == "code" else text.split("\n", 1)[1].strip()
    if short:  # the smoke test: a few paragraphs (or lines) are prompt enough
        body = "\n".join(body.split("\n")[:24]) if kind == "code" else body.split("\n\n")[0]
        text = f"{title}\n\n{body}"
    job = prompts.Job(mode=mode, language=target, title=title, kind=kind,
                      code_language=code_language)  # fmt: skip
    backend.calls.clear()
    started = time.monotonic()
    result = generate(backend, job, body, max_output=max_output)
    total = time.monotonic() - started
    output = result.output
    detected = prompts.language_code(detect_language(output)) if output.strip() else ""
    label = getattr(result, "language", "") or target
    last_cap, last_written = backend.calls[-1] if backend.calls else (max_output, 0)
    return Row(
        doc=name, mode=mode, target=target, output=output, detected=detected, label=label,
        parts=result.parts, copy8=copy_rate(output, text), rep4=repeat_rate(output),
        repeated_lines=repeated_lines(output), in_bounds=in_bounds(output, mode),
        leak=leaks(output, mode), capped=last_written >= last_cap,
        midcut=ends_mid_sentence(output), faithful=faithfulness(output, text),
        ttft_s=(result.first_token_ms or 0) / 1000, total_s=total,
        extra={"source_language": source_lang, "calls": len(backend.calls)},
    )  # fmt: skip


def _pct(values: list[bool]) -> str:
    return f"{100 * sum(values) / len(values):5.0f}" if values else "    -"


def _mean(values: list[float]) -> str:
    return f"{statistics.fmean(values):5.2f}" if values else "    -"


HEADER = (
    f"{'group':<18}{'n':>3} {'lang%':>5} {'label%':>6} {'copy8':>5} {'rep4':>5} {'replin':>6} "
    f"{'bounds%':>7} {'leak%':>5} {'cap%':>5} {'midcut%':>7} {'faith%':>6} {'ttft':>5} {'total':>6}"
)


def table_line(group: str, rows: list[Row]) -> str:
    faith = [r.faithful for r in rows if r.faithful is not None]
    return (
        f"{group:<18}{len(rows):>3} {_pct([r.detected == r.target for r in rows])} "
        f"{_pct([r.detected == r.label for r in rows]):>6} {_mean([r.copy8 for r in rows])} "
        f"{_mean([r.rep4 for r in rows])} {_mean([r.repeated_lines for r in rows]):>6} "
        f"{_pct([r.in_bounds for r in rows]):>7} {_pct([r.leak for r in rows])} "
        f"{_pct([r.capped for r in rows])} {_pct([r.midcut for r in rows]):>7} "
        f"{(f'{100 * statistics.fmean(faith):6.0f}' if faith else '     -')} "
        f"{_mean([r.ttft_s for r in rows])} {statistics.fmean([r.total_s for r in rows]):6.1f}"
    )


def table(rows: list[Row]) -> str:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(f"{row.mode} {row.target}", []).append(row)
    lines = [HEADER]
    lines += [table_line(group, groups[group]) for group in sorted(groups)]
    lines.append(table_line("overall", rows))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--size", choices=("small", "full"), default="full")
    parser.add_argument("--ctx", type=int, default=1536, help="context; small: map-reduce sooner")
    parser.add_argument("--max-output", type=int, default=0, help="0: 32 small, 256 full")
    parser.add_argument("--model", default="", help="a GGUF path; default: the bundled model")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", default="", help="write every row, outputs included, here")
    parser.add_argument("--jsonl", default="", help="append each row here as it is measured")
    parser.add_argument("--resume", action="store_true", help="skip the runs already in --jsonl")
    parser.add_argument("--show", action="store_true", help="print each output")
    parser.add_argument("--table-from", default="", help="print the table of saved rows, no model")
    parser.add_argument("--only-like", default="", help="with --table-from: the runs in this file")
    args = parser.parse_args(argv)
    if args.table_from:
        rows = load_rows(args.table_from)
        if args.only_like:
            keep = {(r.doc, r.mode, r.target) for r in load_rows(args.only_like)}
            rows = [r for r in rows if (r.doc, r.mode, r.target) in keep]
        print(table(rows))
        return 0

    from summarizer.backends import bundled_model_path
    from summarizer.backends.llama_cpp import LlamaCppBackend

    inner = LlamaCppBackend(args.model or bundled_model_path(), n_ctx=args.ctx,
                            n_threads=args.threads)  # fmt: skip
    backend = Recorder(inner)
    max_output = args.max_output or (32 if args.size == "small" else 256)
    print(f"model {inner.model_name}, n_ctx {inner.context_length}, max output {max_output}, "
          f"prompt version {prompts.VERSION}, size {args.size}")  # fmt: skip
    rows = load_rows(args.jsonl) if args.resume and Path(args.jsonl).is_file() else []
    done = {(r.doc, r.mode, r.target) for r in rows}
    for name, mode, target in runs(args.size):
        if (name, mode, target) in done:
            continue
        row = measure(backend, name, mode, target, max_output, short=args.size == "small")
        rows.append(row)
        if args.jsonl:
            with open(args.jsonl, "a", encoding="utf-8") as f:
                f.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
        if args.show:
            print(f"--- {name} {mode} {target} → {row.detected} (label {row.label}), "
                  f"{row.parts} part(s), {row.total_s:.1f}s\n{row.output}")  # fmt: skip
    print(table(rows))
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in rows], ensure_ascii=False,
                                              indent=1))  # fmt: skip
    inner.llm.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
