"""The layers hold: no file imports another in a loop, and the contracts pass.

import-linter (``[tool.importlinter]`` in pyproject.toml) checks which layer may
import which; this test checks what it cannot: that no two files of the
project import each other, directly or round a longer loop, even inside a
function (the kind of import that once hid five loops).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("api", "sites", "library", "crawler", "archiver", "summarizer", "wayback", "waybrief")


def _graph() -> dict[str, set[str]]:
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        if ".migrations" in module:
            continue
        imported = graph.find_modules_directly_imported_by(module)
        # A package's __init__ re-exporting its own modules is not a loop.
        edges[module] = {m for m in imported if not module.startswith(m + ".")}
    return edges


def import_cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in edges.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for node in sorted(edges):
        if node not in index:
            visit(node)
    return cycles


def test_it_finds_a_loop_when_there_is_one():
    """GIVEN a graph where a imports b and b imports a THEN that is one cycle."""
    assert import_cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_no_file_of_the_project_imports_another_in_a_loop():
    assert import_cycles(_graph()) == []


def test_the_layer_contracts_hold():
    """The same check as ``make lint``: each layer imports only those below it."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports"))],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
