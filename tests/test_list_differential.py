"""Differential tests: ``gomodx list --json`` against ``go list -m -json all``, byte for byte.

Each random universe (``tests/universe.py``, a ``file://`` GOPROXY) gets deprecated
modules (a ``// Deprecated:`` comment on the latest go.mod's module line) and ``.info``
times with fractions and zone offsets. go settles go.mod first (with a module cache of its
own), then, on a cold module cache:

1. ``gomodx list --json --source proxy`` (which must not need Go's cache),
2. ``gomodx list --json --source go`` (go mod graph warms the cache a little),
3. ``go list -m -json all`` — the oracle for both;

then some zips are downloaded (so ``Dir`` appears) and, on the warm cache, the same with
no flags, ``-u`` and ``-retracted``, with ``-mod=mod`` and in the default readonly mode
(where go.sum decides which fields go reports). Every output must equal go's byte for byte.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from gotool import environ, go_env, require_go, run_go
from universe import Universe, escape, random_universe

from tui.cli import main as gomodx

ERAS = ("modern", "legacy", "lazy")
# (seed, modules, versions, max_deps, era)
UNIVERSES = [(s, 5 + s % 8, 2 + s % 3, 1 + s % 3, ERAS[s % 3]) for s in range(24)] + [
    (100 + s, 20 + 5 * s, 3, 3, ERAS[s % 3]) for s in range(4)
]


@dataclass
class Case:
    """One comparison: what go printed and what each gomodx source printed."""

    name: str
    go: str
    ours: dict[str, tuple[int, str]] = field(default_factory=dict)


@dataclass
class Run:
    seed: int
    cases: list[Case] = field(default_factory=list)
    features: set[str] = field(default_factory=set)


_IN_PROCESS = threading.Lock()
"""gomodx runs in this process, with the environment and stdout swapped: one at a time
(go itself runs in parallel)."""


def _gomodx(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with (
        _IN_PROCESS,
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        environ(env),
    ):
        code = gomodx(args)
    return code, out.getvalue() if code == 0 else err.getvalue()


def _decorate(root: Path, seed: int, proxy: Path, paths: list[tuple[str, list[str]]]) -> None:
    """Deprecate a few modules and give some ``.info`` files unusual (valid) times."""
    rng = random.Random(seed)
    for path, versions in paths:
        latest = versions[-1]
        base = proxy / escape(path) / "@v" / escape(latest)
        mod = base.with_name(base.name + ".mod")
        if rng.random() < 0.25 and mod.is_file():
            text = mod.read_text()
            first, _, rest = text.partition("\n")
            mod.write_text(f"{first} // Deprecated: use {path}/v9 & <not> this\n{rest}")
        for v in versions:
            info = (proxy / escape(path) / "@v" / escape(v)).with_name(escape(v) + ".info")
            if info.is_file() and rng.random() < 0.2:
                data = json.loads(info.read_text())
                stamp = data["Time"].removesuffix("Z")
                data["Time"] = rng.choice(
                    [stamp + ".120000+01:00", stamp + ".5Z", stamp + "-07:30", stamp + "+00:00"]
                )
                info.write_text(json.dumps(data) + "\n")


def _replace_more(u: Universe, seed: int) -> None:
    """Replace what the main module requires more often than random universes do: a
    local directory (with and without a go line), another version of one version."""
    replaced = {old for old, _, _, _ in u.replaces}
    free = [(p, v) for p, v, _ in u.main_requires if p not in replaced]
    if not free:
        return
    path, version = free[0]
    if seed % 3 == 0:
        go = None if seed % 2 else "1.21"
        u.replace(path, "", u.add_local(f"d{seed}", path, [], go=go))
    elif seed % 3 == 1:
        others = sorted(v for p, v in u.mods if p == path and v != version)
        if others:
            u.replace(path, version, path, others[-1])


def _run(spec: tuple[int, int, int, int, str], base: Path) -> Run:
    seed, modules, versions, max_deps, era = spec
    u = random_universe(seed, modules=modules, versions=versions, max_deps=max_deps, era=era)
    _replace_more(u, seed)
    root = base / f"u{seed}"
    layout = u.write(root)
    listed: dict[str, list[str]] = {}
    for (path, v), s in u.mods.items():
        if s.listed:
            listed.setdefault(path, []).append(v)
    _decorate(root, seed, layout.proxy_dir, sorted(listed.items()))
    main = layout.main_dir
    # go settles go.mod and go.sum with a cache of its own, so the cache below starts cold.
    run_go(["list", "-m", "all"], main, go_env(root / "settle", proxy=layout.proxy_url))
    env = go_env(root / "go", proxy=layout.proxy_url)
    gx = ["--cache-dir", str(root / "gomodx-cache")]
    out = Run(seed)

    def compare(
        name: str, flags: list[str], env: dict[str, str], sources: list[str], text: bool = False
    ) -> None:
        case = Case(name, "")
        ours_json = [] if text else ["--json"]
        for src in sources:
            case.ours[src] = _gomodx(
                ["list", *ours_json, *flags, "--source", src, *gx, str(main)], env
            )
        go_flags = ["-retracted" if f == "--retracted" else f for f in flags]
        go_json = [] if text else ["-json"]
        proc = run_go(["list", "-m", *go_json, *go_flags, "all"], main, env, check=False)
        case.go = proc.stdout if proc.returncode == 0 else proc.stderr
        out.cases.append(case)

    compare("cold", [], env, ["proxy", "go"])
    # Extract a few modules, so that Dir shows; the rest stay unextracted.
    selected = [
        line.split()
        for line in run_go(["list", "-m", "all"], main, env).stdout.splitlines()[1:]
        if "=>" not in line
    ]
    picks = [f"{p}@{v}" for p, v in selected[::2]]
    if picks:
        run_go(["mod", "download", *picks], main, env, check=False)
    compare("warm", [], env, ["proxy", "go"])
    compare("warm -u", ["-u"], env, ["proxy", "go"])
    compare("warm -retracted", ["--retracted"], env, ["proxy"])
    compare("warm -u (text)", ["-u"], env, ["proxy"], text=True)
    readonly = {**env, "GOFLAGS": ""}
    compare("readonly", [], readonly, ["proxy", "go"])
    # Without a zip's go.sum line go reports no Dir or Sum for it in readonly mode.
    gosum = main / "go.sum"
    if gosum.is_file():
        lines = gosum.read_text().splitlines(keepends=True)
        zips = [ln for ln in lines if "/go.mod " not in ln]
        gosum.write_text("".join(ln for ln in lines if ln not in zips[::2]))
        compare("readonly, zip sums dropped", [], readonly, ["proxy", "go"])
        if out.cases[-1].go != out.cases[-2].go:
            out.features.add("sums-decide")

    text = "".join(c.go for c in out.cases)
    for word, feature in (
        ('"Replace"', "replace"),
        ('"Dir": "' + str(main) + "/", "dir-replace"),
        ('"Retracted"', "retracted"),
        ('"Deprecated"', "deprecated"),
        ('"Update"', "update"),
        ("0000-", "pseudo"),
        ("+01:00", "offset"),
        ('"Sum"', "sum"),
    ):
        if word in text:
            out.features.add(feature)
    return out


@pytest.mark.go
def test_list_json_agrees_with_go(tmp_path: Path) -> None:
    require_go()
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(pool.map(lambda s: _run(s, tmp_path), UNIVERSES))
    counts: dict[str, list[int]] = {}
    bad: list[str] = []
    features: dict[str, int] = {}
    for run in runs:
        for f in run.features:
            features[f] = features.get(f, 0) + 1
        for case in run.cases:
            for src, (code, text) in case.ours.items():
                key = f"{case.name} --source {src}"
                tally = counts.setdefault(key, [0, 0])
                tally[1] += 1
                if code == 0 and text == case.go:
                    tally[0] += 1
                else:
                    diff = difflib.unified_diff(
                        case.go.splitlines(), text.splitlines(), "go", "gomodx", lineterm="", n=2
                    )
                    bad.append(f"seed {run.seed} {key} (exit {code}):\n" + "\n".join(diff))
    print(
        "\nlist --json differential: "
        + "; ".join(f"{k} {a}/{n}" for k, (a, n) in counts.items())
        + " ("
        + ", ".join(f"{k} {v}" for k, v in sorted(features.items()))
        + ")"
    )
    assert not bad, "\n\n".join(bad[:3])
    # The universes exercised what the test is about.
    assert {
        "dir-replace",
        "pseudo",
        "replace",
        "retracted",
        "deprecated",
        "update",
        "offset",
        "sum",
    } <= features.keys()


@pytest.mark.go
def test_list_errors_like_go(tmp_path: Path) -> None:
    """A listed version whose .info the proxy lacks: go list fails with the module's
    error; with -e it lists the module with an Error. Both sources, byte for byte."""
    require_go()
    u = Universe(main_path="example.com/main", main_go="1.21")
    u.add("example.com/a", "v1.0.0", go="1.21")
    u.add("example.com/b", "v1.0.0", go="1.21")
    u.require("example.com/a", "v1.0.0")
    u.require("example.com/b", "v1.0.0")
    layout = u.write(tmp_path / "u")
    main = layout.main_dir
    run_go(["list", "-m", "all"], main, go_env(tmp_path / "settle", proxy=layout.proxy_url))
    (layout.proxy_dir / "example.com" / "a" / "@v" / "v1.0.0.info").unlink()
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    gx = ["--cache-dir", str(tmp_path / "gomodx-cache")]
    for source in ("proxy", "go"):
        code, text = _gomodx(["list", "--json", "--source", source, *gx, str(main)], env)
        proc = run_go(["list", "-m", "-json", "all"], main, env, check=False)
        assert (code, proc.returncode, proc.stdout) == (2, 1, "")
        assert text == proc.stderr
        assert "example.com/a@v1.0.0: reading file://" in text
        code, text = _gomodx(["list", "--json", "-e", "--source", source, *gx, str(main)], env)
        want = run_go(["list", "-m", "-json", "-e", "all"], main, env).stdout
        assert (code, text) == (0, want)
        assert '"Error": {' in want


SUM_SEEDS = int(os.environ.get("GOMODX_SUM_SWEEP", "16"))


@pytest.mark.go
def test_list_needs_the_go_sum_lines_go_list_needs(tmp_path: Path) -> None:
    """``go list`` runs with ``-mod=readonly``: a go.mod it reads whose ``/go.mod`` line
    go.sum lacks fails the whole listing with ``missing go.sum entry for go.mod file``
    (``go mod graph``, with ``-mod=mod``, does not mind). go.sum loses a random part of
    its lines (sometimes all, sometimes only lines of modules go never reads); gomodx
    must fail where go fails, with go's text, and list the same bytes where go lists.
    Both outcomes must occur among the universes, or the test tests nothing."""
    require_go()
    codes = [_sum_case(tmp_path / str(seed), seed) for seed in range(300, 300 + SUM_SEEDS)]
    assert 0 in codes and any(codes), codes


def _sum_case(tmp_path: Path, seed: int) -> int:
    rng = random.Random(seed)
    era = ERAS[seed % 3]
    u = random_universe(seed, modules=6 + seed % 7, versions=3, max_deps=3, era=era)
    _replace_more(u, seed)
    layout = u.write(tmp_path / "u")
    main = layout.main_dir
    run_go(["list", "-m", "all"], main, go_env(tmp_path / "settle", proxy=layout.proxy_url))
    gosum = main / "go.sum"
    lines = gosum.read_text().splitlines(keepends=True) if gosum.exists() else []
    keep_share = rng.choice([0.0, 0.5, 0.8, 0.95])
    kept = [
        ln for ln in lines if not ln.split()[1].endswith("/go.mod") or rng.random() < keep_share
    ]
    gosum.write_text("".join(kept))
    sources = ["proxy", "go"]
    if rng.random() < 0.4:
        # A go.mod the proxy no longer serves: go list fails, go list -e goes on. (With
        # --source go, it is `go mod graph` that fails, in its own words.)
        mods = sorted(layout.proxy_dir.rglob("@v/*.mod"))
        if mods:
            rng.choice(mods).unlink()
            sources = ["proxy"]
    # The default -mod=readonly (go_env's -mod=mod would let go add the lines).
    env = go_env(tmp_path / "go", proxy=layout.proxy_url, GOFLAGS="")
    gx = ["--cache-dir", str(tmp_path / "gomodx-cache")]
    proc = run_go(["list", "-m", "-json", "all"], main, env, check=False)
    # Failures: go's text after "go: ", gomodx's after "gomodx: " (a graph that cannot
    # be loaded is reported as for every command).
    want = proc.stdout if proc.returncode == 0 else proc.stderr.removeprefix("go: ")
    for source in sources:
        code, text = _gomodx(["list", "--json", "--source", source, *gx, str(main)], env)
        assert (code == 0) == (proc.returncode == 0), (source, text, want)
        assert text.removeprefix("gomodx: ") == want, source
    # go list -e lists what it could load.
    partial = run_go(["list", "-m", "-e", "-json", "all"], main, env).stdout
    for source in sources:
        code, text = _gomodx(["list", "--json", "-e", "--source", source, *gx, str(main)], env)
        assert (code, text) == (0, partial), source
    plain = run_go(["list", "-m", "all"], main, env, check=False)
    want = plain.stdout if plain.returncode == 0 else plain.stderr.removeprefix("go: ")
    for source in sources:
        code, text = _gomodx(["list", "--source", source, *gx, str(main)], env)
        assert text.removeprefix("gomodx: ") == want, source
        code, text = _gomodx(["versions", "--all", "--source", source, *gx, str(main)], env)
        if plain.returncode:
            assert (code, text.removeprefix("gomodx: ")) == (2, want), source
    assert gosum.read_text() == "".join(kept)  # nobody wrote go.sum
    return proc.returncode
