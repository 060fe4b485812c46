"""go get with packages, on the issue's examples: each plan is compared with the real go.

The universes are hand-built copies of the rsc.io modules' shapes (file:// proxies, no
network): quote imports sampler, sampler imports golang.org/x/text/language, fortune/v2
imports quote without requiring it.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from test_plan_differential import Pair, compare_universe
from universe import Layout, Universe, escape, random_universe

pytestmark = pytest.mark.go

TEXT = "golang.org/x/text"
TEXT_V = "v0.0.0-20170915032832-14c0d48ead0c"


def rsc(main_go: str) -> Universe:
    u = Universe(main_path="example.com/hello", main_go=main_go)
    u.add(TEXT, TEXT_V, go=None).files = {
        "language/language.go": "package language\n",
        "unused/unused.go": 'package unused\n\nimport _ "example.com/nowhere"\n',
    }
    sampler = {
        "sampler.go": f'package sampler\n\nimport (\n\t"os"\n\t"{TEXT}/language"\n)\n',
        "sampler_test.go": 'package sampler\n\nimport _ "example.com/testonly"\n',
    }
    u.add("rsc.io/sampler", "v1.0.0", go=None).files = {"sampler.go": "package sampler\n"}
    for v in ("v1.2.0", "v1.3.0"):
        u.add("rsc.io/sampler", v, [(TEXT, TEXT_V)], go=None).files = dict(sampler)
    quote = {"quote.go": 'package quote\n\nimport "rsc.io/sampler"\n'}
    u.add("rsc.io/quote", "v1.4.0", [("rsc.io/sampler", "v1.0.0")], go=None).files = quote
    for v in ("v1.5.0", "v1.5.1", "v1.5.2"):
        u.add("rsc.io/quote", v, [("rsc.io/sampler", "v1.3.0")], go=None).files = quote
    # fortune/v2 imports quote but its go.mod does not require it.
    for v in ("v2.0.0", "v2.0.1"):
        u.add("rsc.io/fortune/v2", v, go="1.16").files = {
            "fortune.go": 'package fortune\n\nimport _ "rsc.io/quote"\n',
            "fortune_windows.go": 'package fortune\n\nimport _ "rsc.io/sampler"\n',
            "gen.go": '//go:build ignore\n\npackage main\n\nimport _ "example.com/nowhere"\n',
        }
    return u


def check(pairs: list[Pair]) -> None:
    bad = [p.report() for p in pairs if not p.equal]
    assert not bad, "\n".join(bad)


def test_downgrade_through_a_package_adds_its_imports(tmp_path: Path) -> None:
    """The issue's first example: quote is stepped down to v1.4.0, and sampler and
    x/text (which provide loaded packages) become indirect requirements."""
    u = rsc("1.21")
    u.require("rsc.io/quote", "v1.5.2")
    pairs = compare_universe("rsc", u, tmp_path, ["rsc.io/sampler@v1.2.0"])
    check(pairs)
    gomod = pairs[0].plan.gomod
    assert "require rsc.io/quote v1.4.0\n" in gomod
    assert "\trsc.io/sampler v1.2.0 // indirect\n" in gomod
    assert f"\t{TEXT} {TEXT_V} // indirect\n" in gomod
    zips = " ".join(pairs[0].plan.zip_sums_added)
    assert "rsc.io/sampler v1.2.0 h1:" in zips and f"{TEXT} {TEXT_V} h1:" in zips


@pytest.mark.parametrize("main_go", ["1.16", "1.17", "1.21"])
def test_missing_import_is_resolved_at_latest(tmp_path: Path, main_go: str) -> None:
    """The issue's second example: fortune/v2 imports quote, which nothing requires;
    go get adds the module providing it @latest (and, pruned, its imports' modules)."""
    u = rsc(main_go)
    u.require("rsc.io/fortune/v2", "v2.0.0")
    pairs = compare_universe("fortune", u, tmp_path, ["rsc.io/fortune/v2@patch"])
    check(pairs)
    assert "rsc.io/quote v1.5.2" in pairs[0].plan.gomod


@pytest.mark.parametrize(
    "arg", ["rsc.io/quote", "rsc.io/quote@v1.5.0", "rsc.io/sampler@none", f"{TEXT}/language"]
)
def test_more_package_arguments(tmp_path: Path, arg: str) -> None:
    u = rsc("1.20")
    u.require("rsc.io/quote", "v1.4.0")
    check(compare_universe("rsc", u, tmp_path, [arg]))


def _rewrite_zip(layout: Layout, path: str, version: str, extra: str) -> None:
    z = layout.proxy_dir / escape(path) / "@v" / (escape(version) + ".zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(z) as old, zipfile.ZipFile(buf, "w") as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        new.writestr(extra, "package x\n")
    z.write_bytes(buf.getvalue())


@pytest.mark.parametrize(
    "extra", ["stray.go", "rsc.io/sampler@v1.2.0/\u263a.go", "rsc.io/sampler@v1.2.0/x?y.go"]
)
def test_bad_zips_are_refused(tmp_path: Path, extra: str) -> None:
    u = rsc("1.21")
    u.require("rsc.io/quote", "v1.5.2")
    pairs = compare_universe(
        "bad",
        u,
        tmp_path,
        ["rsc.io/sampler@v1.2.0"],
        lambda layout: _rewrite_zip(layout, "rsc.io/sampler", "v1.2.0", extra),
    )
    p = pairs[0]
    assert p.go_rc != 0
    assert p.equal, p.report()


def test_ambiguous_import_is_refused(tmp_path: Path) -> None:
    u = rsc("1.21")
    u.add("rsc.io/quote/sub", "v1.0.0", go="1.17").files = {"sub.go": "package sub\n"}
    for spec in u.mods.values():
        if spec.path == "rsc.io/quote":
            assert spec.files is not None
            spec.files["sub/sub.go"] = "package sub\n"
            spec.files["quote.go"] = 'package quote\n\nimport _ "rsc.io/quote/sub"\n'
            spec.requires.append(("rsc.io/quote/sub", "v1.0.0"))
    u.require("rsc.io/quote", "v1.5.2")
    u.require("rsc.io/quote/sub", "v1.0.0")
    pairs = compare_universe("ambiguous", u, tmp_path, ["rsc.io/quote@v1.5.1"])
    p = pairs[0]
    assert p.go_rc != 0 and any("ambiguous import" in line for line in p.go_stderr)
    assert p.equal, p.report()
    assert "ambiguous import: found package rsc.io/quote/sub in multiple modules:" in str(
        p.plan.error
    )


def _broken(u: Universe) -> Universe:
    """``a`` imports packages nothing provides: of a module it does not require (whose
    latest version lacks the package), of a module that does not exist, and a
    std-looking path."""
    u.add("example.com/a", "v1.0.0", go="1.17").files = {
        "a.go": 'package a\n\nimport (\n\t_ "example.com/b/x"\n\t_ "example.com/nope/y"\n'
        '\t_ "foo/bar"\n)\n'
    }
    u.add("example.com/b", "v1.1.0", go="1.17").files = {"x/x.go": "package x\n"}
    u.add("example.com/b", "v1.2.0", go="1.17").files = {"b.go": "package b\n"}
    return u


def test_missing_imports_fail_with_go_import_stacks(tmp_path: Path) -> None:
    u = _broken(Universe(main_go="1.17"))
    u.require("example.com/a", "v1.0.0")
    p = compare_universe("missing", u, tmp_path, ["example.com/a@v1.0.0"])[0]
    assert p.equal, p.report()
    text = str(p.plan.error)
    assert text.startswith(
        "go: example.com/a imports\n\texample.com/b/x: cannot find module providing package"
        " example.com/b/x\n"
    )
    assert "\tfoo/bar: package foo/bar is not in std (" in text
    assert p.plan.gomod == p.go_gomod and not p.plan.gosum_added


def test_ambiguous_import_names_module_cache_directories(tmp_path: Path) -> None:
    u = Universe(main_go="1.17")
    a = u.add("example.com/a", "v1.0.0", [("example.com/a/nested", "v1.0.0")], go="1.17")
    a.files = {"a.go": "package a\n", "nested/n.go": "package nested\n"}
    u.add("example.com/a/nested", "v1.0.0", go="1.17").files = {"n.go": "package nested\n"}
    u.require("example.com/a", "v1.0.0")
    p = compare_universe("ambiguous", u, tmp_path, ["example.com/a/nested@v1.0.0"])[0]
    assert p.equal, p.report()
    cache = tmp_path / "go" / "modcache"
    assert str(p.plan.error) == (
        "go: example.com/a/nested: ambiguous import: found package example.com/a/nested in"
        " multiple modules:\n"
        f"\texample.com/a v1.0.0 ({cache}/example.com/a@v1.0.0/nested)\n"
        f"\texample.com/a/nested v1.0.0 ({cache}/example.com/a/nested@v1.0.0)"
    )


def test_main_module_packages_make_their_imports_direct(tmp_path: Path) -> None:
    u = Universe(main_go="1.21")
    u.add("example.com/a", "v1.0.0", go="1.17").files = {"a.go": "package a\n"}
    u.add("example.com/b", "v1.0.0", go="1.17").files = {"b.go": "package b\n"}
    u.require("example.com/a", "v1.0.0", indirect=True)
    u.main_files = {
        "main.go": "package main\n\nfunc main() {}\n",
        "pkg/pkg.go": 'package pkg\n\nimport (\n\t_ "example.com/a"\n\t_ "example.com/b"\n)\n',
    }
    args = ["example.com/main/pkg", "./pkg", "./pkg@v1.0.0", ".", "../elsewhere", "fmt"]
    check(pairs := compare_universe("main", u, tmp_path, args))
    assert "require (\n\texample.com/a v1.0.0\n\texample.com/b v1.0.0\n)\n" in pairs[0].plan.gomod
    assert pairs[2].go_errors == [
        'go: can\'t request explicit version "v1.0.0" of path "./pkg" in main module'
    ]


def test_missing_import_in_a_zip_go_rejects_is_resolved_at_latest(tmp_path: Path) -> None:
    """b v0.1.0 (what c requires) is not in the pruned graph when a is loaded, and once
    c is promoted its zip cannot be extracted: go keeps b missing and adds b@latest."""
    u = Universe(main_go="1.17")
    u.add("example.com/a", "v1.0.0", [("example.com/c", "v0.1.0")], go="1.17").files = {
        "a.go": 'package a\n\nimport _ "example.com/c"\n'
    }
    u.add("example.com/c", "v0.1.0", [("example.com/b", "v0.1.0")], go=None).files = {
        "c.go": 'package c\n\nimport _ "example.com/b"\n'
    }
    bad = u.add("example.com/b", "v0.1.0", go="1.17")
    bad.files = {"b.go": "package b\n"}
    bad.zip_extra = [("example.com/b@v0.1.0/x?y.go", "package b\n")]
    u.add("example.com/b", "v0.2.0", go="1.17").files = {"b.go": "package b\n"}
    u.add("example.com/r", "v1.0.0", [("example.com/c", "v0.1.0")], go="1.17").files = {
        "r.go": "package r\n"
    }
    u.require("example.com/r", "v1.0.0")
    pairs = compare_universe("zip", u, tmp_path, ["example.com/a@v1.0.0"])
    check(pairs)
    assert pairs[0].go_stderr[0].startswith("-> unzip ")
    assert "example.com/b v0.2.0 // indirect" in pairs[0].plan.gomod


@pytest.mark.parametrize("arg", ["example.com/a@v1.0.0", "example.com/c@v1.0.0"])
def test_zip_the_proxy_does_not_have(tmp_path: Path, arg: str) -> None:
    """A package load or a package argument that needs a zip the proxy lacks fails with
    go's download error (never a traceback, never "not supported")."""
    u = Universe(main_go="1.17")
    u.add("example.com/a", "v1.0.0", [("example.com/c", "v1.0.0")], go="1.17").files = {
        "a.go": 'package a\n\nimport _ "example.com/c"\n'
    }
    u.add("example.com/c", "v1.0.0", go="1.17").files = {"c.go": "package c\n"}

    def drop(layout: Layout) -> None:
        (layout.proxy_dir / "example.com/c/@v/v1.0.0.zip").unlink()

    p = compare_universe("nozip", u, tmp_path, [arg], drop)[0]
    assert p.go_rc != 0 and p.equal, p.report()
    assert str(p.plan.error).endswith("v1.0.0.zip: no such file or directory")


@pytest.mark.parametrize(
    ("seed", "modules", "versions", "era", "arg"),
    [
        # A promoted root raises the go version: go reloads every package.
        (3358, 30, 5, "modern", "example.org/deep/path/m25/sub@v0.1.1-rc.1"),
        # A module version used for two paths, reported after the packages that failed.
        (3173, 12, 3, "lazy", "example.com/main/pkg"),
        # A missing import whose module's zip cannot be extracted once it is in the
        # graph: go keeps it missing and adds its module @latest.
        (3174, 12, 3, "lazy", "example.net/Mixed/m2@latest"),
    ],
)
def test_pairs_the_sweep_found(
    tmp_path: Path, seed: int, modules: int, versions: int, era: str, arg: str
) -> None:
    """Pairs ``scripts/sweep_get_packages.py`` once found wrong, kept in the suite."""
    u = random_universe(seed, modules, versions, era=era, packages=True)
    check(compare_universe(f"seed {seed}", u, tmp_path, [arg]))
