"""MVS against every scenario of Go's ``mvs_test.go`` (spec §6.7) plus property tests.

The table is Go's test data, kept verbatim: ``B1`` is path ``B`` at version ``1``, ``A`` is
path ``A`` at version ``""``; versions order as plain strings with ``none`` lowest and
``""`` highest; versions ending in ``.hidden`` are never chosen by ``upgrade``/``previous``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import BuildListError
from analysis.module import NONE, ModuleVersion
from analysis.mvs import build_list, downgrade, req, upgrade, upgrade_all

MVS_TESTS = """\
# Scenario from blog.
name: blog
A: B1 C2
B1: D3
C1: D2
C2: D4
C3: D5
C4: G1
D2: E1
D3: E2
D4: E2 F1
D5: E2
G1: C4
A2: B1 C4 D4
build A:       A B1 C2 D4 E2 F1
upgrade* A:    A B1 C4 D5 E2 F1 G1
upgrade A C4:  A B1 C4 D4 E2 F1 G1
build A2:     A2 B1 C4 D4 E2 F1 G1
downgrade A2 D2: A2 C4 D2 E2 F1 G1

name: trim
A: B1 C2
B1: D3
C2: B2
B2:
build A: A B2 C2 D3

# Cross-dependency between D and E.
# No matter how it arises, should get result of merging all build lists via max,
# which leads to including both D2 and E2.

name: cross1
A: B C
B: D1
C: D2
D1: E2
D2: E1
build A: A B C D2 E2

name: cross1V
A: B2 C D2 E1
B1:
B2: D1
C: D2
D1: E2
D2: E1
build A: A B2 C D2 E2

name: cross1U
A: B1 C
B1:
B2: D1
C: D2
D1: E2
D2: E1
build A:      A B1 C D2 E1
upgrade A B2: A B2 C D2 E2

name: cross1R
A: B C
B: D2
C: D1
D1: E2
D2: E1
build A: A B C D2 E2

name: cross1X
A: B C
B: D1 E2
C: D2
D1: E2
D2: E1
build A: A B C D2 E2

name: cross2
A: B D2
B: D1
D1: E2
D2: E1
build A: A B D2 E2

name: cross2X
A: B D2
B: D1 E2
C: D2
D1: E2
D2: E1
build A: A B D2 E2

name: cross3
A: B D2 E1
B: D1
D1: E2
D2: E1
build A: A B D2 E2

name: cross3X
A: B D2 E1
B: D1 E2
D1: E2
D2: E1
build A: A B D2 E2

# Should not get E2 here, because B has been updated
# not to depend on D1 anymore.
name: cross4
A1: B1 D2
A2: B2 D2
B1: D1
B2: D2
D1: E2
D2: E1
build A1: A1 B1 D2 E2
build A2: A2 B2 D2 E1

# But the upgrade from A1 preserves the E2 dep explicitly.
upgrade A1 B2: A1 B2 D2 E2
upgradereq A1 B2: B2 E2

name: cross5
A: D1
D1: E2
D2: E1
build A:       A D1 E2
upgrade* A:    A D2 E2
upgrade A D2:  A D2 E2
upgradereq A D2: D2 E2

name: cross6
A: D2
D1: E2
D2: E1
build A:      A D2 E1
upgrade* A:   A D2 E2
upgrade A E2: A D2 E2

name: cross7
A: B C
B: D1
C: E1
D1: E2
E1: D2
build A: A B C D2 E2

# golang.org/issue/31248:
# Even though we select X2, the requirement on I1
# via X1 should be preserved.
name: cross8
M: A1 B1
A1: X1
B1: X2
X1: I1
X2:
build M: M A1 B1 I1 X2

# Upgrade from B1 to B2 should not drop the transitive dep on D.
name: drop
A: B1 C1
B1: D1
B2:
C2:
D2:
build A:    A B1 C1 D1
upgrade* A: A B2 C2 D2

name: simplify
A: B1 C1
B1: C2
C1: D1
C2:
build A: A B1 C2 D1

name: up1
A: B1 C1
B1:
B2:
B3:
B4:
B5.hidden:
C2:
C3:
build A:    A B1 C1
upgrade* A: A B4 C3

name: up2
A: B5.hidden C1
B1:
B2:
B3:
B4:
B5.hidden:
C2:
C3:
build A:    A B5.hidden C1
upgrade* A: A B5.hidden C3

