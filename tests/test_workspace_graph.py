"""The workspace graph engine without the go command: the loader's workspace pruning and
its reload rounds, and go's replacement rules across workspace modules (expected outputs
recorded from go 1.27)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from universe import Universe

from analysis.errors import ReplacementConflict
from analysis.loader import DirectorySource, load_workspace_graph
from analysis.module import ModuleVersion
from analysis.workspace import Workspace, load_workspace, workspace_replacement


def _write(root: Path, modules: dict[str, str], work: str) -> Path:
    for name, body in modules.items():
        (root / name).mkdir(parents=True, exist_ok=True)
        (root / name / "go.mod").write_text(body)
    (root / "go.work").write_text(work)
    return root / "go.work"


def test_reload_rounds_read_what_the_selected_versions_require(tmp_path: Path) -> None:
    u = Universe()
    u.add("example.com/x", "v1.0.0", [("example.com/p", "v1.0.0")], go="1.21")
    u.add("example.com/x", "v1.1.0", [("example.com/z", "v1.0.0")], go="1.21")
    u.add("example.com/y", "v1.0.0", [("example.com/x", "v1.1.0")], go="1.21")
    u.add("example.com/z", "v1.0.0", [("example.com/q", "v1.0.0")], go="1.21")
    u.add("example.com/p", "v1.0.0", go="1.21")
    u.add("example.com/q", "v1.0.0", go=None)
    layout = u.write(tmp_path)
    work = _write(
        tmp_path,
        {
            "a": "module example.com/a\n\ngo 1.21\n\nrequire example.com/x v1.0.0\n",
            "b": "module example.com/b\n\ngo 1.21\n\nrequire example.com/y v1.0.0\n",
        },
        "go 1.22\n\nuse (\n\t./a\n\t./b\n)\n",
    )
    ws = load_workspace(work, running="1.27.3")
    loaded = asyncio.run(load_workspace_graph(ws, DirectorySource(layout.proxy_dir)))
    # x@v1.1.0 is selected above what a asks for, so its go.mod is read (and z's): the
    # last four lines come from the reload round. q is pruned out below z.
    assert loaded.graph.text() == (
        "example.com/a example.com/x@v1.0.0\n"
        "example.com/a go@1.21\n"
        "example.com/b example.com/y@v1.0.0\n"
        "example.com/b go@1.21\n"
        "go@1.22 toolchain@go1.22\n"
        "example.com/x@v1.0.0 example.com/p@v1.0.0\n"
        "example.com/x@v1.0.0 go@1.21\n"
        "go@1.21 toolchain@go1.21\n"
        "example.com/y@v1.0.0 example.com/x@v1.1.0\n"
        "example.com/y@v1.0.0 go@1.21\n"
        "example.com/x@v1.1.0 example.com/z@v1.0.0\n"
        "example.com/x@v1.1.0 go@1.21\n"
        "example.com/z@v1.0.0 example.com/q@v1.0.0\n"
        "example.com/z@v1.0.0 go@1.21\n"
    )
    assert [str(m) for m in loaded.build_list()] == [
        "example.com/a",
        "example.com/b",
        "example.com/p@v1.0.0",
        "example.com/q@v1.0.0",
        "example.com/x@v1.1.0",
        "example.com/y@v1.0.0",
        "example.com/z@v1.0.0",
    ]
    assert loaded.workspace is ws and loaded.go_version == "1.22"


X = "example.com/x"


def _ws(tmp_path: Path, a: str, b: str, work_replace: str = "") -> Workspace:
    work = _write(
        tmp_path,
        {
            "a": f"module example.com/a\n\ngo 1.21\n\n{a}",
            "b": f"module example.com/b\n\ngo 1.21\n\n{b}",
        },
        f"go 1.22\n\nuse (\n\t./a\n\t./b\n)\n\n{work_replace}",
    )
    return load_workspace(work, running="1.27.3")


def test_go_work_replacements_come_first(tmp_path: Path) -> None:
    ws = _ws(
        tmp_path,
        f"replace {X} => {X} v1.5.0\n",
        "",
        f"replace {X} v1.0.0 => ./fork\n",
    )
    assert workspace_replacement(ws, ModuleVersion(X, "v1.0.0")) == ModuleVersion("./fork")
    # Any other version: the go.work does not replace it, module a does.
    got = workspace_replacement(ws, ModuleVersion(X, "v1.1.0"))
    assert got == ModuleVersion(X, "v1.5.0")
    # A workspace module itself is never replaced.
    assert workspace_replacement(ws, ModuleVersion("example.com/a", "")) is None


def test_module_directories_become_relative_to_the_go_work(tmp_path: Path) -> None:
    ws = _ws(tmp_path, "", f"replace {X} => ../forks/x\n")
    got = workspace_replacement(ws, ModuleVersion(X, "v1.0.0"))
    assert got == ModuleVersion("./forks/x")


def test_a_later_path_only_replace_wins(tmp_path: Path) -> None:
    # go compares a later key with the first one as if that were path-only: no error.
    ws = _ws(tmp_path, f"replace {X} v1.0.0 => {X} v1.2.0\n", f"replace {X} => {X} v1.3.0\n")
    got = workspace_replacement(ws, ModuleVersion(X, "v1.0.0"))
    assert got == ModuleVersion(X, "v1.3.0")


def test_a_later_exact_replace_that_disagrees_is_gos_error(tmp_path: Path) -> None:
    ws = _ws(tmp_path, f"replace {X} => {X} v1.3.0\n", f"replace {X} v1.0.0 => {X} v1.2.0\n")
    with pytest.raises(ReplacementConflict) as info:
        workspace_replacement(ws, ModuleVersion(X, "v1.0.0"))
    assert str(info.value) == (
        f"conflicting replacements found for {X}@v1.0.0 in workspace modules defined by "
        f"{tmp_path / 'a' / 'go.mod'} and {tmp_path / 'b' / 'go.mod'}"
    )
    # Another version only matches a's path-only key: no conflict.
    got = workspace_replacement(ws, ModuleVersion(X, "v1.1.0"))
    assert got == ModuleVersion(X, "v1.3.0")
