"""analysis.snapshot: a warm start equals a cold walk, and anything that can change the
answer changes the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from universe import random_universe

from analysis.loader import DirectorySource, load_module_graph_sync
from analysis.snapshot import load_snapshot, save_snapshot, snapshot_file, snapshot_key

ROOT = Path(__file__).resolve().parent.parent


def _universe(tmp_path: Path, seed: int = 5):
    u = random_universe(seed, 40, 4, zips=False)
    return u.write(tmp_path / "u")


@pytest.mark.parametrize("seed", [1, 5, 9])
def test_snapshot_loads_what_the_cold_walk_loaded(tmp_path: Path, seed: int) -> None:
    layout = _universe(tmp_path, seed)
    main = layout.main_dir
    cold = load_module_graph_sync(main, DirectorySource(layout.proxy_dir))
    key = snapshot_key(main, "settings")
    assert key is not None
    assert load_snapshot(tmp_path / "cache", main, key) is None
    save_snapshot(tmp_path / "cache", main, key, cold)
    warm = load_snapshot(tmp_path / "cache", main, key)
    assert warm is not None
    assert warm.graph.text() == cold.graph.text()
    assert warm.build_list() == cold.build_list()
    assert dict(warm.summaries) == dict(cold.summaries)
    assert dict(warm.replacements) == dict(cold.replacements)
    assert (warm.roots, warm.pruned, warm.excluded, warm.go_version) == (
        cold.roots,
        cold.pruned,
        cold.excluded,
        cold.go_version,
    )
    assert repr(warm.main) == repr(cold.main)  # syntax nodes compare by identity
    assert warm.fetches == 0
    # Another key (anything changed) is a miss.
    assert load_snapshot(tmp_path / "cache", main, key[::-1]) is None


def test_the_key_follows_every_input(tmp_path: Path) -> None:
    u = random_universe(3, 20, 3, zips=False)
    local = u.add_local("loc", "example.com/loc", [])
    u.replace(u.paths()[0], "", local)
    layout = u.write(tmp_path / "u")
    main = layout.main_dir
    base = snapshot_key(main, "GOPROXY=a")
    assert base is not None and base == snapshot_key(main, "GOPROXY=a")
    assert snapshot_key(main, "GOPROXY=b") != base

    gosum = main / "go.sum"
    gosum.write_text("example.com/x v1.0.0/go.mod h1:AAAA=\n")
    with_sum = snapshot_key(main, "GOPROXY=a")
    assert with_sum != base
    gosum.unlink()
    assert snapshot_key(main, "GOPROXY=a") == base

    replacement = main / "local" / "loc" / "go.mod"
    text = replacement.read_text()
    replacement.write_text(text + "require example.com/y v1.0.0\n")
    assert snapshot_key(main, "GOPROXY=a") != base
    replacement.write_text(text)
    assert snapshot_key(main, "GOPROXY=a") == base

    gomod = main / "go.mod"
    gomod.write_text(gomod.read_text() + "\n// a comment changes the bytes\n")
    assert snapshot_key(main, "GOPROXY=a") != base
    gomod.write_text("module\n")  # does not parse: no key, a cold load reports it
    assert snapshot_key(main, "GOPROXY=a") is None


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05garbage", "truncate"], ids=repr)
def test_a_damaged_snapshot_is_a_miss(tmp_path: Path, damage: bytes | str) -> None:
    layout = _universe(tmp_path)
    main = layout.main_dir
    cold = load_module_graph_sync(main, DirectorySource(layout.proxy_dir))
    key = snapshot_key(main, "s")
    assert key is not None
    save_snapshot(tmp_path / "cache", main, key, cold)
    f = snapshot_file(tmp_path / "cache", main)
    data = f.read_bytes()
    f.write_bytes(data[: len(data) // 2] if damage == "truncate" else damage)  # type: ignore[arg-type]
    assert load_snapshot(tmp_path / "cache", main, key) is None


def test_cli_warm_graph_equals_the_cold_one(tmp_path: Path) -> None:
    """Twice through the command line with one cache: the second run answers from the
    snapshot (the go.mod files are gone from the proxy) with the same text."""
    layout = _universe(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO") and k != "GOMODX_CACHE"}
    env.update(
        GOPROXY=layout.proxy_url,
        GOSUMDB="off",
        GOFLAGS="-mod=mod",
        GOMODCACHE=str(tmp_path / "modcache"),
        GOPATH=str(tmp_path / "gopath"),
        GOTOOLCHAIN="local",
        GOWORK="off",
        GOMODX_CACHE=str(tmp_path / "gomodx-cache"),
        PYTHONPATH=str(ROOT),
    )
    argv = [sys.executable, "-m", "tui", "graph", "--source", "proxy", "--format", "text"]
    cold = subprocess.run(argv, cwd=layout.main_dir, env=env, capture_output=True, text=True)
    assert cold.returncode == 0, cold.stderr
    assert list((tmp_path / "gomodx-cache" / "snapshot").glob("*.pickle"))
    for mod in layout.proxy_dir.rglob("*.mod"):
        mod.unlink()
    for cached in (tmp_path / "gomodx-cache").rglob("*.mod"):
        cached.unlink()
    warm = subprocess.run(argv, cwd=layout.main_dir, env=env, capture_output=True, text=True)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout == cold.stdout


@pytest.mark.parametrize("seed", [2, 7, 11])
def test_the_compact_graph_state_rebuilds_every_order(tmp_path: Path, seed: int) -> None:
    """A snapshot keeps the graph as node strings and edge numbers: what is rebuilt has
    the same nodes, adjacency, versions per path and main modules, in the same orders."""
    import pickle

    layout = _universe(tmp_path, seed)
    g = load_module_graph_sync(layout.main_dir, DirectorySource(layout.proxy_dir)).graph
    g.add_edges([(g.edges[0][0], g.edges[-1][1])])  # a duplicate edge stays in the list
    g.mains.reverse()  # a workspace reorders its main modules
    back = pickle.loads(pickle.dumps(g))

    def orders(x: object) -> tuple[object, ...]:
        return (
            [(m, list(out)) for m, out in x._succ.items()],  # type: ignore[attr-defined]
            [(m, list(inc)) for m, inc in x._pred.items()],  # type: ignore[attr-defined]
            list(x.edges),  # type: ignore[attr-defined]
            list(x.mains),  # type: ignore[attr-defined]
            list(x._versions.items()),  # type: ignore[attr-defined]
        )

    # The selection, the build list and each path's versions come without the
    # adjacency, which is built when something first asks for it.
    from analysis.modgraph import build_list, list_modules

    assert back.selected() == g.selected()
    assert build_list(back) == build_list(g)
    assert list_modules(back) == list_modules(g)
    assert [back.versions(p) for p in back.paths()] == [g.versions(p) for p in g.paths()]
    assert back.main == g.main
    assert "_succ" not in back.__dict__ and "edges" not in back.__dict__
    assert orders(back) == orders(g)
    assert "_pending" not in back.__dict__
    assert back.text() == g.text()
    assert sorted(back.graph.edges) == sorted(g.graph.edges)
    # Unpickled and pickled again before any use: the same state again.
    again = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(g))))
    assert orders(again) == orders(g)
    with pytest.raises(AttributeError):
        _ = again.no_such_attribute  # type: ignore[attr-defined]


def test_summaries_are_read_on_first_use(tmp_path: Path) -> None:
    layout = _universe(tmp_path, 4)
    main = layout.main_dir
    cold = load_module_graph_sync(main, DirectorySource(layout.proxy_dir))
    key = snapshot_key(main, "s")
    assert key is not None
    save_snapshot(tmp_path / "cache", main, key, cold)
    warm = load_snapshot(tmp_path / "cache", main, key)
    assert warm is not None
    assert warm.summaries._data is not None  # type: ignore[attr-defined]  # still pickled
    some = next(iter(cold.summaries))
    assert some in warm.summaries and warm.summaries[some] == cold.summaries[some]
    assert len(warm.summaries) == len(cold.summaries)
    # A warm graph saved again (after a plan, say) is a snapshot like any other.
    save_snapshot(tmp_path / "cache2", main, key, warm)
    again = load_snapshot(tmp_path / "cache2", main, key)
    assert again is not None and dict(again.summaries) == dict(cold.summaries)


@pytest.mark.go
@pytest.mark.parametrize("seed", [3, 8])
def test_go_mod_graphs_answer_is_kept_for_its_inputs(tmp_path: Path, seed: int) -> None:
    """With go as the source, a warm start answers with what go printed for the same
    go.mod, go.sum, settings and go — go is not run: it could not answer now (its module
    cache and proxy are gone) — and a changed go.mod runs go again."""
    from gotool import GO, go_env

    assert GO is not None
    layout = _universe(tmp_path, seed)
    env = go_env(tmp_path / "home", proxy=layout.proxy_url)
    env.update(
        GOMODX_CACHE=str(tmp_path / "gomodx-cache"),
        GOMODX_NO_REPLAY="1",  # the start itself, not a replayed answer
        PYTHONPATH=str(ROOT),
        PATH=os.path.dirname(GO) + os.pathsep + env.get("PATH", ""),
    )
    argv = [sys.executable, "-m", "tui", "graph", "--source", "go", "-v"]

    def gomodx() -> subprocess.CompletedProcess[str]:
        return subprocess.run(argv, cwd=layout.main_dir, env=env, capture_output=True, text=True)

    cold = gomodx()
    assert cold.returncode == 0, cold.stderr
    assert "running `go mod graph`" in cold.stderr
    go = subprocess.run(
        [GO, "mod", "graph"], cwd=layout.main_dir, env=env, capture_output=True, text=True
    )
    assert cold.stdout == go.stdout
    subprocess.run([GO, "clean", "-modcache"], env=env, check=True)
    layout.proxy_dir.rename(tmp_path / "proxy-gone")
    warm = gomodx()
    assert warm.returncode == 0, warm.stderr
    assert "running `go mod graph`" not in warm.stderr
    assert "kept in gomodx's cache" in warm.stderr
    assert warm.stdout == cold.stdout
    with open(layout.main_dir / "go.mod", "a") as f:
        f.write("// changed\n")
    again = gomodx()
    assert "running `go mod graph`" in again.stderr
    assert again.returncode != 0  # go ran, and could not reach its proxy


def test_a_cold_start_looks_its_snapshot_up_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """load_cached misses, then load walks: the key is made and the (stale) snapshot read
    once, not once by each."""
    import analysis.snapshot as snapshot
    from tui.cli import main

    layout = _universe(tmp_path)
    for k in [k for k in os.environ if k.startswith("GO")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    monkeypatch.setenv("GOSUMDB", "off")
    monkeypatch.setenv("GOFLAGS", "-mod=mod")
    monkeypatch.setenv("GOMODCACHE", str(tmp_path / "modcache"))
    monkeypatch.setenv("GOPATH", str(tmp_path / "gopath"))
    monkeypatch.setenv("GOTOOLCHAIN", "local")
    monkeypatch.setenv("GOWORK", "off")
    monkeypatch.setenv("GOENV", "off")
    monkeypatch.setenv("GOMODX_CACHE", str(tmp_path / "gomodx-cache"))
    monkeypatch.setenv("GOMODX_NO_REPLAY", "1")
    monkeypatch.chdir(layout.main_dir)
    calls = {"key": 0, "load": 0}
    real_key, real_load = snapshot.snapshot_key, snapshot.load_snapshot

    def key(*args: Any, **kw: Any) -> str | None:
        calls["key"] += 1
        return real_key(*args, **kw)

    def load(*args: Any, **kw: Any) -> Any:
        calls["load"] += 1
        return real_load(*args, **kw)

    monkeypatch.setattr(snapshot, "snapshot_key", key)
    monkeypatch.setattr(snapshot, "load_snapshot", load)
    argv = ["graph", "--source", "proxy"]
    assert main(argv) == 0
    cold = capsys.readouterr().out
    assert calls == {"key": 1, "load": 1}
    with open(layout.main_dir / "go.mod", "a") as f:
        f.write("// changed\n")  # the snapshot is stale now
    assert main(argv) == 0
    assert calls == {"key": 2, "load": 2}
    assert main(argv) == 0  # and now a hit
    assert calls == {"key": 3, "load": 3}
    assert capsys.readouterr().out == cold * 2
