"""Differential tests: our graph engine against the real go command on random universes.

Each universe (``tests/universe.py``) is written as a ``file://`` GOPROXY with its own
module cache. For each one we ask go for ``go mod graph`` and ``go list -m -json all``
and check that

* ``gomodx list --graph G --json`` equals ``go list -m -json all`` in Path, Version,
  Main, Indirect and Replace (Path/Version), in order, and the main module's Dir, GoMod
  and GoVersion (every field, byte for byte: tests/test_list_differential.py);
* ``gomodx list --graph G`` (text) equals ``go list -m all``;
* ``gomodx graph`` (running go itself) and ``gomodx graph --graph G`` print G byte for byte;
* the conflict set equals the paths G requests at several versions, each conflict's
  selected version is go's, and its requests are exactly G's edges into that path;
* :class:`analysis.mvs.GoModReqs` (exclude/replace applied) gives every loaded node in G
  exactly G's requirement edges, and for unpruned main modules ``mvs.build_list`` over it
  equals go's build list.
"""

from __future__ import annotations

import contextlib
import io
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from gotool import environ, go_env, json_objects, require_go, run_go
from universe import Universe, escape, random_universe

from analysis import modfile
from analysis.conflicts import conflicts
from analysis.modgraph import parse_graph
from analysis.module import ModuleVersion
from analysis.mvs import GoModReqs, build_list
from analysis.semver import gover_compare, is_pseudo_version, mod_compare
from tui.cli import main as gomodx

ERA_CYCLE = ("modern", "legacy", "lazy")

# (seed, modules, versions, max_deps, era): small ones are quick and varied; a few bigger.
UNIVERSES: list[tuple[int, int, int, int, str]] = (
    [(s, 4 + s % 9, 2 + s % 4, 1 + s % 3, ERA_CYCLE[s % 3]) for s in range(42)]
    + [(100 + s, 15 + 3 * s, 3 + s % 3, 3, ERA_CYCLE[s % 3]) for s in range(15)]
    + [(200 + s, 40 + 10 * s, 4, 2, ERA_CYCLE[s % 3]) for s in range(6)]
    + [(300 + s, 6, 6, 4, ERA_CYCLE[s % 3]) for s in range(3)]
)


@dataclass
class Outcome:
    seed: int
    problems: list[str] = field(default_factory=list)
    pruned: bool = False
    features: set[str] = field(default_factory=set)


@dataclass
class GoRun:
    """What go said about one universe."""

    seed: int
    universe: Universe
    root: Path
    main_dir: Path
    proxy_dir: Path
    env: dict[str, str]
    graph: str
    list_text: str
    list_json: list[dict[str, Any]]
    go_mod: bytes


def _run_go(spec: tuple[int, int, int, int, str], base: Path) -> GoRun:
    seed, modules, versions, max_deps, era = spec
    u = random_universe(
        seed, modules=modules, versions=versions, max_deps=max_deps, zips=False, era=era
    )
    root = base / f"u{seed}"
    layout = u.write(root)
    env = go_env(root / "go", proxy=layout.proxy_url)
    # Let go settle go.mod first (-mod=mod may raise the go line or fix roots), so that
    # everything below sees one and the same go.mod.
    run_go(["list", "-m", "all"], layout.main_dir, env)
    graph = run_go(["mod", "graph"], layout.main_dir, env).stdout
    list_text = run_go(["list", "-m", "all"], layout.main_dir, env).stdout
    list_json = json_objects(run_go(["list", "-m", "-json", "all"], layout.main_dir, env).stdout)
    return GoRun(
        seed,
        u,
        root,
        layout.main_dir,
        layout.proxy_dir,
        env,
        graph,
        list_text,
        list_json,
        (layout.main_dir / "go.mod").read_bytes(),
    )


def _gomodx(args: list[str], env: dict[str, str] | None = None) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), environ(env) if env else contextlib.nullcontext():
        code = gomodx(args)
    return code, out.getvalue()


def _project(obj: dict[str, Any]) -> dict[str, Any]:
    keep: dict[str, Any] = {k: obj[k] for k in ("Path", "Version", "Main", "Indirect") if k in obj}
    if "Replace" in obj:
        keep["Replace"] = {k: obj["Replace"][k] for k in ("Path", "Version") if k in obj["Replace"]}
    if obj.get("Main"):
        keep.update({k: obj[k] for k in ("Dir", "GoMod", "GoVersion") if k in obj})
    return keep


