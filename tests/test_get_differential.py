"""``gomodx get`` against the real ``go get``, through the command line.

Each argument runs three times on fresh copies of the main module: ``gomodx get
--dry-run --json``, ``gomodx get`` (which writes), and ``go get``. Per pair:

* the JSON's ``OK`` is go's success, its ``Error`` go's error lines (``null`` on success);
* its ``GoMod`` and ``GoSum`` are the go.mod and go.sum go left, byte for byte (``GoSum``
  ``null`` exactly when go left no go.sum);
* its ``Changes`` are go's ``go: added/removed/upgraded/downgraded`` lines (``From`` ``""``
  for added, ``To`` ``none`` for removed), each with a ``Why``;
* ``gomodx get`` exits with go's status, prints go's standard error (but ``go:
  downloading``) and leaves the same files go left.

Pairs gomodx refuses as ``not supported yet`` (exit 2) are counted, never compared. Run
with ``-s`` to see the counts.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from gotool import environ, go_env, require_go
from test_plan_differential import draw_arguments, existing_go_sum
from test_plan_packages_differential import package_arguments
from universe import random_universe

pytestmark = pytest.mark.go

_REPORT = re.compile(r"^go: (added|removed|upgraded|downgraded) (\S+) (\S+)(?: => (\S+))?$")


def go_changes(stderr: list[str]) -> list[tuple[str, str, str]]:
    """go's report lines as ``(Path, From, To)`` in the JSON's convention."""
    out = []
    for line in stderr:
        m = _REPORT.match(line)
        if m is None:
            continue
        kind, path, a, b = m.groups()
        if kind == "added":
            out.append((path, "", a))
        elif kind == "removed":
            out.append((path, a, "none"))
        else:
            out.append((path, a, b))
    return out


def read(path: Path) -> str | None:
    return path.read_text() if path.exists() else None


@dataclass
class Outcome:
    rc: int
    stderr: list[str]
    gomod: str
    gosum: str | None


def run_go_get(d: Path, env: dict[str, str], arg: str) -> Outcome:
    proc = subprocess.run(
        [require_go(), "get", *arg.split()],
        cwd=d,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [x for x in proc.stderr.splitlines() if not x.startswith("go: downloading ")]
    return Outcome(proc.returncode, lines, (d / "go.mod").read_text(), read(d / "go.sum"))


def run_gomodx(
    capsys: pytest.CaptureFixture[str], env: dict[str, str], *argv: str
) -> tuple[int, str, str]:
    from tui.cli import main

    with environ(env):
        code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@dataclass
class GetPair:
    arg: str
    go: Outcome
    data: dict[str, Any]
    applied: Outcome
    code: int

    @property
    def unsupported(self) -> bool:
        return self.code == 2 and "not supported yet" in str(self.data.get("Error"))

    def problems(self) -> list[str]:
        go, data = self.go, self.data
        out = []
        warned = sum(len(w.splitlines()) for w in data["Warnings"])
        errors = go.stderr[warned:] if go.rc else []
        if data["OK"] != (go.rc == 0):
            out.append(f"OK {data['OK']} but go exited {go.rc}")
        if data["Error"] != ("\n".join(errors) if go.rc else None):
            out.append(f"Error {data['Error']!r} != go's {errors!r}")
        if data["GoMod"] != go.gomod:
            out.append(f"GoMod differs:\n{data['GoMod']}\n--- go:\n{go.gomod}")
        if data["GoSum"] != go.gosum:
            out.append(f"GoSum differs:\n{data['GoSum']}\n--- go:\n{go.gosum}")
        ours = [(c["Path"], c["From"], c["To"]) for c in data["Changes"]]
        if ours != go_changes(go.stderr):
            out.append(f"Changes {ours} != go's {go_changes(go.stderr)}")
        if any(not c["Why"] for c in data["Changes"]):
            out.append(f"a change without a reason: {data['Changes']}")
        a = self.applied
        if (a.rc, a.stderr, a.gomod, a.gosum) != (min(go.rc, 1), go.stderr, go.gomod, go.gosum):
            out.append(f"gomodx get: rc={a.rc} stderr={a.stderr} vs go rc={go.rc} {go.stderr}")
        return out


def compare(
    capsys: pytest.CaptureFixture[str],
    root: Path,
    seed: int,
    packages: bool,
    per: int,
    gosum: bool = False,
) -> list[GetPair]:
    era = random.Random(seed).choice(["modern", "lazy", "legacy"])
    u = random_universe(seed, 12, 3, era=era, packages=packages)
    rng = random.Random(seed)
    args = package_arguments(u, rng, per) if packages else draw_arguments(u, rng, per)
    layout = u.write(root / "u")
    if gosum:
        existing_go_sum(layout)
    env = go_env(root / "go", proxy=layout.proxy_url)
    ours = dict(env, GOMODX_STATE=str(root / "state"), GOMODX_CACHE=str(root / "gomodx-cache"))
    pairs = []
    for i, arg in enumerate(args):
        dirs = [root / f"{kind}{i}" for kind in ("json", "apply", "go")]
        for d in dirs:
            shutil.copytree(layout.main_dir, d)
        code, out, _ = run_gomodx(
            capsys, ours, "get", "--dry-run", "--json", "-C", str(dirs[0]), *arg.split()
        )
        data = json.loads(out)
        rc, _, err = run_gomodx(capsys, ours, "get", "-C", str(dirs[1]), *arg.split())
        applied = Outcome(
            rc, err.splitlines(), (dirs[1] / "go.mod").read_text(), read(dirs[1] / "go.sum")
        )
        go = run_go_get(dirs[2], env, arg)
        # Each tool ran in its own copy: messages naming the module's directory (a
        # directory argument outside it, say) must agree up to that directory.
        for d, texts in ((dirs[0], None), (dirs[1], applied.stderr), (dirs[2], go.stderr)):
            if texts is not None:
                texts[:] = [t.replace(str(d), "$WORK") for t in texts]
        if isinstance(data.get("Error"), str):
            data["Error"] = data["Error"].replace(str(dirs[0]), "$WORK")
        data["Warnings"] = [w.replace(str(dirs[0]), "$WORK") for w in data["Warnings"]]
        pairs.append(GetPair(arg, go, data, applied, code))
    return pairs


@pytest.mark.parametrize(
    ("seeds", "packages", "gosum"),
    [
        (range(5000, 5004), False, False),
        (range(5100, 5104), True, False),
        (range(5200, 5203), True, True),
    ],
    ids=["modules", "packages", "packages+go.sum"],
)
def test_get_matches_go_get(
    seeds: range, packages: bool, gosum: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs: list[GetPair] = []
    for seed in seeds:
        pairs.extend(compare(capsys, tmp_path / str(seed), seed, packages, 6, gosum))
    compared = [p for p in pairs if not p.unsupported]
    bad = [f"{p.arg}: " + "\n  ".join(p.problems()) for p in compared if p.problems()]
    refused = sum(1 for p in compared if p.go.rc)
    changed = sum(1 for p in compared if p.data["Changes"])
    sums = sum(1 for p in compared if p.go.gosum is not None)
    with capsys.disabled():
        print(
            f"\ngomodx get vs go get ({'packages' if packages else 'modules'}"
            f"{', go.sum' if gosum else ''}): {len(pairs)}"
            f" pairs, {len(pairs) - len(compared)} not supported yet; of {len(compared)}"
            f" compared ({refused} refused by go, {changed} with changes, {sums} with a"
            " go.sum):"
            f" {len(compared) - len(bad)} equal"
        )
    assert len(compared) >= len(pairs) // 2
    assert not bad, "\n".join(bad)
