"""Every command behaves the same for the same inputs: one engine session behind them all.

For each command of the command line (and the app's session), the same module is run
under four conditions that used to be treated differently by different entry points:

* a malformed go.sum: every command refuses with go's ``malformed go.sum`` error (exit 2),
  none plans or loads with an empty go.sum;
* a go.work above the module (GOWORK unset): every command that reads the graph (and
  download, which fetches what the workspace needs) answers for the workspace (without a
  warning); every command that changes files warns that it works on the module alone and
  answers exactly as with ``GOWORK=off``;
* ``HTTP_PROXY`` set and a GOPROXY host that only the proxy can reach: every command that
  fetches goes through the proxy and answers as without it;
* ``--offline``: with warm caches every command answers as online; with cold caches and a
  dead GOPROXY every command fails with an error that says the module cache lacks it.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from gotool import environ, go_env, json_objects
from proxyserver import ProxyServer
from test_source_cli import gomodx
from universe import Layout, random_universe

from analysis.errors import GomodxError
from analysis.session import Session, SessionOptions, run_sync

DEAD_PROXY = "http://127.0.0.1:9/"  # the discard port: nothing listens there
PROXIED_HOST = "http://goproxy.gomodx-test.invalid"  # reachable only through HTTP_PROXY


@dataclass(frozen=True)
class World:
    layout: Layout
    server: ProxyServer
    module: str
    older: str

    def env(self, tag: str, proxy: str = "", **extra: str) -> dict[str, str]:
        """A hermetic environment with caches of its own (``tag`` names them)."""
        root = self.layout.root / f"env-{tag}"
        env = go_env(root, proxy=proxy or self.server.url, GOFLAGS="", **extra)
        env["GOMODX_CACHE"] = str(root / "gomodx-cache")
        env["GOWORK"] = extra.get("GOWORK", "off")
        # No go on PATH: the proxy source is the one every command shares.
        env["PATH"] = "/usr/bin:/bin"
        return env


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    layout = random_universe(901, 10, 3, max_deps=3).write(tmp_path_factory.mktemp("one") / "u")
    layout.write_gomod_sums()  # go list (-mod=readonly) reads no go.mod go.sum does not vouch for
    with ProxyServer(layout.proxy_dir) as server:
        env = go_env(layout.root / "probe", proxy=server.url, GOFLAGS="")
        env["GOMODX_CACHE"] = str(layout.root / "probe" / "own")
        env["PATH"] = "/usr/bin:/bin"
        code, out, err = gomodx(["list", str(layout.main_dir), "--json"], env)
        assert code == 0, err
        mods = [m for m in json_objects(out) if not m.get("Main") and "Replace" not in m]
        chosen = None
        for m in mods:
            code, out, _ = gomodx(["versions", m["Path"], "--json", "--no-majors"], env)
            listed = json.loads(out).get("Versions", [])
            below = [v for v in listed if v != m["Version"]]
            if code == 0 and below:
                chosen = (m["Path"], below[0])
                break
        assert chosen is not None, "no module with a second version in this universe"
        yield World(layout, server, chosen[0], chosen[1])


def commands(w: World) -> dict[str, list[str]]:
    d = str(w.layout.main_dir)
    proxy = ["--source", "proxy"]
    return {
        "list": ["list", d, "--json", *proxy],
        "graph": ["graph", d, *proxy],
        "conflicts": ["conflicts", d, "--json", *proxy],
        "why": ["why", w.module, d, *proxy],
        "versions": ["versions", w.module, d, "--json", "--no-majors", *proxy],
        "versions-all": ["versions", "--all", d, "--no-majors", *proxy],
        "downgrade": ["downgrade", f"{w.module}@{w.older}", d, "--dry-run", "--json"],
        "upgrade": ["upgrade", w.module, d, "--dry-run", "--json"],
        "download": ["download", d, "--json"],
    }


COMMANDS = [
    "list",
    "graph",
    "conflicts",
    "why",
    "versions",
    "versions-all",
    "downgrade",
    "upgrade",
    "download",
]


def _stable(name: str, out: str) -> str:
    """The output with what legitimately differs between runs (timings, cache paths,
    download counters) taken out."""
    if name == "versions":
        data = json.loads(out)
        data.pop("Source")  # which proxy (or cache) answered
        data.pop("Stale")  # whether that was a cache standing in for the proxy
        return json.dumps(data)
    if name == "list":
        # Where Go's module cache is, and what is extracted in it, is each run's own.
        data = json_objects(out)
        for m in [*data, *(m["Replace"] for m in data if "Replace" in m)]:
            for key in ("Dir", "GoMod"):
                if "/modcache/" in m.get(key, ""):
                    del m[key]
        return json.dumps(data)
    if name != "download":
        return out
    data = json.loads(out)
    return json.dumps(
        [*sorted((m["Path"], m["Version"]) for m in data["Modules"]), data["Summary"]["OK"]]
    )


def _baseline(w: World, name: str) -> tuple[int, str]:
    code, out, err = gomodx(commands(w)[name], w.env(f"base-{name}"))
    assert code in (0, 1), err
    assert "Traceback" not in err
    return code, _stable(name, out)


@pytest.mark.parametrize("name", COMMANDS)
def test_malformed_gosum_is_refused_by_every_command(world: World, name: str) -> None:
    gosum = world.layout.main_dir / "go.sum"
    saved = gosum.read_bytes() if gosum.exists() else None
    gosum.write_text("example.com/x v1.0.0 h1:abc=\nexample.com/broken\n")
    try:
        code, out, err = gomodx(commands(world)[name], world.env(f"sum-{name}"))
    finally:
        if saved is None:
            gosum.unlink()
        else:
            gosum.write_bytes(saved)
    assert (code, out) == (2, "")
    assert "malformed go.sum" in err and "go.sum:2: wrong number of fields" in err, err
    assert "Traceback" not in err


def test_malformed_gosum_is_refused_by_the_app_session(world: World) -> None:
    gosum = world.layout.main_dir / "go.sum"
    saved = gosum.read_bytes() if gosum.exists() else None
    gosum.write_text("example.com/broken\n")
    try:
        with environ(world.env("sum-app")), pytest.raises(GomodxError, match=r"malformed go\.sum"):
            from tui.app import make_app

            make_app(world.layout.main_dir)
    finally:
        if saved is None:
            gosum.unlink()
        else:
            gosum.write_bytes(saved)


READS_THE_GRAPH = {"list", "graph", "conflicts", "why", "versions", "versions-all", "download"}
WORK = "go 1.26.0\n\nuse .\n"
WORK_ROOT = "go@1.26.0 toolchain@go1.26.0\n"  # the go.work's go line: a root of the graph


@pytest.mark.parametrize("name", COMMANDS)
def test_a_workspace_is_treated_alike_by_every_command(world: World, name: str) -> None:
    want = _baseline(world, name)
    work = world.layout.main_dir / "go.work"
    work.write_text(WORK)
    try:
        code, out, err = gomodx(commands(world)[name], world.env(f"work-{name}", GOWORK=""))
    finally:
        work.unlink()
    if name in READS_THE_GRAPH:
        assert code == want[0] and "warning" not in err, err
        if name == "graph":
            assert WORK_ROOT in out and WORK_ROOT not in want[1]
        return
    assert (code, _stable(name, out)) == want, err
    assert "warning: workspace mode" in err and "GOWORK=off" in err


def test_a_workspace_is_treated_alike_by_the_app_session(world: World) -> None:
    work = world.layout.main_dir / "go.work"
    work.write_text(WORK)
    try:
        with environ(world.env("work-app", GOWORK="")):
            session = Session.open(world.layout.main_dir, SessionOptions(source="proxy"))
            loaded = run_sync(session, session.load)
        code, out, _ = gomodx(commands(world)["graph"], world.env("work-app-cli", GOWORK=""))
    finally:
        work.unlink()
    # The note says how changes are previewed here (go on a sandbox copy when go can
    # run, else the module alone, as with GOWORK=off).
    assert not session.notes and str(work) in session.workspace_note
    assert loaded.workspace is not None and loaded.work_file == work
    assert code == 0 and loaded.graph.text() == out and WORK_ROOT in out


@pytest.mark.parametrize("name", COMMANDS)
def test_an_http_proxy_is_used_by_every_command(world: World, name: str) -> None:
    want = _baseline(world, name)
    before = len(world.server.requests)
    env = world.env(f"http-proxy-{name}", proxy=PROXIED_HOST, HTTP_PROXY=world.server.url)
    code, out, err = gomodx(commands(world)[name], env)
    assert (code, _stable(name, out)) == want, err
    if name not in ("graph", "list", "conflicts", "why") or code == 0:
        # Everything came through the proxy: the GOPROXY host itself does not resolve.
        assert len(world.server.requests) > before


def test_an_http_proxy_is_used_by_the_app_session(world: World) -> None:
    env = world.env("http-proxy-app", proxy=PROXIED_HOST, HTTP_PROXY=world.server.url)
    before = len(world.server.requests)
    with environ(env):
        from tui.app import make_app

        session = make_app(world.layout.main_dir).session
        loaded = run_sync(session, session.load)
    code, out, _ = gomodx(commands(world)["graph"], world.env("http-proxy-app-base"))
    assert code == 0 and loaded.graph.text() == out
    assert len(world.server.requests) > before


@pytest.mark.parametrize("name", COMMANDS)
def test_offline_answers_from_warm_caches_in_every_command(world: World, name: str) -> None:
    want = _baseline(world, name)
    env = world.env(f"offline-{name}")
    code, _, err = gomodx(commands(world)["download"], env)  # fills Go's cache
    assert code == 0, err
    gomodx(commands(world)[name], env)  # fills gomodx's own cache, as a first run does
    dead = dict(env, GOPROXY=DEAD_PROXY)
    code, out, err = gomodx([*commands(world)[name], "--offline"], dead)
    assert (code, _stable(name, out)) == want, err


@pytest.mark.parametrize("name", COMMANDS)
def test_offline_with_cold_caches_says_what_is_missing(world: World, name: str) -> None:
    env = world.env(f"cold-{name}", proxy=DEAD_PROXY)
    shutil.rmtree(Path(env["GOMODCACHE"]), ignore_errors=True)
    code, out, err = gomodx([*commands(world)[name], "--offline"], env)
    text = out + err
    assert code in (1, 2) and "Traceback" not in err
    assert "module cache" in text or "offline" in text, text


def test_offline_is_the_same_in_the_app_session(world: World) -> None:
    env = world.env("offline-app")
    code, _, err = gomodx(commands(world)["graph"], env)  # fills gomodx's own cache
    assert code == 0, err
    with environ(dict(env, GOPROXY=DEAD_PROXY)):
        from tui.app import make_app

        session = make_app(world.layout.main_dir, offline=True).session
        assert session.offline
        loaded = run_sync(session, session.load)
    code, out, _ = gomodx([*commands(world)["graph"], "--offline"], dict(env, GOPROXY=DEAD_PROXY))
    assert code == 0 and loaded.graph.text() == out
