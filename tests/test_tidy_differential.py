"""analysis.tidy against the real ``go mod tidy`` in random universes with packages.

Universes come from ``random_universe(..., packages=True)`` with an untidy main module
(:func:`tidygen.untidy_main`: missing and extra requirements, wrong ``// indirect``
markers, test-only and build-tagged imports, unpruned dependencies, old go lines) and,
in some classes, a go.sum with lines tidy drops and lines it must add
(:func:`tidygen.messy_go_sum`). For each, ``go mod tidy`` runs on a copy; go.mod and
go.sum bytes (or go's refusal text) must equal the preview's.

Run with ``-s`` to see the counts; ``GOMODX_TIDY_SWEEP=N`` runs N times as many seeds.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from gotool import go_env, go_root, require_go
from tidygen import messy_go_sum, untidy_main
from universe import Layout, random_universe

from analysis.cache import CacheStack
from analysis.goenv import GoEnv
from analysis.hashes import GoSum
from analysis.proxy import ProxyClient
from analysis.source import ProxySource
from analysis.tidy import TidyPlan, plan_tidy

pytestmark = pytest.mark.go

SWEEP = int(os.environ.get("GOMODX_TIDY_SWEEP", "1"))


@dataclass
class TidyPair:
    name: str
    rc: int
    stderr: str
    gomod: bytes
    gosum: bytes | None
    plan: TidyPlan
    diff_rc: int = 0
    diff_out: str = ""

    @property
    def go_panicked(self) -> bool:
        """go crashed (``panic:``), which gomodx need not reproduce line for line: it
        must refuse, and when it names go's panic it must name the same."""
        return "\npanic: " in "\n" + self.stderr

    @property
    def refusal_equal(self) -> bool:
        if self.go_panicked:
            text = str(self.plan.error)
            return not self.plan.ok and (
                "panic: " not in text or _settled(text) == _settled(self.stderr)
            )
        if self.rc == 0:
            return self.plan.ok
        return not self.plan.ok and _settled(str(self.plan.error)) == _settled(self.stderr)

    @property
    def gomod_equal(self) -> bool:
        return self.rc != 0 or self.plan.gomod_after == self.gomod

    @property
    def gosum_equal(self) -> bool:
        return self.rc != 0 or (self.plan.gosum_after() or b"") == (self.gosum or b"")

    @property
    def stderr_equal(self) -> bool:
        if self.rc != 0:
            return self.refusal_equal
        return _settled("\n".join(self.plan.stderr)) == _settled(self.stderr)

    @property
    def diff_equal(self) -> bool:
        """``go mod tidy -diff`` against :meth:`TidyPlan.diff` (and its exit status)."""
        if self.rc != 0:
            return self.diff_rc != 0
        return self.plan.diff() == self.diff_out and self.diff_rc == (0 if self.plan.tidy else 1)

    @property
    def equal(self) -> bool:
        return (
            self.refusal_equal
            and self.gomod_equal
            and self.gosum_equal
            and self.stderr_equal
            and self.diff_equal
        )

    def report(self) -> str:
        import difflib

        out = [f"== {self.name}: go rc {self.rc}, plan ok {self.plan.ok}"]
        if not self.refusal_equal or not self.stderr_equal:
            out.append(f"go stderr:\n{self.stderr}\nplan error:\n{self.plan.error}")
            out.append("plan stderr:\n" + "\n".join(self.plan.stderr))
        if not self.diff_equal:
            out.append(
                f"go -diff rc {self.diff_rc}:\n{self.diff_out}\nplan diff:\n{self.plan.diff()}"
            )
        if not self.gomod_equal:
            out.extend(
                difflib.unified_diff(
                    self.gomod.decode().splitlines(),
                    self.plan.gomod_after.decode().splitlines(),
                    "go",
                    "gomodx",
                    lineterm="",
                )
            )
        if not self.gosum_equal:
            out.extend(
                difflib.unified_diff(
                    (self.gosum or b"").decode().splitlines(),
                    (self.plan.gosum_after() or b"").decode().splitlines(),
                    "go",
                    "gomodx",
                    lineterm="",
                )
            )
        return "\n".join(out)


def _settled(text: str) -> list[str]:
    """go's stderr with each run of ``go: finding module for package`` lines sorted (go
    prints them from concurrent queries, in no fixed order); ``-> unzip`` lines too."""
    out: list[str] = []
    run: list[str] = []
    for line in text.rstrip("\n").split("\n"):
        if line.startswith("panic: "):
            # go crashed: its stack trace is no part of the comparison.
            out.extend(sorted(run))
            return [*out, line]
        if line.startswith(("go: finding module for package ", "-> unzip ")):
            run.append(line)
            continue
        out.extend(sorted(run))
        run = []
        out.append(line)
    out.extend(sorted(run))
    return out


