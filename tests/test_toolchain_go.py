"""Go's toolchain rules, against the real go command (go.dev/doc/toolchain).

A module in the graph whose go.mod needs a newer go (``go 1.999``), or a main go.mod that
does: under ``GOTOOLCHAIN=local`` ``go mod graph``, ``go list -m all`` and ``go list -m -u
all`` refuse with ``requires go >= 1.999 (running go 1.27.3; GOTOOLCHAIN=local)``, and every
gomodx command that reads the graph must refuse in the same words, with either source.
Under ``GOTOOLCHAIN=auto`` go refuses a too-new dependency the same way (without the
``GOTOOLCHAIN=`` part) and switches toolchains for a too-new main go.mod; gomodx names the
toolchain go tries to download instead of pretending to be it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from gotool import go_version, require_go, run_go
from test_source_cli import environment, gomodx
from universe import Layout, Universe

from analysis.goenv import GoEnv
from analysis.toolchain import DEFAULT_GO_VERSION, Toolchain

# gomodx command -> the go command it imitates
COMMANDS = {
    "graph": ["mod", "graph"],
    "list": ["list", "-m", "all"],
    "list --json": ["list", "-m", "-json", "all"],
    "versions --all": ["list", "-m", "-u", "all"],
    "conflicts": ["mod", "graph"],
    "why example.com/a": ["mod", "graph"],
}


def _universe(tmp: Path, main_go: str, a_go: str | None, direct_b: bool = False) -> Layout:
    """main -> a@v1.0.0 -> b@v1.0.0 (go 1.999); c@v1.0.0 is fine. ``a_go`` below 1.17
    makes a unpruned, so b's go.mod is read; at 1.21 b is pruned out."""
    u = Universe(main_path="example.com/main", main_go=main_go)
    u.add("example.com/a", "v1.0.0", requires=[("example.com/b", "v1.0.0")], go=a_go)
    u.add("example.com/b", "v1.0.0", go="1.999")
    u.add("example.com/b", "v1.1.0", go="1.22")
    u.add("example.com/c", "v1.0.0", go="1.21")
    u.require("example.com/a", "v1.0.0")
    u.require("example.com/c", "v1.0.0")
    if direct_b:
        u.require("example.com/b", "v1.0.0")
    return u.write(tmp)


def _bare(text: str) -> str:
    """The message without who says it (gomodx prefixes what it says in go's words)."""
    lines = [ln for ln in text.splitlines() if not ln.startswith("(")]  # gomodx's hints
    return "\n".join(lines).removeprefix("go: ").removeprefix("gomodx: ")


def _gomodx_args(name: str, d: Path, source: str) -> list[str]:
    words = name.split()
    return [*words[:1], *words[1:], str(d), "--source", source]


@pytest.mark.go
@pytest.mark.parametrize("gotoolchain", ["local", "auto"])
@pytest.mark.parametrize("shape", ["unpruned", "direct"])
def test_a_dependency_too_new_fails_like_go(tmp_path: Path, gotoolchain: str, shape: str) -> None:
    require_go()
    layout = _universe(tmp_path, "1.21", None if shape == "unpruned" else "1.21", shape == "direct")
    env = environment(layout, layout.proxy_url, GOTOOLCHAIN=gotoolchain)
    agree = 0
    for name, go_args in COMMANDS.items():
        proc = run_go(go_args, layout.main_dir, env, check=False)
        assert proc.returncode == 1, proc.stdout
        want = _bare(proc.stderr)
        assert "requires go >= 1.999 (running go " + go_version() in want
        assert ("GOTOOLCHAIN=local" in want) == (gotoolchain == "local")
        for source in ("proxy", "go"):
            code, out, err = gomodx(_gomodx_args(name, layout.main_dir, source), env)
            assert (code, out) == (2, ""), (name, source, err)
            assert _bare(err) == want, (name, source)
            assert "Traceback" not in err
            agree += 1
    assert agree == 2 * len(COMMANDS)


