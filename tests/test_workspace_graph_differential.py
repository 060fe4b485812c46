"""Differential tests: the workspace build list and graph against the real go command.

Each seed writes a random workspace (``tests/workspacegen.py``) over a random universe and
runs, in one of its directories, with GOWORK unset (go finds the go.work itself):

* ``go mod graph`` against ``gomodx graph --format text --source proxy`` (and, for some
  seeds, ``--source go``);
* ``go list -m all`` against ``gomodx list --source proxy``;
* ``go list -m -json all`` against ``gomodx list --json --source proxy`` in Path, Version,
  Main, Indirect, Replace (Path, Version) and the main modules' Dir, GoMod and GoVersion;
* ``go list -m -u all`` against ``gomodx versions --all --source proxy`` (some seeds).

When go fails, gomodx must fail with go's message (the first line of go's stderr). The
counts of agreements are printed (``-s``); ``GOMODX_WS_SWEEP=N`` runs N more seeds
(``GOMODX_WS_SCALE=K``: in universes K times bigger).
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from typing import Any

import pytest
from gotool import environ, go_env, json_objects, run_go
from workspacegen import random_workspace

from tui.cli import main as gomodx

pytestmark = pytest.mark.go

SEEDS = list(range(40))
SWEEP = int(os.environ.get("GOMODX_WS_SWEEP", "0"))
SCALE = int(os.environ.get("GOMODX_WS_SCALE", "1"))
"""The sweep's universes are this many times bigger."""


def _gomodx(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), environ(env):
        code = gomodx(args)
    return code, out.getvalue(), err.getvalue()


def _project(obj: dict[str, Any]) -> dict[str, Any]:
    """Every field go prints."""
    return obj


def compare_workspace(seed: int, root: Path, *, extra: bool = False, scale: int = 1) -> list[str]:
    """Every difference between go and gomodx on workspace ``seed`` (empty: all equal)."""
    ws = random_workspace(seed, root, scale)
    env = go_env(root, ws.layout.proxy_url, GOFLAGS="", GOWORK="")
    where = ws.run_dir
    problems: list[str] = []

    def same(what: str, go_args: list[str], ours: list[str], relayed: bool = False) -> str:
        """Compare stdout (or, when go fails, go's first error line); go's stdout.
        ``relayed``: gomodx ran go, and reports go's failure in its own words."""
        g = run_go(go_args, where, env, check=False)
        code, out, err = _gomodx([*ours, str(where)], env)
        if g.returncode != 0:
            want = g.stderr.strip().splitlines()[0] if g.stderr.strip() else ""
            got = err.strip().splitlines()[0] if err.strip() else ""
            if code == 0 or (want not in got if relayed else got != want):
                problems.append(f"{what}: go failed with {want!r}; gomodx {code}: {err.strip()!r}")
            return ""
        if code != 0:
            problems.append(f"{what}: gomodx failed ({code}): {err.strip()}")
        elif out != g.stdout:
            problems.append(f"{what}: differs\n--- go\n{g.stdout}--- gomodx\n{out}")
        return g.stdout

    same("graph", ["mod", "graph"], ["graph", "--format", "text", "--source", "proxy"])
    same("list", ["list", "-m", "all"], ["list", "--source", "proxy"])
    g = run_go(["list", "-m", "-json", "all"], where, env, check=False)
    code, out, err = _gomodx(["list", "--json", "--source", "proxy", str(where)], env)
    if g.returncode == 0 and code == 0:
        want = [_project(o) for o in json_objects(g.stdout)]
        got = [_project(o) for o in json_objects(out)]
        if want != got:
            problems.append(f"list --json: differs\n--- go\n{g.stdout}\n--- gomodx\n{out}")
    elif (g.returncode == 0) != (code == 0):
        problems.append(f"list --json: go {g.returncode}, gomodx {code}: {err.strip()}")
    if extra and not problems:
        # conflicts and why read the same workspace graph from either source.
        for cmd in (["conflicts", "--json"], ["why", "--json", _some_module(out)]):
            by_proxy = _gomodx([*cmd, "--source", "proxy", str(where)], env)
            by_go = _gomodx([*cmd, "--source", "go", str(where)], env)
            if by_proxy != by_go:
                problems.append(f"{cmd[0]}: --source proxy and go differ: {by_proxy} {by_go}")
    if extra:
        same(
            "graph --source go",
            ["mod", "graph"],
            ["graph", "--format", "text", "--source", "go"],
            relayed=True,
        )
        same("list --source go", ["list", "-m", "all"], ["list", "--source", "go"], relayed=True)
        same(
            "versions --all",
            ["list", "-m", "-u", "all"],
            ["versions", "--all", "--no-majors", "--source", "proxy"],
        )
    return problems


def _some_module(listed_json: str) -> str:
    """A module of the build list that is not a main module (or the first main module)."""
    try:
        mods = json_objects(listed_json)
    except ValueError:
        return "example.com/main"
    rest = [m["Path"] for m in mods if not m.get("Main")]
    return rest[len(rest) // 2] if rest else "example.com/main"


def _run(seeds: list[int], tmp_path: Path, scale: int = 1) -> tuple[int, list[str]]:
    agree = 0
    failures: list[str] = []
    for seed in seeds:
        problems = compare_workspace(seed, tmp_path / f"s{seed}", extra=seed % 3 == 0, scale=scale)
        if problems:
            failures.append(f"seed {seed}:\n" + "\n".join(problems))
        else:
            agree += 1
    return agree, failures


def test_random_workspaces_agree_with_go(tmp_path: Path) -> None:
    agree, failures = _run(SEEDS, tmp_path)
    if SWEEP:  # a longer run, on demand: more seeds, bigger universes
        more, failed = _run(list(range(1000, 1000 + SWEEP)), tmp_path / "sweep", SCALE)
        agree, failures = agree + more, failures + failed
    print(f"workspaces equal to go: {agree}/{len(SEEDS) + SWEEP}")
    assert not failures, "\n\n".join(failures[:5])