name: down1
A: B2
B1: C1
B2: C2
build A:        A B2 C2
downgrade A C1: A B1 C1

name: down2
A: B2 E2
B1:
B2: C2 F2
C1:
D1:
C2: D2 E2
D2: B2
E2: D2
E1:
F1:
build A:        A B2 C2 D2 E2 F2
downgrade A F1: A B1 C1 D1 E1 F1

# https://research.swtch.com/vgo-mvs#algorithm_4:
# “[D]owngrades are constrained to only downgrade packages, not also upgrade
# them; if an upgrade before downgrade is needed, the user must ask for it
# explicitly.”
#
# Here, downgrading B2 to B1 upgrades C1 to C2, and C2 does not depend on D2.
# However, C2 would be an upgrade — not a downgrade — so B1 must also be
# rejected.
name: downcross1
A: B2 C1
B1: C2
B2: C1
C1: D2
C2:
D1:
D2:
build A:        A B2 C1 D2
downgrade A D1: A       D1

# https://research.swtch.com/vgo-mvs#algorithm_4:
# “Unlike upgrades, downgrades must work by removing requirements, not adding
# them.”
#
# However, downgrading a requirement may introduce a new requirement on a
# previously-unrequired module. If each dependency's requirements are complete
# (“tidy”), that can't change the behavior of any other package whose version is
# not also being downgraded, so we should allow it.
name: downcross2
A: B2
B1: C1
B2: D2
C1:
D1:
D2:
build A:        A B2    D2
downgrade A D1: A B1 C1 D1

name: downcycle
A: A B2
B2: A
B1:
build A:        A B2
downgrade A B1: A B1

# Both B3 and C2 require D2.
# If we downgrade D to D1, then in isolation B3 would downgrade to B1,
# because B2 is hidden — B1 is the next-highest version that is not hidden.
# However, if we downgrade D, we will also downgrade C to C1.
# And C1 requires B2.hidden, and B2.hidden also meets our requirements:
# it is compatible with D1 and a strict downgrade from B3.
#
# Since neither the initial nor the final build list includes B1,
# and the nothing in the final downgraded build list requires E at all,
# no dependency on E1 (required by only B1) should be introduced.
#
name: downhiddenartifact
A: B3 C2
A1: B3
B1: E1
B2.hidden:
B3: D2
C1: B2.hidden
C2: D2
D1:
D2:
build A1: A1 B3 D2
downgrade A1 D1: A1 B1 D1 E1
build A: A B3 C2 D2
downgrade A D1: A B2.hidden C1 D1

# Both B3 and C3 require D2.
# If we downgrade D to D1, then in isolation B3 would downgrade to B1,
# and C3 would downgrade to C1.
# But C1 requires B2.hidden, and B1 requires C2.hidden, so we can't
# downgrade to either of those without pulling the other back up a little.
#
# B2.hidden and C2.hidden are both compatible with D1, so that still
# meets our requirements — but then we're in an odd state in which
# B and C have both been downgraded to hidden versions, without any
# remaining requirements to explain how those hidden versions got there.
#
# TODO(bcmills): Would it be better to force downgrades to land on non-hidden
# versions?
# In this case, that would remove the dependencies on B and C entirely.
#
name: downhiddencross
A: B3 C3
B1: C2.hidden
B2.hidden:
B3: D2
C1: B2.hidden
C2.hidden:
C3: D2
D1:
D2:
build A: A B3 C3 D2
downgrade A D1: A B2.hidden C2.hidden D1

# golang.org/issue/25542.
name: noprev1
A: B4 C2
B2.hidden:
C2:
build A:               A B4        C2
downgrade A B2.hidden: A B2.hidden C2

name: noprev2
A: B4 C2
B2.hidden:
B1:
C2:
build A:               A B4        C2
downgrade A B2.hidden: A B2.hidden C2

name: noprev3
A: B4 C2
B3:
B2.hidden:
C2:
build A:               A B4        C2
downgrade A B2.hidden: A B2.hidden C2

# Cycles involving the target.

# The target must be the newest version of itself.
name: cycle1
A: B1
B1: A1
B2: A2
B3: A3
build A:      A B1
upgrade A B2: A B2
upgrade* A:   A B3

# golang.org/issue/29773:
# Requirements of older versions of the target
# must be carried over.
name: cycle2
A: B1
A1: C1
A2: D1
B1: A1
B2: A2
C1: A2
C2:
D2:
build A:    A B1 C1 D1
upgrade* A: A B2 C2 D2

