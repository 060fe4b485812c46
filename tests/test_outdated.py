"""``gomodx outdated`` (analysis.outdated) against the go command.

* ``Update``, ``Retracted`` and ``Deprecated`` of every module equal what ``go list -m -u
  -json all`` says, on random universes (some modules deprecated in their go.mod);
* ``Compatible`` is checked by running ``go get PATH@COMPATIBLE`` on a fresh copy of the
  main module (go must accept it) and ``go get PATH@REFUSED`` (the next candidate above
  it, which gomodx found refused: go must refuse it too);
* ``Level`` and the table order, ``--direct``, ``--ci`` exit statuses.

Run with ``-s`` for the counts; ``GOMODX_OUTDATED_SWEEP=N`` runs N times as many seeds.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from gotool import go_env, run_go
from test_apply import cli_env
from universe import Layout, Universe, escape, random_universe

from analysis import semver
from analysis.module import ModuleVersion
from analysis.outdated import (
    LEVELS,
    Outdated,
    compatible_candidates,
    level_at_least,
    sort_key,
    update_level,
)
from analysis.versions import ModuleVersions, VersionEntry

__all__ = ["cli_env"]

SWEEP = int(os.environ.get("GOMODX_OUTDATED_SWEEP", "1"))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    from tui.cli import main

    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# -- levels -------------------------------------------------------------------------------


def _random_version(rng: random.Random, major: int) -> str:
    v = f"v{major}.{rng.randint(0, 3)}.{rng.randint(0, 3)}"
    if rng.random() < 0.2:
        v += f"-rc.{rng.randint(0, 2)}"
    return v


def test_update_level_follows_the_version_fields() -> None:
    rng = random.Random(16)
    for _ in range(500):
        major = rng.randint(0, 2)
        a = _random_version(rng, major)
        b = _random_version(rng, major if rng.random() < 0.8 else major + 1)
        if semver.compare(b, a) <= 0:
            a, b = b, a
        if a == b:
            continue
        level = update_level(a, b)
        if semver.major(a) != semver.major(b):
            assert level == "major"
        elif semver.is_prerelease(b):
            assert level == "prerelease"
        elif semver.major_minor(a) != semver.major_minor(b):
            assert level == "minor"
        else:
            assert level == "patch", (a, b)
    assert update_level("v1.0.0", "") == ""
    assert update_level("v1.0.0", "", [ModuleVersion("m/v2", "v2.0.0")]) == "major"
    for i, lv in enumerate(LEVELS):
        for j, other in enumerate(LEVELS):
            assert level_at_least(lv, other) == (i >= j)
        assert not level_at_least("", lv)


def test_compatible_candidates_are_allowed_same_major_versions_above() -> None:
    rng = random.Random(7)
    for _ in range(200):
        vs = sorted(
            {_random_version(rng, rng.randint(1, 2)) for _ in range(8)}, key=semver.sort_key
        )
        entries = tuple(
            VersionEntry(
                v,
                listed=rng.random() < 0.9,
                retracted=rng.random() < 0.1,
                excluded=rng.random() < 0.1,
            )
            for v in vs
        )
        mv = ModuleVersions("example.com/m", entries)
        current = rng.choice(vs)
        got = compatible_candidates(mv, current, "")
        assert got == sorted(got, key=semver.sort_key, reverse=True)
        for e in entries:
            want = (
                e.listed
                and not e.hidden
                and semver.major(e.version) == semver.major(current)
                and semver.compare(e.version, current) > 0
                and (semver.is_prerelease(current) or not semver.is_prerelease(e.version))
            )
            assert (e.version in got) == want, (current, e)


def test_table_order_is_level_then_direct() -> None:
    rng = random.Random(3)
    rows = [
        Outdated(
            f"example.com/m{i}",
            "v1.0.0",
            level=rng.choice(["", *LEVELS]),
            direct=rng.random() < 0.5,
            deprecated="old" if rng.random() < 0.2 else "",
        )
        for i in range(60)
    ]
    ordered = sorted(rows, key=sort_key)
    ranks = [(-(LEVELS.index(o.level) if o.level else -1), not o.direct) for o in ordered]
    assert ranks == sorted(ranks)


# -- against go ----------------------------------------------------------------------------


def deprecate(u: Universe, layout: Layout, rng: random.Random) -> set[str]:
    """Mark a few module paths deprecated in every version's go.mod the proxy serves."""
    paths = sorted({p for p, _ in u.mods})
    chosen = {p for p in paths if rng.random() < 0.2}
    for (path, version), spec in u.mods.items():
        if path not in chosen or not spec.has_go_mod:
            continue
        mod = layout.proxy_dir / escape(path) / "@v" / f"{escape(version)}.mod"
        text = mod.read_text()
        mod.write_text(f"// Deprecated: use example.com/other{rng.randint(0, 9)} instead.\n{text}")
    return chosen


