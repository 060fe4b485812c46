"""analysis.versions and ``gomodx versions`` against the go command.

Differential tests draw random universes (tests/universe.py), then ask go and gomodx the same
questions — ``go list -m -versions [-retracted]``, ``go list -m M@latest``, deprecation —
over ``file://``, inside the main module (excludes and replacements apply), and through a
faulty HTTP proxy on 127.0.0.1. Every disagreement is a bug.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
import pytest
from gotool import go_env, require_go, run_go
from proxyserver import Fault, ProxyServer
from universe import Layout, Universe, escape, random_universe

from analysis.cache import CacheStack
from analysis.goenv import GoEnv
from analysis.goproxy import RetryPolicy
from analysis.modpath import unescape_path
from analysis.proxy import ProxyClient
from analysis.versions import (
    MainModule,
    ModuleVersions,
    QueryContext,
    module_versions,
    query_latest,
    short_message,
)

ROOT = Path(__file__).resolve().parent.parent
FAST = RetryPolicy(attempts=6, base_delay=0.005, max_delay=0.02, retry_after_cap=0.5)


def json_stream(text: str) -> list[dict[str, Any]]:
    decoder = json.JSONDecoder()
    out: list[dict[str, Any]] = []
    i = 0
    text = text.strip()
    while i < len(text):
        obj, end = decoder.raw_decode(text, i)
        out.append(obj)
        i = end
        while i < len(text) and text[i].isspace():
            i += 1
    return out


# -- go's answers ---------------------------------------------------------------------------------


class GoAnswers:
    """What go says about every path of a universe, from a given directory."""

    def __init__(self, paths: list[str], cwd: Path, env: dict[str, str]) -> None:
        self.paths = paths
        listing = json_stream(
            run_go(["list", "-m", "-e", "-versions", "-json", *paths], cwd, env).stdout
        )
        self.versions = {o["Path"]: o.get("Versions", []) for o in listing}
        self.version_errors = {o["Path"]: o["Error"]["Err"] for o in listing if "Error" in o}
        retracted = json_stream(
            run_go(
                ["list", "-m", "-e", "-versions", "-retracted", "-json", *paths], cwd, env
            ).stdout
        )
        self.with_retracted = {o["Path"]: o.get("Versions", []) for o in retracted}
        latest = json_stream(
            run_go(["list", "-m", "-e", "-json", *[p + "@latest" for p in paths]], cwd, env).stdout
        )
        self.latest = {o["Path"]: o["Version"] for o in latest if "Error" not in o}
        self.latest_errors = {o["Path"]: o["Error"]["Err"] for o in latest if "Error" in o}
        # Deprecation is reported for a module version with -u.
        deprecated = json_stream(
            run_go(
                ["list", "-m", "-u", "-e", "-json", *[p + "@latest" for p in self.latest]], cwd, env
            ).stdout
        )
        self.deprecated = {o["Path"]: o.get("Deprecated", "") for o in deprecated}
        # Retraction rationale per version, as -retracted reports it.
        pairs = [f"{p}@{v}" for p in paths for v in self.with_retracted.get(p, [])]
        self.rationale: dict[tuple[str, str], list[str]] = {}
        if pairs:
            objs = json_stream(
                run_go(["list", "-m", "-e", "-retracted", "-json", *pairs], cwd, env).stdout
            )
            for o in objs:
                if "Retracted" in o:
                    self.rationale[(o["Path"], o["Version"])] = o["Retracted"]


def compare(go: GoAnswers, ours: dict[str, ModuleVersions], tally: Counter[str]) -> list[str]:
    """Every disagreement between go and gomodx, as readable lines; counts agreements."""
    problems: list[str] = []
    for path in go.paths:
        mv = ours[path]
        checks = {
            "versions": (list(mv.versions), go.versions.get(path, [])),
            "retracted": (list(mv.versions_with_retracted), go.with_retracted.get(path, [])),
            "latest": (mv.latest, go.latest.get(path, "")),
            "deprecated": (mv.deprecated, go.deprecated.get(path, "")),
        }
        if path in go.latest_errors:
            checks["latest-error"] = (mv.latest_error, go.latest_errors[path])
        checks["versions-error"] = (mv.error, go.version_errors.get(path, ""))
        for v in mv.versions_with_retracted:
            entry = mv.entry(v)
            assert entry is not None
            want = go.rationale.get((path, v))
            got = (
                (list(entry.rationale) or ["retracted by module author"])
                if entry.retracted
                else None
            )
            checks[f"rationale {v}"] = (got, want)
        for name, (got, want) in checks.items():
            kind = name.split()[0]
            if got == want:
                tally[kind] += 1
                if want:
                    tally[kind + " (non-empty)"] += 1
            else:
                tally[kind + " DISAGREE"] += 1
                problems.append(f"{path} {name}: gomodx {got!r} != go {want!r}")
    return problems


async def ours_for(
    client: ProxyClient, paths: list[str], main: MainModule | None = None
) -> dict[str, ModuleVersions]:
    out: dict[str, ModuleVersions] = {}

    async def one(p: str) -> None:
        out[p] = await module_versions(client, p, main=main or MainModule(), majors=False)

    async with anyio.create_task_group() as group:
        for p in paths:
            group.start_soon(one, p)
    return out


async def _ours(
    url: str, own: Path, paths: list[str], main: MainModule | None
) -> dict[str, ModuleVersions]:
    async with client_for(url, own) as client:
        return await ours_for(client, paths, main)


def decorate(u: Universe, layout: Layout, rng: random.Random) -> None:
    """Add deprecation comments and multi-version retractions the generator does not make."""
    for path in u.paths():
        listed = u.versions(path, listed_only=True)
        if not listed or rng.random() > 0.3:
            continue
        top = max(listed, key=lambda v: (not v.endswith("+incompatible"), v))
        mod = layout.proxy_dir / escape(path) / "@v" / f"{escape(top)}.mod"
        text = mod.read_text()
        if not text.startswith("module ") or text.strip() == f"module {path}":
            continue
        if rng.random() < 0.5:
            mod.write_text(f"// Deprecated: use {path}/v9 instead.\n// More text.\n" + text)
        else:
            mod.write_text(text + f"\nretract [v0.0.0, {top}] // Everything, even {top}.\n")


def client_for(proxy: str, own: Path) -> ProxyClient:
    return ProxyClient(GoEnv(goproxy=proxy), caches=CacheStack.for_env("", own), retry=FAST)


# -- hand-made cases --------------------------------------------------------------------------


def hand_universe(root: Path) -> Layout:
    u = Universe()
    u.add("example.com/r", "v0.9.0")
    u.add("example.com/r", "v1.0.0")
    u.add(
        "example.com/r",
        "v1.1.0",
        retract=[
            ("v1.0.0", "v1.0.0", "Published accidentally."),
            ("v1.1.0", "v1.1.0", "Contains retractions only."),
        ],
    )
    u.add("example.com/r", "v1.2.0-pre")
    u.add("example.com/d", "v1.0.0")
    u.add("example.com/d", "v1.1.0")
    u.add("example.com/d/v2", "v2.0.0")
    u.add("example.com/d/v3", "v3.1.0")
    u.add("example.com/i", "v1.0.0", go=None)  # looks like no go.mod at all
    u.add("example.com/i", "v2.0.0+incompatible", has_go_mod=False)
    u.add("example.com/j", "v1.0.0")  # a real go.mod: +incompatible is not latest
    u.add("example.com/j", "v2.0.0+incompatible", has_go_mod=False)
    u.add("example.com/p", "v0.0.0-20200101000000-abcdefabcdef")
    u.add("example.com/pre", "v1.0.0-rc.1")
    u.add("example.com/pre", "v1.0.0-rc.2")
    u.add("example.com/self", "v1.0.0")
    u.add("example.com/self", "v1.1.0", retract=[("v1.1.0", "v1.1.0", "")])
    u.add("gopkg.in/yaml.v2", "v2.4.0")
    u.add("gopkg.in/yaml.v3", "v3.0.1")
    layout = u.write(root)
    mod = layout.proxy_dir / "example.com/d/@v/v1.1.0.mod"
    mod.write_text("// Deprecated: use example.com/d/v2 instead.\n" + mod.read_text())
    return layout


def test_hand_universe(tmp_path: Path) -> None:
    layout = hand_universe(tmp_path / "u")

    async def main() -> dict[str, ModuleVersions]:
        async with client_for(layout.proxy_url, tmp_path / "own") as client:
            paths = ["example.com/r", "example.com/d", "example.com/i", "example.com/j"]
            paths += ["example.com/p", "example.com/pre", "example.com/self", "gopkg.in/yaml.v2"]
            out = {}
            for p in paths:
                out[p] = await module_versions(client, p)
            return out

    got = anyio.run(main)
    r = got["example.com/r"]
    assert r.versions == ("v0.9.0", "v1.2.0-pre")
    assert r.versions_with_retracted == ("v0.9.0", "v1.0.0", "v1.1.0", "v1.2.0-pre")
    assert r.latest == "v0.9.0" and r.retractions_from == "v1.1.0"
    e = r.entry("v1.0.0")
    assert e is not None and e.retracted and e.rationale == ("Published accidentally.",)
    pre = r.entry("v1.2.0-pre")
    assert pre is not None and pre.prerelease and not pre.retracted
    d = got["example.com/d"]
    assert d.deprecated == "use example.com/d/v2 instead."
    assert [(m.path, m.version) for m in d.newer_majors] == [
        ("example.com/d/v2", "v2.0.0"),
        ("example.com/d/v3", "v3.1.0"),
    ]
    assert got["example.com/i"].latest == "v2.0.0+incompatible"
    assert got["example.com/j"].latest == "v1.0.0"
    inc = got["example.com/j"].entry("v2.0.0+incompatible")
    assert inc is not None and inc.incompatible
    assert got["example.com/p"].latest == ""
    assert got["example.com/p"].latest_error == (
        'module example.com/p: no matching versions for query "latest"'
    )
    assert got["example.com/pre"].latest == "v1.0.0-rc.2"
    s = got["example.com/self"]
    assert s.latest == "v1.0.0" and s.to_json()["RetractedVersions"] == {
        "v1.1.0": ["retracted by module author"]
    }
    assert [m.path for m in got["gopkg.in/yaml.v2"].newer_majors] == ["gopkg.in/yaml.v3"]


@pytest.mark.go
def test_hand_universe_agrees_with_go(tmp_path: Path) -> None:
    require_go()
    layout = hand_universe(tmp_path / "u")
    paths = sorted(
        {
            p.parent.parent.relative_to(layout.proxy_dir).as_posix()
            for p in layout.proxy_dir.rglob("list")
        }
    )
    paths = [p.replace("!", "") for p in paths]  # hand universe has no capitals
    work = tmp_path / "work"
    work.mkdir()
    go = GoAnswers(paths, work, go_env(tmp_path / "go", proxy=layout.proxy_url))

    async def main() -> dict[str, ModuleVersions]:
        async with client_for(layout.proxy_url, tmp_path / "own") as client:
            return await ours_for(client, paths)

    tally: Counter[str] = Counter()
    problems = compare(go, anyio.run(main), tally)
    print(f"\nhand universe: {dict(tally)}")
    assert problems == []


def test_query_latest_options(tmp_path: Path) -> None:
    layout = hand_universe(tmp_path / "u")

    async def main() -> None:
        async with client_for(layout.proxy_url, tmp_path / "own") as client:
            assert (await query_latest(client, "example.com/r")).version == "v0.9.0"
            ignoring = await query_latest(client, "example.com/r", allowed=None)
            assert ignoring.version == "v1.1.0"
            main_mod = MainModule(
                "example.com/main", None, frozenset({("example.com/r", "v0.9.0")})
            )
            excl = await query_latest(client, "example.com/r", main=main_mod)
            assert excl.version == "v1.2.0-pre"

    anyio.run(main)


def test_latest_known_from_retractions_equals_a_fresh_query(tmp_path: Path) -> None:
    """A context that loaded a path's retractions answers ``@latest`` without a query
    when nothing of the path is excluded or retracted (then every version is allowed);
    its answers equal those of a fresh context, which queries, for every path of hand-made
    and random universes, with and without exclusions, each ``allowed`` mode."""
    layouts = [("hand", hand_universe(tmp_path / "hand"))]
    for seed in (3, 4, 5):
        _, layout, _ = _universe(tmp_path, seed)
        layouts.append((f"seed {seed}", layout))

    async def answer(
        client: ProxyClient,
        ctx: QueryContext | None,
        path: str,
        mode: bool | None,
        main: MainModule,
    ) -> str:
        try:
            return (await query_latest(client, path, allowed=mode, main=main, _ctx=ctx)).version
        except Exception as exc:  # the same failure is the same answer
            return f"{type(exc).__name__}: {exc}"

    async def main() -> None:
        shortcuts = refused = 0
        for name, layout in layouts:
            paths = sorted(
                p.parent.relative_to(layout.proxy_dir).as_posix()
                for p in layout.proxy_dir.rglob("@v")
            )
            paths = [unescape_path(p) for p in paths]
            excluded = (
                MainModule.load(layout.main_dir)
                if name != "hand"
                else MainModule("example.com/main", None, frozenset({("example.com/r", "v0.9.0")}))
            )
            for main_mod in (MainModule(), excluded):
                async with client_for(layout.proxy_url, tmp_path / "own") as client:
                    shared = QueryContext(client, main_mod)
                    for path in paths:
                        await shared.load_retractions(path)
                        for mode in (True, False, None):
                            known = shared.known_latest(path, mode)
                            fresh = await answer(client, None, path, mode, main_mod)
                            assert await answer(client, shared, path, mode, main_mod) == fresh, (
                                name,
                                path,
                                mode,
                            )
                            if known is not None:
                                shortcuts += 1
                                assert known.version == fresh, (name, path, mode)
                            elif shared.known_latest(path, None) is not None:
                                refused += 1  # found, but something is retracted
        # The shortcut is taken (so the comparison means something), and refused where
        # something is retracted or excluded.
        assert shortcuts > 0 and refused > 0

    anyio.run(main)


# -- @latest where the main module replaces things (go's replacementRepo) -------------------------


def _replaced_incompatible(root: Path, real_go_mod: bool) -> tuple[Layout, str]:
    """v1.0.0 is replaced by a directory; whether +incompatible may be latest depends on
    v1.0.0's own go.mod (versionHasGoMod reads no replacement), not the directory's."""
    u = Universe()
    u.add("example.com/i", "v1.0.0", go="1.17", has_go_mod=real_go_mod)
    u.add("example.com/i", "v2.0.0+incompatible", has_go_mod=False)
    local = u.add_local("i", "example.com/i", go=None if real_go_mod else "1.17")
    u.replace("example.com/i", "v1.0.0", local)
    return u.write(root), "example.com/i"


def _replaced_unstable(root: Path) -> tuple[Layout, str]:
    """Only a wildcard replacement: @latest is the zero pseudo-version for the path's major
    (``v2-unstable``, which go then fails to stat)."""
    u = Universe()
    u.add("example.com/other", "v1.0.0")
    u.replace("gopkg.in/yaml.v2-unstable", "", u.add_local("y", "gopkg.in/yaml.v2-unstable"))
    return u.write(root), "gopkg.in/yaml.v2-unstable"


def _replaced_bad_latest(root: Path) -> tuple[Layout, str]:
    """No tagged version and a garbled @latest: the wildcard replacement's zero
    pseudo-version wins over the proxy's error."""
    u = Universe()
    u.add("example.com/z", "v0.0.0-20200101000000-abcdefabcdef")  # served, not listed
    u.replace("example.com/z", "", u.add_local("z", "example.com/z"))
    layout = u.write(root)
    (layout.proxy_dir / "example.com/z/@latest").write_text("not json\n")
    return layout, "example.com/z"