def _go_tidy(main: Path, env: dict[str, str], *flags: str) -> tuple[int, str]:
    proc = subprocess.run(
        [require_go(), "mod", "tidy", *flags],
        cwd=main,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = [ln for ln in proc.stderr.splitlines() if not ln.startswith("go: downloading ")]
    return proc.returncode, "\n".join(lines) + ("\n" if lines else "")


async def _plans(layout: Layout, dirs: list[Path], flags: list[list[str]]) -> list[TidyPlan]:
    env = GoEnv(goproxy=layout.proxy_url, gosumdb="off", gomodcache=str(layout.root / "pycache"))
    caches = CacheStack.for_env(env.gomodcache, layout.root / "gomodx-cache")
    out = []
    async with ProxyClient(env, caches=caches, use_go=False) as client:
        source = ProxySource(client)
        for d, fl in zip(dirs, flags, strict=True):
            opts = dict(f.lstrip("-").split("=", 1) for f in fl if "=" in f)
            out.append(
                await plan_tidy(
                    d,
                    source,
                    gosum=GoSum.read(d / "go.sum"),
                    go_version=opts.get("go", ""),
                    compat=opts.get("compat", ""),
                    allow_errors="-e" in fl,
                    gomodcache=str(layout.root / "go" / "modcache"),
                    goroot=go_root(),
                )
            )
    return out


def compare_tidy(
    name: str,
    seed: int,
    root: Path,
    era: str,
    modules: int,
    versions: int,
    gosum: bool,
    variants: int = 2,
) -> list[TidyPair]:
    """Tidy ``variants`` copies of one universe's main module (with different flags)
    with go and with gomodx."""
    u = random_universe(seed, modules, versions, era=era, packages=True)
    rng = random.Random(seed * 31 + 7)
    untidy_main(u, rng)
    layout = u.write(root)
    if gosum:
        messy_go_sum(layout, u, rng)
    dirs: list[Path] = []
    flags: list[list[str]] = []
    for i in range(variants):
        d = root / f"tidy{i}"
        shutil.copytree(layout.main_dir, d)
        dirs.append(d)
        r = rng.random()
        if i == 0 or r < 0.6:
            flags.append([])
        elif r < 0.8:
            flags.append(["-e"])
        elif r < 0.9:
            flags.append([f"-go={rng.choice(['1.16', '1.17', '1.21', '1.23'])}"])
        else:
            flags.append([f"-compat={rng.choice(['1.16', '1.17', '1.20', '1.21'])}"])
    plans = asyncio.run(_plans(layout, dirs, flags))
    env = go_env(root / "go", proxy=layout.proxy_url)
    pairs = []
    for d, fl, plan in zip(dirs, flags, plans, strict=True):
        diff = subprocess.run(
            [require_go(), "mod", "tidy", "-diff", *fl],
            cwd=d,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        rc, stderr = _go_tidy(d, env, *fl)
        gomod = (d / "go.mod").read_bytes()
        gs = d / "go.sum"
        pairs.append(
            TidyPair(
                f"{name} seed {seed} {' '.join(fl)}",
                rc,
                stderr,
                gomod,
                gs.read_bytes() if gs.exists() else None,
                plan,
                diff.returncode,
                diff.stdout,
            )
        )
    return pairs


# (label, seeds, modules, versions, era, go.sum)
CLASSES = [
    ("modern", range(5000, 5025), 12, 3, "modern", False),
    ("lazy", range(5100, 5115), 12, 3, "lazy", False),
    ("legacy", range(5200, 5215), 12, 3, "legacy", False),
    ("go.sum", range(5300, 5315), 12, 3, "modern", True),
    ("deep", range(5400, 5406), 30, 5, "modern", True),
]


def _seeds(seeds: range) -> range:
    if SWEEP <= 1:
        return seeds
    return range(seeds.start, seeds.start + len(seeds) * SWEEP)


@pytest.mark.parametrize(
    ("label", "seeds", "modules", "versions", "era", "gosum"), CLASSES, ids=[c[0] for c in CLASSES]
)
def test_tidy_matches_go_mod_tidy(
    label: str,
    seeds: range,
    modules: int,
    versions: int,
    era: str,
    gosum: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pairs: list[TidyPair] = []
    for seed in _seeds(seeds):
        pairs.extend(compare_tidy(label, seed, tmp_path / str(seed), era, modules, versions, gosum))
    wrong = [p for p in pairs if not p.equal]
    kinds = Counter(
        "ok" if p.rc == 0 else "go panicked" if p.go_panicked else "refused" for p in pairs
    )
    changed = sum(1 for p in pairs if p.rc == 0 and not p.plan.tidy)
    with capsys.disabled():
        print(
            f"\ntidy vs go mod tidy ({label}): {len(pairs)} pairs ({dict(kinds)}, {changed}"
            f" changed), equal {len(pairs) - len(wrong)}/{len(pairs)}"
        )
    assert not wrong, "\n".join(p.report() for p in wrong[:5])