def _requested_at_several_versions(graph_text: str) -> dict[str, set[str]]:
    """An independent oracle: straight from go's text, paths with >1 requested version."""
    seen: dict[str, set[str]] = {}
    for line in graph_text.splitlines():
        _, to = line.split(" ")
        path, _, version = to.partition("@")
        if path not in ("go", "toolchain"):
            seen.setdefault(path, set()).add(version)
    return {p: vs for p, vs in seen.items() if len(vs) > 1}


def _check(run: GoRun) -> Outcome:
    out = Outcome(run.seed)
    problems = out.problems
    graph_file = run.root / "graph.txt"
    graph_file.write_text(run.graph)
    main_dir = str(run.main_dir)

    # gomodx list --graph G --json  vs  go list -m -json all
    # (the records' times come from .info files: through the universe's proxy)
    code, text = _gomodx(["list", "--graph", str(graph_file), "--json", main_dir], env=run.env)
    ours = [_project(o) for o in json_objects(text)] if code == 0 else []
    theirs = [_project(o) for o in run.list_json]
    if code != 0 or ours != theirs:
        problems.append(f"list --json differs:\n ours   {ours}\n theirs {theirs}")
    code, text = _gomodx(["list", "--graph", str(graph_file), main_dir])
    if text != run.list_text:
        problems.append(f"list text differs:\n{text}\n---\n{run.list_text}")

    # graph text, from the file and by running go ourselves
    code, text = _gomodx(["graph", "--graph", str(graph_file), main_dir])
    if text != run.graph:
        problems.append("graph --graph text is not byte-identical")
    code, text = _gomodx(["graph", main_dir], env=run.env)
    if code != 0 or text != run.graph:
        problems.append("graph (running go) text is not byte-identical")

    # conflicts
    g = parse_graph(run.graph)
    found = conflicts(g)
    oracle = _requested_at_several_versions(run.graph)
    if {c.path for c in found} != set(oracle):
        problems.append(f"conflict set {sorted(c.path for c in found)} != {sorted(oracle)}")
    go_selected = {o["Path"]: o.get("Version", "") for o in run.list_json}
    for c in found:
        if go_selected.get(c.path) != c.selected:
            problems.append(f"{c.path}: selected {c.selected}, go {go_selected.get(c.path)}")
        edges = {
            (a, b)
            for a, b in (ln.split(" ") for ln in run.graph.splitlines())
            if b.startswith(c.path + "@")
        }
        mine = {(str(r.by), f"{c.path}@{r.version}") for r in c.requests}
        if mine != edges:
            problems.append(f"{c.path}: requests {sorted(mine)} != go's edges {sorted(edges)}")
        if not any(r.sets_max for r in c.requests):
            problems.append(f"{c.path}: no request sets the maximum")
    code, text = _gomodx(["conflicts", "--graph", str(graph_file), "--json", main_dir])
    failing = any(c.in_build for c in found)  # only what the build sees fails the command
    if code != (1 if failing else 0) or sorted(c["Path"] for c in json.loads(text)) != sorted(
        oracle
    ):
        problems.append(f"conflicts --json: exit {code}, {text[:200]}")

    # GoModReqs: every loaded node's requirements, exclude and replace applied
    main_file = modfile.parse("go.mod", run.go_mod)
    proxy = run.proxy_dir

    def fetch(m: ModuleVersion) -> bytes:
        return (proxy / escape(m.path) / "@v" / (escape(m.version) + ".mod")).read_bytes()

    reqs = GoModReqs(main_file, fetch, main_dir=run.main_dir, toolchain_nodes=True)
    for node in g.nodes():
        if node in g.mains or node.path in ("go", "toolchain"):
            continue
        got = g.required(node)
        if not got:
            continue  # pruned out, or requires nothing
        want = list(reqs.required(node))
        if got != want:
            problems.append(f"GoModReqs.required({node}) = {want}, go's graph has {got}")

    go_line = main_file.go.version if main_file.go is not None else "1.16"
    out.pruned = gover_compare(go_line, "1.17") >= 0
    assert main_file.module is not None
    plain = GoModReqs(main_file, fetch, main_dir=run.main_dir)
    blist = build_list([ModuleVersion(main_file.module.mod.path, "")], plain)
    want_list = [(o["Path"], o.get("Version", "")) for o in run.list_json]
    if not out.pruned:
        # Unpruned: go loads the whole graph, so plain MVS must give go's list exactly.
        if [(m.path, m.version) for m in blist] != want_list:
            problems.append(f"mvs.build_list {blist} != go list {want_list}")
    else:
        # Pruned: go reads fewer go.mod files, so it can only select less than full MVS.
        full = {m.path: m.version for m in blist}
        for path, version in want_list[1:]:
            if path not in full or mod_compare(path, full[path], version) < 0:
                problems.append(f"pruned {path}@{version} above full MVS {full.get(path)}")

    # Features this universe exercised, for the summary line.
    if main_file.exclude:
        out.features.add("exclude")
    if main_file.replace:
        out.features.add("replace")
    if any(o.get("Replace") for o in run.list_json):
        out.features.add("replace-used")
    if "go@" in run.graph:
        out.features.add("go@")
    if "+incompatible" in run.graph:
        out.features.add("+incompatible")
    if any(is_pseudo_version(m.version) for m in g.nodes()):
        out.features.add("pseudo")
    if oracle:
        out.features.add("conflicts")
    return out