REPLACED_LATEST = {
    # case: (layout builder, go's Version, go's Error.Err with {proxy} for the proxy URL)
    "incompatible-real-go-mod": (
        lambda root: _replaced_incompatible(root, True),
        "v1.0.0",
        "",
    ),
    "incompatible-legacy-go-mod": (
        lambda root: _replaced_incompatible(root, False),
        "v2.0.0+incompatible",
        "",
    ),
    "unstable-zero-pseudo": (
        _replaced_unstable,
        "",
        "gopkg.in/yaml.v2-unstable@v2-unstable.0.0-00010101000000-000000000000: invalid"
        " version: reading {proxy}/gopkg.in/yaml.v2-unstable/@v/"
        "v2-unstable.0.0-00010101000000-000000000000.info: no such file or directory",
    ),
    "bad-latest": (_replaced_bad_latest, "v0.0.0-00010101000000-000000000000", ""),
}


@pytest.mark.parametrize("case", sorted(REPLACED_LATEST))
def test_latest_with_replacements(tmp_path: Path, case: str) -> None:
    build, version, error = REPLACED_LATEST[case]
    layout, path = build(tmp_path / "u")
    main = MainModule.load(layout.main_dir)
    mv = anyio.run(_ours, layout.proxy_url, tmp_path / "own", [path], main)[path]
    assert (mv.latest, mv.latest_error) == (version, error.format(proxy=layout.proxy_url))


