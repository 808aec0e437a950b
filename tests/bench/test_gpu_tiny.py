"""Issue 23's GPU bench (bench/gpu.py) runs end to end at its tiny shape on the CPU.

The GPU figures are taken only where a GPU is lent; this keeps the script that
takes them working between those runs: the synthetic GGUF loads in llama-bench,
the in-process backend and llama-server, and the table comes out whole.
"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support.waiting import ROOT

ROW = re.compile(
    r"^\| (?P<name>[^|]+?) \| (?P<value>[-0-9.]+) \| (?P<unit>[^|]+?) \| (?P<ratio>[^|]*?) \|$"
)


def table_rows(output: str) -> dict[str, tuple[float, str, str]]:
    rows = {}
    for line in output.splitlines():
        if match := ROW.match(line):
            rows[match["name"]] = (float(match["value"]), match["unit"], match["ratio"])
    return rows


def test_the_tiny_shape_measures_all_three_ways_and_prints_the_table(tmp_path):
    """GIVEN no GPU and --shape tiny THEN bench/gpu.py writes the tiny synthetic GGUF,
    runs llama-bench, the llama_cpp backend and llama-server (--parallel 2 and 4)
    through the openai backend, and prints a table whose figures are all positive,
    with a ratio for each of (b) against (a) and each --parallel against one at a time."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench/gpu.py"), "--shape", "tiny", "--threads", "1",
         "--gguf", str(tmp_path / "tiny.gguf"), "--logs", str(tmp_path / "logs")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    rows = table_rows(out.stdout)
    expected = {
        "(a) llama-bench pp64 flash-attn 0 depth 0",
        "(a) llama-bench tg16 flash-attn 0 depth 0",
        "(a) llama-bench tg16 flash-attn 0 depth 64",
        "(b) backend prompt",
        "(b) backend generated",
        "(c) llama-server, one page at a time",
        "(c) llama-server --parallel 2, 8 pages",
        "(c) llama-server --parallel 4, 8 pages",
    }
    assert expected <= rows.keys(), out.stdout
    assert all(value > 0 for value, _unit, _ratio in rows.values()), out.stdout
    ratios = {name: ratio for name, (_v, _u, ratio) in rows.items() if ratio}
    assert re.match(r"[0-9.]+ of \(a\) pp64", ratios["(b) backend prompt"]), ratios
    assert re.match(r"[0-9.]+ of single", ratios["(c) llama-server --parallel 4, 8 pages"]), ratios
    assert (tmp_path / "logs" / "llama-server-p4.log").stat().st_size > 0


def test_without_a_gpu_the_full_shape_says_so_in_one_line_and_exits_0():
    """GIVEN a machine with no NVIDIA GPU (PATH without nvidia-smi) and no --shape
    THEN one line says nothing was measured, and the exit status is 0."""
    out = subprocess.run([sys.executable, str(ROOT / "bench/gpu.py")], cwd=ROOT,
                         capture_output=True, text=True, timeout=120,
                         env={"PATH": "/nonexistent", "HOME": "/tmp"})  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.splitlines()) == 1 and "no GPU" in out.stdout, out.stdout
