"""Why each change of a plan happens (:attr:`analysis.plan.Change.why`), on small
hand-built universes: the argument, the requirement chain that steps a module down, the
import that adds one, the requirement that raises one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_plan import make_plan, spec_universe
from test_plan_differential import compare_universe
from test_plan_packages import TEXT, TEXT_V, rsc
from universe import Universe

from analysis.plan import Plan


def whys(plan: Plan) -> dict[str, tuple[str, str]]:
    assert plan.ok, plan.error
    return {c.path: (str(c), c.why) for c in plan.changes}


def test_the_argument_is_requested(tmp_path: Path) -> None:
    plan = make_plan(spec_universe().write(tmp_path), "example.com/b@v1.1.0")
    assert whys(plan) == {
        "example.com/b": (
            "downgraded example.com/b v1.2.0 => v1.1.0",
            "requested: go get example.com/b@v1.1.0",
        )
    }


def test_dependents_stepped_down_name_the_requirement_above_the_request(
    tmp_path: Path,
) -> None:
    plan = make_plan(spec_universe().write(tmp_path), "example.com/d@v1.2.0")
    assert whys(plan) == {
        "example.com/b": (
            "downgraded example.com/b v1.2.0 => v1.1.0",
            "example.com/b@v1.2.0 requires example.com/d@v1.3.0, above the requested v1.2.0",
        ),
        "example.com/c": (
            "downgraded example.com/c v1.2.0 => v1.1.0",
            "example.com/c@v1.2.0 requires example.com/d@v1.4.0, above the requested v1.2.0",
        ),
        "example.com/d": (
            "downgraded example.com/d v1.4.0 => v1.2.0",
            "requested: go get example.com/d@v1.2.0",
        ),
    }


def test_dependents_removed_with_none(tmp_path: Path) -> None:
    plan = make_plan(spec_universe().write(tmp_path), "example.com/d@none")
    got = whys(plan)
    assert got["example.com/b"] == (
        "removed example.com/b v1.2.0",
        "example.com/b@v1.2.0 requires example.com/d@v1.3.0, but example.com/d is being removed",
    )
    assert got["example.com/d"][1] == "requested: go get example.com/d@none"


def test_the_issue_example_downgrade_through_a_package(tmp_path: Path) -> None:
    u = rsc("1.21")
    u.require("rsc.io/quote", "v1.5.2")
    plan = make_plan(u.write(tmp_path), "rsc.io/sampler@v1.2.0")
    assert whys(plan)["rsc.io/quote"] == (
        "downgraded rsc.io/quote v1.5.2 => v1.4.0",
        "rsc.io/quote@v1.5.2 requires rsc.io/sampler@v1.3.0, above the requested v1.2.0",
    )


def test_added_by_an_import_and_upgraded_by_a_requirement(tmp_path: Path) -> None:
    u = rsc("1.21")
    u.require("rsc.io/quote", "v1.4.0")
    plan = make_plan(u.write(tmp_path), "rsc.io/quote@v1.5.2")
    assert whys(plan) == {
        TEXT: (
            f"added {TEXT} {TEXT_V}",
            f"package rsc.io/sampler imports {TEXT}/language",
        ),
        "rsc.io/quote": (
            "upgraded rsc.io/quote v1.4.0 => v1.5.2",
            "requested: go get rsc.io/quote@v1.5.2",
        ),
        "rsc.io/sampler": (
            "upgraded rsc.io/sampler v1.0.0 => v1.3.0",
            "rsc.io/quote@v1.5.2 requires rsc.io/sampler@v1.3.0",
        ),
    }


def test_a_missing_import_added_at_latest(tmp_path: Path) -> None:
    u = rsc("1.17")
    u.require("rsc.io/fortune/v2", "v2.0.0")
    plan = make_plan(u.write(tmp_path), "rsc.io/fortune/v2@patch")
    assert whys(plan)["rsc.io/quote"] == (
        "added rsc.io/quote v1.5.2",
        "package rsc.io/fortune/v2 imports rsc.io/quote",
    )


def chain_universe() -> Universe:
    """a@v1.1.0 -> b@v1.1.0 -> c@v1.1.0 (go 1.22); the main module has a, b, c at v1.0.0."""
    u = Universe(main_path="example.com/main", main_go="1.21")
    for p in ("a", "b", "c"):
        u.add(f"example.com/{p}", "v1.0.0", go="1.21")
    u.add("example.com/a", "v1.1.0", [("example.com/b", "v1.1.0")], go="1.21")
    u.add("example.com/b", "v1.1.0", [("example.com/c", "v1.1.0")], go="1.21")
    u.add("example.com/c", "v1.1.0", go="1.22")
    u.add("example.com/x", "v1.0.0", [("example.com/c", "v1.1.0")], go="1.21")
    for p in ("a", "b", "c"):
        u.require(f"example.com/{p}", "v1.0.0")
    return u


def test_upgrades_name_the_whole_chain_from_the_argument(tmp_path: Path) -> None:
    plan = make_plan(chain_universe().write(tmp_path), "example.com/a@v1.1.0")
    assert whys(plan) == {
        "go": (
            "upgraded go 1.21 => 1.22",
            "example.com/a@v1.1.0 requires example.com/b@v1.1.0, which requires"
            " example.com/c@v1.1.0, which requires go@1.22",
        ),
        "example.com/a": (
            "upgraded example.com/a v1.0.0 => v1.1.0",
            "requested: go get example.com/a@v1.1.0",
        ),
        "example.com/b": (
            "upgraded example.com/b v1.0.0 => v1.1.0",
            "example.com/a@v1.1.0 requires example.com/b@v1.1.0",
        ),
        "example.com/c": (
            "upgraded example.com/c v1.0.0 => v1.1.0",
            "example.com/a@v1.1.0 requires example.com/b@v1.1.0, which requires"
            " example.com/c@v1.1.0",
        ),
    }


def test_a_second_argument_gives_the_shortest_chain(tmp_path: Path) -> None:
    plan = make_plan(
        chain_universe().write(tmp_path), ["example.com/a@v1.1.0", "example.com/x@v1.0.0"]
    )
    got = whys(plan)
    assert got["example.com/x"] == (
        "added example.com/x v1.0.0",
        "requested: go get example.com/x@v1.0.0",
    )
    # Both arguments lead to c@v1.1.0; x's line is the shorter.
    assert got["example.com/c"][1] == "example.com/x@v1.0.0 requires example.com/c@v1.1.0"


def test_json_changes_follow_go_and_carry_why(tmp_path: Path) -> None:
    plan = make_plan(
        chain_universe().write(tmp_path), ["example.com/a@v1.1.0", "example.com/x@v1.0.0"]
    )
    out = json.loads(json.dumps(plan.to_json()))
    assert out["Error"] is None and out["OK"] is True
    added = next(c for c in out["Changes"] if c["Path"] == "example.com/x")
    assert (added["From"], added["To"], added["Kind"]) == ("", "v1.0.0", "added")
    assert all(c["Why"] for c in out["Changes"])
    assert out["GoSum"] == (plan.gosum_after() or b"").decode()
    refused = make_plan(spec_universe().write(tmp_path / "r"), "example.com/d@v9.9.9")
    out = refused.to_json()
    assert out["OK"] is False and out["Error"].startswith("go: example.com/d@v9.9.9: ")
    assert out["Changes"] == []


def understated_universe() -> Universe:
    """go.mod says b v1.0.0 but a@v1.0.0 requires b v1.1.0, and its toolchain line
    (go1.20) is one go does not write."""
    u = Universe(main_path="example.com/main", main_go="1.21")
    u.add("example.com/a", "v1.0.0", [("example.com/b", "v1.1.0")], go="1.21")
    for v in ("v1.0.0", "v1.1.0"):
        u.add("example.com/b", v, go="1.21")
    u.add("example.com/c", "v1.0.0", go="1.21")
    u.require("example.com/a", "v1.0.0")
    u.require("example.com/b", "v1.0.0", indirect=True)
    render = u.main_go_mod

    def with_toolchain() -> str:
        return re.sub(r"(?m)^(go .*)$", r"\1\n\ntoolchain go1.20", render(), count=1)

    u.main_go_mod = with_toolchain  # type: ignore[method-assign]
    return u


def test_a_version_selected_already_and_a_dropped_toolchain_line(tmp_path: Path) -> None:
    plan = make_plan(understated_universe().write(tmp_path), "example.com/c@v1.0.0")
    assert whys(plan) == {
        "toolchain": (
            "removed toolchain go1.20",
            "go writes no toolchain line below go1.21 or equal to the go line",
        ),
        "example.com/b": (
            "upgraded example.com/b v1.0.0 => v1.1.0",
            "example.com/main requires example.com/a@v1.0.0, which requires"
            " example.com/b@v1.1.0 (selected already; go.mod said v1.0.0)",
        ),
        "example.com/c": (
            "added example.com/c v1.0.0",
            "requested: go get example.com/c@v1.0.0",
        ),
    }


@pytest.mark.go
def test_the_universes_here_are_what_go_does(tmp_path: Path) -> None:
    """The changes explained above are go's own (the reasons are gomodx's)."""
    cases = [
        (understated_universe(), ["example.com/c@v1.0.0"]),
        (chain_universe(), ["example.com/a@v1.1.0", "example.com/a@v1.1.0 example.com/x@v1.0.0"]),
        (spec_universe(), ["example.com/d@v1.2.0", "example.com/d@none"]),
    ]
    for i, (u, args) in enumerate(cases):
        for pair in compare_universe(f"case {i}", u, tmp_path / str(i), args):
            assert pair.equal, pair.report()
