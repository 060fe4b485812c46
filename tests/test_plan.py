"""analysis.plan and analysis.source on hand-built module universes.

Every scenario records what ``go get`` (Go 1.27.3) prints and writes; the plain tests check
the planner against those records without the go command, and
``test_scenario_matches_go`` (``-m go``) re-runs go so the records stay go's own answers.
The first scenarios are the worked example of go-modules-spec §6.8.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from universe import Layout, Universe

from analysis import hashes
from analysis.cache import CacheStack
from analysis.errors import PlanError, QueryError
from analysis.goenv import GoEnv
from analysis.hashes import GoSum
from analysis.module import ModuleVersion
from analysis.plan import Change, Plan, Target, parse_target, plan_get
from analysis.proxy import ProxyClient
from analysis.query import is_revision_query
from analysis.semver import cmp_version
from analysis.source import ModuleView, ProxySource

# -- universes ------------------------------------------------------------------------------


def spec_universe() -> Universe:
    """go-modules-spec §6.8: b, c, d, e with an f <-> g cycle; main module at go 1.17."""
    u = Universe(main_path="example.com/a", main_go="1.17")

    def add(p: str, v: str, reqs: Sequence[tuple[str, str]] = ()) -> None:
        u.add("example.com/" + p, v, [("example.com/" + q, w) for q, w in reqs], go="1.17")

    add("b", "v1.1.0", [("d", "v1.1.0")])
    add("b", "v1.2.0", [("d", "v1.3.0")])
    add("c", "v1.1.0")
    add("c", "v1.2.0", [("d", "v1.4.0")])
    add("c", "v1.3.0", [("f", "v1.1.0")])
    for v in ("v1.1.0", "v1.2.0"):
        add("d", v, [("e", "v1.1.0")])
    for v in ("v1.3.0", "v1.4.0"):
        add("d", v, [("e", "v1.2.0")])
    add("e", "v1.1.0")
    add("e", "v1.2.0")
    add("f", "v1.1.0", [("g", "v1.1.0")])
    add("g", "v1.1.0", [("f", "v1.1.0")])
    u.require("example.com/b", "v1.2.0")
    u.require("example.com/c", "v1.2.0")
    u.require("example.com/d", "v1.4.0", indirect=True)
    u.require("example.com/e", "v1.2.0", indirect=True)
    return u


def pinned_universe() -> Universe:
    """a@v1.3.0 needs m@v1.3.1; a@v1.1.0 is retracted and a@v1.2.0 excluded."""
    u = Universe(main_path="example.com/main", main_go="1.21")
    u.add("example.com/a", "v1.0.0", [("example.com/m", "v1.0.0")], go="1.21")
    u.add("example.com/a", "v1.1.0", [("example.com/m", "v1.1.0")], go="1.21")
    u.add("example.com/a", "v1.2.0", [("example.com/m", "v1.2.0")], go="1.21")
    u.add(
        "example.com/a",
        "v1.3.0",
        [("example.com/m", "v1.3.1")],
        go="1.21",
        retract=[("v1.1.0", "v1.1.0", "broken build")],
    )
    for v in ("v1.0.0", "v1.1.0", "v1.2.0", "v1.3.0", "v1.3.1"):
        u.add("example.com/m", v, go="1.21")
    u.require("example.com/a", "v1.3.0")
    u.require("example.com/m", "v1.3.1", indirect=True)
    u.exclude("example.com/a", "v1.2.0")
    return u


def cycle_universe(go: str = "1.20") -> Universe:
    """m@v1.3.0 -> x@v1.0.0 -> m@v1.3.1: invisible when pruned, a conflict when not."""
    u = Universe(main_path="example.com/main", main_go=go)
    u.add("example.com/m", "v1.2.0", go=go)
    u.add("example.com/m", "v1.3.0", [("example.com/x", "v1.0.0")], go=go)
    u.add("example.com/m", "v1.3.1", go=go)
    u.add("example.com/x", "v1.0.0", [("example.com/m", "v1.3.1")], go=go)
    u.require("example.com/m", "v1.3.1")
    return u


def legacy_universe(main_go: str | None = "1.16") -> Universe:
    """An unpruned main module (go 1.16, or no go line at all)."""
    u = Universe(main_path="example.com/main", main_go=main_go)
    u.add("example.com/a", "v1.0.0", [("example.com/b", "v1.0.0")], go="1.16")
    u.add(
        "example.com/a",
        "v1.1.0",
        [("example.com/b", "v1.1.0"), ("example.com/c", "v1.0.0")],
        go="1.16",
    )
    u.add("example.com/b", "v1.0.0", go="1.16")
    u.add("example.com/b", "v1.1.0", go="1.16")
    u.add("example.com/c", "v1.0.0", go=None)
    u.require("example.com/a", "v1.1.0")
    u.require("example.com/b", "v1.1.0", indirect=True)
    return u


def replaced_universe() -> Universe:
    """b@v1.0.0 is replaced by a fork published under another path."""
    u = Universe(main_path="example.com/main", main_go="1.22")
    u.add("example.com/a", "v1.0.0", [("example.com/b", "v1.0.0")], go="1.22")
    u.add("example.com/a", "v1.1.0", [("example.com/b", "v1.1.0")], go="1.22")
    u.add("example.com/b", "v1.0.0", go="1.22")
    u.add("example.com/b", "v1.1.0", go="1.22")
    u.add("example.com/fork/b", "v1.5.0", [("example.com/c", "v1.0.0")], go="1.22")
    u.add("example.com/c", "v1.0.0", go="1.22")
    u.require("example.com/a", "v1.1.0")
    u.replace("example.com/b", "v1.0.0", "example.com/fork/b", "v1.5.0")
    return u


def deprecated_universe() -> Universe:
    """example.com/dep's latest go.mod says it is deprecated (see :func:`deprecate`)."""
    u = Universe(main_path="example.com/main", main_go="1.21")
    u.add("example.com/dep", "v1.0.0", go="1.21")
    u.add("example.com/dep", "v1.1.0", go="1.21")
    u.require("example.com/dep", "v1.0.0")
    return u


