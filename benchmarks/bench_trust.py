"""Benchmark the trust features against go: a download verified by a checksum database,
and the nearest-fixed-version preview against the ``go get`` it previews.

Run from the repository root::

    python benchmarks/bench_trust.py            # 80 modules x 4 versions
    python benchmarks/bench_trust.py --quick    # 30 x 3

A seeded random universe (``tests/universe.py``) is written as a ``file://`` GOPROXY and a
real checksum database (Go's own server code, ``tests/sumdbserver.py``) serves its
records on 127.0.0.1. Every run starts with cold, separate caches and no go.sum, so every
module version is looked up in the database and proven in its tree:

* ``go mod download all`` against ``python -m tui download`` (start-up included);
* ``python -m tui vuln --fix --json`` (scan, nearest fixed version and the preview of
  ``go get`` for each vulnerable module) against the ``go get`` of each fix, run one after
  another, each on a fresh copy.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from gotool import go_env, require_go  # noqa: E402
from sumdbserver import SumDBServer  # noqa: E402
from universe import random_universe  # noqa: E402
from vulngen import Vuln, write_vulndb  # noqa: E402

from analysis import semver  # noqa: E402


def _timed(
    cmd: list[str], cwd: Path, env: dict[str, str]
) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, proc


def _vulns(versions: dict[str, list[str]], rng: random.Random) -> list[Vuln]:
    out = []
    for i, (path, vs) in enumerate(sorted(versions.items())):
        ordered = sorted(set(vs), key=lambda v: semver.sort_key(semver.canonical(v)))
        if len(ordered) < 2 or rng.random() < 0.5:
            continue
        fixed = semver.canonical(ordered[rng.randrange(1, len(ordered))])[1:]
        out.append(Vuln(f"GO-2027-{i:04d}", {path: [[("introduced", "0"), ("fixed", fixed)]]}))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    modules, versions = (30, 3) if args.quick else (80, 4)
    go = require_go()
    work = Path(tempfile.mkdtemp(prefix="bench-trust-"))
    try:
        u = random_universe(args.seed, modules=modules, versions=versions)
        layout = u.write(work / "u")
        with SumDBServer(go, layout.proxy_dir) as db:
            # -- a download verified by the database -------------------------------------
            gmain = work / "go-main"
            shutil.copytree(layout.main_dir, gmain)
            genv = go_env(work / "go", proxy=layout.proxy_url, GOSUMDB=db.gosumdb)
            t_go, proc = _timed([go, "mod", "download", "all"], gmain, genv)
            assert proc.returncode == 0, proc.stderr
            xmain = work / "x-main"
            shutil.copytree(layout.main_dir, xmain)
            xenv = go_env(work / "x", proxy=layout.proxy_url, GOSUMDB=db.gosumdb)
            xenv["GOMODX_CACHE"] = str(work / "gx")
            cmd = [sys.executable, "-m", "tui", "download", str(xmain), "--json"]
            t_x, proc = _timed(cmd, ROOT, xenv)
            rows = json.loads(proc.stdout)["Modules"]
            # the same download with the database off: what verifying costs gomodx
            omain = work / "off-main"
            shutil.copytree(layout.main_dir, omain)
            oenv = go_env(work / "off", proxy=layout.proxy_url, GOSUMDB="off")
            oenv["GOMODX_CACHE"] = str(work / "gx-off")
            t_off, _ = _timed([*cmd[:4], str(omain), "--json"], ROOT, oenv)
            by_db = sum(1 for r in rows if "sumdb.test" in r.get("VerifiedBy", []))
            lookups = len(
                list((Path(genv["GOMODCACHE"]) / "cache/download/sumdb").rglob("lookup/**/*@*"))
            )
            print(
                f"download verified by the checksum database ({modules} modules x {versions}):"
                f" go {t_go:.2f}s, gomodx {t_x:.2f}s (x{t_x / t_go:.2f}; with GOSUMDB=off"
                f" {t_off:.2f}s, so checking costs it {t_x - t_off:+.2f}s);"
                f" {len(rows)} module zips, {by_db} vouched for by the database;"
                f" go looked up {lookups} records"
            )
        # -- the nearest fixed version against go get ------------------------------------
        per: dict[str, list[str]] = {}
        for path, version in u.mods:
            per.setdefault(path, []).append(version)
        db_dir = write_vulndb(work / "vulndb", _vulns(per, random.Random(args.seed)))
        venv = go_env(work / "v", proxy=layout.proxy_url, GOVULNDB=db_dir.as_uri())
        venv["GOMODX_CACHE"] = str(work / "gx2")
        cmd = [sys.executable, "-m", "tui", "vuln", str(layout.main_dir), "--json", "--fix"]
        cmd += ["--source", "proxy"]
        t_fix, proc = _timed(cmd, ROOT, venv)
        out = json.loads(proc.stdout)
        fixes = [f for f in out.get("Fixes", []) if f.get("GoGet")]
        t_get = 0.0
        refused = 0
        for i, f in enumerate(fixes):
            d = work / f"get{i}"
            shutil.copytree(layout.main_dir, d)
            t, p = _timed([go, "get", f["GoGet"].split()[-1]], d, venv)
            t_get += t
            refused += p.returncode != 0
        print(
            f"vuln --fix: {len(out['Findings'])} findings, {len(fixes)} fixes previewed"
            f" ({refused} refused by go) in {t_fix:.2f}s; go get of each fix, one after"
            f" another: {t_get:.2f}s (x{t_fix / t_get:.2f})"
            if t_get
            else f"vuln --fix: {len(out['Findings'])} findings, no fix to preview ({t_fix:.2f}s)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