@pytest.mark.go
@pytest.mark.parametrize("case", sorted(REPLACED_LATEST))
def test_latest_with_replacements_agrees_with_go(tmp_path: Path, case: str) -> None:
    require_go()
    build, _, _ = REPLACED_LATEST[case]
    layout, path = build(tmp_path / "u")
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    go = GoAnswers([path], layout.main_dir, env)
    main = MainModule.load(layout.main_dir)
    ours = anyio.run(_ours, layout.proxy_url, tmp_path / "own", [path], main)
    tally: Counter[str] = Counter()
    assert compare(go, ours, tally) == []


def _unreadable_retractions(root: Path, exclude_all: bool) -> tuple[Layout, str]:
    """The latest version is replaced by a directory that does not exist: go cannot tell
    which versions are retracted, unless every listed version is excluded anyway."""
    u = Universe()
    u.add("example.com/r", "v1.0.0")
    u.add("example.com/r", "v1.1.0")
    u.replace("example.com/r", "v1.1.0", "./local/missing")
    if exclude_all:
        u.exclude("example.com/r", "v1.0.0")
        u.exclude("example.com/r", "v1.1.0")
    return u.write(root), "example.com/r"


def _latest_info_missing(root: Path) -> tuple[Layout, str]:
    """The latest version is listed but its .info is gone: the query for the version that
    holds the retractions fails (go names the failing version only once)."""
    u = Universe()
    u.add("example.com/r", "v1.0.0")
    u.add("example.com/r", "v1.1.0")
    layout = u.write(root)
    (layout.proxy_dir / "example.com/r/@v/v1.1.0.info").unlink()
    return layout, "example.com/r"