def deprecate(layout: Layout) -> None:
    mod = layout.proxy_dir / "example.com" / "dep" / "@v" / "v1.1.0.mod"
    mod.write_text("// Deprecated: use example.com/dep/v2 instead.\n" + mod.read_text())


def broken_universe() -> Universe:
    """a@v1.0.0 requires a module the proxy does not have."""
    u = Universe(main_path="example.com/main", main_go="1.16")
    u.add("example.com/a", "v1.0.0", [("example.com/gone", "v1.0.0")], go="1.16")
    u.add("example.com/a", "v1.1.0", go="1.16")
    u.require("example.com/a", "v1.1.0")
    return u


# -- scenarios ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    """``go get ARGS`` in ``universe()``: go's stderr (``{proxy}`` stands for the proxy
    URL; ``go: downloading`` lines left out) and, when given, the go.mod it writes."""

    name: str
    universe: Callable[[], Universe]
    args: str
    stderr: tuple[str, ...]
    ok: bool = True
    gomod: str | None = None
    patch: Callable[[Layout], None] | None = None
    """Edits the written universe (e.g. a proxy go.mod) before planning."""


SPEC_HEAD = "module example.com/a\n\ngo 1.17\n\n"
SPEC_ORIGINAL = (
    SPEC_HEAD + "require (\n\texample.com/b v1.2.0\n\texample.com/c v1.2.0\n"
    "\texample.com/d v1.4.0 // indirect\n\texample.com/e v1.2.0 // indirect\n)\n"
)
PINNED_ORIGINAL = (
    "module example.com/main\n\ngo 1.21\n\nrequire (\n\texample.com/a v1.3.0\n"
    "\texample.com/m v1.3.1 // indirect\n)\n\nexclude example.com/a v1.2.0\n"
)

SCENARIOS = [
    Scenario(
        "spec-downgrade",
        spec_universe,
        "example.com/d@v1.2.0",
        (
            "go: downgraded example.com/b v1.2.0 => v1.1.0",
            "go: downgraded example.com/c v1.2.0 => v1.1.0",
            "go: downgraded example.com/d v1.4.0 => v1.2.0",
        ),
        gomod=SPEC_HEAD + "require (\n\texample.com/b v1.1.0\n\texample.com/c v1.1.0\n)\n\n"
        "require (\n\texample.com/d v1.2.0 // indirect\n\texample.com/e v1.2.0 // indirect\n)\n",
    ),
    Scenario(
        "spec-none",
        spec_universe,
        "example.com/d@none",
        (
            "go: removed example.com/b v1.2.0",
            "go: downgraded example.com/c v1.2.0 => v1.1.0",
            "go: removed example.com/d v1.4.0",
        ),
        gomod=SPEC_HEAD
        + "require example.com/c v1.1.0\n\nrequire example.com/e v1.2.0 // indirect\n",
    ),
    Scenario(
        "spec-upgrade",
        spec_universe,
        "example.com/c@v1.3.0",
        ("go: upgraded example.com/c v1.2.0 => v1.3.0",),
        gomod=SPEC_HEAD + "require (\n\texample.com/b v1.2.0\n\texample.com/c v1.3.0\n)\n\n"
        "require (\n\texample.com/d v1.4.0 // indirect\n\texample.com/e v1.2.0 // indirect\n)\n",
    ),
    Scenario(
        "spec-transitive",
        spec_universe,
        "example.com/e@v1.1.0",
        (
            "go: downgraded example.com/b v1.2.0 => v1.1.0",
            "go: downgraded example.com/c v1.2.0 => v1.1.0",
            "go: downgraded example.com/d v1.4.0 => v1.2.0",
            "go: downgraded example.com/e v1.2.0 => v1.1.0",
        ),
    ),
    Scenario(
        "spec-refused",
        spec_universe,
        "example.com/b@v1.2.0 example.com/d@v1.2.0",
        ("go: example.com/b@v1.2.0 requires example.com/d@v1.3.0, not example.com/d@v1.2.0",),
        ok=False,
        gomod=SPEC_ORIGINAL,
    ),
    Scenario("spec-bare-path", spec_universe, "example.com/d", (), gomod=SPEC_ORIGINAL),
    Scenario("spec-none-unknown", spec_universe, "example.com/zz@none", (), gomod=SPEC_ORIGINAL),
    Scenario(
        "main-module",
        spec_universe,
        "example.com/a@v1.0.0",
        ("go: package example.com/a is in the main module, so can't request version v1.0.0",),
        ok=False,
    ),
    Scenario(
        "brief-refused",
        pinned_universe,
        "example.com/a@v1.3.0 example.com/m@v1.3.0",
        ("go: example.com/a@v1.3.0 requires example.com/m@v1.3.1, not example.com/m@v1.3.0",),
        ok=False,
        gomod=PINNED_ORIGINAL,
    ),
    Scenario(
        "skip-retracted-and-excluded",
        pinned_universe,
        "example.com/m@v1.3.0",
        (
            "go: downgraded example.com/a v1.3.0 => v1.0.0",
            "go: downgraded example.com/m v1.3.1 => v1.3.0",
        ),
        gomod="module example.com/main\n\ngo 1.21\n\nrequire example.com/a v1.0.0\n\n"
        "require example.com/m v1.3.0 // indirect\n\nexclude example.com/a v1.2.0\n",
    ),
    Scenario(
        "excluded-target",
        pinned_universe,
        "example.com/a@v1.2.0",
        ("go: example.com/a@v1.2.0: excluded by go.mod",),
        ok=False,
        gomod=PINNED_ORIGINAL,
    ),
    Scenario(
        "retracted-target",
        pinned_universe,
        "example.com/a@v1.1.0",
        (
            "go: warning: example.com/a@v1.1.0: retracted by module author: broken build",
            "go: to switch to the latest unretracted version, run:",
            "\tgo get example.com/a@latest",
            "go: downgraded example.com/a v1.3.0 => v1.1.0",
        ),
    ),
    Scenario(
        "missing-version",
        pinned_universe,
        "example.com/m@v9.9.9",
        (
            "go: example.com/m@v9.9.9: reading {proxy}/example.com/m/@v/v9.9.9.info:"
            " no such file or directory",
        ),
        ok=False,
    ),
    Scenario(
        "prefix-query",
        pinned_universe,
        "example.com/m@v1.2",
        (
            "go: downgraded example.com/a v1.3.0 => v1.0.0",
            "go: downgraded example.com/m v1.3.1 => v1.2.0",
        ),
    ),
    Scenario(
        "range-query",
        pinned_universe,
        "example.com/m@<v1.3.0",
        (
            "go: downgraded example.com/a v1.3.0 => v1.0.0",
            "go: downgraded example.com/m v1.3.1 => v1.2.0",
        ),
    ),
    Scenario("latest-is-current", pinned_universe, "example.com/a@latest", ()),
    Scenario("patch-is-current", pinned_universe, "example.com/m@patch", ()),
    Scenario(
        "pruned-cycle",
        cycle_universe,
        "example.com/m@v1.3.0",
        ("go: downgraded example.com/m v1.3.1 => v1.3.0",),
    ),
    Scenario(
        "unpruned-cycle-refused",
        lambda: cycle_universe("1.16"),
        "example.com/m@v1.3.0",
        (
            "go: example.com/m@v1.3.0 indirectly requires example.com/m@v1.3.1,"
            " not example.com/m@v1.3.0",
        ),
        ok=False,
    ),
    Scenario(
        "unpruned",
        legacy_universe,
        "example.com/b@v1.0.0",
        (
            "go: downgraded example.com/a v1.1.0 => v1.0.0",
            "go: downgraded example.com/b v1.1.0 => v1.0.0",
        ),
        gomod="module example.com/main\n\ngo 1.16\n\nrequire (\n\texample.com/a v1.0.0\n"
        "\texample.com/b v1.0.0 // indirect\n\texample.com/c v1.0.0 // indirect\n)\n",
    ),
    Scenario(
        "unpruned-none",
        legacy_universe,
        "example.com/c@none",
        ("go: downgraded example.com/a v1.1.0 => v1.0.0", "go: removed example.com/c v1.0.0"),
        gomod="module example.com/main\n\ngo 1.16\n\nrequire (\n\texample.com/a v1.0.0\n"
        "\texample.com/b v1.1.0 // indirect\n)\n",
    ),
    Scenario(
        "no-go-line",
        lambda: legacy_universe(None),
        "example.com/b@v1.0.0",
        (
            "go: downgraded example.com/a v1.1.0 => v1.0.0",
            "go: downgraded example.com/b v1.1.0 => v1.0.0",
        ),
        gomod="module example.com/main\n\ngo 1.27.3\n\nrequire example.com/a v1.0.0\n\n"
        "require (\n\texample.com/b v1.0.0 // indirect\n\texample.com/c v1.0.0 // indirect\n)\n",
    ),
    Scenario(
        "replaced",
        replaced_universe,
        "example.com/b@v1.0.0",
        (
            "go: downgraded example.com/a v1.1.0 => v1.0.0",
            "go: downgraded example.com/b v1.1.0 => v1.0.0",
        ),
        gomod="module example.com/main\n\ngo 1.22\n\nrequire example.com/a v1.0.0\n\n"
        "require example.com/b v1.0.0 // indirect\n\n"
        "replace example.com/b v1.0.0 => example.com/fork/b v1.5.0\n",
    ),
    Scenario(
        "deprecated",
        deprecated_universe,
        "example.com/dep@v1.1.0",
        (
            "go: module example.com/dep is deprecated: use example.com/dep/v2 instead.",
            "go: upgraded example.com/dep v1.0.0 => v1.1.0",
        ),
        patch=deprecate,
    ),
    Scenario(
        "deprecated-none",
        deprecated_universe,
        "example.com/dep@none",
        (
            "go: module example.com/dep is deprecated: use example.com/dep/v2 instead.",
            "go: removed example.com/dep v1.0.0",
        ),
        patch=deprecate,
    ),
    Scenario(
        "load-error",
        broken_universe,
        "example.com/a@v1.0.0",
        (
            "go: example.com/a@v1.0.0 requires example.com/gone@v1.0.0: reading"
            " {proxy}/example.com/gone/@v/v1.0.0.mod: no such file or directory",
        ),
        ok=False,
    ),
]


# -- helpers --------------------------------------------------------------------------------


async def _plan_async(layout: Layout, args: str | Sequence[str], **options: object) -> Plan:
    env = GoEnv(goproxy=layout.proxy_url, gosumdb="off", gomodcache=str(layout.root / "modcache"))
    caches = CacheStack.for_env(env.gomodcache, layout.root / "gomodx-cache")
    gosum = GoSum.read(layout.main_dir / "go.sum")
    async with ProxyClient(env, caches=caches, gosum=gosum, use_go=False) as client:
        targets = args.split() if isinstance(args, str) else list(args)
        return await plan_get(
            layout.main_dir,
            ProxySource(client),
            targets,
            gosum=gosum,
            **options,  # type: ignore[arg-type]
        )


def make_plan(layout: Layout, args: str | Sequence[str], **options: object) -> Plan:
    return asyncio.run(_plan_async(layout, args, **options))


def stderr_of(plan: Plan) -> list[str]:
    return [line for w in plan.warnings for line in w.splitlines()] + plan.go_lines()


def expected_stderr(s: Scenario, layout: Layout) -> list[str]:
    return [line.replace("{proxy}", layout.proxy_url) for line in s.stderr]


# -- scenario tests -------------------------------------------------------------------------


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(s: Scenario, tmp_path: Path) -> None:
    layout = s.universe().write(tmp_path)
    if s.patch is not None:
        s.patch(layout)
    original = (layout.main_dir / "go.mod").read_text()
    plan = make_plan(layout, s.args, suggest=False)
    assert plan.ok is s.ok, plan.error
    assert stderr_of(plan) == expected_stderr(s, layout)
    if s.gomod is not None:
        assert plan.gomod == s.gomod
    if not s.ok:
        assert plan.gomod == original
        assert plan.changes == ()
    # A plan never touches the files.
    assert (layout.main_dir / "go.mod").read_text() == original
    assert not (layout.main_dir / "go.sum").exists()


@pytest.mark.go
@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_matches_go(s: Scenario, tmp_path: Path) -> None:
    from test_plan_differential import compare_universe

    [pair] = compare_universe(s.name, s.universe(), tmp_path, [s.args], s.patch)
    layout = Layout(tmp_path, tmp_path / "proxy", tmp_path / "main")
    # The recorded expectation is go's answer ...
    assert pair.go_stderr == expected_stderr(s, layout)
    assert (pair.go_rc == 0) is s.ok
    if s.gomod is not None:
        assert pair.go_gomod == s.gomod
    # ... and the plan agrees with go in every respect, go.sum included.
    assert pair.equal, pair.report()


# -- details --------------------------------------------------------------------------------


def test_changes_and_json(tmp_path: Path) -> None:
    layout = spec_universe().write(tmp_path)
    plan = make_plan(layout, "example.com/d@none")
    assert plan.changes == (
        Change("example.com/b", "v1.2.0", "none", "removed"),
        Change("example.com/c", "v1.2.0", "v1.1.0", "downgraded"),
        Change("example.com/d", "v1.4.0", "none", "removed"),
    )
    assert str(plan.changes[1]) == "downgraded example.com/c v1.2.0 => v1.1.0"
    out = json.loads(json.dumps(plan.to_json()))
    assert out["Target"] == "example.com/d@none"
    assert out["OK"] is True and out["Error"] is None
    assert out["Version"] == "none"
    assert out["Changes"][0] == {
        "Path": "example.com/b",
        "From": "v1.2.0",
        "To": "none",
        "Kind": "removed",
        "Why": (
            "example.com/b@v1.2.0 requires example.com/d@v1.3.0, but example.com/d is being removed"
        ),
    }
    assert out["GoMod"] == plan.gomod
    assert [m["Path"] for m in out["BuildList"]] == [
        "example.com/a",
        "example.com/c",
        "example.com/e",
    ]
    # d was requested at v1.3.0 (by b) and v1.4.0 (by c and the main module): that
    # conflict disappears with d.
    assert "example.com/d" in [c["Path"] for c in out["ConflictsResolved"]]


def test_added_module_and_build_list(tmp_path: Path) -> None:
    u = spec_universe()
    u.add("example.com/h", "v1.0.0", [("example.com/e", "v1.2.0")], go="1.17")
    layout = u.write(tmp_path)
    plan = make_plan(layout, "example.com/h@v1.0.0")
    assert [str(c) for c in plan.changes] == ["added example.com/h v1.0.0"]
    assert plan.changes[0].from_ == "none"
    assert ModuleVersion("example.com/h", "v1.0.0") in plan.build_list
    assert "\texample.com/h v1.0.0 // indirect\n" in plan.gomod


def test_gosum_lines_are_go_mod_and_zip_hashes(tmp_path: Path) -> None:
    layout = spec_universe().write(tmp_path)
    plan = make_plan(layout, "example.com/d@v1.2.0")
    proxy = layout.proxy_dir
    lines = set(plan.gosum_added)
    for path, version in [("b", "v1.1.0"), ("c", "v1.1.0"), ("d", "v1.2.0"), ("e", "v1.2.0")]:
        data = (proxy / "example.com" / path / "@v" / f"{version}.mod").read_bytes()
        assert f"example.com/{path} {version}/go.mod {hashes.gomod_hash(data)}" in lines
    zip_data = proxy / "example.com" / "d" / "@v" / "v1.2.0.zip"
    assert plan.zip_sums_added == (f"example.com/d v1.2.0 {hashes.zip_hash(zip_data)}",)
    after = plan.gosum_after()
    assert after is not None
    assert sorted(after.decode().splitlines()) == sorted([*plan.gosum_added, *plan.zip_sums_added])


def test_refusal_suggests_nearest_working_version(tmp_path: Path) -> None:
    layout = cycle_universe("1.16").write(tmp_path)
    plan = make_plan(layout, "example.com/m@v1.3.0")
    assert not plan.ok
    # v1.3.1 is nearer, but it is the version selected now: "going" there changes nothing.
    assert plan.suggestion == "example.com/m@v1.2.0"
    suggested = make_plan(layout, plan.suggestion)
    assert suggested.ok and suggested.changes


def test_refusal_never_suggests_the_current_version(tmp_path: Path) -> None:
    u = cycle_universe("1.16")
    del u.mods[("example.com/m", "v1.2.0")]
    layout = u.write(tmp_path)
    plan = make_plan(layout, "example.com/m@v1.3.0")
    assert not plan.ok
    assert plan.suggestion == ""  # only v1.3.1 is accepted, and it is selected already


def test_refusal_chain_and_exception(tmp_path: Path) -> None:
    from analysis.errors import DowngradeConflict

    layout = cycle_universe("1.16").write(tmp_path)
    plan = make_plan(layout, "example.com/m@v1.3.0", suggest=False)
    assert plan.chains == (
        (
            ModuleVersion("example.com/m", "v1.3.0"),
            ModuleVersion("example.com/x", "v1.0.0"),
            ModuleVersion("example.com/m", "v1.3.1"),
        ),
    )
    with pytest.raises(DowngradeConflict) as info:
        plan.raise_for_refusal()
    assert info.value.chain == (
        "example.com/m@v1.3.0",
        "example.com/x@v1.0.0",
        "example.com/m@v1.3.1",
    )
    assert str(info.value) == str(plan.error)
    assert plan.to_json()["Chains"] == [list(info.value.chain)]
    make_plan(layout, "example.com/m@v1.3.1").raise_for_refusal()


def test_no_suggestion_for_query_errors(tmp_path: Path) -> None:
    layout = pinned_universe().write(tmp_path)
    plan = make_plan(layout, "example.com/a@v1.2.0")
    assert not plan.ok and plan.suggestion == ""


def test_local_go_version_is_used_for_a_missing_go_line(tmp_path: Path) -> None:
    layout = legacy_universe(None).write(tmp_path)
    plan = make_plan(layout, "example.com/b@v1.0.0", local_go="1.22.1")
    assert plan.gomod.startswith("module example.com/main\n\ngo 1.22.1\n")


def test_go_mod_diff(tmp_path: Path) -> None:
    layout = spec_universe().write(tmp_path)
    plan = make_plan(layout, "example.com/b@v1.1.0")
    diff = plan.gomod_diff()
    assert diff.startswith("--- a/go.mod\n+++ b/go.mod\n")
    assert "-\texample.com/b v1.2.0\n" in diff and "+\texample.com/b v1.1.0\n" in diff
    unchanged = make_plan(layout, "example.com/d")
    assert unchanged.gomod_diff() == "" and not unchanged.gomod_changed


def test_existing_go_sum_lines_are_not_added_again(tmp_path: Path) -> None:
    layout = spec_universe().write(tmp_path)
    first = make_plan(layout, "example.com/d@v1.2.0")
    after = first.gosum_after()
    assert after is not None
    (layout.main_dir / "go.sum").write_bytes(after)
    again = make_plan(layout, "example.com/d@v1.2.0")
    assert again.gosum_added == () and again.zip_sums_added == ()
    assert again.gosum_before == after


def test_two_arguments_same_module_conflict(tmp_path: Path) -> None:
    layout = spec_universe().write(tmp_path)
    plan = make_plan(layout, "example.com/d@v1.2.0 example.com/d@v1.3.0")
    assert not plan.ok
    assert str(plan.error) == "go: example.com/d@v1.3.0 conflicts with example.com/d@v1.2.0"


@pytest.mark.parametrize(
    ("arg", "target"),
    [
        ("example.com/m@v1.2.0", Target("example.com/m@v1.2.0", "example.com/m", "v1.2.0")),
        ("example.com/m", Target("example.com/m", "example.com/m", "upgrade", False)),
        ("example.com/m@none", Target("example.com/m@none", "example.com/m", "none")),
    ],
)
def test_parse_target(arg: str, target: Target) -> None:
    assert parse_target(arg) == target


@pytest.mark.parametrize("arg", ["example.com/m@", "example.com/m@v1@v2", "@v1.0.0"])
def test_parse_target_rejects(arg: str) -> None:
    with pytest.raises(PlanError, match="invalid module version syntax"):
        parse_target(arg)


def test_toolchain_arguments_are_not_supported(tmp_path: Path) -> None:
    layout = spec_universe().write(tmp_path)
    with pytest.raises(PlanError, match="not supported"):
        make_plan(layout, "go@1.22")


# -- source: queries --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "current", "want"),
    [
        ("latest", "", "v1.3.1"),
        ("upgrade", "v1.2.0", "v1.3.1"),
        ("patch", "v1.3.0", "v1.3.1"),
        ("patch", "v1.2.0", "v1.2.0"),
        ("v1.2", "", "v1.2.0"),
        ("v1", "", "v1.3.1"),
        ("<v1.3.0", "", "v1.2.0"),
        ("<=v1.3.0", "", "v1.3.0"),
        (">v1.0.0", "", "v1.1.0"),
        (">=v1.1.0", "", "v1.1.0"),
        ("v1.1.0", "", "v1.1.0"),
    ],
)
def test_version_queries(query: str, current: str, want: str, tmp_path: Path) -> None:
    layout = pinned_universe().write(tmp_path)

    async def run() -> str:
        from analysis import modfile

        env = GoEnv(goproxy=layout.proxy_url, gosumdb="off", gomodcache=str(tmp_path / "mc"))
        caches = CacheStack.for_env(env.gomodcache, tmp_path / "own")
        main = modfile.parse("go.mod", (layout.main_dir / "go.mod").read_bytes())
        async with ProxyClient(env, caches=caches, use_go=False) as client:
            view = ModuleView(ProxySource(client), main, layout.main_dir)
            return (await view.query("example.com/m", query, current, view.check_allowed)).version

    assert asyncio.run(run()) == want


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("v0.5", 'no matching versions for query "v0.5"'),
        ("<=v1.3", 'ambiguous semantic version "v1.3" in range "<=v1.3"'),
        ("<bogus", 'invalid semantic version "bogus" in range "<bogus"'),
    ],
)
def test_query_errors(query: str, message: str, tmp_path: Path) -> None:
    layout = pinned_universe().write(tmp_path)

    async def run() -> None:
        from analysis import modfile

        env = GoEnv(goproxy=layout.proxy_url, gosumdb="off", gomodcache=str(tmp_path / "mc"))
        caches = CacheStack.for_env(env.gomodcache, tmp_path / "own")
        main = modfile.parse("go.mod", (layout.main_dir / "go.mod").read_bytes())
        async with ProxyClient(env, caches=caches, use_go=False) as client:
            view = ModuleView(ProxySource(client), main, layout.main_dir)
            await view.query("example.com/m", query, "", view.check_allowed)

    with pytest.raises(QueryError) as info:
        asyncio.run(run())
    assert str(info.value) == message


def test_previous_version_skips_retracted_and_excluded(tmp_path: Path) -> None:
    layout = pinned_universe().write(tmp_path)

    async def run() -> list[str]:
        from analysis import modfile

        env = GoEnv(goproxy=layout.proxy_url, gosumdb="off", gomodcache=str(tmp_path / "mc"))
        caches = CacheStack.for_env(env.gomodcache, tmp_path / "own")
        main = modfile.parse("go.mod", (layout.main_dir / "go.mod").read_bytes())
        async with ProxyClient(env, caches=caches, use_go=False) as client:
            view = ModuleView(ProxySource(client), main, layout.main_dir)
            out = []
            m = ModuleVersion("example.com/a", "v1.3.0")
            while m.version != "none":
                m = await view.previous_version(m)
                out.append(m.version)
            return out

    assert asyncio.run(run()) == ["v1.0.0", "none"]


def test_helpers() -> None:
    assert cmp_version("example.com/m", "", "v1.0.0") == 1
    assert cmp_version("example.com/m", "v1.0.0", "v1.1.0") == -1
    assert is_revision_query("example.com/m", "master")
    assert is_revision_query("example.com/m", "v1.2.3")
    assert not is_revision_query("example.com/m", "v1.2")
    assert not is_revision_query("example.com/m", "<v1.2.3")


# -- where go itself never finishes -----------------------------------------------------------


def test_go_get_that_never_finishes_is_refused(tmp_path: Path) -> None:
    """Universe 5051: removing m8 makes cmd/go step m0 below its original version and back
    forever (go get hangs; see the go-marked twin). The plan says so instead of hanging."""
    from universe import random_universe

    from analysis.plan import NEVER_FINISHES

    layout = random_universe(5051, 20, 5).write(tmp_path)
    plan = make_plan(layout, "example.com/m8@none")
    assert not plan.ok
    assert str(plan.error).startswith(NEVER_FINISHES)
    assert plan.gomod_after == plan.gomod_before


@pytest.mark.go
def test_go_get_really_never_finishes(tmp_path: Path) -> None:
    import subprocess

    from gotool import go_env, require_go
    from universe import random_universe

    layout = random_universe(5051, 20, 5).write(tmp_path)
    env = go_env(tmp_path / "go", proxy=layout.proxy_url)
    with pytest.raises(subprocess.TimeoutExpired):
        subprocess.run(
            [require_go(), "get", "example.com/m8@none"],
            cwd=layout.main_dir,
            env=env,
            capture_output=True,
            timeout=8,
        )
