"""The quality bench runs (at its small size) and prints its table."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_quality_bench_prints_its_table():
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "quality.py"), "--size", "small"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    header = next(line for line in lines if line.startswith("group"))
    for column in ("lang%", "copy8", "rep4", "bounds%", "leak%", "cap%", "midcut%", "faith%",
                   "ttft", "total"):  # fmt: skip
        assert column in header
    assert any(line.startswith("summary EN") for line in lines)
    assert any(line.startswith("explain EN") for line in lines)
    overall = next(line for line in lines if line.startswith("overall"))
    assert overall.split()[1] == "3"  # three runs