UNREADABLE_RETRACTIONS = {
    # case: (layout builder, go's Error.Err for -versions; {main}: main dir, {proxy}: URL)
    "unreadable": (
        lambda root: _unreadable_retractions(root, False),
        "loading module retractions for example.com/r@v1.0.0: reading local/missing/go.mod:"
        " open {main}/local/missing/go.mod: no such file or directory",
    ),
    "unreadable-all-excluded": (lambda root: _unreadable_retractions(root, True), ""),
    "latest-info-missing": (
        _latest_info_missing,
        "loading module retractions for example.com/r@v1.0.0: reading {proxy}/example.com/r/"
        "@v/v1.1.0.info: no such file or directory",
    ),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE_RETRACTIONS))
def test_unreadable_retractions(tmp_path: Path, case: str) -> None:
    build, error = UNREADABLE_RETRACTIONS[case]
    layout, path = build(tmp_path / "u")
    main = MainModule.load(layout.main_dir)
    mv = anyio.run(_ours, layout.proxy_url, tmp_path / "own", [path], main)[path]
    assert mv.error == error.format(main=layout.main_dir, proxy=layout.proxy_url)


@pytest.mark.go
@pytest.mark.parametrize("case", sorted(UNREADABLE_RETRACTIONS))
def test_unreadable_retractions_agree_with_go(tmp_path: Path, case: str) -> None:
    require_go()
    build, _ = UNREADABLE_RETRACTIONS[case]
    layout, path = build(tmp_path / "u")
    go = GoAnswers([path], layout.main_dir, go_env(tmp_path / "go", proxy=layout.proxy_url))
    main = MainModule.load(layout.main_dir)
    ours = anyio.run(_ours, layout.proxy_url, tmp_path / "own", [path], main)
    assert compare(go, ours, Counter()) == []


