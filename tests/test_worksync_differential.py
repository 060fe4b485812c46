"""``gomodx worksync`` against the real ``go work sync``, on random workspaces.

Each seed writes a random workspace (``tests/workspacegen.py``; every other seed with Go
packages in every module, so the sync has imports to follow) and makes three copies:

* ``gomodx worksync --dry-run --json`` in the first: its ``OK`` is go's success, its
  ``Error`` go's message (the copy's directory written ``$WORK``); every ``GoMods`` entry
  is the go.mod go left in that module, byte for byte, every ``GoSums`` entry its go.sum
  (``null`` exactly when go left none), ``GoWorkText`` go.work and ``GoWorkSum``
  go.work.sum; ``Messages`` are go's standard error lines; ``Changed`` names exactly the
  files go changed; and the dry run wrote nothing;
* ``gomodx worksync`` in the second leaves exactly the files go left, and ``gomodx
  worksync --undo`` then gives every file back its bytes from before;
* ``go work sync`` in the third.

The counts are printed (``-s``); ``GOMODX_WORKSYNC_SWEEP=N`` runs N more seeds.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from gotool import environ, go_env, run_go
from workspacegen import random_workspace

from tui.cli import main as gomodx

pytestmark = pytest.mark.go

SEEDS = list(range(12))
SWEEP = int(os.environ.get("GOMODX_WORKSYNC_SWEEP", "0"))
NAMES = ("go.mod", "go.sum", "go.work", "go.work.sum")


def _gomodx(args: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), environ(env):
        code = gomodx(args)
    return code, out.getvalue(), err.getvalue()


def files(root: Path) -> dict[str, bytes]:
    """Every go.mod, go.sum, go.work and go.work.sum under ``root`` (the proxy aside)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.name in NAMES and p.is_file() and "proxy" not in p.relative_to(root).parts
    }


def compare(seed: int, tmp: Path) -> tuple[str, list[str]]:
    """``(what go did, problems)`` for one seed."""
    gen = tmp / "gen"
    ws = random_workspace(seed, gen, packages=seed % 2 == 0)
    env = go_env(tmp, ws.layout.proxy_url, GOFLAGS="", GOWORK="")
    env["GOMODX_STATE"] = str(tmp / "state")
    env["GOMODX_CACHE"] = str(tmp / "gomodx-cache")
    rel = ws.run_dir.relative_to(gen)
    copies = {}
    for kind in ("json", "apply", "go"):
        copies[kind] = tmp / kind
        shutil.copytree(gen, copies[kind], ignore=shutil.ignore_patterns("proxy"), symlinks=True)
    original = files(copies["json"])
    g = run_go(["work", "sync"], copies["go"] / rel, env, check=False)
    go_lines = [
        line.replace(str(copies["go"]), "$WORK")
        for line in g.stderr.splitlines()
        if not line.startswith("go: downloading ")
    ]
    go_files = files(copies["go"])
    problems: list[str] = []

    code, out, err = _gomodx(
        ["worksync", "--dry-run", "--json", "-C", str(copies["json"] / rel)], env
    )
    data: dict[str, Any] = json.loads(out.replace(str(copies["json"]), "$WORK"))
    if files(copies["json"]) != original:
        problems.append("the dry run wrote files")
    if data["OK"] != (g.returncode == 0) or code != min(g.returncode, 1):
        problems.append(
            f"OK {data['OK']} (exit {code}, {data['Error']!r}) but go exited {g.returncode}: {err}"
        )
        return "disagreed", problems
    if g.returncode != 0:
        if data["Error"] != "\n".join(go_lines):
            problems.append(f"Error {data['Error']!r} != go's {go_lines!r}")
        return "refused", problems
    if data["Messages"] != go_lines:
        problems.append(f"Messages {data['Messages']} != go's {go_lines}")
    for d, text in data["GoMods"].items():
        want = go_files.get(str(Path(d) / "go.mod"))
        if want is None or text.encode() != want:
            problems.append(f"GoMods[{d}] differs:\n{text}\n--- go:\n{want!r}")
    for d, text in data["GoSums"].items():
        want = go_files.get(str(Path(d) / "go.sum"))
        if (text.encode() if text is not None else None) != want:
            problems.append(f"GoSums[{d}] differs: {text!r} != go's {want!r}")
    if (
        sorted(data["GoMods"]) != sorted(data["Modules"])
        or len(data["GoMods"]) != len(ws.modules) + 1
    ):
        problems.append(f"GoMods names {sorted(data['GoMods'])}, not every module")
    for key, name in (("GoWorkText", "go.work"), ("GoWorkSum", "go.work.sum")):
        got = data[key].encode() if data[key] is not None else None
        if got != go_files.get(name):
            problems.append(f"{key} differs: {data[key]!r} != go's {go_files.get(name)!r}")
    changed = sorted(n for n in set(original) | set(go_files) if original.get(n) != go_files.get(n))
    if sorted(data["Changed"]) != changed:
        problems.append(f"Changed {sorted(data['Changed'])} != go's {changed}")

    code, out, err = _gomodx(["worksync", "-C", str(copies["apply"] / rel)], env)
    if code != 0 or files(copies["apply"]) != go_files:
        problems.append(f"gomodx worksync (exit {code}) left other files than go: {err}")
    code, out, err = _gomodx(["worksync", "--undo", "-C", str(copies["apply"] / rel)], env)
    if changed and (code != 0 or files(copies["apply"]) != original):
        problems.append(f"gomodx worksync --undo (exit {code}) did not restore: {out}{err}")
    return ("changed" if changed else "unchanged"), problems


