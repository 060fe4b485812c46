"""The nearest fixed version (``Session.vuln_fix``, the twin of ``gomodx vuln --fix`` and
the app's ``x``), checked against an independent reading of the database and against the
real ``go get`` of the version it picks, in random module universes with random
vulnerability databases.

Each vulnerable module of the build list must get the version an independent computation
picks (the lowest listed version above the selected one, same major, not excluded, that no
range covers; releases before prereleases), and the preview of ``go get M@that`` must be
go's: the same refusal or the same go.mod, byte for byte. Run with ``-s`` to see the
counts; ``GOMODX_VULN_SWEEP=N`` runs N times as many seeds.
"""

from __future__ import annotations

import json
import os
import random
import shutil
from pathlib import Path

import pytest
from gotool import environ, go_env, run_go
from test_plan_differential import Pair, _go_get
from test_vulndb import _independent
from universe import random_universe
from vulngen import Vuln, write_vulndb

from analysis import semver
from analysis.osv import STDLIB, TOOLCHAIN
from analysis.session import Session, SessionOptions, run_sync
from analysis.vulnscan import VulnFix

pytestmark = pytest.mark.go

SWEEP = int(os.environ.get("GOMODX_VULN_SWEEP", "1"))
SEEDS = range(2000, 2000 + 12 * SWEEP)


def _expected(
    listed: list[str], current: str, excluded: set[str], ranges: list[list[list[tuple[str, str]]]]
) -> str:
    """The nearest fixed version, computed without gomodx's code."""

    def key(v: str) -> tuple[object, ...]:
        return semver.sort_key(semver.canonical(v))

    def major(v: str) -> str:
        return v.split(".")[0]

    ok = [
        v
        for v in sorted(listed, key=key)
        if key(v) > key(current)
        and major(v) == major(current)
        and v not in excluded
        and not any(_independent(r, v) for r in ranges)
    ]
    releases = [v for v in ok if "-" not in v.split("+")[0]]
    return (releases or ok or [""])[0]


def _vulns(rng: random.Random, versions: dict[str, list[str]]) -> list[Vuln]:
    """Entries that cover the lower versions of most modules, fixed at a random version
    (sometimes with a second range reopening later): most modules have a fix to find."""
    out: list[Vuln] = []
    for i, (path, vs) in enumerate(sorted(versions.items())):
        ordered = sorted(set(vs), key=lambda x: semver.sort_key(semver.canonical(x)))
        if len(ordered) < 2 or rng.random() < 0.2:
            continue
        bare = [semver.canonical(v)[1:] for v in ordered]
        k = rng.randrange(1, len(bare))
        ranges = [[("introduced", "0"), ("fixed", bare[k])]]
        if k + 1 < len(bare) and rng.random() < 0.3:
            j = rng.randrange(k + 1, len(bare))
            ranges.append([("introduced", bare[j])])
        out.append(Vuln(f"GO-2027-{i:04d}", {path: ranges}, summary=f"bug in {path}"))
    return out


def _fixes(main: Path, env: dict[str, str]) -> list[VulnFix]:
    # gomodx's own cache (GOMODX_CACHE) is read from the process environment
    with environ(env):
        session = Session.open(main, SessionOptions(source="proxy", use_go=False), environ=env)

    async def go() -> list[VulnFix]:
        loaded = await session.load()
        findings = await session.vuln_scan(loaded)
        selected = loaded.graph.selected()
        out = []
        for path in dict.fromkeys(f.module for f in findings):
            if path in (STDLIB, TOOLCHAIN) or loaded.replacement(
                next(m for m in loaded.build_list() if m.path == path)
            ):
                continue
            if path in selected:
                out.append(await session.vuln_fix(path, loaded=loaded))
        return out

    with environ(env):
        return run_sync(session, go)


def test_nearest_fixed_versions_agree_with_go_get(tmp_path: Path) -> None:
    counts = {"fixes": 0, "none": 0, "go ok": 0, "go refused": 0, "agree": 0}
    disagreements: list[str] = []
    for seed in SEEDS:
        root = tmp_path / str(seed)
        u = random_universe(seed, modules=10)
        layout = u.write(root / "u")
        versions: dict[str, list[str]] = {}
        for path, version in u.mods:
            versions.setdefault(path, []).append(version)
        vulns = _vulns(random.Random(seed), versions)
        db = write_vulndb(root / "db", vulns)
        env = go_env(root / "go", proxy=layout.proxy_url, GOVULNDB=db.as_uri())
        env["GOMODX_CACHE"] = str(root / "gx")
        pristine = root / "pristine"
        shutil.copytree(layout.main_dir, pristine)
        query = root / "query"  # go list may tidy the go.mod it reads (-mod=mod)
        shutil.copytree(layout.main_dir, query)
        fixes = _fixes(layout.main_dir, env)
        edit = json.loads(run_go(["mod", "edit", "-json"], query, env).stdout)
        excluded: dict[str, set[str]] = {}
        for e in edit.get("Exclude") or []:
            excluded.setdefault(e["Path"], set()).add(e["Version"])
        for i, fix in enumerate(fixes):
            counts["fixes"] += 1
            listed = run_go(["list", "-m", "-versions", fix.module], query, env).stdout.split()
            ranges = [v.ranges[fix.module] for v in vulns if fix.module in v.ranges]
            want = _expected(listed[1:], fix.version, excluded.get(fix.module, set()), ranges)
            assert fix.ids, fix
            assert fix.fixed == want, (seed, fix.module, fix.version, fix.fixed, want)
            if not want:
                counts["none"] += 1
                assert fix.plan is None and "no released version" in fix.error
                continue
            assert fix.plan is not None
            d = root / f"get{i}"
            shutil.copytree(pristine, d)
            warned = sum(len(w.splitlines()) for w in fix.plan.warnings)
            r = _go_get(d, env, f"{fix.module}@{fix.fixed}", warned)
            counts["go ok" if r.rc == 0 else "go refused"] += 1
            pair = Pair(
                str(seed),
                f"{fix.module}@{fix.fixed}",
                r.rc,
                r.changes,
                r.errors,
                r.gomod,
                r.sum_added,
                r.stderr,
                fix.plan,
            )
            if pair.refusal_equal and pair.gomod_equal and pair.changes_equal:
                counts["agree"] += 1
            else:
                disagreements.append(pair.report())
    print(
        f"\nnearest fixed version vs go get: {len(SEEDS)} universes, {counts['fixes']} vulnerable"
        f" modules ({counts['none']} without a fixed version); go get of the fix:"
        f" {counts['go ok']} ok, {counts['go refused']} refused; preview agrees (refusal,"
        f" go.mod bytes, changes) {counts['agree']}/{counts['go ok'] + counts['go refused']}"
    )
    assert not disagreements, "\n".join(disagreements)
    assert counts["fixes"] >= len(SEEDS)  # the databases do hit the build lists
