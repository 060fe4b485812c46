"""Print the import graph among the engine's modules (``analysis/*.py``) and any cycle.

    python scripts/check_imports.py          # layers, then each module's imports
    python scripts/check_imports.py --dot    # the graph as DOT

Every import counts: at the top of a module, inside a function, and under
``if TYPE_CHECKING:`` (an annotation is a dependency too; a cycle through one is a seam
as much as any other). Exits 1 when the graph has a cycle, after printing it.
``tests/test_import_contracts.py`` checks the same with the same functions.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path

PACKAGE = "analysis"
ROOT = Path(__file__).resolve().parent.parent


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every engine module by short name (``proxy`` for ``analysis/proxy.py``)."""
    return {p.stem: p for p in sorted((root / PACKAGE).glob("*.py")) if p.stem != "__init__"}


def imported_names(tree: ast.AST, module: str) -> set[str]:
    """The absolute names ``tree`` imports, anywhere in it (``from a import b`` gives
    ``a`` and ``a.b``, since ``b`` may be a submodule). ``module`` resolves relative
    imports."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: -node.level]
                if node.module:
                    base.append(node.module)
                source = ".".join(base)
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """``{module: modules it imports}`` among the engine's modules (short names)."""
    files = module_files(root)
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        deps: set[str] = set()
        for full in imported_names(tree, f"{PACKAGE}.{name}"):
            parts = full.split(".")
            if parts[0] == PACKAGE and len(parts) > 1 and parts[1] in files:
                deps.add(parts[1])
        deps.discard(name)
        graph[name] = deps
    return graph


def foreign_imports(root: Path, packages: Iterable[str]) -> list[tuple[str, str]]:
    """``(module, name)`` for every import in the engine of one of ``packages``."""
    wanted = set(packages)
    found: list[tuple[str, str]] = []
    for name, path in module_files(root).items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for full in sorted(imported_names(tree, f"{PACKAGE}.{name}")):
            if full.split(".")[0] in wanted:
                found.append((name, full))
    return found


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One cycle of ``graph`` as ``[a, b, ..., a]``, or None when it has none."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return [*path[path.index(dep) :], dep]
            if dep not in state:
                cycle = visit(dep)
                if cycle is not None:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle is not None:
                return cycle
    return None


def layers(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The modules by layer: layer 0 imports no engine module, layer n only lower ones.
    Only meaningful for an acyclic graph (modules on a cycle are left out)."""
    level: dict[str, int] = {}
    remaining = {name: set(deps) for name, deps in graph.items()}
    while remaining:
        ready = sorted(n for n, deps in remaining.items() if deps <= level.keys())
        if not ready:
            break
        for n in ready:
            level[n] = 1 + max((level[d] for d in remaining[n]), default=-1)
        for n in ready:
            del remaining[n]
    out: list[list[str]] = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for n, lv in sorted(level.items()):
        out[lv].append(n)
    return out


def format_report(graph: Mapping[str, Iterable[str]]) -> str:
    lines = ["layers (each imports only from layers below it):"]
    for i, names in enumerate(layers(graph)):
        lines.append(f"  {i}: {' '.join(names)}")
    lines.append("")
    lines.append("imports:")
    for name in sorted(graph):
        deps = sorted(graph[name])
        lines.append(f"  {name} -> {', '.join(deps) if deps else '(nothing)'}")
    cycle = find_cycle(graph)
    lines.append("")
    lines.append("cycle: " + (" -> ".join(cycle) if cycle else "none"))
    return "\n".join(lines) + "\n"


def format_dot(graph: Mapping[str, Iterable[str]]) -> str:
    out = ["digraph analysis {", "  rankdir=BT;"]
    for name in sorted(graph):
        out.append(f'  "{name}";')
        out.extend(f'  "{name}" -> "{dep}";' for dep in sorted(graph[name]))
    out.append("}")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot", action="store_true", help="print the graph as DOT")
    args = parser.parse_args(argv)
    graph = import_graph()
    sys.stdout.write(format_dot(graph) if args.dot else format_report(graph))
    return 1 if find_cycle(graph) is not None else 0


if __name__ == "__main__":
    sys.exit(main())
