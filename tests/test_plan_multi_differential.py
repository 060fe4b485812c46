"""Several ``go get`` arguments at once (and ``-u``, ``-u=patch``) against the real go get.

Each pair is one command line of 2–4 arguments drawn for a random universe
(:func:`multi_arguments`): explicit versions above and below the selected one, ``@none``,
``@latest``, ``@patch``, ``@upgrade`` and bare paths, one module named twice (at the same
or at different versions — go refuses the latter), package arguments (``sub`` packages),
and the combinations that make go refuse: a pinned module that another argument's
version requires higher. Some command lines carry ``-u`` or ``-u=patch`` (alone, too:
``go get -u`` upgrades what the main module's own packages import).

Every pair must agree with go exactly — refusal text, go.mod bytes, the change report,
go.sum lines and stderr (see ``test_plan_differential.Pair``). Run with ``-s`` to see the
counts; ``GOMODX_MULTI_SWEEP=N`` runs N times as many seeds (a sweep outside the suite).
"""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from pathlib import Path

import pytest
from test_plan_differential import Pair, _plans, compare_universe, existing_go_sum
from universe import Layout, Universe, random_universe

from analysis import semver

pytestmark = pytest.mark.go

SWEEP = int(os.environ.get("GOMODX_MULTI_SWEEP", "1"))


def _selected(u: Universe) -> dict[str, str]:
    """The main module's own requirement of each path (a stand-in for the selected
    version: enough to draw versions above and below it)."""
    return {p: v for p, v, _ in u.main_requires}


def _one(u: Universe, rng: random.Random, path: str, by_path: dict[str, list[str]]) -> str:
    versions = sorted(by_path[path], key=lambda v: semver.sort_key(v))
    current = _selected(u).get(path)
    r = rng.random()
    if r < 0.1:
        return f"{path}@none"
    if r < 0.17:
        return path
    if r < 0.24:
        return f"{path}@upgrade"
    if r < 0.31:
        return f"{path}@latest"
    if r < 0.4:
        return f"{path}@patch"
    if r < 0.44:
        v = rng.choice(versions).split("-")[0].split("+")[0]
        return f"{path}@{v.rsplit('.', 1)[0]}"
    if current is not None and r < 0.72:
        # Up or down from what the main module requires.
        up = [v for v in versions if semver.compare(v, current) > 0]
        down = [v for v in versions if semver.compare(v, current) < 0]
        pool = (up if rng.random() < 0.5 else down) or up or down or versions
        return f"{path}@{rng.choice(pool)}"
    return f"{path}@{rng.choice(versions)}"


def upgrade_arguments(u: Universe, rng: random.Random, n: int) -> list[str]:
    """``n`` command lines with ``-u`` or ``-u=patch`` and 0–2 arguments that keep their
    module where it is (``M@current``) or ask for its patch (bare ``M``), so what moves
    is what -u moves: the modules of the packages they import."""
    current = _selected(u)
    required = sorted(current)
    lines = []
    for _ in range(n):
        words = [rng.choice(["-u", "-u=patch"])]
        for path in rng.sample(required, k=min(len(required), rng.randint(0, 2))):
            words.append(f"{path}@{current[path]}" if rng.random() < 0.6 else path)
        lines.append(" ".join(words))
    return lines


def multi_arguments(u: Universe, rng: random.Random, n: int) -> list[str]:
    """``n`` command lines of 2–4 arguments (sometimes with ``-u`` / ``-u=patch``)."""
    by_path: dict[str, list[str]] = {}
    for path, version in u.mods:
        by_path.setdefault(path, []).append(version)
    paths = sorted(by_path)
    required = sorted({p for p, _, _ in u.main_requires})
    subs = {
        p
        for (p, _), spec in u.mods.items()
        if spec.files is not None and "sub/sub.go" in spec.files
    }
    lines: list[str] = []
    for _ in range(n):
        k = rng.randint(2, 4)
        words: list[str] = []
        chosen: list[str] = []
        for _ in range(k):
            fresh = [p for p in paths if p not in chosen]
            fresh_required = [p for p in required if p not in chosen]
            if chosen and (rng.random() < 0.1 or not fresh):
                path = rng.choice(chosen)  # the same module twice
            else:
                path = rng.choice(
                    fresh_required if fresh_required and rng.random() < 0.6 else fresh
                )
            chosen.append(path)
            w = _one(u, rng, path, by_path)
            if path in subs and not w.endswith("@none") and rng.random() < 0.2:
                p, at, q = w.partition("@")
                w = f"{p}/sub{at}{q}"
            words.append(w)
        r = rng.random()
        if r < 0.15:
            words.insert(0, "-u")
        elif r < 0.27:
            words.insert(0, "-u=patch")
        elif r < 0.3:
            words = [rng.choice(["-u", "-u=patch"])]
        lines.append(" ".join(words))
    return lines