def test_short_message() -> None:
    assert short_message("  first line  \nsecond") == "first line"
    assert short_message("x" * 501) == "(message omitted: too long)"
    assert short_message("bell\x07") == "(message omitted: contains non-printable characters)"


# -- differential: random universes -----------------------------------------------------------

SEEDS = [3, 11, 29, 47, 71, 101]


def _universe(tmp: Path, seed: int) -> tuple[Universe, Layout, list[str]]:
    u = random_universe(seed, modules=12, versions=4, zips=False)
    layout = u.write(tmp / f"u{seed}")
    decorate(u, layout, random.Random(seed))
    return u, layout, u.paths()


@pytest.mark.go
@pytest.mark.slow
def test_random_universes_over_file_proxy(tmp_path: Path) -> None:
    """Outside any module and inside the main module (excludes, replacements) over file://."""
    require_go()
    tally: Counter[str] = Counter()
    problems: list[str] = []
    for seed in SEEDS:
        u, layout, paths = _universe(tmp_path, seed)
        env = go_env(tmp_path / f"go{seed}", proxy=layout.proxy_url)
        outside = tmp_path / f"work{seed}"
        outside.mkdir()
        go_out = GoAnswers(paths, outside, env)
        main = MainModule.load(layout.main_dir)
        inside_paths = [p for p in paths if p != u.main_path]
        go_in = GoAnswers(inside_paths, layout.main_dir, env)

        own = tmp_path / f"own{seed}"
        ours_out = anyio.run(_ours, layout.proxy_url, own, paths, None)
        ours_in = anyio.run(_ours, layout.proxy_url, own, inside_paths, main)
        problems += [f"seed {seed} outside: {p}" for p in compare(go_out, ours_out, tally)]
        problems += [f"seed {seed} in main: {p}" for p in compare(go_in, ours_in, tally)]
    agree = sum(n for k, n in tally.items() if "DISAGREE" not in k and "(" not in k)
    print(f"\nfile:// differential over {len(SEEDS)} universes: {agree} agreements, {dict(tally)}")
    assert problems == []


