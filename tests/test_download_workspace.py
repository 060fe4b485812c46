"""``gomodx download`` in a workspace against ``go mod download`` there.

In workspace mode go downloads ``all``: every module of the workspace's build list (as the
workspace replaces them) and the go.mod of every module version its graph reads. Each
seed writes a random workspace (``tests/workspacegen.py``), runs ``go mod download`` in
one of its directories into one module cache and ``gomodx download`` into another, and
compares the two ``cache/download`` trees file by file, byte for byte (when go fails,
gomodx must fail too). Then go, offline on gomodx's cache, lists the workspace's modules
as it does online. ``GOMODX_WS_DOWNLOAD_SWEEP=N`` runs N more seeds.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest
from gotool import environ, go_env, run_go
from test_download import cache_files
from workspacegen import random_workspace

from tui.cli import main as gomodx

pytestmark = pytest.mark.go

SEEDS = list(range(10))
SWEEP = int(os.environ.get("GOMODX_WS_DOWNLOAD_SWEEP", "0"))


def _gomodx(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), environ(env):
        code = gomodx(args)
    return code, out.getvalue(), err.getvalue()


FILES: list[int] = []
"""How many cache files each agreeing seed compared."""


def compare(seed: int, tmp: Path) -> tuple[str, list[str]]:
    ws = random_workspace(seed, tmp / "w")
    where = ws.run_dir
    go = go_env(tmp / "go", ws.layout.proxy_url, GOFLAGS="", GOWORK="")
    ours = go_env(tmp / "ours", ws.layout.proxy_url, GOFLAGS="", GOWORK="")
    ours["GOMODX_CACHE"] = str(tmp / "gomodx-cache")
    g = run_go(["mod", "download"], where, go, check=False)
    work_sum = ws.work.with_name("go.work.sum")
    if work_sum.exists():
        work_sum.unlink()  # go's checksums: gomodx must not need them
    code, out, err = _gomodx(["download", str(where)], ours)
    if g.returncode != 0:
        first = g.stderr.strip().splitlines()[0]
        if code == 0:
            return "refused", [f"go failed ({first}) but gomodx succeeded"]
        return "refused", []
    problems: list[str] = []
    if code != 0:
        return "downloaded", [f"gomodx download failed ({code}): {err}{out}"]
    theirs = cache_files(tmp / "go" / "modcache")
    mine = cache_files(tmp / "ours" / "modcache")
    if sorted(mine) != sorted(theirs):
        only_go = sorted(set(theirs) - set(mine))
        only_us = sorted(set(mine) - set(theirs))
        problems.append(f"files: only go {only_go[:8]}, only gomodx {only_us[:8]}")
    differ = sorted(n for n in set(mine) & set(theirs) if mine[n] != theirs[n])
    if differ:
        problems.append(f"bytes differ: {differ[:8]}")
    if not problems:
        FILES.append(len(mine))
        offline = go_env(
            tmp / "off", "off", GOFLAGS="", GOWORK="", GOMODCACHE=str(tmp / "ours" / "modcache")
        )
        a = run_go(["list", "-m", "all"], where, offline, check=False)
        b = run_go(["list", "-m", "all"], where, go, check=False)
        if (a.returncode, a.stdout) != (b.returncode, b.stdout):
            problems.append(f"go offline on gomodx's cache: {a.stderr.strip()}")
    return "downloaded", problems


def test_workspace_download_matches_go(tmp_path: Path) -> None:
    kinds: dict[str, int] = {}
    failures: list[str] = []
    seeds = [*SEEDS, *range(2000, 2000 + SWEEP)]
    for seed in seeds:
        kind, problems = compare(seed, tmp_path / f"s{seed}")
        kinds[kind] = kinds.get(kind, 0) + 1
        if problems:
            failures.append(f"seed {seed}: " + "\n".join(problems))
    print(
        f"\ngomodx download vs go mod download in workspaces: {len(seeds)} workspaces"
        f" ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}),"
        f" {len(seeds) - len(failures)} with the same module cache ({sum(FILES)} files)"
    )
    assert sum(FILES) >= 20 * len(FILES)
    assert kinds.get("downloaded", 0) >= len(seeds) // 2, kinds
    assert not failures, "\n".join(failures)
