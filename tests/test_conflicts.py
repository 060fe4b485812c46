"""Conflict analysis: who asks for what, who wins, how we got there, how risky it is."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import pytest
from graphdata import SPEC_GRAPH

from analysis.conflicts import (
    Conflict,
    Request,
    Risk,
    by_risk,
    conflicting_paths,
    conflicts,
    find_conflict,
    major_families,
    retraction_checker,
)
from analysis.modgraph import parse_graph, read_graph, selected_versions
from analysis.module import ModuleVersion
from analysis.semver import mod_compare

MV = ModuleVersion


def test_spec_example_has_one_conflict_on_d() -> None:
    g = parse_graph(SPEC_GRAPH)
    [c] = conflicts(g)
    assert c.path == "example.com/d"
    assert c.selected == "v1.4.0"
    assert c.module == MV("example.com/d", "v1.4.0")
    assert c.versions == ("v1.3.0", "v1.4.0")
    assert [(str(r.by), r.version, r.sets_max) for r in c.requests] == [
        ("example.com/a", "v1.4.0", True),
        ("example.com/c@v1.2.0", "v1.4.0", True),
        ("example.com/b@v1.2.0", "v1.3.0", False),
    ]
    assert [str(r.by) for r in c.winners] == ["example.com/a", "example.com/c@v1.2.0"]
    b_req = c.requests[2]
    assert b_req.paths == ((MV("example.com/a"), MV("example.com/b", "v1.2.0")),)
    assert c.requests[0].paths == ((MV("example.com/a"),),)
    assert c.risk == Risk(
        "low",
        ("minor upgrade v1.3.0 -> v1.4.0 (asked by example.com/b@v1.2.0): compatible by promise",),
    )
    assert c.in_build and c.build_requests == c.requests
    assert c.winner == c.requests[0] and c.runner_up == c.requests[2]
    assert find_conflict(g, "example.com/d") == c
    assert find_conflict(g, "example.com/e") is None
    assert find_conflict(g, "nowhere") is None


def test_results_are_frozen() -> None:
    [c] = conflicts(parse_graph(SPEC_GRAPH))
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.selected = "v0"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.requests[0].version = "v0"  # type: ignore[misc]
    assert isinstance(c, Conflict) and isinstance(c.requests[0], Request)
    assert hash(c) == hash(conflicts(parse_graph(SPEC_GRAPH))[0])


def test_requirers_that_are_not_selected_are_flagged() -> None:
    g = parse_graph("m x@v1.0.0\nm x@v1.1.0\nx@v1.0.0 y@v1.0.0\nm y@v1.1.0\n")
    y = find_conflict(g, "y")
    assert y is not None
    [old] = [r for r in y.requests if r.version == "v1.0.0"]
    assert old.by == MV("x", "v1.0.0")
    assert not old.by_selected
    assert all(r.by_selected for r in y.requests if r.version == "v1.1.0")


def test_paths_are_the_shortest_from_main_to_the_requirer() -> None:
    g = parse_graph(
        "m a@v1.0.0\nm b@v1.0.0\na@v1.0.0 c@v1.0.0\nb@v1.0.0 c@v1.0.0\n"
        "c@v1.0.0 z@v1.0.0\nm z@v1.1.0\n"
    )
    [c] = conflicts(g)
    [r] = [r for r in c.requests if r.version == "v1.0.0"]
    assert r.paths == (
        (MV("m"), MV("a", "v1.0.0"), MV("c", "v1.0.0")),
        (MV("m"), MV("b", "v1.0.0"), MV("c", "v1.0.0")),
    )
    assert len(conflicts(g, path_limit=1)[0].requests[-1].paths) == 1


def _risk(graph: str, path: str, **kw: object) -> Risk:
    c = find_conflict(parse_graph(graph), path, **kw)  # type: ignore[arg-type]
    assert c is not None
    return c.risk


def test_risk_v0_minor_jump_is_high() -> None:
    r = _risk("m a@v0.3.0\nm b@v1.0.0\nb@v1.0.0 a@v0.5.1\n", "a")
    assert r.level == "high"
    assert r.reasons == ("v0 minor jump v0.3.0 -> v0.5.1 (asked by m): v0 minors may break",)
    assert r.reason == r.reasons[0] and r.rank == 2


def test_risk_v0_patch_jump_is_low() -> None:
    r = _risk("m a@v0.3.0\nm b@v1.0.0\nb@v1.0.0 a@v0.3.4\n", "a")
    assert r == Risk("low", ("patch upgrade v0.3.0 -> v0.3.4 (asked by m): compatible by promise",))


def test_risk_major_jump_through_incompatible() -> None:
    r = _risk("m a@v1.5.0\nm b@v1.0.0\nb@v1.0.0 a@v2.0.0+incompatible\n", "a")
    assert r.level == "high"
    assert r.reason == (
        "major jump through +incompatible v1.5.0 -> v2.0.0+incompatible (asked by m):"
        " breaking changes allowed"
    )
    assert "selected v2.0.0+incompatible is +incompatible (a v2+ tag without go.mod)" in r.reasons


def test_risk_v0_to_v1_is_a_major_jump() -> None:
    r = _risk("m a@v0.9.0\nm b@v1.0.0\nb@v1.0.0 a@v1.0.0\n", "a")
    assert r.level == "high"
    assert r.reasons == (
        "major version jump v0.9.0 -> v1.0.0 (asked by m): breaking changes allowed",
    )


def test_risk_prerelease_and_pseudo_selected_are_medium() -> None:
    pre = _risk("m a@v1.0.0\nm b@v1.0.0\nb@v1.0.0 a@v1.1.0-rc.1\n", "a")
    assert pre.level == "medium"
    assert pre.reasons[0] == "selected v1.1.0-rc.1 is a prerelease"
    pseudo = "v1.0.1-0.20200101000000-abcdefabcdef"
    ps = _risk(f"m a@v1.0.0\nm b@v1.0.0\nb@v1.0.0 a@{pseudo}\n", "a")
    assert ps == Risk(
        "medium",
        (f"tag to pseudo-version v1.0.0 -> {pseudo} (asked by m): an untagged commit, no promise",),
    )


def test_risk_untagged_commits_are_medium_even_across_v0_minors() -> None:
    # A vX.0.0-date-hash request names a commit before any tag: it claims no v0.0 to
    # compare with, so moving on from it is a pseudo/tag jump, not a v0 minor jump.
    old = "v0.0.0-20190101000000-abcdefabcdef"
    newer = "v0.0.0-20200101000000-abcdefabcdef"
    r = _risk(f"m a@{old}\nm b@v1.0.0\nb@v1.0.0 a@v0.8.0\n", "a")
    assert r.level == "medium" and r.reason.startswith(f"untagged commit to tag {old} -> v0.8.0")
    r = _risk(f"m a@{old}\nm b@v1.0.0\nb@v1.0.0 a@{newer}\n", "a")
    assert r.level == "medium" and r.reason.startswith(f"commit to commit {old} -> {newer}")
    # A pseudo-version based on a tag does claim its minor.
    based = "v0.1.1-0.20190101000000-abcdefabcdef"
    r = _risk(f"m a@{based}\nm b@v1.0.0\nb@v1.0.0 a@v0.8.0\n", "a")
    assert r.level == "high" and r.reason.startswith("v0 minor jump")


def test_risk_several_majors_of_one_repository_is_a_note() -> None:
    g = "m a@v1.0.0\nm b@v1.0.0\nb@v1.0.0 a@v1.2.0\nm a/v2@v2.0.0\n"
    r = _risk(g, "a")
    assert r.level == "low"  # two majors side by side is how Go works, not a breakage
    assert r.reasons[1] == "other major versions of the same repository in the build: a/v2"
    assert major_families(parse_graph(g)) == {"a": ["a", "a/v2"]}
    assert major_families(["gopkg.in/yaml.v2", "gopkg.in/yaml.v3", "x/y"]) == {
        "gopkg.in/yaml": ["gopkg.in/yaml.v2", "gopkg.in/yaml.v3"]
    }


def test_risk_retracted_and_excluded_when_known() -> None:
    g = "m a@v1.0.0\nm b@v1.0.0\nb@v1.0.0 a@v1.2.0\n"
    check = retraction_checker({"a": [("v1.1.0", "v1.3.0", "broken build")]})
    r = _risk(g, "a", retracted=check)
    assert r.level == "high"
    assert r.reason == "selected v1.2.0 is retracted: broken build"
    assert check(MV("a", "v1.0.0")) is None
    assert check(MV("a", "v1.3.0")) == "broken build"
    r = _risk(g, "a", excluded={MV("a", "v1.2.0")})
    assert r.level == "high"
    assert r.reason == "selected v1.2.0 is excluded by the main go.mod"


def test_reasons_are_ordered_most_severe_first() -> None:
    g = "m a@v0.1.0\nm b@v1.0.0\nb@v1.0.0 a@v0.2.0-rc.1\n"
    r = _risk(g, "a")
    assert r.level == "high"
    assert r.reasons[0].startswith("v0 minor jump v0.1.0 -> v0.2.0-rc.1")
    assert r.reasons[1] == "selected v0.2.0-rc.1 is a prerelease"


def test_only_requests_from_the_build_rank_a_conflict() -> None:
    # x@v1.0.0 lost to x@v1.1.0, so its request for y@v0.1.0 is not built; the build itself
    # moves y from v1.0.0 to v1.1.0 only: a compatible upgrade, not a v0 -> v1 major jump.
    g = parse_graph("m x@v1.0.0\nm x@v1.1.0\nx@v1.0.0 y@v0.1.0\nm y@v1.0.0\nx@v1.1.0 y@v1.1.0\n")
    y = find_conflict(g, "y")
    assert y is not None and y.in_build
    assert y.risk.level == "low"
    assert y.risk.reason == "minor upgrade v1.0.0 -> v1.1.0 (asked by m): compatible by promise"
    assert [r.version for r in y.build_requests] == ["v1.1.0", "v1.0.0"]
    assert y.runner_up is not None and y.runner_up.by == MV("m")


def test_a_disagreement_only_outside_the_build_is_not_in_build() -> None:
    # Only x@v1.0.0 (not selected) asks for z@v0.1.0; everything built asks for v0.5.0.
    g = parse_graph("m x@v1.0.0\nm x@v1.1.0\nx@v1.0.0 z@v0.1.0\nx@v1.1.0 z@v0.5.0\nm z@v0.5.0\n")
    [z] = [c for c in conflicts(g) if c.path == "z"]
    assert not z.in_build
    assert z.runner_up is None and z.winner.by_selected
    assert z.risk == Risk("low", ("only modules outside the build ask for other versions",))


def test_a_selected_version_only_an_unselected_module_asks_for() -> None:
    # MVS counts x@v1.0.0's requirement although x@v1.1.0 won: the build gets y@v1.3.0
    # while everything built asked for v1.2.0.
    g = parse_graph("m x@v1.0.0\nm x@v1.1.0\nx@v1.0.0 y@v1.3.0\nx@v1.1.0 y@v1.2.0\n")
    y = find_conflict(g, "y")
    assert y is not None and y.in_build and y.selected == "v1.3.0"
    assert y.winner.by == MV("x", "v1.0.0") and not y.winner.by_selected
    assert y.risk.reasons == (
        "minor upgrade v1.2.0 -> v1.3.0 (asked by x@v1.1.0): compatible by promise",
        "no module in the build asks for v1.3.0: x@v1.0.0 does",
    )


def test_by_risk_puts_the_riskiest_first() -> None:
    g = parse_graph(
        "m a@v1.0.0\nm b@v0.1.0\nm c@v1.0.0\nc@v1.0.0 a@v1.1.0\nc@v1.0.0 b@v0.2.0\n"
        "m x@v1.0.0\nm x@v1.1.0\nx@v1.0.0 z@v0.1.0\nx@v1.1.0 z@v0.5.0\nm z@v0.5.0\n"
        "m d@v1.0.0\nc@v1.0.0 d@v1.0.1-0.20200101000000-abcdefabcdef\n"
    )
    assert [(c.path, c.risk.level) for c in by_risk(conflicts(g))] == [
        ("b", "high"),
        ("d", "medium"),
        ("a", "low"),
        ("x", "low"),
        ("z", "low"),
    ]


def test_go_and_toolchain_never_conflict() -> None:
    g = parse_graph("m go@1.21\nm x@v1.0.0\nx@v1.0.0 go@1.22\ngo@1.21 toolchain@go1.21\n")
    assert conflicts(g) == []


def test_a_cycle_back_to_the_main_module() -> None:
    g = parse_graph("m x@v1.0.0\nx@v1.0.0 m@v0.1.0\nm y@v1.0.0\ny@v1.0.0 m@v0.2.0\n")
    [c] = conflicts(g)
    assert c.path == "m"
    assert c.selected == ""
    assert c.risk.level == "low"
    assert not c.in_build and c.winner is None  # go ignores requirements on the main module


def test_recorded_graphs_conflicts_are_consistent(corpus: Path) -> None:
    total = 0
    for f in sorted((corpus / "graphs").glob("*.txt")):
        g = read_graph(f)
        sel = selected_versions(g)
        dist, _ = g.bfs()
        found = conflicts(g)
        total += len(found)
        requested: dict[str, set[str]] = {}
        for _, v in g.edges:
            if v.path not in ("go", "toolchain"):
                requested.setdefault(v.path, set()).add(v.version)
        assert {c.path for c in found} == {p for p, vs in requested.items() if len(vs) > 1}
        assert conflicting_paths(g) == [c.path for c in found]
        for c in found:
            assert len(c.versions) >= 2
            assert c.selected == sel[c.path] == c.versions[-1]
            assert all(mod_compare(c.path, v, c.selected) <= 0 for v in c.versions)
            assert c.winners and all(r.version == c.selected for r in c.winners)
            assert c.risk.level in ("low", "medium", "high") and c.risk.reasons
            for r in c.requests:
                assert r.paths, (f.name, c.path, r.by)
                for p in r.paths:
                    assert p[0] == g.main and p[-1] == r.by
                    assert len(p) == dist[r.by] + 1
                    for a, b in itertools.pairwise(p):
                        assert g.graph.has_edge(a, b)
    assert total > 100


def test_recorded_graph_risk_counts_what_the_build_sees(corpus: Path) -> None:
    """logviewer: 68 paths asked at several versions, 13 of them only by modules outside
    the build; of the 55 the build sees, about a third are high (each a major or v0 minor
    jump over a request from a module in the build), never a disagreement outside it."""
    g = read_graph(corpus / "graphs" / "bascanada__logviewer__go.mod.graph.txt")
    found = conflicts(g)
    inside = [c for c in found if c.in_build]
    assert (len(found), len(inside)) == (68, 55)
    levels = {
        lvl: sum(1 for c in inside if c.risk.level == lvl) for lvl in ("high", "medium", "low")
    }
    assert levels == {"high": 17, "medium": 17, "low": 21}
    for c in found:
        if not c.in_build:
            assert c.risk.reasons[-1] == "only modules outside the build ask for other versions"
            assert c.risk.level != "high"
        if c.risk.level == "high":
            assert c.risk.reason.startswith(("v0 minor jump", "major version jump"))
            # The request named in the reason is one from the build that MVS overrode.
            named = c.risk.reason.split("(asked by ")[1].split(" ")[0].rstrip("):")
            assert any(str(r.by) == named and r.by_selected and not r.sets_max for r in c.requests)
        assert "\n" not in c.risk.reason
    # google.golang.org/protobuf: only modules outside the build ask for v0 versions.
    [pb] = [c for c in found if c.path == "google.golang.org/protobuf"]
    assert pb.risk.level == "low"
