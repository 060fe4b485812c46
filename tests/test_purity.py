"""The engine never loads the UI, and scripted commands never load Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import analysis


def _engine_modules() -> list[str]:
    return sorted(f"analysis.{m.name}" for m in pkgutil.iter_modules(analysis.__path__))


def test_engine_modules_exist() -> None:
    assert "analysis.errors" in _engine_modules()


def test_engine_never_imports_ui() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {_engine_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'tui'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"engine imported UI modules: {out.stdout}"


def test_engine_source_names_no_ui_package() -> None:
    # rich may be loaded at run time by httpx's optional CLI (when click is installed);
    # what we promise is that our engine never imports a UI package itself.
    import ast
    from pathlib import Path

    for path in Path(analysis.__path__[0]).glob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"textual", "rich", "tui"}, f"{path}: {name}"


def test_command_line_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from tui.cli import build_parser\n"
        "build_parser()\n"
        "print(','.join(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
