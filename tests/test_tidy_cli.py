"""``gomodx tidy`` and ``gomodx why --imports`` on the command line: apply and undo,
``--check`` (go's ``-diff`` output and exit status), ``--dry-run``, ``--json``, go's flag
errors; in process, on a file:// proxy (no go command)."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path

import pytest
from test_apply import cli_env, files
from tidygen import untidy_main
from universe import Layout, random_universe

__all__ = ["cli_env"]  # the fixture, re-exported for pytest


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from tui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _untidy_universe(root: Path) -> Layout:
    """The first generated universe (by seed) whose main module tidy changes without
    refusing."""
    from analysis.cache import CacheStack
    from analysis.goenv import GoEnv
    from analysis.hashes import GoSum
    from analysis.proxy import ProxyClient
    from analysis.source import ProxySource
    from analysis.tidy import plan_tidy

    async def plan(layout: Layout) -> bool:
        env = GoEnv(goproxy=layout.proxy_url, gosumdb="off", gomodcache=str(layout.root / "mc"))
        caches = CacheStack.for_env(env.gomodcache, layout.root / "cache")
        async with ProxyClient(env, caches=caches, use_go=False) as client:
            p = await plan_tidy(layout.main_dir, ProxySource(client), gosum=GoSum())
            return p.ok and p.gomod_changed and p.gosum_changed()

    for seed in range(7000, 7100):
        u = random_universe(seed, 10, 3, packages=True)
        untidy_main(u, random.Random(seed))
        layout = u.write(root / str(seed))
        if asyncio.run(plan(layout)):
            return layout
    raise AssertionError("no untidy universe in 100 seeds")


@pytest.fixture
def untidy(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    layout = _untidy_universe(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    return layout.main_dir


def test_tidy_check_apply_undo(untidy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(untidy)
    code, out, _ = _run(capsys, "tidy", "--check", "-C", str(untidy))
    assert code == 1
    assert out.startswith(
        "diff current/go.mod tidy/go.mod\n--- current/go.mod\n+++ tidy/go.mod\n@@ "
    )
    assert "diff current/go.sum tidy/go.sum\n" in out
    assert files(untidy) == before  # --check writes nothing

    code, out, _ = _run(capsys, "tidy", "--dry-run", "-C", str(untidy))
    assert code == 0 and out.endswith("(dry run: nothing written)\n")
    assert files(untidy) == before

    code, out, _ = _run(capsys, "tidy", "-C", str(untidy))
    assert code == 0
    assert f"wrote go.mod and go.sum; undo with: gomodx undo {untidy}" in out
    # Every changed line comes with a reason.
    reasons = [line for line in out.splitlines() if line.startswith(("go.mod: ", "go.sum: "))]
    assert reasons and all("  # " in line for line in reasons)
    after = files(untidy)
    assert after != before

    code, out, _ = _run(capsys, "tidy", "--check", "-C", str(untidy))
    assert (code, out) == (0, "")  # tidy now: nothing to say

    code, out, _ = _run(capsys, "undo", str(untidy))
    assert code == 0 and "undid go mod tidy" in out
    assert files(untidy) == before


def test_tidy_json(untidy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "tidy", "--json", "--dry-run", "-C", str(untidy))
    assert code == 0
    data = json.loads(out)
    assert data["OK"] is True and data["Error"] is None and data["DryRun"] is True
    assert data["Applied"] is False and data["GoModChanged"] is True
    assert data["GoMod"] != (untidy / "go.mod").read_text()
    assert isinstance(data["GoSum"], str) and data["GoSum"]
    assert {ln["File"] for ln in data["Lines"]} == {"go.mod", "go.sum"}
    assert all(ln["Op"] in "+-" and ln["Why"] for ln in data["Lines"])


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("-go=1.x", 'invalid value "1.x" for flag -go: expecting a Go version like "1.27.3"'),
        ("-go=1.99", 'invalid value "1.99" for flag -go: maximum supported Go version is 1.27.3'),
        ("-compat=x", 'invalid value "x" for flag -compat: expecting a Go version like "1.27.3"'),
    ],
)
def test_tidy_flag_errors_are_gos(
    untidy: Path, capsys: pytest.CaptureFixture[str], flag: str, message: str
) -> None:
    code, _, err = _run(capsys, "tidy", flag, "-C", str(untidy))
    assert code == 2
    assert err.splitlines()[0] == message


def test_tidy_outside_a_module(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "tidy", "-C", str(cli_env))
    assert code == 1
    assert err.startswith("go: go.mod file not found in current directory")


def test_why_imports_main_packages(untidy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main = "example.com/main"
    code, out, _ = _run(capsys, "why", "--imports", "-C", str(untidy), main, "example.com/nope")
    assert code == 0
    assert out == (
        f"# {main}\n{main}\n\n# example.com/nope\n(main module does not need package"
        " example.com/nope)\n"
    )
    code, out, _ = _run(capsys, "why", "--imports", "-m", "-C", str(untidy), "example.com/nope")
    assert out == "# example.com/nope\n(main module does not need module example.com/nope)\n"
    code, _, err = _run(capsys, "why", "--imports", "-m", "-C", str(untidy), "example.com/x@v1")
    assert code == 1
    assert err == "go: example.com/x@v1: 'go mod why' requires a module path, not a version query\n"


@pytest.mark.go
@pytest.mark.parametrize("lie", [None, "example.com/c"])
def test_tidy_sums_are_checked_against_the_database_like_go(
    tmp_path: Path, lie: str | None
) -> None:
    """go mod tidy checks the go.sum lines it adds against GOSUMDB: a lying database is
    go's SECURITY ERROR and a refused preview; an honest one vouches for every line, and
    go writes the same go.sum."""
    import shutil

    from gotool import go_env, require_go, run_go
    from sumdbserver import SumDBServer
    from universe import Universe

    from analysis.session import Session, SessionOptions, run_sync

    go = require_go()
    u = Universe()
    u.add("example.com/a", "v1.0.0")
    u.add("example.com/b", "v1.1.0", requires=[("example.com/a", "v1.0.0")])
    u.add("example.com/c", "v0.3.0")
    u.require("example.com/b", "v1.1.0")
    u.main_files = {
        "main.go": 'package main\n\nimport (\n\t_ "example.com/b"\n\t_ "example.com/c"\n)\n'
    }
    layout = u.write(tmp_path / "u")
    with SumDBServer(go, layout.proxy_dir, lie=lie) as db:
        genv = go_env(tmp_path / "go", proxy=layout.proxy_url, GOSUMDB=db.gosumdb)
        go_dir = tmp_path / "go-main"
        shutil.copytree(layout.main_dir, go_dir)
        proc = run_go(["mod", "tidy"], go_dir, genv, check=False)
        xenv = go_env(tmp_path / "x", proxy=layout.proxy_url, GOSUMDB=db.gosumdb)
        session = Session.open(layout.main_dir, SessionOptions(use_go=False), environ=xenv)
        plan = run_sync(session, lambda: session.tidy())
    if lie:
        assert proc.returncode != 0 and "SECURITY ERROR" in proc.stderr
        assert not plan.ok and plan.error is not None
        # go's words, with the import stack of the package that needed the module.
        error = str(plan.error)
        assert error.startswith("go: example.com/main imports\n\texample.com/c: example.com/c@")
        assert error in proc.stderr, (error, proc.stderr)
    else:
        assert proc.returncode == 0, proc.stderr
        assert plan.ok, plan.error
        assert plan.gosum_after() == (go_dir / "go.sum").read_bytes()
        assert plan.gomod_after == (go_dir / "go.mod").read_bytes()
        added = {*plan.gosum_added, *plan.zip_sums_added}
        assert added and dict(plan.verified) == dict.fromkeys(added, "sumdb.test")


def test_tidy_takes_no_arguments(untidy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(untidy)
    code, _, err = _run(capsys, "tidy", "-C", str(untidy), "example.com/x")
    assert (code, err) == (1, "go: 'go mod tidy' accepts no arguments\n")
    assert files(untidy) == before


def test_tidy_go_flag_writes_the_go_line(untidy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "tidy", "-go=1.27.0", "--json", "--dry-run", "-C", str(untidy))
    data = json.loads(out)
    assert (code, data["OK"]) == (0, True), data["Error"]
    assert "\ngo 1.27.0\n" in data["GoMod"]
    # go 1.27's layout: at most one block of direct and one of indirect requirements.
    assert data["GoMod"].count("require (") <= 2