def _run(seeds: list[int], tmp_path: Path) -> None:
    kinds: dict[str, int] = {}
    failures: list[str] = []
    for seed in seeds:
        kind, problems = compare(seed, tmp_path / f"s{seed}")
        kinds[kind] = kinds.get(kind, 0) + 1
        if problems:
            failures.append(f"seed {seed}:\n" + "\n".join(problems))
    print(
        f"\ngomodx worksync vs go work sync: {len(seeds)} workspaces"
        f" ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))}),"
        f" {len(seeds) - len(failures)} equal in every file"
    )
    assert kinds.get("changed", 0) >= len(seeds) // 3, kinds  # the sync does something
    assert not failures, "\n\n".join(failures)


def test_worksync_matches_go_work_sync(tmp_path: Path) -> None:
    _run([*SEEDS, *range(1000, 1000 + SWEEP)], tmp_path)


BREAKAGES = (
    "module-too-new",
    "missing-dir",
    "no-go-mod",
    "no-go-work",
    "duplicate-use",
    "work-too-new",
)


@pytest.mark.parametrize("seed", range(12))
def test_broken_workspaces_get_gos_message(seed: int, tmp_path: Path) -> None:
    """A workspace broken one way (drawn from the seed): a module newer than the go
    running, a ``use`` of a missing directory or of one without go.mod, a directory used
    twice, a go.work newer than the go running, no go.work at all — gomodx says what go
    work sync says, and writes nothing."""
    gen = tmp_path / "gen"
    ws = random_workspace(seed, gen)
    breakage = BREAKAGES[seed % len(BREAKAGES)]
    env = go_env(tmp_path, ws.layout.proxy_url, GOFLAGS="", GOWORK="")
    env["GOMODX_STATE"] = str(tmp_path / "state")
    where = gen / ws.modules[0].dir
    if breakage == "module-too-new":
        gomod = where / "go.mod"
        gomod.write_text(gomod.read_text().replace("module ", "go 1.99\n\nmodule ", 1))
        gomod.write_text("\n".join(x for x in gomod.read_text().split("\n") if x != "go 1.17"))
    elif breakage == "missing-dir":
        shutil.rmtree(where)
        where = gen
    elif breakage == "no-go-mod":
        (where / "go.mod").unlink()
    elif breakage == "duplicate-use":
        work = gen / "go.work"
        work.write_text(work.read_text() + f"\nuse ./{ws.modules[0].dir}\n")
    elif breakage == "work-too-new":
        work = gen / "go.work"
        lines = [x for x in work.read_text().splitlines() if not x.startswith("go ")]
        work.write_text("\n".join(["go 1.99", *lines]) + "\n")
    else:
        env["GOWORK"] = "off"
    before = files(gen)
    g = run_go(["work", "sync"], where, env, check=False)
    assert g.returncode != 0
    code, out, err = _gomodx(["worksync", "--json", "-C", str(where)], env)
    data = json.loads(out)
    want = "\n".join(x for x in g.stderr.splitlines() if not x.startswith("go: downloading "))
    assert (code, data["OK"], data["Error"]) == (1, False, want)
    code, out, err = _gomodx(["worksync", "-C", str(where)], env)
    assert (code, err.rstrip("\n")) == (1, want)
    assert files(gen) == before


