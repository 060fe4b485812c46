"""``gomodx get`` inside a workspace against the real ``go get`` there.

Go 1.27's ``go get`` in a workspace module plans for the module alone but loads the final
packages (missing and ambiguous imports, retractions, deprecations) in the workspace,
reports changes against the go.mod it has already updated, keeps the sums that load
verified and raises go.work's ``go`` line to the module's. gomodx previews it by running
go get on a sandbox copy of the workspace (:mod:`analysis.worksync`).

Each seed writes a random workspace (``tests/workspacegen.py``; every other seed with
packages) and draws go get arguments (``tests/test_plan_differential.py``'s, with
package arguments for package seeds). Each argument runs on three copies of the
workspace: ``gomodx get --dry-run --json``, ``gomodx get`` (which writes), and ``go
get`` (GOWORK unset: go finds the go.work). Per pair:

* ``OK`` is go's success and ``Error`` its message; ``GoMod`` and ``GoSum`` the module's
  go.mod and go.sum go left, byte for byte; ``Changes`` go's report, each with a ``Why``;
  ``OtherFiles`` the go.work go rewrote (and nothing when it did not); the dry run
  writes nothing;
* ``gomodx get`` exits as go, prints go's standard error and leaves exactly go's files
  (go.work included); ``gomodx undo`` then puts every file back.

The counts are printed (``-s``); ``GOMODX_WS_GET_SWEEP=N`` runs N more seeds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from gotool import environ, go_env, require_go
from test_get_differential import go_changes
from test_plan_differential import draw_arguments
from test_plan_packages_differential import package_arguments
from workspacegen import random_workspace

from tui.cli import main as gomodx

pytestmark = pytest.mark.go

SEEDS = list(range(8))
SWEEP = int(os.environ.get("GOMODX_WS_GET_SWEEP", "0"))
PER = 4
NAMES = ("go.mod", "go.sum", "go.work", "go.work.sum")
NOTE = "\tnote: expanded dependencies"


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.name in NAMES and p.is_file() and "proxy" not in p.relative_to(root).parts
    }


def run_gomodx(
    capsys: pytest.CaptureFixture[str], env: dict[str, str], *argv: str
) -> tuple[int, str, str]:
    with environ(env):
        code = gomodx(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def compare_pair(
    capsys: pytest.CaptureFixture[str],
    gen: Path,
    rel: Path,
    env: dict[str, str],
    arg: str,
    tmp: Path,
) -> tuple[str, list[str]]:
    copies = {}
    for kind in ("json", "apply", "go"):
        copies[kind] = tmp / kind
        shutil.copytree(gen, copies[kind], ignore=shutil.ignore_patterns("proxy"), symlinks=True)
    original = files(copies["json"])
    proc = subprocess.run(
        [require_go(), "get", *arg.split()],
        cwd=copies["go"] / rel,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    go_lines = [
        x.replace(str(copies["go"]), "$WORK")
        for x in proc.stderr.splitlines()
        if not x.startswith("go: downloading ")
    ]
    after = files(copies["go"])
    problems: list[str] = []
    code, out, err = run_gomodx(
        capsys, env, "get", "--dry-run", "--json", "-C", str(copies["json"] / rel), *arg.split()
    )
    data: dict[str, Any] = json.loads(out.replace(str(copies["json"]), "$WORK"))
    if files(copies["json"]) != original:
        problems.append("the dry run wrote files")
    if data["OK"] != (proc.returncode == 0):
        problems.append(f"OK {data['OK']} but go exited {proc.returncode}: {go_lines}")
    if proc.returncode:
        if data["Error"] != "\n".join(go_lines):
            problems.append(f"Error {data['Error']!r} != go's {go_lines!r}")
    else:
        if data["Error"] is not None:
            problems.append(f"Error {data['Error']!r} but go succeeded")
        warned = [line for w in data["Warnings"] for line in w.splitlines()]
        expected = [x for x in go_lines if not go_changes([x]) and not x.startswith(NOTE)]
        if warned != expected:
            problems.append(f"Warnings {warned} != go's {go_lines}")
    gomod = after.get(str(rel / "go.mod"))
    if (data["GoMod"].encode() if data["GoMod"] is not None else None) != gomod:
        problems.append(f"GoMod differs:\n{data['GoMod']}\n--- go:\n{gomod!r}")
    gosum = after.get(str(rel / "go.sum"))
    if (data["GoSum"].encode() if data["GoSum"] is not None else None) != gosum:
        problems.append(f"GoSum differs: {data['GoSum']!r}\n--- go:\n{gosum!r}")
    ours = [(c["Path"], c["From"], c["To"]) for c in data["Changes"]]
    if ours != go_changes(go_lines if proc.returncode == 0 else []):
        problems.append(f"Changes {ours} != go's {go_changes(go_lines)}")
    if any(not c["Why"] for c in data["Changes"]):
        problems.append(f"a change without a reason: {data['Changes']}")
    work_changed = original.get("go.work") != after.get("go.work")
    others = data.get("OtherFiles", {})
    if work_changed:
        key = os.path.relpath("go.work", rel)
        got = others.get(key)
        if got is None or got.encode() != after.get("go.work"):
            problems.append(f"OtherFiles {others} lacks go's go.work {after.get('go.work')!r}")
    elif others:
        problems.append(f"OtherFiles {others} but go wrote no other file")

    code, out, err = run_gomodx(capsys, env, "get", "-C", str(copies["apply"] / rel), *arg.split())
    lines = [x.replace(str(copies["apply"]), "$WORK") for x in err.splitlines()]
    if code != min(proc.returncode, 1) or lines != go_lines:
        problems.append(f"gomodx get: exit {code} {lines} vs go {proc.returncode} {go_lines}")
    if files(copies["apply"]) != after:
        problems.append("gomodx get left other files than go")
    if proc.returncode == 0 and after != original:
        code, out, err = run_gomodx(capsys, env, "undo", str(copies["apply"] / rel))
        if code != 0 or files(copies["apply"]) != original:
            problems.append(f"gomodx undo (exit {code}) did not restore every file: {err}")
    kind = "refused" if proc.returncode else ("changed" if after != original else "unchanged")
    if work_changed:
        kind += "+go.work"
    return kind, problems


def _run(seeds: list[int], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kinds: dict[str, int] = {}
    failures: list[str] = []
    pairs = 0
    for seed in seeds:
        gen = tmp_path / f"s{seed}" / "gen"
        packages = seed % 2 == 1
        ws = random_workspace(seed, gen, packages=packages)
        rng = random.Random(seed)
        draw = package_arguments if packages else draw_arguments
        args = draw(ws.universe, rng, PER)
        env = go_env(tmp_path / f"s{seed}", ws.layout.proxy_url, GOFLAGS="", GOWORK="")
        env["GOMODX_STATE"] = str(tmp_path / f"s{seed}" / "state")
        env["GOMODX_CACHE"] = str(tmp_path / f"s{seed}" / "gomodx-cache")
        rel = ws.run_dir.relative_to(gen)
        for i, arg in enumerate(args):
            kind, problems = compare_pair(
                capsys, gen, rel, env, arg, tmp_path / f"s{seed}" / f"{i}"
            )
            pairs += 1
            kinds[kind] = kinds.get(kind, 0) + 1
            if problems:
                failures.append(f"seed {seed} ({rel}) go get {arg}:\n  " + "\n  ".join(problems))
    with capsys.disabled():
        print(
            f"\ngomodx get vs go get in workspaces: {pairs} pairs over {len(seeds)} workspaces"
            f" ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}),"
            f" {pairs - len(failures)} equal"
        )
    assert sum(n for k, n in kinds.items() if k.startswith("changed")) >= pairs // 4, kinds
    assert not failures, "\n".join(failures)


def test_get_in_workspaces_matches_go_get(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run([*SEEDS, *range(3000, 3000 + SWEEP)], tmp_path, capsys)