# Cycles with multiple possible solutions.
# (golang.org/issue/34086)
name: cycle3
M: A1 C2
A1: B1
B1: C1
B2: C2
C1:
C2: B2
build M: M A1 B2 C2
req M:     A1 B2
req M A:   A1 B2
req M C:   A1 C2

# Requirement minimization.

name: req1
A: B1 C1 D1 E1 F1
B1: C1 E1 F1
req A:   B1    D1
req A C: B1 C1 D1

name: req2
A: G1 H1
G1: H1
H1: G1
req A:   G1
req A G: G1
req A H: H1

name: req3
M: A1 B1
A1: X1
B1: X2
X1: I1
X2:
req M: A1 B1

name: reqnone
M: Anone B1 D1 E1
B1: Cnone D1
E1: Fnone
build M: M B1 D1 E1
req M:     B1    E1

name: reqdup
M: A1 B1
A1: B1
B1:
req M A A: A1

name: reqcross
M: A1 B1 C1
A1: B1 C1
B1: C1
C1:
req M A B: A1 B1
"""


def m(text: str) -> ModuleVersion:
    return ModuleVersion(text[:1], text[1:])


class ReqsMap(dict[ModuleVersion, list[ModuleVersion]]):
    """Go's ``reqsMap``: a test requirement graph with string-ordered versions."""

    def max(self, path: str, v1: str, v2: str) -> str:
        if v1 == NONE or v2 == "":
            return v2
        if v2 == NONE or v1 == "":
            return v1
        return v2 if v1 < v2 else v1

    def required(self, mod: ModuleVersion) -> Sequence[ModuleVersion]:
        if mod not in self:
            raise LookupError(f"missing module: {mod}")
        return self[mod]

    def upgrade(self, mod: ModuleVersion) -> ModuleVersion:
        best = ModuleVersion("", NONE)
        for k in self:
            if (
                k.path == mod.path
                and self.max(k.path, best.version, k.version) == k.version
                and not k.version.endswith(".hidden")
            ):
                best = k
        if best.path == "":
            raise LookupError(f"missing module: {mod.path}")
        return best

    def previous(self, mod: ModuleVersion) -> ModuleVersion:
        best = ModuleVersion(mod.path, NONE)
        for k in self:
            if (
                k.path == mod.path
                and self.max(k.path, best.version, k.version) == k.version
                and self.max(k.path, k.version, mod.version) != k.version
                and not k.version.endswith(".hidden")
            ):
                best = k
        return best


@dataclass
class Case:
    scenario: str
    line: str
    reqs: ReqsMap
    op: list[str]
    want: list[ModuleVersion] = field(default_factory=list)


def _cases() -> list[Case]:
    cases: list[Case] = []
    reqs = ReqsMap()
    name = ""
    for raw in MVS_TESTS.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        key, sep, val = line.partition(":")
        assert sep, raw
        kf = key.split()
        if kf == ["name"]:
            name = val.strip()
            reqs = ReqsMap()
            continue
        if len(kf) == 1 and kf[0] not in {"build", "upgrade*", "req"}:
            mod = m(kf[0])
            deps = [m(t) for t in val.split()]
            reqs[mod] = deps
            for d in deps:
                reqs.setdefault(d, [])
            continue
        cases.append(Case(name, line, reqs, kf, [m(t) for t in val.split()]))
    return cases


CASES = _cases()


def _run(case: Case) -> list[ModuleVersion]:
    op, args = case.op[0], case.op[1:]
    reqs = case.reqs
    if op == "build":
        return build_list([m(args[0])], reqs)
    if op == "upgrade*":
        return upgrade_all(m(args[0]), reqs)
    if op == "upgrade":
        return upgrade(m(args[0]), reqs, *(m(a) for a in args[1:]))
    if op == "upgradereq":
        target = m(args[0])
        upgraded = upgrade(target, reqs, *(m(a) for a in args[1:]))
        up = ReqsMap(reqs)
        up[target] = upgraded
        return req(target, [], up)
    if op == "downgrade":
        return downgrade(m(args[0]), reqs, *(m(a) for a in args))
    if op == "req":
        return req(m(args[0]), args[1:], reqs)
    raise AssertionError(f"unknown operation {op}")


def test_all_77_operations_are_present() -> None:
    assert len(CASES) == 77
    assert {c.op[0] for c in CASES} == {
        "build",
        "upgrade*",
        "upgrade",
        "upgradereq",
        "downgrade",
        "req",
    }