@pytest.mark.go
@pytest.mark.slow
def test_random_universes_over_faulty_http(tmp_path: Path) -> None:
    """The same questions through a flaky HTTP proxy: the answers must not change."""
    require_go()
    tally: Counter[str] = Counter()
    problems: list[str] = []
    injected = 0
    for seed in SEEDS[:3]:
        _, layout, paths = _universe(tmp_path, seed)
        work = tmp_path / f"work{seed}"
        work.mkdir()
        go = GoAnswers(paths, work, go_env(tmp_path / f"go{seed}", proxy=layout.proxy_url))
        rng = random.Random(seed)
        with ProxyServer(layout.proxy_dir, latency=0.002) as server:
            faults = [
                Fault.status_code(429, retry_after="0"),
                Fault.status_code(500),
                Fault.status_code(503, retry_after="0"),
                Fault.reset(),
                Fault.truncate(rng.random()),
                Fault.truncate_chunked(rng.random()),
                Fault.garbage(b"\x00garbage\xff"),
            ]
            # At most attempts-1 faults per kind of request: even the unluckiest request
            # (hit by all of them in a row) must get through.
            for pattern in (r"/@v/list$", r"\.mod$", r"\.info$", r"@latest$"):
                for fault in rng.sample(faults, FAST.attempts - 1):
                    server.add_fault(pattern, fault, times=1)

            ours = anyio.run(_ours, server.url, tmp_path / f"own{seed}", paths, None)
            injected += sum(1 for r in server.requests if r.outcome != "200" and r.outcome != "404")
        problems += [f"seed {seed} http: {p}" for p in compare(go, ours, tally)]
        # Nothing corrupt was cached: every cached go.mod is byte-identical to the proxy's.
        own = tmp_path / f"own{seed}"
        for f in own.rglob("*.mod"):
            assert f.read_bytes() == (layout.proxy_dir / f.relative_to(own)).read_bytes(), f
        assert not list(own.rglob("*.tmp"))
    agree = sum(n for k, n in tally.items() if "DISAGREE" not in k)
    print(
        f"\nfaulty-HTTP differential ({injected} faults served): {agree} agreements, {dict(tally)}"
    )
    assert injected > 20
    assert problems == []


