"""Workspaces through the session and the CLI: bad go.work files get go's messages, the
loaded graph carries the workspace, and the commands that change files stay on DIR alone."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from gotool import environ, go_env, run_go

from analysis.session import Session, SessionOptions, run_sync
from tui.cli import main as gomodx


def _gomodx(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), environ(env):
        code = gomodx(args)
    return code, out.getvalue(), err.getvalue()


def _module(d: Path, path: str, body: str = "go 1.21\n") -> Path:
    d.mkdir(parents=True, exist_ok=True)
    (d / "go.mod").write_text(f"module {path}\n\n{body}")
    return d


def _workspace(root: Path, work: str) -> Path:
    _module(root / "a", "example.com/a")
    _module(root / "b", "example.com/b", "go 1.17\n")
    (root / "go.work").write_text(work)
    return root / "a"


BAD_WORKSPACES = {
    "missing-dir": "go 1.22\n\nuse (\n\t./a\n\t./missing\n)\n",
    "no-go-mod": "go 1.22\n\nuse ./a\nuse ./empty\n",
    "duplicate-use": "go 1.22\n\nuse ./a\nuse ./b\nuse ./a/\n",
    "too-new": "go 1.99\n\nuse ./a\n",
    "malformed": "go 1.22\n\nuse ./a\nfrobnicate x\n",
    "module-newer-than-work": "go 1.20\n\nuse ./a\n",
    "replaced-at-all-versions": "go 1.22\n\nuse ./a\nuse ./b\n\nreplace example.com/b => ./b\n",
}


@pytest.mark.go
@pytest.mark.parametrize("case", sorted(BAD_WORKSPACES))
def test_bad_workspaces_fail_with_gos_message(tmp_path: Path, case: str) -> None:
    root = tmp_path / "w"
    where = _workspace(root, BAD_WORKSPACES[case])
    (root / "empty").mkdir()
    env = go_env(tmp_path, "off", GOFLAGS="", GOWORK="")
    go = run_go(["mod", "graph"], where, env, check=False)
    assert go.returncode != 0, go.stdout
    code, out, err = _gomodx(["graph", "--format", "text", "--source", "proxy", str(where)], env)
    assert code != 0 and out == ""
    assert err == go.stderr


@pytest.mark.go
# -mod=vendor is not modelled (no vendor directory support).
@pytest.mark.parametrize("flags", ["-mod=mod", "-mod=readonly", "-modfile=x.mod"])
def test_goflags_in_a_workspace_as_go_takes_them(tmp_path: Path, flags: str) -> None:
    where = _workspace(tmp_path / "w", "go 1.22\n\nuse ./a\nuse ./b\n")
    env = go_env(tmp_path, "off", GOFLAGS=flags, GOWORK="")
    for go_args, ours in (
        (["mod", "graph"], ["graph", "--format", "text", "--source", "proxy"]),
        (["list", "-m", "all"], ["list", "--source", "proxy"]),
    ):
        go = run_go(go_args, where, env, check=False)
        code, out, err = _gomodx([*ours, str(where)], env)
        assert (code == 0, out) == (go.returncode == 0, go.stdout), (flags, go_args, err)
        if go.returncode != 0:
            assert err == go.stderr


@pytest.mark.go
def test_gowork_off_and_changes_stay_on_the_module(tmp_path: Path) -> None:
    where = _workspace(tmp_path / "w", "go 1.22\n\nuse ./a\nuse ./b\n")
    env = go_env(tmp_path, "off", GOFLAGS="", GOWORK="")
    code, out, _ = _gomodx(["list", str(where)], env)
    assert (code, out) == (0, "example.com/a\nexample.com/b\n")
    code, out, _ = _gomodx(["list", str(where)], {**env, "GOWORK": "off"})
    assert (code, out) == (0, "example.com/a\n")
    # A change previews what go get does in the workspace (go runs on a sandbox copy):
    # here go's refusal, word for word.
    code, _, err = _gomodx(["upgrade", "--dry-run", "example.com/x@v1.0.0", str(where)], env)
    go = run_go(["get", "example.com/x@v1.0.0"], where, env, check=False)
    assert go.returncode == 1 and code == 1 and err.endswith(go.stderr)
    # Without the go command, DIR's module alone, as with GOWORK=off, and it says so.
    alone = {**env, "PATH": "/usr/bin:/bin"}
    code, _, err = _gomodx(["upgrade", "--dry-run", "example.com/x@v1.0.0", str(where)], alone)
    assert "work on" in err and "GOWORK=off" in err


def test_session_load_carries_the_workspace(tmp_path: Path) -> None:
    root = tmp_path / "w"
    where = _workspace(root, "go 1.22\n\nuse (\n\t./b\n\t./a\n)\n")
    env = {
        "GOWORK": "",
        "GOFLAGS": "",
        "GOPROXY": "off",
        "GOTOOLCHAIN": "local",
        "HOME": str(tmp_path),
    }
    session = Session.open(where, SessionOptions(source="proxy", use_go=False), environ=env)
    assert session.workspace is not None and session.workspace_note
    loaded = run_sync(session, session.load)
    assert loaded.work_file == root / "go.work"
    assert [(m.path, m.dir) for m in loaded.main_modules()] == [
        ("example.com/a", root / "a"),
        ("example.com/b", root / "b"),
    ]
    assert loaded.main_file is not None and loaded.main_file.module is not None
    assert loaded.main_file.module.mod.path == "example.com/a"
    assert (
        loaded.graph.text()
        == "example.com/a go@1.21\ngo@1.22 toolchain@go1.22\ngo@1.21 toolchain@go1.21\n"
    )
    assert [str(m) for m in loaded.build_list()] == ["example.com/a", "example.com/b"]
    # Opened without the workspace: the module alone, with a note.
    alone = Session.open(
        where, SessionOptions(source="proxy", use_go=False), environ=env, workspace=False
    )
    assert alone.workspace is None and any("GOWORK=off" in n for n in alone.notes)


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_app_opens_a_workspace(tmp_path: Path, anyio_backend: str) -> None:
    from test_app import SIZE, make, settle
    from universe import random_universe

    u = random_universe(5, 5, 2)
    layout = u.write(tmp_path)
    dep = u.paths()[0]
    _module(tmp_path / "w", "example.com/w", f"go 1.21\n\nrequire {dep} {u.versions(dep)[0]}\n")
    (tmp_path / "go.work").write_text("go 1.22\n\nuse (\n\t./main\n\t./w\n)\n")
    env = go_env(tmp_path / "env", layout.proxy_url, GOFLAGS="", GOWORK="")
    # A cache of its own: file:// proxy URLs under pytest's recycled temporary
    # directories would otherwise find another universe's answers in the user's cache.
    options = SessionOptions(
        source="proxy",
        use_go=False,
        state_dir=tmp_path / "state",
        cache_dir=tmp_path / "gomodx-cache",
    )
    session = Session.open(layout.main_dir, options, environ=env)
    app = make(session)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        facts = app.graph.facts
        assert facts is not None
        mains = [r.path for r in facts.rows if r.main]
        assert mains == ["example.com/main", "example.com/w"]
        assert app.sub_title == (
            f"workspace {tmp_path / 'go.work'}: main modules example.com/main, example.com/w"
        )
        assert any("GOWORK=off" in str(n.message) for n in app._notifications)
        # The details pane says which workspace a main module belongs to, and marks the
        # main modules among a module's requirers.
        from tui.widgets.details import render_details

        loaded = app.graph.loaded
        assert loaded is not None
        by_path = {r.path: r for r in facts.rows}
        text = render_details(by_path["example.com/w"], loaded, None).plain
        assert text.startswith(f"A main module of the workspace {tmp_path / 'go.work'}")
        assert f"in {tmp_path / 'w'}" in text
        text = render_details(by_path[dep], loaded, None).plain
        assert "example.com/w (main module)" in text


def test_conflicts_say_which_main_module_asks_for_what(tmp_path: Path) -> None:
    import json

    from universe import Universe

    u = Universe()
    u.add("example.com/x", "v1.0.0")
    u.add("example.com/x", "v1.1.0")
    layout = u.write(tmp_path)
    _module(tmp_path / "a", "example.com/a", "go 1.21\n\nrequire example.com/x v1.0.0\n")
    _module(tmp_path / "b", "example.com/b", "go 1.21\n\nrequire example.com/x v1.1.0\n")
    (tmp_path / "go.work").write_text("go 1.22\n\nuse (\n\t./b\n\t./a\n)\n")
    env = go_env(tmp_path / "env", layout.proxy_url, GOFLAGS="", GOWORK="", PATH="/usr/bin:/bin")
    where = str(tmp_path / "a")
    code, out, err = _gomodx(["conflicts", where, "--source", "proxy"], env)
    assert code == 1, err  # a conflict in the build
    assert "paths start at a main module" in out
    assert "main modules: example.com/a asks for v1.0.0, example.com/b asks for v1.1.0" in out
    code, out, err = _gomodx(["conflicts", where, "--json", "--source", "proxy"], env)
    (conflict,) = json.loads(out)
    assert conflict["MainModules"] == [
        {"Path": "example.com/a", "Version": "v1.0.0"},
        {"Path": "example.com/b", "Version": "v1.1.0"},
    ]
    code, out, err = _gomodx(["why", "example.com/x", where, "--source", "proxy"], env)
    assert code == 0 and out.startswith("# example.com/x@v1.1.0: 1 shortest path"), out
    assert "example.com/b\n  requires example.com/x v1.1.0" in out
