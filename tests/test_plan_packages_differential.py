"""analysis.plan against the real ``go get`` in universes whose modules hold packages.

Universes come from ``random_universe(..., packages=True)``: module versions hold Go
packages importing the standard library, packages of the modules their go.mod requires
(sometimes of modules it does not), ``sub`` packages, nested modules (some also present
as a directory of the parent: ambiguous imports), ``_test.go``, ``//go:build ignore`` and
``_windows.go`` files; and (``add_trouble``) imports no module in the build list
provides (of modules in the proxy, of directories they lack, of modules that do not
exist, of std-looking paths not in std), zips go rejects, and a main module with
packages of its own and an untidy go.mod. Arguments name modules and packages (``sub``
packages, the main module's packages, packages that do not exist).

Every pair must agree with go exactly (refusal, go.mod bytes, changes, go.sum lines,
stderr — see ``test_plan_differential.Pair``). Run with ``-s`` to see the counts; set
``GOMODX_PKG_SWEEP=N`` to run N times as many seeds (a sweep outside the suite).
"""

from __future__ import annotations

import os
import random
from collections import Counter
from pathlib import Path

import pytest
from test_plan_differential import Pair, compare_universe, draw_arguments, existing_go_sum
from universe import Universe, random_universe

pytestmark = pytest.mark.go

SWEEP = int(os.environ.get("GOMODX_PKG_SWEEP", "1"))


def kind(p: Pair) -> str:
    """What a pair exercised, for the counts."""
    if p.go_rc == 0:
        return "ok"
    text = "\n".join(p.go_errors)
    for k, needle in (
        ("ambiguous import", "ambiguous import"),
        ("not in std", "is not in std"),
        ("missing import", "cannot find module providing package"),
        ("bad zip", "unzip "),
        ("bad zip", "has unexpected file"),
        ("no such package", "does not contain package"),
        ("conflict", "requires"),
    ):
        if needle in text:
            return k
    return "other refusal"


def package_arguments(u: Universe, rng: random.Random, n: int) -> list[str]:
    """Module arguments as usual, and some naming a ``sub`` package, a package the
    module lacks, a module that does not exist, a package of the main module (by path
    or directory), a directory outside it, or a standard-library package."""
    out = []
    for arg in draw_arguments(u, rng, n):
        words = []
        for w in arg.split():
            path, at, query = w.partition("@")
            spec = next((s for (p, _), s in u.mods.items() if p == path), None)
            r = rng.random()
            if (
                query != "none"
                and spec is not None
                and spec.files is not None
                and "sub/sub.go" in spec.files
                and r < 0.3
            ):
                w = f"{path}/sub{at}{query}"
            elif query != "none" and 0.3 <= r < 0.35:
                w = f"{path}/nope{at}{query}"
            elif 0.35 <= r < 0.37:
                w = f"example.com/ghost{rng.randint(0, 2)}/p{at}{query}"
            elif u.main_files is not None and 0.37 <= r < 0.45:
                w = f"{u.main_path}/pkg" + ("@v1.0.0" if rng.random() < 0.2 else "")
            elif 0.45 <= r < 0.5:
                # Standard-library packages and directories, as go get takes them.
                local = ["./pkg", "./pkg@v1.0.0"] if u.main_files is not None else []
                w = rng.choice(["fmt", "net/http", "fmt@v1.0.0", ".", "./nope", "../x", *local])
            words.append(w)
        out.append(" ".join(words))
    return out


# (label, seeds, modules, versions per module, era, arguments per universe, go.sum)
CLASSES = [
    ("modern", range(3000, 3020), 12, 3, "modern", 6, False),
    ("lazy", range(3100, 3115), 12, 3, "lazy", 6, False),
    ("legacy", range(3200, 3210), 12, 3, "legacy", 6, False),
    ("deep", range(3300, 3306), 30, 5, "modern", 8, False),
    ("go.sum", range(3400, 3410), 12, 3, "modern", 6, True),
]


def _seeds(seeds: range) -> range:
    if SWEEP <= 1:
        return seeds
    return range(seeds.start, seeds.start + len(seeds) * SWEEP)


@pytest.mark.parametrize(
    ("label", "seeds", "modules", "versions", "era", "per", "gosum"),
    CLASSES,
    ids=[c[0] for c in CLASSES],
)
def test_package_plans_match_go_get(
    label: str,
    seeds: range,
    modules: int,
    versions: int,
    era: str,
    per: int,
    gosum: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pairs: list[Pair] = []
    for seed in _seeds(seeds):
        u = random_universe(seed, modules, versions, era=era, packages=True)
        rng = random.Random(seed)
        args = package_arguments(u, rng, per)
        patch = existing_go_sum if gosum else None
        pairs.extend(compare_universe(f"seed {seed}", u, tmp_path / str(seed), args, patch))
    equal = [p for p in pairs if p.equal]
    wrong = [p for p in pairs if not p.equal]
    kinds = Counter(kind(p) for p in pairs)
    wrong_kinds = Counter(kind(p) for p in wrong)
    with capsys.disabled():
        print(
            f"\nplan vs go get with packages ({label}): {len(pairs)} pairs, equal"
            f" {len(equal)}/{len(pairs)}, wrong {len(wrong)} {dict(wrong_kinds)};"
            f" by kind {dict(sorted(kinds.items()))}"
        )
    assert not wrong, "\n".join(p.report() for p in wrong)