@pytest.mark.go
@pytest.mark.parametrize("gotoolchain", ["local", "auto", "+auto"])
@pytest.mark.parametrize(("go_line", "toolchain"), [("1.999", ""), ("1.21", "go1.999.2")])
def test_a_main_module_too_new(
    tmp_path: Path, gotoolchain: str, go_line: str, toolchain: str
) -> None:
    require_go()
    if gotoolchain == "+auto":
        gotoolchain = f"go{go_version()}+auto"
    layout = _universe(tmp_path, go_line, "1.21")
    if toolchain:
        gomod = layout.main_dir / "go.mod"
        gomod.write_text(gomod.read_text() + f"\ntoolchain {toolchain}\n")
    env = environment(layout, layout.proxy_url, GOTOOLCHAIN=gotoolchain)
    proc = run_go(["mod", "graph"], layout.main_dir, env, check=False)
    switches = gotoolchain != "local"
    if not toolchain:
        # go get refuses (or switches for) the main go.mod first, too.
        code, out, err = gomodx(["upgrade", "example.com/c", str(layout.main_dir)], env)
        got = run_go(["get", "example.com/c"], layout.main_dir, env, check=False)
        assert (code, out, got.returncode) == (2, "", 1), err
        if switches:
            assert f"go would switch to go{go_line}.0" in err
            assert f"go: downloading go{go_line}.0 " in got.stderr
        else:
            assert err == got.stderr
    for name in COMMANDS:
        for source in ("proxy", "go"):
            code, out, err = gomodx(_gomodx_args(name, layout.main_dir, source), env)
            if not switches and toolchain:
                # GOTOOLCHAIN=local ignores the toolchain line: the graph loads (b is
                # pruned out), as with go.
                assert proc.returncode == 0
                assert code in (0, 1), (name, source, err)
                continue
            assert (code, out) == (2, ""), (name, source, err)
            assert proc.returncode == 1
            if switches:
                # go tries to download the toolchain; gomodx says which one, and stops.
                target = toolchain or f"go{go_line}.0"
                assert f"go: downloading {target} " in proc.stderr
                assert f"go would switch to {target}" in err, err
                assert f"GOTOOLCHAIN={gotoolchain}" in err
            else:
                assert _bare(err) == _bare(proc.stderr), (name, source)
                assert "go.mod requires go >= 1.999" in err


@pytest.mark.go
def test_list_json_leaves_out_the_go_version_of_a_pruned_module_too_new(tmp_path: Path) -> None:
    """b@v1.0.0 is in the build list but pruned out of the graph: go lists it, and its
    go.mod (read for GoVersion) fails to load quietly, so it has no GoVersion."""
    require_go()
    layout = _universe(tmp_path, "1.21", "1.21")
    env = environment(layout, layout.proxy_url, GOFLAGS="-mod=mod")
    run_go(["list", "-m", "all"], layout.main_dir, env)  # go.sum
    want = run_go(["list", "-m", "-json", "all"], layout.main_dir, env).stdout
    assert '"Path": "example.com/b"' in want and '"GoVersion": "1.999"' not in want
    for source in ("proxy", "go"):
        code, out, err = gomodx(["list", "--json", str(layout.main_dir), "--source", source], env)
        assert (code, out) == (0, want), err


def test_the_go_gomodx_answers_for() -> None:
    assert Toolchain.from_env(GoEnv(goversion="go1.26.1 X:nocoverage")).version == "1.26.1"
    assert Toolchain.from_env(GoEnv()).version == DEFAULT_GO_VERSION
    # GOTOOLCHAIN=go1.30.0 runs that toolchain whatever go.mod says; +auto makes it a
    # minimum that go.mod may raise.
    named = Toolchain.from_env(GoEnv(goversion="go1.27.3", gotoolchain="go1.30.0"))
    assert (named.version, named.mode, named.minimum) == ("1.27.3", "", "go1.30.0")
    assert named.switch_target("1.999", "") == "go1.30.0"
    plus = Toolchain("1.27.3", "go1.30.0+auto")
    assert plus.mode == "auto"
    assert plus.switch_target("1.21", "") == "go1.30.0"
    assert plus.switch_target("1.31", "") == "go1.31.0"
    assert Toolchain("1.27.3", "go1.27.3+auto").switch_target("1.21", "") == ""
    local = Toolchain("1.27.3", "local")
    assert local.too_new("module m@v1.0.0", "1.999") == (
        "module m@v1.0.0 requires go >= 1.999 (running go 1.27.3; GOTOOLCHAIN=local)"
    )
    assert Toolchain("1.27.3", "auto").too_new("go.mod", "1.999") == (
        "go.mod requires go >= 1.999 (running go 1.27.3)"
    )
    # Only go lines at 1.21 or later are requirements on the go in use.
    assert local.dependency_too_new("1.999") and not local.dependency_too_new("1.20")
    assert not local.dependency_too_new("")
    auto = Toolchain("1.27.3", "auto")
    assert auto.switch_target("1.999", "") == "go1.999.0"
    assert auto.switch_target("1.28rc1", "") == "go1.28rc1"
    assert auto.switch_target("1.21", "go1.999.2") == "go1.999.2"
    assert auto.switch_target("1.21", "go1.20") == ""
    assert auto.switch_target("1.27.3", "default") == ""


