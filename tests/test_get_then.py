"""``gomodx get --then CMD``: CMD runs in the module's directory once the change is
written; a failure is reported with its exit status and undone (``--undo-on-failure``,
or a yes on a terminal), or left with the way to undo it. A file:// proxy, in process."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from test_apply import cli_env, files
from test_plan import spec_universe

__all__ = ["cli_env"]

ARG = "example.com/d@v1.2.0"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from tui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def spec(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    layout = spec_universe().write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    return layout.main_dir


@pytest.mark.parametrize("status", [0, 1, 3, 77])
def test_then_runs_after_writing_in_the_module_directory(
    spec: Path, status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command sees the new go.mod (it runs after the write, in the module's
    # directory) and leaves a mark there.
    cmd = f"grep -q 'example.com/d v1.2.0' go.mod && touch ran-here; exit {status}"
    before = files(spec)
    code, out, err = _run(capsys, "get", "-C", str(spec), "--then", cmd, ARG)
    assert code == status
    assert (spec / "ran-here").exists()
    assert "go: downgraded example.com/d v1.4.0 => v1.2.0" in err
    assert f"undo with: gomodx undo {spec}" in out
    if status:
        assert f"failed with exit status {status}" in err
        # Not a terminal, no --undo-on-failure: the change stays, and gomodx says how.
        assert f"the change stays; undo with: gomodx undo {spec}" in err
    else:
        assert "failed" not in err
    assert files(spec) != before


@pytest.mark.parametrize("status", [1, 2, 125])
def test_undo_on_failure_restores_the_files(
    spec: Path, status: int, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files(spec)
    code, _, err = _run(
        capsys, "get", "-C", str(spec), "--then", f"exit {status}", "--undo-on-failure", ARG
    )
    assert code == status
    assert f"failed with exit status {status}" in err and f"undid go get {ARG}" in err
    assert files(spec) == before
    # Success with --undo-on-failure keeps the change.
    code, _, err = _run(capsys, "get", "-C", str(spec), "--then", "true", "--undo-on-failure", ARG)
    assert code == 0 and "undid" not in err and files(spec) != before


@pytest.mark.parametrize(("answer", "undone"), [("y\n", True), ("\n", False), ("no\n", False)])
def test_a_terminal_is_asked(
    spec: Path,
    answer: str,
    undone: bool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Tty(answer))
    before = files(spec)
    code, _, err = _run(capsys, "get", "-C", str(spec), "--then", "exit 4", ARG)
    assert code == 4
    assert f"undo go get {ARG}? [y/N]" in err
    assert (files(spec) == before) == undone


def test_then_json_and_usage(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(spec)
    code, out, _ = _run(
        capsys, "get", "-C", str(spec), "--json", "--then", "exit 5", "--undo-on-failure", ARG
    )
    data = json.loads(out)  # the command's output did not get into the JSON
    assert code == 5
    assert data["Then"] == {"Command": "exit 5", "ExitCode": 5, "Undone": True}
    assert data["Applied"] is True and files(spec) == before
    code, _, err = _run(capsys, "get", "-C", str(spec), "--dry-run", "--then", "true", ARG)
    assert code == 2 and "not with --dry-run" in err
    code, _, err = _run(capsys, "get", "-C", str(spec), "--undo-on-failure", ARG)
    assert code == 2 and "needs --then" in err
    # A refused change runs nothing.
    code, _, _ = _run(capsys, "get", "-C", str(spec), "--then", "touch ran", "example.com/d@v9.9.9")
    assert code == 1 and not (spec / "ran").exists()
