"""analysis.tidy's ``go mod why`` against the real one, in random universes with packages.

For each universe (an untidy main module from :func:`tidygen.untidy_main`, the same
module after ``go mod tidy``, and that one made stale by
:func:`tidygen.stale_requirements` without its go.sum), ``go mod why -m`` for every module
of the build list, ``go mod why -m all`` and ``go mod why`` for a sample of packages
(module root and ``sub`` packages, the main module's, missing ones), go run with each GOFLAGS of :data:`MODES`
(``-mod=mod``, the default readonly, ``-mod=readonly``, ``-mod=vendor``): standard output
must be byte-equal, a refusal must be go's. ``--all`` (every shortest
path) is checked against go's answer: go's path comes first and every path has its
length. ``GOMODX_TIDY_SWEEP=N`` runs N times as many seeds.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gotool import go_env, go_root, require_go
from tidygen import stale_requirements, untidy_main
from universe import random_universe

from analysis.cache import CacheStack
from analysis.errors import PlanRefused
from analysis.goenv import GoEnv
from analysis.hashes import GoSum
from analysis.proxy import ProxyClient
from analysis.source import ProxySource
from analysis.tidy import why_modules, why_packages

pytestmark = pytest.mark.go

SWEEP = int(os.environ.get("GOMODX_TIDY_SWEEP", "1"))


def _go(main: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_go(), *args], cwd=main, env=env, capture_output=True, text=True, timeout=60
    )


async def _ours(
    root: Path, main: Path, mods: list[str], pkgs: list[str], proxy: str, all_paths: bool
) -> tuple[str, str, str]:
    env = GoEnv(goproxy=proxy, gosumdb="off", gomodcache=str(root / "pycache"))
    caches = CacheStack.for_env(env.gomodcache, root / "gomodx-cache")
    async with ProxyClient(env, caches=caches, use_go=False) as client:
        source = ProxySource(client)
        kw = {
            "gosum": GoSum.read(main / "go.sum"),
            "all_paths": all_paths,
            "gomodcache": str(root / "go" / "modcache"),
            "goroot": go_root(),
        }
        try:
            m = await why_modules(main, source, mods, **kw)  # type: ignore[arg-type]
            p = await why_packages(main, source, pkgs, **kw)  # type: ignore[arg-type]
            a = await why_modules(main, source, ["all"], **kw)  # type: ignore[arg-type]
        except PlanRefused as exc:
            return f"error: {exc}\n", f"error: {exc}\n", f"error: {exc}\n"
        return m, p, a


def _stanzas(text: str) -> dict[str, list[str]]:
    """``# X`` headers to the stanzas under them (``--all`` separates paths by blank
    lines; so does go between headers)."""
    out: dict[str, list[str]] = {}
    key = ""
    for block in text.split("\n\n"):
        lines = block.strip("\n").split("\n")
        if lines and lines[0].startswith("# "):
            key = lines[0][2:]
            lines = lines[1:]
        out.setdefault(key, []).append("\n".join(lines))
    return out


#: GOFLAGS for go's runs. ``go mod why`` defines no ``-mod`` flag: go ignores one in
#: GOFLAGS and always loads as ``-mod=mod`` (setDefaultBuildMod's "mod why" case), never
#: writing go.mod or go.sum; so readonly (the default), an explicit ``-mod=readonly`` and
#: ``-mod=vendor`` (without a vendor directory) must all print what ``-mod=mod`` prints.
MODES = ("-mod=mod", "", "-mod=readonly", "-mod=vendor")

#: How the main module starts: untidy (tidygen), after ``go mod tidy``, or tidy and then
#: stale (requirements moved below the selected versions, go.sum gone: what a readonly
#: load refuses with "updates to go.mod needed" and "missing go.sum entry").
STARTS = ("untidy", "tidy", "stale")


def compare_why(
    seed: int, root: Path, era: str, start: str, modes: tuple[str, ...] = MODES
) -> tuple[dict[str, list[int]], list[str]]:
    """(outputs compared and equal per GOFLAGS of ``modes``, reports) for one universe,
    an output being one argument list (``-m`` modules, packages) under one GOFLAGS;
    reports starting ``GAP`` are the known gap (see below), not failures."""
    counts = {m: [0, 0] for m in modes}
    tidy_first = start != "untidy"
    u = random_universe(seed, 12, 3, era=era, packages=True)
    rng = random.Random(seed * 17 + 5)
    untidy_main(u, rng)
    layout = u.write(root)
    env = go_env(root / "go", proxy=layout.proxy_url)
    main = root / "why"
    shutil.copytree(layout.main_dir, main)
    if tidy_first and _go(main, env, "mod", "tidy", "-e").returncode != 0:
        return counts, []
    listed = _go(main, env, "list", "-m", "-e", "-f", "{{.Path}}", "all")
    if listed.returncode != 0:
        return counts, []
    mods = listed.stdout.split()[1:]
    mods += ["example.com/ghost1"]
    pkgs = [u.main_path, f"{u.main_path}/pkg"]
    for p in rng.sample(u.paths(), k=min(6, len(u.paths()))):
        pkgs.append(p)
        pkgs.append(p + "/sub")
    pkgs += ["fmt", "example.com/ghost0/p"]
    if start == "stale":
        if not stale_requirements(main, u, rng):
            return counts, []
        (main / "go.sum").unlink(missing_ok=True)
    gomod = (main / "go.mod").read_bytes()
    gosum = (main / "go.sum").read_bytes() if (main / "go.sum").exists() else None
    ours_m, ours_p, ours_a = asyncio.run(_ours(root, main, mods, pkgs, layout.proxy_url, False))
    all_m, all_p, all_a = asyncio.run(_ours(root, main, mods, pkgs, layout.proxy_url, True))
    reports: list[str] = []
    gaps: list[str] = []
    for mode in modes:
        menv = dict(env, GOFLAGS=mode)
        go_m = _go(main, menv, "mod", "why", "-m", *mods)
        go_p = _go(main, menv, "mod", "why", *pkgs)
        go_a = _go(main, menv, "mod", "why", "-m", "all")
        # go mod why never writes go.mod or go.sum, whatever the mode
        if (main / "go.mod").read_bytes() != gomod or (
            (main / "go.sum").read_bytes() if (main / "go.sum").exists() else None
        ) != gosum:
            reports.append(f"== seed {seed} {start} GOFLAGS={mode!r}: go mod why wrote files")
        for what, go_out, ours, every in (
            ("-m", go_m, ours_m, all_m),
            ("packages", go_p, ours_p, all_p),
            ("-m all", go_a, ours_a, all_a),
        ):
            counts[mode][0] += 1
            case = f"seed {seed} {start} GOFLAGS={mode!r} {what}"
            if go_out.returncode != 0:
                # go refused: so must gomodx, in go's words (its "-> unzip" notes aside).
                said = "".join(
                    ln + "\n"
                    for ln in go_out.stderr.splitlines()
                    if not ln.startswith(("-> ", "go: downloading "))
                )
                if ours == f"error: {said}":
                    counts[mode][1] += 1
                else:
                    reports.append(f"== {case}: go said\n{said}-- gomodx:\n{ours}")
                continue
            elif go_out.stdout == ours:
                counts[mode][1] += 1
            elif start != "tidy" and "-> unzip " in go_out.stderr:
                # Known gap: on an untidy module whose build list holds a zip go cannot
                # extract, go's reload decisions depend on its retries of the
                # extraction; gomodx does not model them.
                gaps.append(case)
                continue
            else:
                reports.append(
                    f"== {case} go rc {go_out.returncode}:\n"
                    f"{go_out.stdout}{go_out.stderr}\n-- gomodx:\n{ours}"
                )
            # --all: go's path first, every path as long.
            for key, stanzas in _stanzas(every).items():
                first = _stanzas(go_out.stdout).get(key, [""])[0]
                if stanzas[0] != first or len({s.count("\n") for s in stanzas}) != 1:
                    reports.append(f"== {case} --all {key}: {stanzas} vs go {first!r}")
    return counts, reports + [f"GAP {g}" for g in gaps]


CLASSES = [
    ("modern", range(6000, 6012), "modern"),
    ("lazy", range(6100, 6106), "lazy"),
    ("legacy", range(6200, 6206), "legacy"),
]


@pytest.mark.parametrize(("label", "seeds", "era"), CLASSES, ids=[c[0] for c in CLASSES])
def test_why_matches_go_mod_why(
    label: str, seeds: range, era: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if SWEEP > 1:
        seeds = range(seeds.start, seeds.start + len(seeds) * SWEEP)
    total = equal = gaps = 0
    by_mode: dict[str, list[int]] = {m: [0, 0] for m in MODES}
    reports: list[str] = []
    for seed in seeds:
        for start in STARTS:
            counts, r = compare_why(seed, tmp_path / f"{seed}-{start}", era, start)
            for mode, (n, e) in counts.items():
                total += n
                equal += e
                by_mode[mode][0] += n
                by_mode[mode][1] += e
            gaps += sum(1 for x in r if x.startswith("GAP "))
            reports.extend(x for x in r if not x.startswith("GAP "))
    with capsys.disabled():
        modes = ", ".join(f"GOFLAGS={m!r} {e}/{n}" for m, (n, e) in by_mode.items())
        print(
            f"\nwhy vs go mod why ({label}): {total} outputs, equal {equal}/{total} ({modes}),"
            f" known gap (untidy or stale, an unextractable zip) {gaps}"
        )
    assert total > 0
    assert not reports, "\n".join(reports[:4])


def _gomodx(main: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("gomodx")
    return subprocess.run(
        [str(exe), *args], cwd=main, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("seed", range(6300, 6300 + 4 * SWEEP))
def test_cli_why_and_tidy_check_under_every_goflags(seed: int, tmp_path: Path) -> None:
    """The whole command (Session, GOFLAGS policy, CLI) in each GOFLAGS ``-mod``:
    ``gomodx why --imports [-m]`` prints what ``go mod why [-m]`` prints and
    ``gomodx tidy --check`` what ``go mod tidy -diff`` prints (neither go command
    defines ``-mod``, so a GOFLAGS one changes nothing), on a stale go.mod without go.sum
    (what a readonly build would refuse)."""
    u = random_universe(seed, 12, 3, era="modern", packages=True)
    rng = random.Random(seed)
    untidy_main(u, rng)
    layout = u.write(tmp_path)
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    main = tmp_path / "why"
    shutil.copytree(layout.main_dir, main)
    assert _go(main, env, "mod", "tidy", "-e").returncode == 0
    mods = [p for p in u.paths() if rng.random() < 0.5] + ["example.com/ghost1"]
    pkgs = [u.main_path, f"{u.main_path}/pkg", *rng.sample(u.paths(), k=3), "fmt"]
    stale_requirements(main, u, rng)
    (main / "go.sum").unlink(missing_ok=True)
    before = {p.name: p.read_bytes() for p in main.iterdir() if p.is_file()}
    compared = 0
    for mode in MODES:
        menv = dict(env, GOFLAGS=mode)
        for ours_args, go_args in (
            (["why", "--imports", "-m", *mods], ["mod", "why", "-m", *mods]),
            (["why", "--imports", *pkgs], ["mod", "why", *pkgs]),
            (["tidy", "--check"], ["mod", "tidy", "-diff"]),
        ):
            ours = _gomodx(main, menv, *ours_args)
            go = _go(main, menv, *go_args)
            case = f"seed {seed} GOFLAGS={mode!r} {' '.join(go_args[:3])}"
            assert (ours.returncode, ours.stdout) == (go.returncode, go.stdout), (
                f"{case}\n-- go:\n{go.stdout}{go.stderr}\n-- gomodx:\n{ours.stdout}{ours.stderr}"
            )
            if go.returncode and go_args[1] == "why":
                assert ours.stderr == go.stderr, case
            compared += 1
            # Neither writes anything, whatever the mode.
            assert {p.name: p.read_bytes() for p in main.iterdir() if p.is_file()} == before
    assert compared == 3 * len(MODES)
