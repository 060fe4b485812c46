"""``gomodx get``: go's report on stderr, why on stdout, apply and ``undo``, exit status,
``-C``, ``--json`` (no go command: a file:// proxy, in process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_apply import cli_env, files
from test_plan import cycle_universe, spec_universe

__all__ = ["cli_env"]  # the fixture, re-exported for pytest


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


def test_get_applies_prints_go_report_and_why_and_undo_restores(
    spec: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = files(spec)
    code, out, err = _run(capsys, "get", "-C", str(spec), "example.com/d@v1.2.0")
    assert code == 0
    # Standard error is go's, line for line.
    assert err == (
        "go: downgraded example.com/b v1.2.0 => v1.1.0\n"
        "go: downgraded example.com/c v1.2.0 => v1.1.0\n"
        "go: downgraded example.com/d v1.4.0 => v1.2.0\n"
    )
    # Standard output: why the other two move, and how to undo.
    assert out.splitlines() == [
        "why downgraded example.com/b v1.2.0 => v1.1.0: example.com/b@v1.2.0 requires"
        " example.com/d@v1.3.0, above the requested v1.2.0",
        "why downgraded example.com/c v1.2.0 => v1.1.0: example.com/c@v1.2.0 requires"
        " example.com/d@v1.4.0, above the requested v1.2.0",
        f"wrote go.mod and go.sum; undo with: gomodx undo {spec}",
    ]
    after = files(spec)
    assert after != before
    assert "\texample.com/d v1.2.0 // indirect\n" in (spec / "go.mod").read_text()
    code, out, _ = _run(capsys, "undo", str(spec))
    assert code == 0 and "undid go get example.com/d@v1.2.0" in out
    assert files(spec) == before


def test_get_several_arguments_dry_run_json(
    spec: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = files(spec)
    monkeypatch.chdir(spec)
    code, out, err = _run(
        capsys, "get", "--dry-run", "--json", "example.com/c@v1.3.0", "example.com/b@v1.1.0"
    )
    assert code == 0 and err == ""
    data = json.loads(out)
    assert data["OK"] is True and data["Error"] is None and data["DryRun"] is True
    assert data["Applied"] is False
    assert [(c["Path"], c["From"], c["To"], c["Kind"], c["Why"]) for c in data["Changes"]] == [
        (
            "example.com/b",
            "v1.2.0",
            "v1.1.0",
            "downgraded",
            "requested: go get example.com/b@v1.1.0",
        ),
        (
            "example.com/c",
            "v1.2.0",
            "v1.3.0",
            "upgraded",
            "requested: go get example.com/c@v1.3.0",
        ),
    ]
    assert data["GoMod"].startswith("module example.com/a\n")
    assert "example.com/c v1.3.0/go.mod h1:" in data["GoSum"]
    assert files(spec) == before


def test_get_dry_run_human_shows_the_diff(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(spec)
    code, out, err = _run(capsys, "get", "--dry-run", "-C", str(spec), "example.com/d@none")
    assert code == 0
    assert "go: removed example.com/d v1.4.0\n" in err
    assert "why removed example.com/b v1.2.0: example.com/b@v1.2.0 requires" in out
    assert "-\texample.com/b v1.2.0\n" in out
    assert out.endswith("(dry run: nothing written)\n")
    assert files(spec) == before


def test_get_refusal_is_go_text_and_exit_1(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = cycle_universe("1.16").write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    d = str(layout.main_dir)
    before = files(layout.main_dir)
    code, out, err = _run(capsys, "get", "-C", d, "example.com/m@v1.3.0")
    assert code == 1 and out == ""
    assert err == (
        "go: example.com/m@v1.3.0 indirectly requires example.com/m@v1.3.1,"
        " not example.com/m@v1.3.0\n"
    )
    code, out, _ = _run(capsys, "get", "-C", d, "--json", "example.com/m@v9")
    data = json.loads(out)
    assert code == 1 and data["OK"] is False
    assert data["Error"] == 'go: example.com/m@v9: no matching versions for query "v9"'
    assert data["Changes"] == [] and data["Applied"] is False
    assert files(layout.main_dir) == before


def test_get_outside_a_module_and_bad_arguments(
    spec: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _run(capsys, "get", "-C", str(empty), "example.com/d@v1.2.0")
    assert code == 1
    assert err.startswith(
        "go: go.mod file not found in current directory or any parent directory.\n"
        "\t'go get' is no longer supported outside a module.\n"
    )
    code, _, err = _run(capsys, "get", "-C", str(tmp_path / "nowhere"), "m@v1")
    assert (code, err) == (1, f"go: chdir {tmp_path / 'nowhere'}: no such file or directory\n")
    code, out, _ = _run(capsys, "get", "-C", str(spec), "--json", "example.com/d@")
    assert code == 1
    assert json.loads(out)["Error"] == 'go: invalid module version syntax "example.com/d@"'
    (empty / "go.mod").write_text("module example.com/empty\n\ngo 1.21\n")
    code, _, err = _run(capsys, "get", "-C", str(empty))
    assert (code, err) == (1, "go: no package to get in current directory\n")
    code, _, err = _run(capsys, "get", "-C", str(empty), "-u=patch")
    assert (code, err) == (1, "go: no package to get in current directory\n")
    (empty / "main.go").write_text("package main\n")
    code, out, err = _run(capsys, "get", "-C", str(empty), "--dry-run", "-u")
    assert (code, err) == (0, "") and "dry run" in out


def test_downgrade_json_has_the_same_shape(spec: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "get", "--dry-run", "--json", "-C", str(spec), "example.com/d@v1.2.0")
    got = json.loads(out)
    _, out, _ = _run(capsys, "downgrade", "--dry-run", "--json", "example.com/d@v1.2.0", str(spec))
    friendly = json.loads(out)
    assert set(friendly) == set(got)
    for key in ("OK", "Error", "Changes", "GoMod", "GoSum"):
        assert friendly[key] == got[key], key


def test_get_json_is_one_object_even_when_gomodx_fails(
    spec: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy that cannot be reached is gomodx's failure (exit 2), not go's refusal.
    monkeypatch.setenv("GOPROXY", "http://127.0.0.1:9/")
    monkeypatch.setenv("GOMODX_CACHE", str(spec.parent / "empty-cache"))
    code, out, _ = _run(capsys, "get", "--json", "-C", str(spec), "example.com/d@v1.2.0")
    data = json.loads(out)
    assert data["OK"] is False and data["Changes"] == [] and data["GoMod"] is None
    assert code == 2 and data["Error"].startswith("gomodx: example.com/")
    assert "connection refused" in data["Error"]
    code, out, err = _run(capsys, "get", "-C", str(spec), "example.com/d@v1.2.0")
    assert (code, out) == (2, "")
    assert "proxy 127.0.0.1:9 cannot be reached" in err
