"""Benchmark the workspace previews against go: ``go work sync`` and ``go get`` there.

Random workspaces (``tests/workspacegen.py``, with Go packages, ``--scale`` times the
suite's universes) are served as a ``file://`` GOPROXY. For each of ``--seeds``
workspaces, with Go's module cache warm (go ran the command once on a copy):

1. ``go work sync`` on a fresh copy, wall time;
2. ``gomodx worksync --dry-run --json`` as a process (start-up included), wall time, and
   whether every go.mod it previews equals the one go wrote;
3. ``go get ARG`` in a module of the workspace (a drawn argument), wall time;
4. ``gomodx get ARG --dry-run --json`` as a process, wall time, and whether its go.mod
   equals go's.

Both gomodx previews run go on a sandbox copy of the workspace, so their cost over go is
the copy (go.mod/go.sum/go.work copied, other files hard linked) and gomodx's own
planning. Nothing is asserted; the summary prints medians and the ratio gomodx / go.
Run from the repository root::

    python benchmarks/bench_workspace.py                 # 10 workspaces, scale 3
    python benchmarks/bench_workspace.py --seeds 4 --scale 1
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from gotool import go_env, require_go  # noqa: E402
from test_plan_differential import draw_arguments  # noqa: E402
from workspacegen import random_workspace  # noqa: E402

NAMES = ("go.mod", "go.sum", "go.work", "go.work.sum")


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.name in NAMES and p.is_file() and "proxy" not in p.relative_to(root).parts
    }


def timed(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, str, int]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc.stdout, proc.returncode


def copy(gen: Path, to: Path) -> Path:
    shutil.copytree(gen, to, ignore=shutil.ignore_patterns("proxy"), symlinks=True)
    return to


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--scale", type=int, default=3)
    args = parser.parse_args()
    go = require_go()
    gomodx = [sys.executable, "-m", "tui"]
    rows: dict[str, list[float]] = {"sync-go": [], "sync-x": [], "get-go": [], "get-x": []}
    agree = {"sync": [0, 0], "get": [0, 0]}
    with tempfile.TemporaryDirectory(prefix="bench-ws-", dir="/work/tmp") as tmp:
        base = Path(tmp)
        for seed in range(args.seeds):
            gen = base / f"s{seed}" / "gen"
            ws = random_workspace(seed, gen, args.scale, packages=True)
            env = go_env(base / f"s{seed}", ws.layout.proxy_url, GOFLAGS="", GOWORK="")
            env["GOMODX_STATE"] = str(base / f"s{seed}" / "state")
            env["PYTHONPATH"] = str(ROOT)
            rel = ws.run_dir.relative_to(gen)
            # Warm Go's module cache with what both commands read.
            subprocess.run([go, "work", "sync"], cwd=copy(gen, base / f"s{seed}" / "w0"), env=env)
            t, _, rc = timed([go, "work", "sync"], copy(gen, base / f"s{seed}" / "g1"), env)
            after = files(base / f"s{seed}" / "g1")
            x = copy(gen, base / f"s{seed}" / "x1")
            tx, out, _ = timed([*gomodx, "worksync", "--dry-run", "--json", str(x)], ROOT, env)
            rows["sync-go"].append(t)
            rows["sync-x"].append(tx)
            data = json.loads(out)
            same = rc != 0 or all(
                after.get(str(Path(d) / "go.mod")) == text.encode()
                for d, text in data["GoMods"].items()
            )
            agree["sync"][0] += same
            agree["sync"][1] += 1
            if rel == Path("."):
                continue
            arg = draw_arguments(ws.universe, random.Random(seed), 1)[0]
            g2 = copy(gen, base / f"s{seed}" / "g2")
            subprocess.run([go, "get", *arg.split()], cwd=copy(gen, base / "warm") / rel, env=env)
            shutil.rmtree(base / "warm")
            t, _, rc = timed([go, "get", *arg.split()], g2 / rel, env)
            x2 = copy(gen, base / f"s{seed}" / "x2")
            cmd = [*gomodx, "get", "--dry-run", "--json", "-C", str(x2 / rel), *arg.split()]
            tx, out, _ = timed(cmd, ROOT, env)
            rows["get-go"].append(t)
            rows["get-x"].append(tx)
            data = json.loads(out)
            gomod = (g2 / rel / "go.mod").read_bytes()
            agree["get"][0] += (data.get("GoMod") or "").encode() == gomod
            agree["get"][1] += 1

    def med(key: str) -> float:
        return statistics.median(rows[key]) if rows[key] else float("nan")

    for what in ("sync", "get"):
        g, x = med(f"{what}-go"), med(f"{what}-x")
        name = "go work sync" if what == "sync" else "go get (in a workspace)"
        print(
            f"{name}: {len(rows[what + '-go'])} runs; median go {g * 1000:.0f} ms,"
            f" gomodx preview {x * 1000:.0f} ms (ratio {x / g:.2f});"
            f" go.mod equal {agree[what][0]}/{agree[what][1]}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