def kind(p: Pair) -> str:
    if p.go_rc == 0:
        return "ok"
    text = "\n".join(p.go_errors)
    for k, needle in (
        ("conflicts with", "conflicts with"),
        ("requires", "requires"),
        ("no matching versions", "no matching versions"),
        ("not found", "not found"),
    ):
        if needle in text:
            return k
    return "other refusal"


def _u_mattered(root: Path, pairs: list[Pair]) -> int:
    """How many of the -u command lines would come out differently without the flag
    (planned again without it, on the untouched main module): evidence that the -u
    paths, not only the arguments, were compared with go."""
    flagged = [p for p in pairs if p.arg.startswith("-u")]
    if not flagged:
        return 0
    layout = Layout(root, root / "proxy", root / "main")
    bare = [" ".join(w for w in p.arg.split() if not w.startswith("-")) for p in flagged]
    dirs = [layout.main_dir] * len(flagged)
    plans = asyncio.run(_plans(layout, dirs, bare))
    return sum(
        1
        for p, q in zip(flagged, plans, strict=True)
        if (p.plan.ok, p.plan.gomod, str(p.plan.error)) != (q.ok, q.gomod, str(q.error))
    )


def _moved_unnamed(p: Pair) -> bool:
    named = {w.split("@")[0] for w in p.arg.split() if not w.startswith("-")}
    return any(line.split()[2] not in named for line in p.go_changes)


# (label, seeds, modules, versions per module, era, command lines per universe, packages,
# go.sum)
CLASSES = [
    ("modern", range(5000, 5020), 15, 5, "modern", 6, False, False),
    ("lazy", range(5100, 5110), 15, 4, "lazy", 6, False, False),
    ("legacy", range(5200, 5210), 15, 4, "legacy", 6, False, False),
    ("deep", range(5300, 5306), 30, 6, "modern", 8, False, False),
    ("packages", range(5400, 5415), 12, 4, "modern", 6, True, False),
    ("go.sum", range(5500, 5508), 15, 4, "modern", 6, True, True),
    # -u and -u=patch with arguments that move nothing themselves (upgrade_arguments).
    ("-u", range(5600, 5615), 15, 5, "modern", 5, True, False),
    ("-u lazy", range(5700, 5708), 15, 5, "lazy", 5, True, False),
]


def _seeds(seeds: range) -> range:
    if SWEEP <= 1:
        return seeds
    return range(seeds.start, seeds.start + len(seeds) * SWEEP)


@pytest.mark.parametrize(
    ("label", "seeds", "modules", "versions", "era", "per", "packages", "gosum"),
    CLASSES,
    ids=[c[0] for c in CLASSES],
)
def test_multi_argument_plans_match_go_get(
    label: str,
    seeds: range,
    modules: int,
    versions: int,
    era: str,
    per: int,
    packages: bool,
    gosum: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pairs: list[Pair] = []
    u_mattered = 0
    for seed in _seeds(seeds):
        u = random_universe(seed, modules, versions, era=era, packages=packages)
        rng = random.Random(seed)
        draw = upgrade_arguments if label.startswith("-u") else multi_arguments
        args = draw(u, rng, per)
        patch = existing_go_sum if gosum else None
        got = compare_universe(f"seed {seed}", u, tmp_path / str(seed), args, patch)
        pairs.extend(got)
        u_mattered += _u_mattered(tmp_path / str(seed), got)
    wrong = [p for p in pairs if not p.equal]
    kinds = Counter(kind(p) for p in pairs)
    flagged = sum(1 for p in pairs if p.arg.startswith("-u"))
    # -u pairs where go moved a module no argument named.
    moved_by_u = sum(1 for p in pairs if p.arg.startswith("-u") and _moved_unnamed(p))
    with capsys.disabled():
        print(
            f"\nmulti-argument plans vs go get ({label}): {len(pairs)} command lines"
            f" ({flagged} with -u or -u=patch, {moved_by_u} of them moving modules no"
            f" argument named, {u_mattered} where the flag changes go's answer), equal {len(pairs) - len(wrong)}/{len(pairs)};"
            f" by outcome {dict(sorted(kinds.items()))}"
        )
    assert not wrong, "\n".join(p.report() for p in wrong)
