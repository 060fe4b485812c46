"""analysis.plan against the real ``go get``: hundreds of random (universe, argument) pairs.

Each universe (``tests/universe.py``) is written as a ``file://`` GOPROXY with zips; each
argument runs twice: ``plan_get`` reads the proxy through :class:`ProxyClient`, then
``go get ARG`` runs on a fresh copy of the main module. Per pair we compare

* refusal: go exits 1 exactly when the plan is refused, and the plan's ``error`` equals
  go's error lines;
* go.mod: the plan's ``GoMod`` equals the go.mod go wrote, byte for byte (the untouched
  file when refused);
* changes: the plan's changes equal go's ``go: added/removed/upgraded/downgraded`` lines,
  in go's order;
* go.sum: the lines go added equal the plan's ``/go.mod`` and zip hash lines.

Arguments are drawn to cover lower and higher versions, ``@none``, bare paths
(``@upgrade``), ``@latest``, ``@patch``, prefixes (``@v1``), ranges (``@<v1.2.0``),
excluded, retracted, pseudo and missing versions; universes cover pruned and unpruned
main modules (and main modules with no ``go`` line), excludes, retractions and
replacements. Run with ``-s`` to see the agreement counts.
"""

from __future__ import annotations

import asyncio
import random
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from gotool import go_env, go_root, require_go
from universe import Layout, Universe, escape, random_universe

from analysis.cache import CacheStack
from analysis.errors import DowngradeConflict
from analysis.goenv import GoEnv
from analysis.hashes import GoSum
from analysis.plan import NEVER_FINISHES, Plan, plan_get
from analysis.proxy import ProxyClient
from analysis.source import ProxySource

pytestmark = pytest.mark.go

_CHANGE = re.compile(r"^go: (added|removed|upgraded|downgraded) ")


@dataclass
class Pair:
    """One argument in one universe: go's outcome, ours, and how they compare."""

    name: str
    arg: str
    go_rc: int
    go_changes: list[str]
    go_errors: list[str]
    go_gomod: str
    go_sum_added: set[str]
    go_stderr: list[str]
    plan: Plan

    @property
    def hung(self) -> bool:
        """go get did not finish (a known cmd/go loop); the plan must say so."""
        return self.go_rc == HUNG

    @property
    def refusal_equal(self) -> bool:
        if self.hung:
            return not self.plan.ok and str(self.plan.error).startswith(NEVER_FINISHES)
        if (self.go_rc != 0) != (not self.plan.ok):
            return False
        return self.go_rc == 0 or "\n".join(self.go_errors) == str(self.plan.error or "")

    @property
    def gomod_equal(self) -> bool:
        return self.go_gomod == self.plan.gomod

    @property
    def changes_equal(self) -> bool:
        return self.go_changes == [f"go: {c}" for c in self.plan.changes]

    @property
    def gosum_equal(self) -> bool:
        ours = set(self.plan.gosum_added) | set(self.plan.zip_sums_added)
        return self.go_sum_added == ours

    @property
    def stderr_equal(self) -> bool:
        """Everything go printed (but ``go: downloading``): warnings, then the change
        report or the refusal. Zips that fail to extract are reported (``-> unzip …``)
        as go's parallel loader meets them, so a run of such lines may come in any
        order (go's own order varies from run to run)."""
        ours = [line for w in self.plan.warnings for line in w.splitlines()]
        if self.hung:
            return _settled(self.go_stderr) == _settled(ours)
        return _settled(self.go_stderr) == _settled(ours + self.plan.go_lines())

    @property
    def equal(self) -> bool:
        return (
            self.refusal_equal
            and self.gomod_equal
            and self.changes_equal
            and self.gosum_equal
            and self.stderr_equal
        )

    def report(self) -> str:
        import difflib

        out = [
            f"{self.name}: go get {self.arg}: rc={self.go_rc} ok={self.plan.ok}"
            f" refusal={self.refusal_equal} gomod={self.gomod_equal}"
            f" changes={self.changes_equal} gosum={self.gosum_equal}"
            f" stderr={self.stderr_equal}"
        ]
        if not self.refusal_equal:
            out.append(f"  go:   {self.go_errors}\n  plan: {self.plan.error!r}")
        if not self.changes_equal:
            out.append(f"  go:   {self.go_changes}\n  plan: {[str(c) for c in self.plan.changes]}")
        if not self.gomod_equal:
            out.append(
                "".join(
                    difflib.unified_diff(
                        self.go_gomod.splitlines(True),
                        self.plan.gomod.splitlines(True),
                        "go",
                        "plan",
                    )
                )
            )
        if not self.stderr_equal:
            out.append(f"  go stderr: {self.go_stderr}")
            out.append(f"  plan:      {[*self.plan.warnings, *self.plan.go_lines()]}")
        if not self.gosum_equal:
            ours = set(self.plan.gosum_added) | set(self.plan.zip_sums_added)
            out.append(f"  go only:   {sorted(self.go_sum_added - ours)}")
            out.append(f"  plan only: {sorted(ours - self.go_sum_added)}")
        return "\n".join(out)


