"""The engine's import contracts: no UI, no cycles, one exception tree.

* ``analysis`` never loads Textual, Rich or :mod:`tui` (checked by importing every engine
  module in a fresh interpreter, and by reading every import statement in its source);
* the imports among engine modules form a layered graph with no cycle. Every import
  counts — top-level, inside functions and under ``if TYPE_CHECKING:`` — as
  ``scripts/check_imports.py`` (whose functions this uses) prints it;
* the command line does not load Textual unless it opens the app;
* every exception class the engine defines lives in :mod:`analysis.errors`.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest

import analysis
from analysis import errors
from scripts.check_imports import (
    find_cycle,
    foreign_imports,
    import_graph,
    imported_names,
    layers,
    module_files,
)

ROOT = Path(__file__).resolve().parent.parent
UI_PACKAGES = ("textual", "rich", "tui")


def _engine_modules() -> list[str]:
    return sorted(f"analysis.{m.name}" for m in pkgutil.iter_modules(analysis.__path__))


def test_every_engine_module_is_seen() -> None:
    assert "analysis.errors" in _engine_modules()
    assert sorted(f"analysis.{n}" for n in module_files(ROOT)) == _engine_modules()


# -- (a) importing the engine loads no UI ---------------------------------------------------


def test_importing_the_engine_loads_no_ui() -> None:
    code = (
        "import importlib, sys\n"
        # httpx imports its optional command-line client (click, rich, pygments) when
        # click is installed; that is httpx's, not ours, so keep it out of the count.
        "sys.modules['click'] = None\n"
        f"for name in {_engine_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {set(UI_PACKAGES)!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "", f"the engine loaded UI modules: {out.stdout}"


def test_command_line_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from tui.cli import build_parser\n"
        "build_parser()\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == ""


def test_commands_that_need_no_networkx_graph_do_not_import_networkx(tmp_path: Path) -> None:
    """networkx costs a fifth of a second at start-up: the engine answers from its own
    adjacency, so printing, listing, explaining and previewing never load it."""
    recorded = tmp_path / "graph.txt"
    recorded.write_text(
        "example.com/m example.com/a@v1.0.0\n"
        "example.com/m example.com/b@v1.0.0\n"
        "example.com/a@v1.0.0 example.com/b@v1.2.0\n"
    )
    code = (
        "import sys, contextlib, io\n"
        "from tui.cli import main\n"
        "for argv in sys.argv[1:]:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        assert main(argv.split()) in (0, 1), argv  # 1: conflicts found\n"
        "import analysis.plan, analysis.session, tui.commands.get\n"
        "print('networkx' in sys.modules)\n"
    )
    commands = [
        f"graph --graph {recorded} --format text",
        f"list --graph {recorded} --json",
        f"conflicts --graph {recorded}",
        f"why --graph {recorded} example.com/b",
    ]
    out = subprocess.run(
        [sys.executable, "-c", code, *commands],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_the_versions_path_imports_neither_anyio_nor_the_go_work_parser() -> None:
    """``versions --all`` runs on asyncio alone, and a module without a go.work never
    needs its parser: both cost a cold command milliseconds of imports."""
    code = (
        "import sys\n"
        "import analysis.session, analysis.updates, analysis.versions, tui.commands.versions\n"
        "print(sorted(m for m in ('anyio', 'analysis.workfile') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# -- (b) no cycle among engine modules ---------------------------------------------------------


def test_engine_import_graph_has_no_cycle() -> None:
    graph = import_graph(ROOT)
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle in analysis/: " + " -> ".join(cycle or ())
    assert sum(len(layer) for layer in layers(graph)) == len(graph)


def test_the_bottom_of_the_engine() -> None:
    graph = import_graph(ROOT)
    # The shared vocabulary stands on nothing, or on modules that stand on nothing.
    assert graph["module"] == set()
    assert graph["memo"] == set()
    assert all(graph[dep] == set() for dep in graph["errors"])
    # The proxy client's parts sit below it, and the summaries below them all.
    assert "source" not in graph["proxy"] | graph["repos"] | graph["goproxy"]
    assert "proxy" not in graph["repos"] | graph["fetch"] | graph["goproxy"]
    assert "cache" not in graph["hashes"]


def test_cycle_finder_sees_every_kind_of_import(tmp_path: Path) -> None:
    pkg = tmp_path / "analysis"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from analysis import b\n")
    (pkg / "b.py").write_text("def f():\n    from analysis.c import x\n")
    (pkg / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n"
    )
    (pkg / "d.py").write_text("import analysis.a\nimport os\n")
    graph = import_graph(tmp_path)
    assert graph == {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(graph) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert layers({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == [["b"], ["a"], ["c"]]


# -- (c) the engine never names a UI package ---------------------------------------------------


def test_engine_source_names_no_ui_package() -> None:
    found = foreign_imports(ROOT, UI_PACKAGES)
    assert found == [], f"analysis imports UI packages: {found}"


def test_imported_names_resolves_relative_imports() -> None:
    tree = ast.parse("from .x import y\nfrom . import z\n")
    assert imported_names(tree, "analysis.m") == {
        "analysis",
        "analysis.z",
        "analysis.x",
        "analysis.x.y",
    }


# -- the repositories use their backend, not the client's insides --------------------------


NAMEDTUPLE_API = {"_replace", "_asdict", "_fields", "_make"}


@pytest.mark.parametrize("name", ["repos", "fetch"])
def test_no_private_member_of_another_object(name: str) -> None:
    path = module_files(ROOT)[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = [
        f"{path.name}:{node.lineno}: .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and node.attr not in NAMEDTUPLE_API
        and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
    ]
    assert bad == []


# -- one exception tree ------------------------------------------------------------------------


def _engine_exception_classes() -> list[type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for name in _engine_modules():
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, BaseException) and obj.__module__ == name:
                found[f"{name}.{obj.__qualname__}"] = obj
    return [found[k] for k in sorted(found)]


def test_every_public_exception_lives_in_errors() -> None:
    # Go's strconv.ErrSyntax stays with the quoting code (see the errors docstring).
    allowed_elsewhere = {"analysis.modfile_strconv.UnquoteError"}
    elsewhere = [
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in _engine_exception_classes()
        if cls.__module__ != "analysis.errors" and not cls.__name__.startswith("_")
    ]
    assert sorted(set(elsewhere) - allowed_elsewhere) == []


def test_errors_docstring_draws_every_exception() -> None:
    doc = errors.__doc__ or ""
    classes = [
        cls
        for cls in _engine_exception_classes()
        if cls.__module__ == "analysis.errors" and not cls.__name__.startswith("_")
    ]
    assert len(classes) > 20
    drawn = set(re.findall(r"^ +(?:[│ ]*[├└]── )?(\w+)", doc, re.MULTILINE))
    missing = [cls.__name__ for cls in classes if cls.__name__ not in drawn]
    assert missing == []