# -- the command line ---------------------------------------------------------------------------


def _gomodx(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = dict(env)
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "tui", *args], cwd=cwd, env=env, capture_output=True, text=True
    )


@pytest.mark.go
def test_cli_json_matches_go_list(tmp_path: Path) -> None:
    require_go()
    layout = hand_universe(tmp_path / "u")
    u_main = layout.main_dir
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    env["GOMODX_CACHE"] = str(tmp_path / "own")
    # Require r at a retracted version so the build list has something to say.
    (u_main / "go.mod").write_text(
        "module example.com/main\n\ngo 1.17\n\nrequire example.com/r v1.0.0\n"
    )
    run_go(["mod", "download", "example.com/r"], u_main, env)
    proc = _gomodx(["versions", "example.com/r", str(u_main), "--json", "-v"], tmp_path, env)
    assert proc.returncode == 0, proc.stderr
    ours = json.loads(proc.stdout)
    theirs = json_stream(
        run_go(
            ["list", "-m", "-retracted", "-versions", "-json", "example.com/r"], u_main, env
        ).stdout
    )[0]
    plain = json_stream(
        run_go(["list", "-m", "-versions", "-json", "example.com/r"], u_main, env).stdout
    )[0]
    assert ours["Path"] == theirs["Path"] and ours["Version"] == theirs["Version"] == "v1.0.0"
    assert ours["Versions"] == plain["Versions"]
    assert ours["Retracted"] == theirs["Retracted"]
    assert ours["Latest"] == "v0.9.0"
    assert "example.com/main" in json.dumps(ours["Annotations"])
    assert "gomodx: ok" in proc.stderr and "list" in proc.stderr  # -v events

    text = _gomodx(["versions", "example.com/r", str(u_main)], tmp_path, env)
    assert text.returncode == 0, text.stderr
    assert "retracted (Published accidentally.)" in text.stdout
    assert "latest: v0.9.0" in text.stdout

    offline = _gomodx(["versions", "example.com/r", "--offline", "--json"], tmp_path, env)
    assert offline.returncode == 0, offline.stderr
    assert json.loads(offline.stdout)["Stale"] is True

    missing = _gomodx(["versions", "example.com/nonexistent"], tmp_path, env)
    assert missing.returncode == 2
    assert "example.com/nonexistent" in missing.stderr and "Traceback" not in missing.stderr


