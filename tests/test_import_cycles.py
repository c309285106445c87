"""No import cycles between the web apps nor between the modules of ``qiangji.commands``.

Every ``import`` statement of every module under ``src/qiangji`` counts, also one inside a function (a late
import hides a cycle from Python, not from the design); only ``if TYPE_CHECKING:`` blocks are skipped, since
they never run. A module belongs to a *unit*: ``qiangji.web.<app>`` (an app or a web-level module such as
``qiangji.web.indicators``) or ``qiangji.commands.<module>``; a cycle is a path of imports from a unit back
to itself through other units.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Imports that still point the wrong way, each to be removed (the test fails when one is no longer
# needed). None: the registry's site pages, which apply the accounts policy, are their own package
# (qiangji.web.directory), so the registry app imports nothing from accounts.
KNOWN: set[tuple[str, str]] = set()


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _unit(module: str) -> str | None:
    parts = module.split(".")
    if len(parts) >= 3 and parts[0] == "qiangji" and parts[1] in ("web", "commands"):
        return f"{parts[1]}.{parts[2]}"
    return None


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except the bodies of ``if TYPE_CHECKING:``."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in (child, *_runtime_nodes(child)))
            continue
        yield node
        yield from _runtime_nodes(node)


def _imported(path: Path, module: str) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def unit_graph() -> dict[str, dict[str, set[str]]]:
    """unit → imported unit → the modules whose imports make the edge."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted((SRC / "qiangji").rglob("*.py")):
        module = _module(path)
        source = _unit(module)
        for target in _imported(path, module):
            dest = _unit(target)
            if source and dest and dest != source:
                graph[source][dest].add(module)
    return graph


def cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """The strongly connected components of more than one unit (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            found.append(sorted([v, *component])) if component else None

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def _describe(graph: dict[str, dict[str, set[str]]], component: list[str]) -> str:
    edges = [
        f"  {a} → {b} ({', '.join(sorted(graph[a][b]))})"
        for a in component
        for b in sorted(graph.get(a, {}))
        if b in component
    ]
    return " ↔ ".join(component) + "\n" + "\n".join(edges)


def test_it_finds_no_import_cycle_between_apps_or_commands() -> None:
    graph = unit_graph()
    for source, dest in KNOWN:
        graph[source].pop(dest, None)
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join(_describe(graph, c) for c in found)


def test_each_known_wrong_way_import_is_still_there() -> None:
    graph = unit_graph()
    gone = {(a, b) for a, b in KNOWN if b not in graph.get(a, {})}
    assert not gone, f"remove from KNOWN, no longer imported: {sorted(gone)}"


def test_it_finds_a_cycle_through_a_late_import() -> None:
    graph: dict[str, dict[str, set[str]]] = {"a": {"b": {"m"}}, "b": {"c": {"n"}}, "c": {"a": {"o"}}, "d": {}}
    assert cycles(graph) == [["a", "b", "c"]]
    source = "def f():\n    from qiangji.web.programme import indicators\n"
    tree_path = SRC / "qiangji" / "web" / "assessment" / "derive.py"
    nodes = list(_runtime_nodes(ast.parse(source)))
    assert any(isinstance(n, ast.ImportFrom) for n in nodes) and tree_path.exists()
    typing_only = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import qiangji.web.registry\n"
    assert not [n for n in _runtime_nodes(ast.parse(typing_only)) if isinstance(n, ast.Import)]


def test_no_module_asks_whether_a_project_app_is_installed() -> None:
    # Every app of the project is always installed: a fallback for "not installed" is a second, untested
    # policy (the API's access and locking rules, the indicators of other apps, the alerts once had one).
    askers = [
        _module(path)
        for path in sorted((SRC / "qiangji").rglob("*.py"))
        if "is_installed(" in path.read_text(encoding="utf-8")
    ]
    assert askers == []


def test_assessment_reads_other_apps_indicators_through_the_registry_only() -> None:
    # The apps that feed indicators register them (qiangji.web.indicators); assessment never imports them.
    assert not {"web.programme", "web.comparisons"} & set(unit_graph()["web.assessment"])
