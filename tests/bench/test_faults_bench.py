"""Issue 16's fault scenarios in bench/faults.py run (at a tiny size) and lose nothing.

The bench is the at-size check; this keeps its three newest scenarios from
rotting between runs: Redis killed twice with no supervisor, a model silent
for three leases, and the embedded default under a worker kill.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ("redis-twice", "long-model", "embedded-kill")


def bench_database_url() -> str:
    """A database of the bench's own on the test suite's PostgreSQL."""
    base = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(base._replace(path="/wb_faults_bench_tiny"))


@pytest.mark.integration
def test_the_new_fault_scenarios_finish_every_unit_once_at_a_tiny_size():
    """GIVEN 10 captures and 2 summaries per scenario, Redis killed 5 s apart,
    a model silent 6 s under a 2 s lease, and one kill of the embedded worker
    THEN every row of the table is all final, none lost, none duplicated; the
    long model was called once per summary and no worker exited by itself."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("the fault bench needs PostgreSQL (DATABASE_URL)")
    command = [
        sys.executable, str(ROOT / "bench" / "faults.py"), "--urls", "10", "--summaries", "2",
        "--kills", "1", "--only", ",".join(SCENARIOS), "--redis-gap", "5",
        "--long-prompt", "6", "--long-lease", "2", "--long-summaries", "1",
        "--database-url", bench_database_url(),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=420, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-3000:]

    rows = {}
    for line in done.stdout.splitlines():
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] in SCENARIOS:
            rows[cells[0]] = cells
    assert set(rows) == set(SCENARIOS), done.stdout
    for name, (_, units, final, lost, duplicated, *_rest, note) in rows.items():
        assert (units, lost, duplicated) == (final, "0", "0"), (name, note)
    long = rows["long-model"]
    assert long[5] == "0" and "1 model calls for 1 summaries" in long[-1]
    assert "0 of 2 workers exited" in rows["redis-twice"][-1]