def _settled(lines: list[str]) -> list[str]:
    """``lines`` with each run of consecutive ``-> `` lines sorted."""
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, ""]:
        if line.startswith("-> "):
            run.append(line)
            continue
        out.extend(sorted(run))
        run = []
        out.append(line)
    return out[:-1]


def draw_arguments(u: Universe, rng: random.Random, n: int) -> list[str]:
    """``n`` go get arguments for ``u``, mostly exact versions of required modules."""
    by_path: dict[str, list[str]] = {}
    for path, version in u.mods:
        by_path.setdefault(path, []).append(version)
    required = sorted({p for p, _, _ in u.main_requires})
    paths = sorted(by_path)
    retracted = [
        (spec.path, lo) for spec in u.mods.values() for lo, hi, _ in spec.retract if lo == hi
    ]
    out: list[str] = []
    for _ in range(n):
        path = rng.choice(required if required and rng.random() < 0.4 else paths)
        versions = by_path[path]
        r = rng.random()
        if r < 0.12:
            out.append(f"{path}@none")
        elif r < 0.18:
            out.append(path)
        elif r < 0.22:
            out.append(f"{path}@latest")
        elif r < 0.25:
            out.append(f"{path}@patch")
        elif r < 0.28:
            v = rng.choice(versions).split("-")[0].split("+")[0]
            out.append(f"{path}@{v.rsplit('.', 1)[0]}")
        elif r < 0.31:
            op = rng.choice(["<", "<=", ">", ">="])
            out.append(f"{path}@{op}{rng.choice(versions)}")
        elif r < 0.33 and u.excludes:
            p, v = rng.choice(u.excludes)
            out.append(f"{p}@{v}")
        elif r < 0.36 and retracted:
            p, v = rng.choice(retracted)
            out.append(f"{p}@{v}")
        elif r < 0.37:
            out.append(f"{path}@v9.9.9")
        elif r < 0.47:
            # Two arguments: pin one module while moving another (go's own example of a
            # refusal, "A@v requires B@v2, not B@v1", needs two).
            other = rng.choice(paths)
            out.append(f"{path}@{rng.choice(versions)} {other}@{rng.choice(by_path[other])}")
        else:
            out.append(f"{path}@{rng.choice(versions)}")
    return out


HUNG = -999
"""``GoResult.rc`` when go get ran past :data:`GO_TIMEOUT` and was killed."""

GO_TIMEOUT = 10.0


@dataclass
class GoResult:
    rc: int
    stderr: list[str]
    changes: list[str]
    errors: list[str]
    gomod: str
    sum_added: set[str]