@pytest.mark.parametrize("case", CASES, ids=[f"{c.scenario}:{' '.join(c.op)}" for c in CASES])
def test_mvs_scenario(case: Case) -> None:
    got = _run(case)
    assert [str(x) for x in got] == [str(x) for x in case.want], case.line


def test_missing_module_reports_the_chain() -> None:
    reqs = ReqsMap({m("A"): [m("B1")], m("B1"): [m("C1")]})
    with pytest.raises(BuildListError) as info:
        build_list([m("A")], reqs)
    assert info.value.chain == (m("A"), m("B1"), m("C1"))
    assert str(info.value) == "B@1 requires\n\tC@1: missing module: C@1"


def test_deep_chain_does_not_hit_the_recursion_limit() -> None:
    n = 5000
    reqs = ReqsMap({m("A"): [ModuleVersion("p0", "1")]})
    for i in range(n):
        reqs[ModuleVersion(f"p{i}", "1")] = [ModuleVersion(f"p{i + 1}", "1")]
    reqs[ModuleVersion(f"p{n}", "1")] = []
    assert len(build_list([m("A")], reqs)) == n + 2
    assert req(m("A"), [], reqs) == [ModuleVersion("p0", "1")]
    assert len(downgrade(m("A"), reqs, ModuleVersion(f"p{n}", "1"))) == n + 2


# -- properties ---------------------------------------------------------------------

PATHS = "BCDEF"


@st.composite
def graphs(draw: st.DrawFn) -> ReqsMap:
    """Random requirement graphs over paths B..F, versions 1..4, with cycles."""
    nodes = [ModuleVersion(p, str(v)) for p in PATHS for v in range(1, 5)]
    reqs = ReqsMap()
    target = m("A")
    reqs[target] = draw(st.lists(st.sampled_from(nodes), max_size=4, unique_by=lambda x: x.path))
    for node in nodes:
        reqs[node] = draw(
            st.lists(
                st.sampled_from([n for n in nodes if n.path != node.path]),
                max_size=3,
                unique_by=lambda x: x.path,
            )
        )
    return reqs


def _reachable(reqs: ReqsMap, start: ModuleVersion) -> set[ModuleVersion]:
    seen = {start}
    stack = [start]
    while stack:
        for d in reqs[stack.pop()]:
            if d not in seen:
                seen.add(d)
                stack.append(d)
    return seen


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_build_list_is_the_max_over_the_reachable_graph(reqs: ReqsMap) -> None:
    got = build_list([m("A")], reqs)
    want: dict[str, str] = {}
    for node in _reachable(reqs, m("A")) - {m("A")}:
        want[node.path] = max(want.get(node.path, ""), node.version)
    assert got[0] == m("A")
    assert {x.path: x.version for x in got[1:]} == want
    assert [x.path for x in got[1:]] == sorted(want)


@settings(max_examples=150, deadline=None)
@given(graphs())
def test_req_is_minimal_and_preserves_the_build_list(reqs: ReqsMap) -> None:
    target = m("A")
    full = build_list([target], reqs)
    minimal = req(target, [], reqs)
    again = ReqsMap(reqs)
    again[target] = minimal
    assert build_list([target], again) == full
    for i in range(len(minimal)):
        fewer = ReqsMap(reqs)
        fewer[target] = minimal[:i] + minimal[i + 1 :]
        assert build_list([target], fewer) != full, f"{minimal[i]} was redundant"


@settings(max_examples=150, deadline=None)
@given(graphs(), st.sampled_from(PATHS), st.integers(1, 4))
def test_downgrade_never_exceeds_the_ceiling(reqs: ReqsMap, path: str, v: int) -> None:
    target = m("A")
    before = {x.path: x.version for x in build_list([target], reqs)}
    after = downgrade(target, reqs, ModuleVersion(path, str(v)))
    assert after[0] == target
    for x in after[1:]:
        assert x.version <= before.get(x.path, x.version) or x.path not in before
        if x.path == path:
            assert x.version <= str(v)


@settings(max_examples=100, deadline=None)
@given(graphs())
def test_upgrade_all_selects_at_least_the_build_list(reqs: ReqsMap) -> None:
    target = m("A")
    before = {x.path: x.version for x in build_list([target], reqs)}
    after = {x.path: x.version for x in upgrade_all(target, reqs)}
    for p, v in before.items():
        assert after[p] >= v