def test_worksync_killed_then_next_command(tmp_path: Path) -> None:
    """``gomodx worksync`` as a process of its own, SIGKILLed at a spread of steps of its
    writes (across several go.mod and go.sum files and go.work): the next ``gomodx
    worksync --dry-run`` puts every file right — all old or all new — and says so, and
    ``--undo`` then restores every file."""
    import subprocess
    import sys

    from gotool import GO

    assert GO is not None
    seed = next(s for s in range(1, 40, 2) if compare(s, tmp_path / f"probe{s}")[0] == "changed")
    gen = tmp_path / "gen"
    ws = random_workspace(seed, gen, packages=True)
    env = go_env(tmp_path, ws.layout.proxy_url, GOFLAGS="", GOWORK="")
    state = tmp_path / "state"
    env["GOMODX_STATE"] = str(state)
    env["GOMODX_CACHE"] = str(tmp_path / "gomodx-cache")
    env["PATH"] = f"{Path(GO).parent}{os.pathsep}{env.get('PATH', '')}"
    tests = Path(__file__).parent
    env["PYTHONPATH"] = os.pathsep.join([str(tests), str(tests.parent)])
    original = files(gen)
    report = tmp_path / "steps"
    code = (
        "import sys, crashpoint; crashpoint.install(int(sys.argv[1]), sys.argv[2:4], sys.argv[4]);"
        " from tui.cli import main; sys.exit(main(sys.argv[5:]))"
    )

    def reset() -> None:
        for name, data in original.items():
            (gen / name).write_bytes(data)
        for name in set(files(gen)) - set(original):
            (gen / name).unlink()
        shutil.rmtree(state, ignore_errors=True)

    def run(n: int) -> subprocess.CompletedProcess[str]:
        reset()
        argv = [str(n), str(gen), str(state), str(report), "worksync", str(gen)]
        return subprocess.run(
            [sys.executable, "-c", code, *argv], env=env, capture_output=True, text=True
        )

    proc = run(100_000)
    assert proc.returncode == 0, proc.stderr
    synced = files(gen)
    assert synced != original
    total = int(report.read_text())
    seen = set()
    for n in sorted({*range(1, total + 1, max(1, total // 6)), total - 1, total}):
        proc = run(n)
        assert proc.returncode == -9, (n, proc.stderr)
        rc, _, err = _gomodx(["worksync", "--dry-run", str(gen)], env)
        assert rc == 0, err
        if "an interrupted apply of go work sync" in err:
            seen.add("note")
        now = files(gen)
        assert not list(gen.rglob("*.tmp")), n
        if now == original:
            seen.add("old")
        else:
            assert now == synced, f"killed at step {n}: a mix of old and new files"
            seen.add("new")
            rc, _, err = _gomodx(["worksync", "--undo", str(gen)], env)
            assert rc == 0, err
            assert files(gen) == original
    assert seen == {"old", "new", "note"}
