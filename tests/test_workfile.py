"""analysis.workfile and analysis.workspace without the go command (the differential tests
against go are in test_workfile_go.py and test_workspace_go.py)."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from analysis import workfile, workspace
from analysis.errors import GomodxError, ModfileError, WorkspaceError


def test_doctests() -> None:
    for module in (workfile, workspace):
        assert doctest.testmod(module).failed == 0


def test_parse_keeps_comments_and_quotes() -> None:
    data = b'// top\ngo 1.22\n\nuse (\n\t"./a b" // spaced\n\t../c\n)\n'
    wf = workfile.parse("go.work", data)
    assert [u.path for u in wf.use] == ["./a b", "../c"]
    assert wf.format() == data


def test_errors_are_gos() -> None:
    with pytest.raises(ModfileError) as info:
        workfile.parse("go.work", b"go 1.22\ngo 1.23\nuse\nmodule x\nrequire (\n\tx v1\n)\n")
    assert str(info.value).splitlines() == [
        "go.work:2: repeated go statement",
        "go.work:3: usage: use local/dir",
        "go.work:4: unknown directive: module",
        "go.work:5: unknown block type: require",
    ]


def test_edits() -> None:
    wf = workfile.parse("go.work", b"// c\n\nuse ./a\nreplace example.com/x => ./x\n")
    wf.add_go_stmt("1.23")
    wf.add_toolchain_stmt("go1.23.1")
    workfile.edit_flag("use", "b/c/")(wf)
    workfile.edit_flag("dropreplace", "example.com/x")(wf)
    workfile.edit_flag("godebug", "panicnil=1")(wf)
    wf.sort_blocks()
    wf.cleanup()
    assert wf.format().decode() == (
        "// c\n\ngo 1.23\n\ntoolchain go1.23.1\n\nuse (\n\t./a\n\t./b/c\n)\n\ngodebug panicnil=1\n"
    )


@pytest.mark.parametrize(
    ("name", "arg", "message"),
    [
        ("replace", "a.com/x", "go: -replace=a.com/x: need old[@v]=new[@w] (missing =)"),
        (
            "replace",
            "a.com/x=>./y",
            "go: -replace=a.com/x=>./y: separator between old and new is =, not =>",
        ),
        (
            "replace",
            "a.com/x=b.com/y",
            "go: -replace=a.com/x=b.com/y: unversioned new path must be local directory",
        ),
        ("godebug", "x", "go: -godebug=x: need key=value"),
    ],
)
def test_edit_flag_refusals(name: str, arg: str, message: str) -> None:
    with pytest.raises(GomodxError) as info:
        workfile.edit_flag(name, arg)
    assert str(info.value) == message


def test_to_directory_path() -> None:
    assert workfile.to_directory_path("a/b/") == "./a/b"
    assert workfile.to_directory_path("../x") == "../x"
    assert workfile.to_directory_path("/abs") == "/abs"


def test_find_and_load(tmp_path: Path) -> None:
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / "a" / "go.mod").write_text("module example.com/a\n\ngo 1.22\n")
    (tmp_path / "go.work").write_text("go 1.22\n\nuse ./a\n")
    found = workspace.find_workspace(tmp_path / "a" / "deep", {})
    assert found == tmp_path / "go.work"
    assert workspace.find_workspace(tmp_path, {"GOWORK": "off"}) is None
    with pytest.raises(WorkspaceError, match="not an absolute path"):
        workspace.find_workspace(tmp_path, {"GOWORK": "go.work"})
    ws = workspace.load_workspace(found, running="1.27.3", cwd=tmp_path)
    assert ws.roots == (tmp_path / "a",) and ws.modules == ("example.com/a",)
    (tmp_path / "go.work").write_text("go 1.30\n\nuse ./a\n")
    with pytest.raises(WorkspaceError) as info:
        workspace.load_workfile(found, running="1.27.3", gotoolchain="local", cwd=tmp_path)
    assert str(info.value) == "go.work requires go >= 1.30 (running go 1.27.3; GOTOOLCHAIN=local)"
