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
from universe import Layout, Universe, escape

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