@pytest.mark.go
def test_random_universes_agree_with_go(tmp_path: Path) -> None:
    require_go()
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda s: _run_go(s, tmp_path), UNIVERSES))
    outcomes = [_check(r) for r in runs]
    agree = sum(1 for o in outcomes if not o.problems)
    features: dict[str, int] = {}
    for o in outcomes:
        for f in o.features:
            features[f] = features.get(f, 0) + 1
    pruned = sum(1 for o in outcomes if o.pruned)
    print(
        f"\ngraph differential: {agree}/{len(outcomes)} universes agree with go "
        f"({pruned} pruned, {len(outcomes) - pruned} unpruned; "
        + ", ".join(f"{k} {v}" for k, v in sorted(features.items()))
        + ")"
    )
    bad = [o for o in outcomes if o.problems]
    assert not bad, "\n\n".join(f"seed {o.seed}:\n" + "\n".join(o.problems) for o in bad[:5])


def test_universes_are_reproducible_and_varied(tmp_path: Path) -> None:
    """Same seed, same bytes; a 400 x 8 universe has every feature the tests rely on."""
    a = random_universe(5, modules=10, versions=3).write(tmp_path / "a")
    b = random_universe(5, modules=10, versions=3).write(tmp_path / "b")
    files_a = sorted(p.relative_to(a.root) for p in a.root.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b.root) for p in b.root.rglob("*") if p.is_file())
    assert files_a == files_b
    assert all((a.root / f).read_bytes() == (b.root / f).read_bytes() for f in files_a)

    big = random_universe(11, modules=400, versions=8)
    assert len(big.paths()) >= 400
    assert len(big.mods) >= 400 * 6
    versions = [v for _, v in big.mods]
    assert any(is_pseudo_version(v) for v in versions)
    assert any("-rc." in v and not is_pseudo_version(v) for v in versions)
    assert any(v.endswith("+incompatible") for v in versions)
    assert any(p.endswith("/v2") for p in big.paths())
    assert any(p != p.lower() for p in big.paths())
    assert any(s.retract for s in big.mods.values())
    gos = {s.go for s in big.mods.values()}
    assert {None, "1.16", "1.17", "1.21"} <= gos
    assert all(not s.listed for s in big.mods.values() if is_pseudo_version(s.version))
    # Requirement cycles between module versions.
    import networkx as nx

    dg: nx.DiGraph[tuple[str, str]] = nx.DiGraph()
    for s in big.mods.values():
        for r in s.requires:
            dg.add_edge((s.path, s.version), (r[0], r[1]))
    assert not nx.is_directed_acyclic_graph(dg)
    # Every requirement points at a version the proxy serves.
    assert all((r[0], r[1]) in big.mods for s in big.mods.values() for r in s.requires)
    legacy = random_universe(3, modules=30, versions=4, era="legacy")
    assert {s.go for s in legacy.mods.values()} <= {None, "1.12", "1.14", "1.16"}