@pytest.mark.go
@pytest.mark.parametrize("gotoolchain", ["local", "auto"])
def test_go_get_reaching_a_module_too_new(tmp_path: Path, gotoolchain: str) -> None:
    """``go get a@v1.1.0`` (a unpruned, requiring b at go 1.999) is refused with go's
    words; a@v1.2.0 (pruned: b's go.mod is never read) goes through, with go too."""
    require_go()
    u = Universe(main_path="example.com/main", main_go="1.21")
    u.add("example.com/a", "v1.0.0", go="1.21")
    u.add("example.com/a", "v1.1.0", requires=[("example.com/b", "v1.0.0")], go="1.16")
    u.add("example.com/a", "v1.2.0", requires=[("example.com/b", "v1.0.0")], go="1.21")
    u.add("example.com/b", "v1.0.0", go="1.999")
    u.require("example.com/a", "v1.0.0")
    layout = u.write(tmp_path / "u")
    env = environment(layout, layout.proxy_url, GOFLAGS="-mod=mod", GOTOOLCHAIN=gotoolchain)
    run_go(["mod", "download"], layout.main_dir, env)
    for target, refused in (("example.com/a@v1.1.0", True), ("example.com/a@v1.2.0", False)):
        work = tmp_path / target.replace("/", "_")
        shutil.copytree(layout.main_dir, work)
        before = (work / "go.mod").read_bytes()
        code, out, err = gomodx(["upgrade", target, str(work), "--dry-run"], env)
        proc = run_go(["get", target], work, env, check=False)
        theirs = [ln for ln in proc.stderr.splitlines() if not ln.startswith("go: downloading")]
        if not refused:
            assert (code, proc.returncode) == (0, 0), err
            assert "go: upgraded example.com/a v1.0.0 => v1.2.0" in out
            continue
        assert (code, out) == (1, ""), err
        assert proc.returncode == 1
        ours = err.splitlines()
        if gotoolchain == "local":
            assert ours == theirs
        else:
            # go names no GOTOOLCHAIN and switches; gomodx says it does not.
            assert ours[:2] == theirs[:2] and "(running go " + go_version() + ")" in ours[1]
            assert ours[2].startswith("go: switching to go >= 1.999: gomodx does not switch")
            assert theirs[2].startswith("go: switching to go >= 1.999: ")
        assert (work / "go.mod").read_bytes() == before  # go wrote nothing either


@pytest.mark.anyio
@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_the_app_shows_a_too_new_graph_as_a_load_error(tmp_path: Path) -> None:
    from test_app import SIZE, make, settle, status_text
    from test_app_failures import error_notes

    from analysis.session import Session

    layout = _universe(tmp_path, "1.21", None)  # a unpruned: b's go.mod (go 1.999) is read
    app = make(Session.with_file_proxy(layout.main_dir, layout.proxy_dir))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        want = (
            "example.com/b@v1.0.0: module example.com/b@v1.0.0 requires go >= 1.999"
            f" (running go {DEFAULT_GO_VERSION})"
        )
        assert "could not be loaded" in status_text(app)
        assert any(want in n for n in error_notes(app)), error_notes(app)
        assert app.graph.facts is None and not app.graph.loading