def _go_get(main: Path, env: dict[str, str], arg: str, warnings: int) -> GoResult:
    """Run go get; ``warnings`` is how many leading lines the plan expects as warnings
    (go prints its error lines after them)."""
    go = require_go()
    before = _sum_lines(main)
    try:
        proc = subprocess.run(
            [go, "get", *arg.split()],
            cwd=main,
            env=env,
            capture_output=True,
            text=True,
            timeout=GO_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        out = exc.stderr.decode() if isinstance(exc.stderr, bytes) else exc.stderr or ""
        lines = [line for line in out.splitlines() if not line.startswith("go: downloading ")]
        gomod = (main / "go.mod").read_text()
        return GoResult(HUNG, lines, [], [], gomod, _sum_lines(main) - before)
    lines = [line for line in proc.stderr.splitlines() if not line.startswith("go: downloading ")]
    # go reports changes only after writing go.mod (a refusal's "go: downgraded X v1 =>
    # v2: error finding sum …" is an error, not a change).
    changes = [line for line in lines if _CHANGE.match(line)] if proc.returncode == 0 else []
    errors = lines[warnings:] if proc.returncode != 0 else []
    gomod = (main / "go.mod").read_text()
    return GoResult(proc.returncode, lines, changes, errors, gomod, _sum_lines(main) - before)


def _sum_lines(main: Path) -> set[str]:
    path = main / "go.sum"
    return set(path.read_text().splitlines()) if path.exists() else set()


async def _plans(layout: Layout, dirs: Sequence[Path], args: Sequence[str]) -> list[Plan]:
    env = GoEnv(goproxy=layout.proxy_url, gosumdb="off", gomodcache=str(layout.root / "pycache"))
    caches = CacheStack.for_env(env.gomodcache, layout.root / "gomodx-cache")
    async with ProxyClient(env, caches=caches, use_go=False) as client:
        source = ProxySource(client)
        return [
            await plan_get(
                d,
                source,
                [w for w in arg.split() if not w.startswith("-")],
                upgrade=_upgrade_flag(arg.split()),
                suggest=False,
                gosum=GoSum.read(d / "go.sum"),
                # go's own settings (compare_universe's go_env), for the directories go
                # names in its refusals.
                gomodcache=str(layout.root / "go" / "modcache"),
                goroot=go_root(),
            )
            for d, arg in zip(dirs, args, strict=True)
        ]


def _upgrade_flag(words: Sequence[str]) -> str:
    """go get's ``-u`` flag among ``words``: ``upgrade``, ``patch`` or ``""``."""
    flag = ""
    for w in words:
        if w == "-u":
            flag = "upgrade"
        elif w.startswith("-u="):
            flag = w[3:]
    return flag


def compare_universe(
    name: str,
    u: Universe,
    root: Path,
    args: Sequence[str],
    patch: Callable[[Layout], None] | None = None,
) -> list[Pair]:
    """Plan every argument, then run go get on a fresh copy of the main module for each.

    ``patch`` may edit the written files (say, a go.mod in the proxy) before anything runs.
    """
    layout = u.write(root)
    if patch is not None:
        patch(layout)
    dirs = []
    for i in range(len(args)):
        d = root / f"get{i}"
        shutil.copytree(layout.main_dir, d)
        dirs.append(d)
    plans = asyncio.run(_plans(layout, dirs, args))
    env = go_env(root / "go", proxy=layout.proxy_url)
    pairs = []
    for d, arg, plan in zip(dirs, args, plans, strict=True):
        warned = sum(len(w.splitlines()) for w in plan.warnings)
        r = _go_get(d, env, arg, warned)
        pairs.append(
            Pair(name, arg, r.rc, r.changes, r.errors, r.gomod, r.sum_added, r.stderr, plan)
        )
    return pairs


@dataclass
class Tally:
    pairs: list[Pair] = field(default_factory=list)

    def line(self, label: str) -> str:
        n = len(self.pairs)
        refused = sum(1 for p in self.pairs if p.go_rc != 0)
        hung = sum(1 for p in self.pairs if p.hung)
        conflicts = sum(
            1 for p in self.pairs if p.go_rc != 0 and isinstance(p.plan.error, DowngradeConflict)
        )
        changed = sum(1 for p in self.pairs if p.go_changes)
        two = sum(1 for p in self.pairs if " " in p.arg)
        return (
            f"\nplan vs go get ({label}): {n} pairs ({two} with two arguments; {refused} refused"
            f" by go, {conflicts} of them conflicts, {hung} where go hangs; {changed} with"
            " changes): go.mod byte-equal"
            f" {sum(p.gomod_equal for p in self.pairs)}/{n}, changes equal"
            f" {sum(p.changes_equal for p in self.pairs)}/{n}, refusals equal"
            f" {sum(p.refusal_equal for p in self.pairs)}/{n}, go.sum lines equal"
            f" {sum(p.gosum_equal for p in self.pairs)}/{n}, stderr equal"
            f" {sum(p.stderr_equal for p in self.pairs)}/{n}"
        )


# (label, seeds, modules, versions per module, era, arguments per universe, variant)
CLASSES = [
    ("modern", range(1000, 1030), 15, 4, "modern", 6, ""),
    ("modern-40", range(1100, 1110), 40, 4, "modern", 8, ""),
    ("lazy", range(1200, 1225), 15, 4, "lazy", 6, ""),
    ("legacy", range(1300, 1325), 15, 4, "legacy", 6, ""),
    ("deep", range(1400, 1410), 25, 6, "modern", 8, ""),
    ("go1.27", range(1500, 1510), 15, 4, "modern", 6, "go1.27"),
    ("toolchain", range(1600, 1612), 15, 4, "modern", 6, "toolchain"),
    ("go.sum", range(1700, 1712), 15, 4, "modern", 6, "gosum"),
]


def existing_go_sum(layout: Layout) -> None:
    """Give the main module a go.sum with the go.mod and zip hashes of its requirements,
    so go get also downloads (and hashes) the new versions of modules it changes."""
    from analysis import hashes, modfile
    from analysis.module import ModuleVersion

    f = modfile.parse("go.mod", (layout.main_dir / "go.mod").read_bytes())
    replaced = {r.old: r.new for r in f.replace}
    sums = hashes.GoSum()
    for r in f.require:
        m = replaced.get(r.mod) or replaced.get(ModuleVersion(r.mod.path, "")) or r.mod
        if not m.version:
            continue
        base = layout.proxy_dir / escape(m.path) / "@v" / escape(m.version)
        gomod = base.with_name(base.name + ".mod").read_bytes()
        sums.add(m.path, m.version + "/go.mod", hashes.gomod_hash(gomod))
        sums.add(m.path, m.version, hashes.zip_hash(base.with_name(base.name + ".zip")))
    (layout.main_dir / "go.sum").write_bytes(sums.format())


def apply_variant(u: Universe, variant: str, rng: random.Random) -> None:
    """``go1.27``: the main module at go 1.27 (``SetRequireAtMostTwo``); ``toolchain``: a
    ``toolchain`` line, sometimes below, equal to or above the go line; ``gosum``: see
    :func:`existing_go_sum`."""
    if variant == "go1.27":
        u.main_go = "1.27.0"
    elif variant == "toolchain":
        u.main_go = rng.choice(["1.20", "1.21", "1.22.1"])
        toolchain = rng.choice(["go1.20", "go1.21.0", "go1.22.4", "go1.23.1", "go1.27.3"])
        render = u.main_go_mod

        def with_toolchain() -> str:
            return re.sub(r"(?m)^(go .*)$", r"\1\n\ntoolchain " + toolchain, render(), count=1)

        u.main_go_mod = with_toolchain  # type: ignore[method-assign]


@pytest.mark.parametrize(
    ("label", "seeds", "modules", "versions", "era", "per", "variant"),
    CLASSES,
    ids=[c[0] for c in CLASSES],
)
def test_plans_match_go_get(
    label: str,
    seeds: range,
    modules: int,
    versions: int,
    era: str,
    per: int,
    variant: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    tally = Tally()
    for seed in seeds:
        u = random_universe(seed, modules, versions, era=era)
        rng = random.Random(seed)
        apply_variant(u, variant, rng)
        args = draw_arguments(u, rng, per)
        patch = existing_go_sum if variant == "gosum" else None
        tally.pairs.extend(compare_universe(f"seed {seed}", u, tmp_path / str(seed), args, patch))
    with capsys.disabled():
        print(tally.line(label))
    bad = [p.report() for p in tally.pairs if not p.equal]
    assert not bad, "\n".join(bad)
