"""``gomodx`` with no command opens the app; with a command it never loads Textual."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.cli import _command_names, _wants_app, build_parser, main


@pytest.mark.parametrize(
    ("argv", "app"),
    [
        ([], True),
        (["--demo"], True),
        (["--offline"], True),
        (["some/dir"], True),
        (["some/dir", "--offline"], True),
        (["--graph", "g.txt"], True),
        (["--graph", "list"], True),  # a graph file named like a command
        (["some/dir", "--graph", "g.txt"], True),
        (["list"], False),
        (["graph", "--format", "dot"], False),
        (["--help"], False),
        (["--version"], False),
    ],
)
def test_which_arguments_open_the_app(argv: list[str], app: bool) -> None:
    assert _wants_app(argv, _command_names(build_parser())) is app


def test_missing_directory_is_an_error_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nope")]) == 2
    assert "no such file or directory" in capsys.readouterr().err
    assert main([str(tmp_path)]) == 2
    assert "go.mod file not found" in capsys.readouterr().err


def test_demo_takes_no_directory() -> None:
    with pytest.raises(SystemExit):
        main(["--demo", "x"])


def test_help_mentions_the_app() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tui", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "gomodx --demo" in out


def test_a_bug_is_one_line_and_the_traceback_only_with_v(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.commands import common

    def broken(*args: object, **kwargs: object) -> object:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(common, "open_session", broken)
    graph = tmp_path / "g.txt"
    graph.write_text("example.com/m example.com/a@v1.0.0\n")
    assert main(["list", "--graph", str(graph), str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        "gomodx: internal error: ZeroDivisionError: boom (run with -v for the traceback)\n"
    )
    assert main(["list", "--graph", str(graph), str(tmp_path), "-v"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert err.endswith("gomodx: internal error: ZeroDivisionError: boom\n")


def test_an_error_with_v_shows_its_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["list", str(tmp_path / "nope"), "-v"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" in err and err.endswith(
        f"go: chdir {tmp_path / 'nope'}: no such file or directory\n"
    )


def test_the_app_opens_on_a_recorded_graph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`gomodx DIR --graph FILE`: the app's session reads the file; no go, no network."""
    from graphdata import SPEC_GRAPH

    from analysis.session import run_sync
    from tui.app import make_app

    monkeypatch.setenv("PATH", str(tmp_path))  # no go command
    monkeypatch.setenv("GOPROXY", "off")
    monkeypatch.setenv("GOFLAGS", "")
    graph = tmp_path / "graph.txt"
    graph.write_text(SPEC_GRAPH)
    (tmp_path / "go.mod").write_text("module example.com/a\n\ngo 1.17\n")
    for directory in (tmp_path, tmp_path / "elsewhere"):
        directory.mkdir(exist_ok=True)
        app = make_app(str(directory), graph=str(graph))
        session = app.session
        assert session.source == "file"
        loaded = run_sync(session, session.load)
        assert loaded.source == "file"
        assert loaded.graph.text() == SPEC_GRAPH
        assert (loaded.main_file is not None) is (directory == tmp_path)
        assert session.requests.events == []  # nothing was fetched


def test_the_app_command_line_passes_the_graph(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import tui.app

    seen: list[tuple[str | None, dict[str, object]]] = []

    def run_app(directory: str | None, **options: object) -> int:
        seen.append((directory, options))
        return 0

    monkeypatch.setattr(tui.app, "run_app", run_app)
    assert main([str(tmp_path), "--graph", "g.txt"]) == 0
    assert main(["--graph", "g.txt", "--offline"]) == 0
    assert seen == [
        (str(tmp_path), {"demo": False, "offline": False, "graph": "g.txt"}),
        (None, {"demo": False, "offline": True, "graph": "g.txt"}),
    ]
    for argv in (["--demo", "--graph", "g.txt"], ["--graph", "-"]):
        with pytest.raises(SystemExit):
            main(argv)
    err = capsys.readouterr().err
    assert "--demo takes no DIR and no --graph" in err
    assert "the app reads keys from standard input" in err