def _outdated_json(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    layout: Layout,
    *extra: str,
) -> tuple[int, list[dict[str, Any]], str]:
    root = layout.root
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    monkeypatch.setenv("GOMODX_CACHE", str(root / "gomodx-cache"))
    monkeypatch.setenv("GOMODCACHE", str(root / "pymodcache"))
    code, out, err = _run(capsys, "outdated", str(layout.main_dir), "--json", *extra)
    return code, json.loads(out) if out.strip() else [], err


def _go_list(layout: Layout) -> dict[str, dict[str, Any]]:
    env = go_env(layout.root / "golist", proxy=layout.proxy_url)
    work = layout.root / "list-copy"
    shutil.copytree(layout.main_dir, work)
    proc = run_go(["list", "-m", "-u", "-json", "all"], work, env)
    rows: dict[str, dict[str, Any]] = {}
    decoder = json.JSONDecoder()
    text = proc.stdout
    i = 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        obj, i = decoder.raw_decode(text, i)
        if not obj.get("Main"):
            rows[obj["Path"]] = obj
    return rows


def _go_get_ok(layout: Layout, arg: str, tag: str) -> tuple[bool, str]:
    env = go_env(layout.root / "goget", proxy=layout.proxy_url)
    work = layout.root / f"get-{tag}"
    shutil.copytree(layout.main_dir, work)
    proc = run_go(["get", arg], work, env, check=False)
    return proc.returncode == 0, proc.stderr


# (era, modules, versions per module, packages: bad zips and missing imports refuse some)
ERAS = [
    ("modern", 15, 5, False),
    ("lazy", 12, 4, False),
    ("legacy", 12, 4, False),
    ("packages", 12, 4, True),
]


