"""analysis.plan against the real ``go get`` in universes whose modules hold packages.

Universes come from ``random_universe(..., packages=True)``: module versions hold Go
packages importing the standard library, packages of the modules their go.mod requires
(sometimes of modules it does not), ``sub`` packages, nested modules, ``_test.go``,
``//go:build ignore`` and ``_windows.go`` files. Arguments name modules and packages.

Every pair must either agree with go exactly (refusal, go.mod bytes, changes, go.sum
lines, stderr — see ``test_plan_differential.Pair``) or be refused by gomodx with a
``gomodx: … not supported yet`` error. Run with ``-s`` to see the counts.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from test_plan_differential import Pair, compare_universe, draw_arguments, existing_go_sum
from universe import Universe, random_universe

from analysis.errors import NotSupported

pytestmark = pytest.mark.go


def unsupported(p: Pair) -> bool:
    """The plan refused a case gomodx does not model yet (never a wrong answer)."""
    err = p.plan.error
    return (
        not p.plan.ok
        and err is not None
        and isinstance(err, NotSupported)
        and str(err).startswith("gomodx: ")
        and "not supported yet" in str(err)
    )


def kind(p: Pair) -> str:
    text = str(p.plan.error)
    for k in ("missing imports", "ambiguous imports", "bad module zips", "standard library"):
        if k in text or (k == "standard library" and "not in the standard" in text):
            return k
    return text


def package_arguments(u: Universe, rng: random.Random, n: int) -> list[str]:
    """Module arguments as usual, and some naming a ``sub`` package instead."""
    out = []
    for arg in draw_arguments(u, rng, n):
        words = []
        for w in arg.split():
            path, at, query = w.partition("@")
            spec = next((s for (p, _), s in u.mods.items() if p == path), None)
            if (
                query != "none"
                and spec is not None
                and spec.files is not None
                and "sub/sub.go" in spec.files
                and rng.random() < 0.3
            ):
                w = f"{path}/sub{at}{query}"
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


@pytest.mark.parametrize(
    ("label", "seeds", "modules", "versions", "era", "per", "gosum"),
    CLASSES,
    ids=[c[0] for c in CLASSES],
)
def test_package_plans_match_go_get_or_refuse(
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
    for seed in seeds:
        u = random_universe(seed, modules, versions, era=era, packages=True)
        rng = random.Random(seed)
        args = package_arguments(u, rng, per)
        patch = existing_go_sum if gosum else None
        pairs.extend(compare_universe(f"seed {seed}", u, tmp_path / str(seed), args, patch))
    equal = [p for p in pairs if p.equal]
    refused = [p for p in pairs if not p.equal and unsupported(p)]
    wrong = [p for p in pairs if not p.equal and not unsupported(p)]
    kinds = Counter(f"{kind(p)} (go {'fails' if p.go_rc else 'succeeds'})" for p in refused)
    with capsys.disabled():
        print(
            f"\nplan vs go get with packages ({label}): {len(pairs)} pairs, equal"
            f" {len(equal)}/{len(pairs)}, refused as not supported {len(refused)}"
            f" ({dict(kinds)}), wrong {len(wrong)}"
        )
    assert not wrong, "\n".join(p.report() for p in wrong)