def test_offline_answers_match_online(tmp_path: Path) -> None:
    """After one online run, offline mode gives the same answers from the cache, marked stale."""
    layout = hand_universe(tmp_path / "u")
    own = tmp_path / "own"
    paths = ["example.com/r", "example.com/d", "example.com/i", "example.com/j"]

    async def online() -> dict[str, ModuleVersions]:
        return await _ours(layout.proxy_url, own, paths, None)

    async def offline() -> dict[str, ModuleVersions]:
        client = ProxyClient(
            GoEnv(goproxy=layout.proxy_url), caches=CacheStack.for_env("", own), offline=True
        )
        async with client:
            return await ours_for(client, paths)

    before = anyio.run(online)
    shutil.rmtree(layout.proxy_dir)  # the network is gone for good
    after = anyio.run(offline)
    for p in paths:
        assert after[p].stale and not before[p].stale
        assert after[p].versions == before[p].versions
        assert after[p].versions_with_retracted == before[p].versions_with_retracted
        assert after[p].latest == before[p].latest
        assert after[p].deprecated == before[p].deprecated


def test_retractions_ask_for_the_go_mod_with_the_info() -> None:
    """Loading a module's retractions asks for its latest version's ``.info`` and go.mod
    at once (one round trip, not two): this proxy answers the ``.info`` only after the
    go.mod has been asked for."""
    import asyncio

    from test_proxy import HeldProxy, make_client

    from analysis.versions import QueryContext

    async def main() -> None:
        base = "/example.com/a/@v/"
        rec = HeldProxy(hold=base + "v1.1.0.info", first=base + "v1.1.0.mod")
        rec.on("p.example", base + "list", b"v1.0.0\nv1.1.0\n")
        rec.on("p.example", base + "v1.1.0.info", b'{"Version":"v1.1.0"}')
        rec.on("p.example", base + "v1.1.0.mod", b"module example.com/a\n\nretract v1.0.0\n")
        client, _ = make_client(rec, "https://p.example")
        async with client:
            ctx = QueryContext(client, MainModule())
            found = await ctx.load_retractions("example.com/a")
        assert found.source == "v1.1.0" and found.reason == ""
        assert found.intervals == (("v1.0.0", "v1.0.0", ""),)
        assert rec.hits(path=base + "v1.1.0.mod") == 1

    asyncio.run(main())


@pytest.mark.parametrize("seed", range(5))
def test_an_entry_made_quickly_is_the_constructors(seed: int) -> None:
    """VersionEntry.made sets every field (a field added later fails here) and makes
    what the constructor makes: equal, same hash and repr, frozen all the same."""
    import dataclasses

    from analysis.versions import VersionEntry

    rng = random.Random(seed)
    fields = {
        f.name: (
            rng.choice(["v1.0.0", "v2.3.4-rc.1", "v0.0.0-20200101000000-abcdefabcdef"])
            if f.name == "version"
            else tuple(rng.sample(["a", "b@v1.0.0", "c"], rng.randint(0, 2)))
            if f.name in ("rationale", "requested_by")
            else rng.random() < 0.5
        )
        for f in dataclasses.fields(VersionEntry)
        if f.name != "vulns"
    }
    made = VersionEntry.made(**fields)
    built = VersionEntry(**fields)
    assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
    assert set(vars(made)) == {f.name for f in dataclasses.fields(VersionEntry)}
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.version = "v9.9.9"  # type: ignore[misc]