@pytest.mark.go
@pytest.mark.parametrize("era", [e[0] for e in ERAS])
def test_update_and_compatible_match_go(
    era: str,
    cli_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, modules, versions, packages = next(e for e in ERAS if e[0] == era)
    base = {"modern": 16000, "lazy": 16100, "legacy": 16200, "packages": 16300}[era]
    seeds = range(base, base + 8 * SWEEP)
    rows = update_equal = compat_checked = compat_ok = refused_checked = refused_ok = 0
    deprecated_seen = retracted_seen = 0
    bad: list[str] = []
    for seed in seeds:
        u = random_universe(
            seed, modules, versions, era="modern" if packages else era, packages=packages
        )
        layout = u.write(cli_env / str(seed))
        deprecate(u, layout, random.Random(seed))
        code, ours, err = _outdated_json(capsys, monkeypatch, layout)
        assert code == 0, err
        go = _go_list(layout)
        assert {o["Path"] for o in ours} == set(go), f"seed {seed}: build lists differ"
        for o in ours:
            rows += 1
            g = go[o["Path"]]
            want = (
                (g.get("Update") or {}).get("Version", ""),
                g.get("Retracted", []),
                g.get("Deprecated", ""),
                g["Version"],
            )
            got = (o["Update"], o["Retracted"], o["Deprecated"], o["Version"])
            if got == want:
                update_equal += 1
            else:
                bad.append(f"seed {seed} {o['Path']}: go {want} gomodx {got}")
            deprecated_seen += bool(o["Deprecated"])
            retracted_seen += bool(o["Retracted"])
            assert o["Level"] == update_level(
                o["Version"],
                o["Update"],
                [ModuleVersion(m["Path"], m["Version"]) for m in o["NewerMajors"]],
            )
            # go get of Compatible succeeds; of the version gomodx found refused, fails.
            if o["Compatible"]:
                compat_checked += 1
                ok, text = _go_get_ok(layout, f"{o['Path']}@{o['Compatible']}", f"c{rows}")
                compat_ok += ok
                if not ok:
                    bad.append(f"seed {seed}: go get {o['Path']}@{o['Compatible']}: {text}")
            if "Refused" in o:
                refused_checked += 1
                v = o["Refused"]["Version"]
                ok, text = _go_get_ok(layout, f"{o['Path']}@{v}", f"r{rows}")
                refused_ok += not ok
                if ok:
                    bad.append(f"seed {seed}: go get {o['Path']}@{v} succeeded, gomodx refused")
                elif not _same_refusal(layout, text, o["Refused"]["Error"]):
                    bad.append(
                        f"seed {seed}: go get {o['Path']}@{v}: go said {text!r},"
                        f" gomodx {o['Refused']['Error']!r}"
                    )
                    refused_ok -= 1
    with capsys.disabled():
        print(
            f"\noutdated vs go ({era}, {len(seeds)} universes): Update/Retracted/Deprecated"
            f" equal {update_equal}/{rows} modules ({deprecated_seen} deprecated,"
            f" {retracted_seen} retracted); go get accepts Compatible {compat_ok}/"
            f"{compat_checked}; go get refuses the next version up, with the same words,"
            f" {refused_ok}/{refused_checked}"
        )
    assert not bad, "\n".join(bad)
    assert compat_checked > 0


def _same_refusal(layout: Layout, go_stderr: str, ours: str) -> bool:
    """go's error lines equal gomodx's, up to the directories under the test's root (go
    ran on a copy, with its own module cache)."""
    lines = [
        ln
        for ln in go_stderr.splitlines()
        # go's progress, and the warnings printed before its error.
        if not ln.startswith(("go: downloading ", "-> "))
    ]
    under = re.compile(re.escape(str(layout.root)) + r"/[^ )]*")
    return under.sub("PATH", "\n".join(lines)) == under.sub("PATH", ours)


# -- the command line -----------------------------------------------------------------------


def _ci_universe() -> Universe:
    """A main module with a patch, a minor, a prerelease and a major update, a retracted
    and a deprecated module, and an up-to-date one."""
    u = Universe(main_go="1.21")
    for v in ("v1.0.0", "v1.0.1"):
        u.add("example.com/patch", v)
    for v in ("v1.0.0", "v1.1.0"):
        u.add("example.com/minor", v)
    for v in ("v1.1.0-rc.1", "v1.1.0-rc.2"):
        u.add("example.com/pre", v)
    u.add("example.com/major", "v1.0.0")
    u.add("example.com/major/v2", "v2.0.0")
    u.add("example.com/current", "v1.0.0")
    u.add("example.com/ret", "v1.0.0")
    u.add("example.com/ret", "v1.0.1", retract=[("v1.0.0", "v1.0.0", "broken")])
    u.require("example.com/patch", "v1.0.0")
    u.require("example.com/minor", "v1.0.0", indirect=True)
    u.require("example.com/pre", "v1.1.0-rc.1")
    # go get refuses refused@v1.2.0 (through an unpruned helper it requires the
    # retracted v1.3.0): Compatible is the version below it.
    u.add("example.com/refused", "v1.0.0")
    u.add("example.com/refused", "v1.1.0")
    u.add("example.com/refused", "v1.2.0", requires=[("example.com/helper", "v1.0.0")], go=None)
    u.add("example.com/refused", "v1.3.0", retract=[("v1.3.0", "v1.3.0", "oops")])
    u.add("example.com/helper", "v1.0.0", requires=[("example.com/refused", "v1.3.0")], go=None)
    u.require("example.com/refused", "v1.0.0")
    u.require("example.com/major", "v1.0.0")
    u.require("example.com/current", "v1.0.0")
    u.require("example.com/ret", "v1.0.0")
    return u


def test_outdated_table_json_direct_and_ci(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    layout = _ci_universe().write(cli_env / "u")
    code, rows, _ = _outdated_json(capsys, monkeypatch, layout)
    assert code == 0
    by = {r["Path"]: r for r in rows}
    assert {p: r["Level"] for p, r in by.items()} == {
        "example.com/patch": "patch",
        "example.com/minor": "minor",
        "example.com/pre": "prerelease",
        "example.com/major": "major",
        "example.com/current": "",
        "example.com/ret": "patch",
        "example.com/refused": "minor",
    }
    assert by["example.com/refused"]["Compatible"] == "v1.1.0"
    assert by["example.com/refused"]["Refused"]["Version"] == "v1.2.0"
    assert by["example.com/refused"]["Refused"]["Error"] == (
        "go: example.com/refused@v1.2.0 indirectly requires example.com/refused@v1.3.0,"
        " not example.com/refused@v1.2.0"
    )
    assert by["example.com/ret"]["Retracted"] == ["broken"]
    assert by["example.com/major"]["NewerMajors"] == [
        {"Path": "example.com/major/v2", "Version": "v2.0.0"}
    ]
    assert by["example.com/minor"]["Direct"] is False
    assert by["example.com/patch"]["Compatible"] == "v1.0.1"
    assert by["example.com/pre"]["Compatible"] == "v1.1.0-rc.2"

    code, rows, _ = _outdated_json(capsys, monkeypatch, layout, "--direct")
    assert "example.com/minor" not in {r["Path"] for r in rows} and len(rows) == 6

    code, out, _ = _run(capsys, "outdated", str(layout.main_dir))
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["MODULE", "VERSION", "UPDATE", "COMPATIBLE", "LEVEL"]
    order = [ln.split()[0] for ln in lines[1:]]
    assert order == [
        "example.com/major",
        "example.com/refused",
        "example.com/minor",
        "example.com/ret",
        "example.com/patch",
        "example.com/pre",
    ]
    assert "▲ major" in lines[1] and "retracted" in lines[4]
    assert "v1.2.0 refused" in lines[2]

    # --ci: a retracted module fails the check whatever the level.
    code, _, err = _run(capsys, "outdated", str(layout.main_dir), "--ci")
    assert code == 1 and "example.com/ret v1.0.0 is retracted: broken" in err
    code, _, err = _run(capsys, "outdated", str(layout.main_dir), "--ci=minor", "--direct")
    assert code == 1 and "example.com/major v1.0.0 is behind (major" in err
    assert "example.com/patch" not in err
    with pytest.raises(SystemExit) as exit_info:
        _run(capsys, "outdated", str(layout.main_dir), "--ci=bogus")
    assert exit_info.value.code == 2 and "'bogus'" in capsys.readouterr().err


def test_ci_passes_when_nothing_is_behind(
    cli_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    u = Universe(main_go="1.21")
    u.add("example.com/a", "v1.0.0")
    u.add("example.com/a/v2", "v2.0.0")
    u.require("example.com/a", "v1.0.0")
    layout = u.write(cli_env / "u")
    monkeypatch.setenv("GOPROXY", layout.proxy_url)
    code, out, _ = _run(capsys, "outdated", str(layout.main_dir), "--ci=minor", "--no-majors")
    assert (code, out) == (0, "all modules are up to date\n")
    code, _, err = _run(capsys, "outdated", str(layout.main_dir), "--ci=major")
    assert code == 1 and "example.com/a v1.0.0 is behind (major: v2.0.0)" in err
