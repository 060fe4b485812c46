"""How long the app takes from launch to its first useful screen, and how much memory.

A generated universe (400 modules x 8 versions by default, ~16k graph edges) is served by
``benchmarks/goproxyserver.go``; ``gomodx graph`` runs once so every go.mod is cached (a
warm start, what a developer sees the second time). Then ``gomodx DIR`` is launched in a
real terminal (tmux, 120x40) ``--runs`` times, and the screen is read back every few
milliseconds until the build list shows a module of the graph; the time from launch to
that screen is the first paint. While the app is up, its resident memory (``VmRSS`` and
the peak ``VmHWM`` from ``/proc``) is read. ``--source`` picks where the graph comes from
(``proxy``: gomodx's own loader and its warm snapshot, go hidden from the app's PATH;
``go``: the app runs ``go mod graph``, as it does whenever go is installed).

Nothing is asserted; the issue's goals are first paint <= 0.6 s and <= 150 MB RSS::

    python benchmarks/bench_app.py
    python benchmarks/bench_app.py --modules 100 --runs 3
"""

from __future__ import annotations

import argparse
import compileall
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from goserver import GoProxyServer  # noqa: E402
from gotool import GO, go_env  # noqa: E402
from universe import random_universe  # noqa: E402

DEADLINE = 120.0


def tmux(socket: str, *args: str) -> str:
    out = subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True)
    return out.stdout


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid`` in kB."""
    out: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    except OSError:
        pass
    return out


def app_pid(pane_pid: int) -> int | None:
    """The python process: the pane's own process (a shell that exec'd it) or under it."""
    try:
        if b"python" in Path(f"/proc/{pane_pid}/cmdline").read_bytes().split(b"\0")[0]:
            return pane_pid
    except OSError:
        return None
    try:
        children = subprocess.run(
            ["pgrep", "-P", str(pane_pid)], capture_output=True, text=True
        ).stdout.split()
    except OSError:
        return None
    for c in children:
        cmd = Path(f"/proc/{c}/cmdline").read_bytes().split(b"\0")
        if any(b"python" in part for part in cmd[:1]):
            return int(c)
        deeper = app_pid(int(c))
        if deeper is not None:
            return deeper
    return None


def launch(main: Path, env: dict[str, str], marker: str) -> tuple[float, dict[str, int], str]:
    socket = f"gomodx-bench-{uuid.uuid4().hex[:8]}"
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
    cmd = shlex.join([sys.executable, "-m", "tui", str(main)])
    shell = f"env -i {exports} {cmd}"
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d",
         "-x", "120", "-y", "40", "-s", "b", shell],
        check=True,
    )  # fmt: skip
    screen = ""
    took = float("nan")
    try:
        while time.perf_counter() - start < DEADLINE:
            screen = tmux(socket, "capture-pane", "-p", "-t", "b")
            if marker in screen:
                took = time.perf_counter() - start
                break
            time.sleep(0.005)
        pane = tmux(socket, "display-message", "-p", "-t", "b", "#{pane_pid}").strip()
        pid = app_pid(int(pane)) if pane.isdigit() else None
        mem = proc_status(pid) if pid else {}
        tmux(socket, "send-keys", "-t", "b", "q")
    finally:
        tmux(socket, "kill-server")
    return took, mem, screen


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--modules", type=int, default=400)
    ap.add_argument("--versions", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--source", choices=("proxy", "go"), default="proxy")
    ap.add_argument("--show", action="store_true", help="print the last screen")
    ns = ap.parse_args()
    if GO is None or shutil.which("tmux") is None:
        print("bench_app needs the go command and tmux")
        return 2
    for package in ("analysis", "tui"):  # bytecode as an installed gomodx has it
        compileall.compile_dir(ROOT / package, quiet=1)
    scratch = Path(tempfile.mkdtemp(prefix="gomodx-bench-app-"))
    try:
        u = random_universe(ns.seed, ns.modules, ns.versions, max_deps=10, zips=False)
        layout = u.write(scratch / "u")
        marker = sorted(p for p, _, _ in u.main_requires)[0]
        with GoProxyServer(layout.proxy_dir, 0.020, GO) as server:
            env = go_env(scratch / "home", proxy=server.url)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PATH"] = os.path.dirname(GO) + os.pathsep + env.get("PATH", "")
            env["PYTHONPATH"] = str(ROOT)
            env["TERM"] = "xterm-256color"
            warm = subprocess.run(
                [sys.executable, "-m", "tui", "graph", "--source", ns.source, "--format", "text"],
                cwd=layout.main_dir,
                env=env,
                capture_output=True,
                text=True,
            )
            edges = len(warm.stdout.splitlines())
            print(
                f"universe: {len(u.paths())} modules, {len(u.mods)} versions, {edges} graph"
                f" edges (caches warmed: exit {warm.returncode}); source {ns.source};"
                f" waiting for {marker!r}"
            )
            app_env = dict(env)
            if ns.source == "proxy":  # the app uses go when it is installed: hide it
                app_env["PATH"] = "/usr/local/bin:/usr/bin:/bin"
            times: list[float] = []
            rss: list[int] = []
            screen = ""
            for i in range(ns.runs):
                took, mem, screen = launch(layout.main_dir, app_env, marker)
                times.append(took)
                rss.append(mem.get("VmHWM", 0))
                print(
                    f"run {i + 1}: first paint {took:.3f} s, RSS {mem.get('VmRSS', 0) / 1024:.0f}"
                    f" MB (peak {mem.get('VmHWM', 0) / 1024:.0f} MB)",
                    flush=True,
                )
        if ns.show:
            print(screen)
        print(
            f"first paint: median {statistics.median(times):.3f} s, best {min(times):.3f} s"
            f" (goal <= 0.6 s); peak RSS median {statistics.median(rss) / 1024:.0f} MB"
            " (goal <= 150 MB)"
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
