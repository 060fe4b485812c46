"""analysis.loader against the real go command: ``go mod graph`` and ``go list -m all``.

Random universes (``tests/universe.py``) are written as a ``file://`` GOPROXY; for each,
the loader reads the proxy directory directly and must print exactly what
``go mod graph`` prints (byte for byte), and its build list must equal
``go list -m all``. The hand-built scenarios of ``test_loader.py`` (toolchain lines,
duplicate roots, errors, ``-go=``) run through go as well, so every expectation written
there is go's own answer.

Run with ``-s`` (or look at the captured output) to see the agreement counts.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pytest
from gotool import go_env, run_go
from test_loader import SCENARIOS, Scenario, expected_error
from universe import Layout, random_universe

from analysis.errors import GomodxError
from analysis.loader import DirectorySource, load_module_graph_sync

pytestmark = pytest.mark.go


@dataclass
class Outcome:
    """One universe: go's answers, ours, and how they compare."""

    name: str
    go_graph: str
    our_graph: str
    go_list: list[tuple[str, str]]
    our_list: list[tuple[str, str]]

    @property
    def byte_equal(self) -> bool:
        return self.go_graph == self.our_graph

    @property
    def set_equal(self) -> bool:
        return set(self.go_graph.splitlines()) == set(self.our_graph.splitlines())

    @property
    def list_equal(self) -> bool:
        return self.go_list == self.our_list

    def report(self) -> str:
        diff = difflib.unified_diff(
            self.go_graph.splitlines(True),
            self.our_graph.splitlines(True),
            "go mod graph",
            "loader",
            n=1,
        )
        text = f"{self.name}: byte={self.byte_equal} set={self.set_equal}"
        text += f" list={self.list_equal}\n" + "".join(diff)
        if not self.list_equal:
            text += f"go list -m all: {self.go_list}\nloader:         {self.our_list}\n"
        return text


def _go_list(stdout: str) -> list[tuple[str, str]]:
    out = []
    for line in stdout.splitlines():
        fields = line.split()
        out.append((fields[0], fields[1] if len(fields) > 1 else ""))
    return out


def _go_error(stderr: str) -> str:
    """go's final error, without its ``go: `` prefix (earlier lines are warnings)."""
    marker = stderr.rfind("\ngo: ")
    text = stderr[marker + 1 :] if marker >= 0 else stderr
    return text.removeprefix("go: ").rstrip("\n")


def compare(name: str, layout: Layout, go_flag: str | None = None) -> Outcome:
    """Run the loader, then go (which may edit go.mod, so it goes second)."""
    try:
        loaded = load_module_graph_sync(
            layout.main_dir, DirectorySource(layout.proxy_dir), go_version_override=go_flag
        )
        ours = loaded.graph.text()
        our_list = [(m.path, m.version) for m in loaded.build_list()]
    except GomodxError as exc:
        ours, our_list = f"error: {exc}", []
    env = go_env(layout.root / "go", proxy=layout.proxy_url)
    args = ["mod", "graph"] + ([f"-go={go_flag}"] if go_flag else [])
    proc = run_go(args, layout.main_dir, env, check=False)
    go_graph = proc.stdout if proc.returncode == 0 else f"error: {_go_error(proc.stderr)}"
    go_list: list[tuple[str, str]] = []
    if proc.returncode == 0 and go_flag is None:
        listed = run_go(["list", "-m", "all"], layout.main_dir, env)
        go_list = _go_list(listed.stdout)
    else:
        our_list = []
    return Outcome(name, go_graph, ours, go_list, our_list)


# -- hand-built scenarios ---------------------------------------------------------------


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_matches_go(s: Scenario, tmp_path: Path) -> None:
    layout = s.write(tmp_path)
    got = compare(s.name, layout, s.go_flag)
    # go agrees with the expectation written in test_loader.py ...
    if s.error:
        assert got.go_graph == f"error: {expected_error(s, layout)}"
    else:
        assert got.go_graph == s.graph
        if s.build_list and s.go_flag is None:
            assert [f"{p} {v}".strip() for p, v in got.go_list] == s.build_list
    # ... and so does the loader.
    assert got.byte_equal and got.list_equal, got.report()


# -- random universes -------------------------------------------------------------------

# (name, seeds, modules, versions per module, most requirements per go.mod):
# 130 universes, eight of them with 130 to 250 modules.
CLASSES = [
    ("small", range(0, 40), 8, 3, 3),
    ("sparse", range(50, 70), 6, 3, 1),
    ("dense", range(70, 90), 15, 4, 6),
    ("medium", range(100, 135), 25, 5, 3),
    ("large", range(200, 207), 60, 6, 3),
    ("huge", range(300, 306), 130, 6, 3),
    ("huger", range(310, 312), 250, 6, 3),
]


@pytest.mark.parametrize(
    ("name", "seeds", "modules", "versions", "max_deps"), CLASSES, ids=[c[0] for c in CLASSES]
)
def test_random_universes_match_go(
    name: str,
    seeds: range,
    modules: int,
    versions: int,
    max_deps: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    outcomes = []
    for seed in seeds:
        u = random_universe(seed, modules, versions, max_deps=max_deps, zips=False)
        layout = u.write(tmp_path / str(seed))
        outcomes.append(compare(f"seed {seed} ({modules} modules)", layout))
    n = len(outcomes)
    byte = sum(o.byte_equal for o in outcomes)
    sets = sum(o.set_equal for o in outcomes)
    lists = sum(o.list_equal for o in outcomes)
    edges = sum(o.go_graph.count("\n") for o in outcomes)
    with capsys.disabled():
        print(
            f"\nloader vs go ({name}, {modules} modules): {n} universes, {edges} edges;"
            f" graph byte-equal {byte}/{n}, set-equal {sets}/{n}, build list {lists}/{n}"
        )
    bad = [o.report() for o in outcomes if not (o.byte_equal and o.list_equal)]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("go_flag", ["1.16", "1.17", "1.21"])
def test_go_flag_matches_go(go_flag: str, tmp_path: Path) -> None:
    outcomes = []
    for seed in range(400, 408):
        layout = random_universe(seed, 20, 4, zips=False).write(tmp_path / str(seed))
        outcomes.append(compare(f"seed {seed} -go={go_flag}", layout, go_flag))
    bad = [o.report() for o in outcomes if not o.byte_equal]
    assert not bad, "\n".join(bad)
