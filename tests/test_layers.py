"""The app graph of docs/architecture.md holds, and no app has an import cycle between modules.

- ``lint-imports`` checks the contracts of pyproject.toml (``[tool.importlinter]``): the apps in
  layers (an app imports only the apps below it), catalog and approvals limited further, the
  portal reading only (no services, views, forms, no exchange, plans or accounts);
- the cycle check builds the graph of ``kehoach.*`` modules (grimp, which import-linter uses)
  and fails on every cycle between modules of one app, listed one per line. A package whose
  ``__init__`` re-exports its submodules (which import the package back) is not a cycle:
  edges between a module and its own ancestors are left out.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(
    path.name
    for path in (ROOT / "kehoach").iterdir()
    if path.is_dir() and (path / "apps.py").exists()
)


def _lint_imports() -> str:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert found, "lint-imports is not installed (pip install -e '.[dev]')"
    return found


def test_import_contracts_hold() -> None:
    result = subprocess.run(
        [_lint_imports(), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_fail_on_an_upward_import(tmp_path: Path) -> None:
    """The contracts catch a violation: geo importing accounts (the import the issue removed)."""
    package = tmp_path / "kehoach"
    shutil.copytree(
        ROOT / "kehoach", package, ignore=shutil.ignore_patterns("__pycache__", "tests")
    )
    (package / "geo" / "upward.py").write_text("from kehoach.accounts import permissions\n")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    result = subprocess.run(
        [_lint_imports(), "--no-cache", "--contract", "layers"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "kehoach.geo.upward -> kehoach.accounts.permissions" in result.stdout


# --- cycles between the modules of an app ---------------------------------------------------


def _related(a: str, b: str) -> bool:
    """``a`` is ``b`` or one of its ancestors, or the other way round."""
    return a == b or a.startswith(b + ".") or b.startswith(a + ".")


def app_edges(graph: grimp.ImportGraph, app: str) -> dict[str, set[str]]:
    """Imports between the modules of ``kehoach.<app>`` (tests left out), without the edges
    between a package and its own submodules."""
    prefix = f"kehoach.{app}"
    modules = {
        m
        for m in graph.modules
        if (m == prefix or m.startswith(prefix + ".")) and ".tests" not in m[len(prefix) :]
    }
    edges: dict[str, set[str]] = {m: set() for m in modules}
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            if imported in modules and not _related(module, imported):
                edges[module].add(imported)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module, as one cycle through it
    (``a → b → … → a``), shortest first (Tarjan's algorithm, then a path search inside)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: set[str] = set()
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.add(item)
                if item == node:
                    break
            if len(group) > 1:
                groups.append(group)

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in sorted(edges):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    found = [_cycle_in(group, edges) for group in groups]
    return sorted(found, key=lambda cycle: (len(cycle), cycle))


def _cycle_in(group: set[str], edges: dict[str, set[str]]) -> list[str]:
    """The shortest cycle through the first module of ``group`` (breadth-first)."""
    start = min(group)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for target in sorted(edges[node] & group):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if target not in previous:
                    previous[target] = node
                    following.append(target)
        frontier = following
    return [start, start]  # unreachable: a group always has a cycle through each member


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("kehoach", include_external_packages=False, cache_dir=None)


@pytest.mark.parametrize("app", APPS)
def test_no_import_cycle_between_modules_of_an_app(graph: grimp.ImportGraph, app: str) -> None:
    found = cycles(app_edges(graph, app))
    listed = "\n".join(" → ".join(cycle) for cycle in found)
    assert not found, f"{len(found)} import cycle(s) in kehoach.{app}:\n{listed}"


def test_cycle_check_finds_a_cycle_and_ignores_a_package_and_its_modules() -> None:
    edges = {
        "kehoach.x.a": {"kehoach.x.b"},
        "kehoach.x.b": {"kehoach.x.c"},
        "kehoach.x.c": {"kehoach.x.a"},
        "kehoach.x.d": {"kehoach.x.e"},
        "kehoach.x.e": set(),
    }
    assert cycles(edges) == [["kehoach.x.a", "kehoach.x.b", "kehoach.x.c", "kehoach.x.a"]]
    edges["kehoach.x.c"] = set()
    assert cycles(edges) == []


def test_package_and_submodule_edges_are_left_out(graph: grimp.ImportGraph) -> None:
    """``exchange.marking`` re-exports its submodules, which import back from it: no cycle."""
    assert _related("kehoach.exchange.marking", "kehoach.exchange.marking.xlsx")
    assert not _related("kehoach.exchange.marking", "kehoach.exchange.markings")
    edges = app_edges(graph, "exchange")
    assert "kehoach.exchange.marking.xlsx" not in edges["kehoach.exchange.marking"]
