"""The shape the project promises: engines never import streamlit, lab packages import each
other without a cycle (lazy imports inside functions included), pages stay thin."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import ROOT

LABS = ROOT / "labs"
PAGE_LIMIT = 250


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return out


def lab_packages() -> list[str]:
    return sorted(p.name for p in LABS.iterdir() if (p / "__init__.py").exists()
                  or (p.is_dir() and any(p.glob("*.py"))))


def package_graph() -> dict[str, set[str]]:
    """lab package -> the other lab packages it imports."""
    packages = set(lab_packages())
    graph: dict[str, set[str]] = {p: set() for p in packages}
    for pkg in packages:
        for file in (LABS / pkg).rglob("*.py"):
            for mod in imported_modules(file):
                parts = mod.split(".")
                if parts[0] == "labs" and len(parts) > 1 and parts[1] in packages \
                        and parts[1] != pkg:
                    graph[pkg].add(parts[1])
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle as a path [a, b, ..., a], or None (depth-first search with colours)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_find_cycle_finds_a_planted_cycle_and_passes_a_dag():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_lab_packages_import_each_other_without_a_cycle():
    cycle = find_cycle(package_graph())
    assert cycle is None, "package import cycle: " + " -> ".join(cycle or [])


def test_labs_never_import_streamlit():
    offenders = [str(f.relative_to(ROOT)) for f in LABS.rglob("*.py")
                 if any(m.split(".")[0] == "streamlit" for m in imported_modules(f))]
    assert not offenders


def test_every_page_is_at_most_250_lines():
    long = {p.name: n for p in (ROOT / "app" / "app_pages").glob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > PAGE_LIMIT}
    assert not long, f"pages over {PAGE_LIMIT} lines (move logic into a view in labs/): {long}"
