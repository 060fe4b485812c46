"""Benchmark the graph engine: parsing, MVS and conflict analysis, ``gomodx list``
against ``go list -m all``, and what ``gomodx conflicts`` and the conflicts-only picture
come to on the recorded real graphs in ``../shared/corpus`` (when it is there).

Run from the repository root::

    python benchmarks/bench_graph.py            # 1k, 10k and 100k edges, plus the go ratio
    python benchmarks/bench_graph.py --quick    # 1k and 10k only, smaller go universe

Figures are printed, never asserted: timings on a shared machine are noisy, so each
time is the best of a few runs; peak memory comes from a separate ``tracemalloc`` run.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from analysis.conflicts import conflicts  # noqa: E402
from analysis.modgraph import ModuleGraph, build_list, parse_graph, version_key  # noqa: E402
from analysis.module import ModuleVersion  # noqa: E402
from analysis.mvs import build_list as mvs_build_list  # noqa: E402


def synthetic_graph(edges: int, seed: int = 1) -> str:
    """``go mod graph`` text with about ``edges`` edges, shaped like real graphs.

    Modules have several versions; each loaded version requires ~8 others, mostly
    "downstream" (so the graph is deep) with some back edges (cycles); everything is
    reached breadth-first from the main module, as go prints it.
    """
    rng = random.Random(seed)
    fanout = 8
    n_nodes = max(20, edges // (fanout - 2))
    n_paths = max(5, n_nodes // 4)
    paths = [f"example.com/org{i % 50}/mod{i}" for i in range(n_paths)]
    versions = {
        p: [f"v{rng.randint(0, 1)}.{m}.{rng.randint(0, 3)}" for m in range(4)] for p in paths
    }
    nodes = [(p, v) for p in paths for v in dict.fromkeys(versions[p])]
    index = {n: i for i, n in enumerate(nodes)}
    main = "example.com/main"
    lines: list[str] = []
    pool = nodes[: max(10, len(nodes) // 10)]
    start = rng.sample(pool, k=min(30, len(pool)))
    queue = list(dict.fromkeys(start))
    seen = set(queue)
    lines += [f"{main} {p}@{v}" for p, v in sorted(queue)]
    i = 0
    while i < len(queue) and len(lines) < edges:
        p, v = queue[i]
        i += 1
        here = index[(p, v)]
        reqs: dict[str, str] = {}
        for _ in range(fanout):
            if rng.random() < 0.9 and here + 1 < len(nodes):
                j = rng.randint(here + 1, min(len(nodes) - 1, here + len(nodes) // 5 + 1))
            else:
                j = rng.randint(0, len(nodes) - 1)  # a back edge: cycles happen
            q, w = nodes[min(j, len(nodes) - 1)]
            if q != p:
                reqs.setdefault(q, w)
        for q, w in reqs.items():
            lines.append(f"{p}@{v} {q}@{w}")
            if (q, w) not in seen:
                seen.add((q, w))
                queue.append((q, w))
        if i == len(queue) and len(lines) < edges:
            extra = rng.choice(nodes)
            if extra not in seen:
                seen.add(extra)
                queue.append(extra)
                lines.append(f"{main} {extra[0]}@{extra[1]}")
    return "\n".join(lines[:edges]) + "\n"


class GraphReqs:
    """A parsed graph as :class:`analysis.mvs.Reqs`, to time MVS itself."""

    def __init__(self, g: ModuleGraph) -> None:
        self.g = g

    def required(self, m: ModuleVersion) -> Sequence[ModuleVersion]:
        return self.g.required(m)

    def max(self, path: str, v1: str, v2: str) -> str:
        return v1 if version_key(path, v1) >= version_key(path, v2) else v2


def best_of(fn: Callable[[], object], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / (1 << 20)
    finally:
        tracemalloc.stop()


def bench_engine(sizes: Sequence[int]) -> None:
    print(
        f"{'edges':>8} {'nodes':>7} {'parse':>9} {'select':>9} {'MVS':>9} {'conflicts':>10}"
        "   peak MiB: parse / MVS / conflicts"
    )
    for size in sizes:
        _bench_one(size)


def _bench_one(size: int) -> None:
    text = synthetic_graph(size)
    runs = 3 if size <= 10_000 else 2
    g = parse_graph(text)
    reqs = GraphReqs(g)
    t_parse = best_of(lambda: parse_graph(text), runs)
    t_select = best_of(lambda: (g.__setattr__("_selected", None), build_list(g)), runs)
    t_mvs = best_of(lambda: mvs_build_list([g.main], reqs), runs)
    t_conf = best_of(lambda: conflicts(g), runs)
    n_conf = len(conflicts(g))
    # MVS over the graph and the graph's own max-per-path selection must agree.
    assert mvs_build_list([g.main], reqs) == build_list(g, toolchain=True)
    m_parse = peak_mib(lambda: parse_graph(text))
    m_mvs = peak_mib(lambda: mvs_build_list([g.main], reqs))
    m_conf = peak_mib(lambda: conflicts(g))
    print(
        f"{len(g.edges):>8} {len(g):>7} {t_parse * 1e3:>7.0f}ms {t_select * 1e3:>7.1f}ms"
        f" {t_mvs * 1e3:>7.0f}ms {t_conf * 1e3:>8.0f}ms"
        f"   {m_parse:.1f} / {m_mvs:.1f} / {m_conf:.1f}   ({n_conf} conflicts)"
    )


def bench_against_go(modules: int, versions: int) -> None:
    go = shutil.which("go")
    if go is None:
        print("\ngo is not installed: skipping gomodx list vs go list -m all")
        return
    from gotool import go_env
    from universe import random_universe

    with tempfile.TemporaryDirectory(prefix="bench-graph-") as tmp:
        root = Path(tmp)
        u = random_universe(7, modules=modules, versions=versions, max_deps=3, zips=False)
        layout = u.write(root / "u")
        env = go_env(root / "go", proxy=layout.proxy_url)
        env["PYTHONPATH"] = str(ROOT)

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                args, cwd=layout.main_dir, env=env, capture_output=True, text=True, check=True
            )

        run(go, "list", "-m", "all")  # warm the module cache (downloads go.mod files)
        graph = run(go, "mod", "graph").stdout
        gfile = root / "graph.txt"
        gfile.write_text(graph)
        n = len(run(go, "list", "-m", "all").stdout.splitlines())
        cli = [sys.executable, "-m", "tui", "list"]
        t_go = best_of(lambda: run(go, "list", "-m", "all"), 5)
        t_ours = best_of(lambda: run(*cli), 5)
        t_file = best_of(lambda: run(*cli, "--graph", str(gfile)), 5)
        same = run(*cli).stdout == run(go, "list", "-m", "all").stdout
        print(
            f"\ngomodx list vs go list -m all: {modules} modules x {versions} versions,"
            f" {n} in the build list, {len(graph.splitlines())} graph edges (warm caches,"
            f" best of 5, whole processes; output identical: {same})"
        )
        print(f"  go list -m all              {t_go * 1e3:7.0f} ms   1.00x")
        print(f"  gomodx list (runs go)       {t_ours * 1e3:7.0f} ms   {t_ours / t_go:.2f}x")
        print(f"  gomodx list --graph FILE    {t_file * 1e3:7.0f} ms   {t_file / t_go:.2f}x")
        py = best_of(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 5)
        print(f"  (python startup alone       {py * 1e3:7.0f} ms)")


def bench_conflict_views() -> None:
    """Lines of ``gomodx conflicts`` (default, --all), risk counts, and the conflicts-only
    DOT: its size and how long Graphviz's ``dot -Tsvg`` takes to draw it."""
    from analysis.export import to_dot
    from analysis.modgraph import read_graph

    corpus = Path(os.environ.get("GOMODX_SHARED", ROOT.parent / "shared")) / "corpus" / "graphs"
    if not corpus.is_dir():
        print(f"\n{corpus} is not there: skipping the conflict views of real graphs")
        return
    dot = shutil.which("dot")
    print(
        "\nreal graphs: conflicts (in the build / all), risk high/medium/low, lines of"
        " `gomodx conflicts` (default / --all), conflicts-only DOT edges, dot -Tsvg"
    )
    for f in sorted(corpus.glob("*.txt")):
        g = read_graph(f)
        found = conflicts(g)
        inside = [c for c in found if c.in_build]
        if not inside:
            continue
        risk = "/".join(
            str(sum(c.risk.level == lvl for c in inside)) for lvl in ("high", "medium", "low")
        )
        cli = [sys.executable, "-m", "tui", "conflicts", "--graph", str(f)]
        lines = [
            len(subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT).stdout.splitlines())
            for cmd in (cli, [*cli, "--all"])
        ]
        text = to_dot(g, conflicts_only=True)
        drawn = "no dot"
        if dot is not None:
            t = time.perf_counter()
            svg = subprocess.run([dot, "-Tsvg"], input=text.encode(), capture_output=True).stdout
            size = svg.split(b"<svg", 1)[-1].split(b">", 1)[0]
            w = size.split(b'width="')[1].split(b'"')[0].decode()
            h = size.split(b'height="')[1].split(b'"')[0].decode()
            drawn = f"{time.perf_counter() - t:5.2f} s, {w} x {h}"
        print(
            f"  {f.name[:48]:<48} {len(inside):>3}/{len(found):<3} {risk:>9}"
            f" {lines[0]:>5}/{lines[1]:<5} {text.count(' -> '):>5}  {drawn}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only")
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    if args.quick:
        bench_engine([1_000, 10_000])
        bench_against_go(60, 4)
    else:
        bench_engine([1_000, 10_000, 100_000])
        bench_against_go(400, 8)
    bench_conflict_views()


if __name__ == "__main__":
    main()
