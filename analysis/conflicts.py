"""Version conflicts: module paths that the graph requests at more than one version.

MVS resolves every such disagreement by taking the highest version, silently. A
:class:`Conflict` makes the resolution visible: who asked for what, which requirement set
the maximum, how each requirer got into the build, and how risky the outcome looks::

    >>> from analysis.modgraph import parse_graph
    >>> g = parse_graph("m a@v1.0.0\\nm b@v0.3.0\\na@v1.0.0 b@v0.5.0\\n")
    >>> [c] = conflicts(g)
    >>> c.path, c.selected, [(str(r.by), r.version) for r in c.requests]
    ('b', 'v0.5.0', [('a@v1.0.0', 'v0.5.0'), ('m', 'v0.3.0')])
    >>> c.risk.level, c.risk.reasons[0]
    ('high', 'minor version jump within v0 (v0.3 -> v0.5): v0 makes no compatibility promise')

The ``go`` and ``toolchain`` pseudo-modules never appear in conflict views.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from analysis.modgraph import ModuleGraph, shortest_paths, version_key
from analysis.modpath import split_path_version
from analysis.module import ModuleVersion
from analysis.semver import (
    build,
    is_prerelease,
    is_pseudo_version,
    major,
    major_minor,
    mod_compare,
)

__all__ = [
    "Conflict",
    "Request",
    "Risk",
    "RiskLevel",
    "conflicting_paths",
    "conflicts",
    "find_conflict",
    "major_families",
    "retraction_checker",
]

RiskLevel = Literal["low", "medium", "high"]
_LEVELS: tuple[RiskLevel, ...] = ("low", "medium", "high")


@dataclass(frozen=True)
class Request:
    """One requirement on the conflicting module: ``by``'s go.mod asks for ``version``.

    ``sets_max`` is true when this request is what MVS selected (the highest one).
    ``by_selected`` is false when the requirer is itself an older, unselected version
    (its requirement still counts in MVS). ``paths`` are shortest requirement paths from
    the main module to ``by`` (each starts at the main module and ends at ``by``).
    """

    by: ModuleVersion
    version: str
    sets_max: bool
    by_selected: bool
    paths: tuple[tuple[ModuleVersion, ...], ...]


@dataclass(frozen=True)
class Risk:
    """How worrying a resolution is: ``low``, ``medium`` or ``high``, and why."""

    level: RiskLevel
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Conflict:
    """A module path requested at several versions, and how MVS resolved it."""

    path: str
    selected: str
    requests: tuple[Request, ...]
    risk: Risk

    @property
    def module(self) -> ModuleVersion:
        """The selected module version."""
        return ModuleVersion(self.path, self.selected)

    @property
    def versions(self) -> tuple[str, ...]:
        """The distinct requested versions, lowest first."""
        seen = {r.version for r in self.requests}
        return tuple(sorted(seen, key=_key(self.path)))

    @property
    def winners(self) -> tuple[Request, ...]:
        """The requests that set the maximum (they ask for the selected version)."""
        return tuple(r for r in self.requests if r.sets_max)


def _key(path: str) -> Callable[[str], tuple[object, ...]]:
    return lambda v: version_key(path, v)


def _requested(g: ModuleGraph) -> dict[str, list[str]]:
    """Path -> versions that appear as edge targets (what someone requested)."""
    out: dict[str, list[str]] = {}
    graph = g.graph
    for path in g.paths():
        if path in ("go", "toolchain"):
            continue
        vs = [v for v in g.versions(path) if graph.in_degree(ModuleVersion(path, v)) > 0]
        if vs:
            out[path] = vs
    return out


def conflicting_paths(g: ModuleGraph) -> list[str]:
    """The paths requested at more than one version, sorted (cheap: no paths, no risks)."""
    return sorted(p for p, vs in _requested(g).items() if len(vs) > 1)


def major_families(g: ModuleGraph | Iterable[str]) -> dict[str, list[str]]:
    """Repositories present at several major versions: ``prefix -> [paths]``.

    ``example.com/x`` and ``example.com/x/v2`` share the prefix ``example.com/x``;
    ``gopkg.in/yaml.v2`` and ``gopkg.in/yaml.v3`` share ``gopkg.in/yaml``. Only
    selected (build-list) paths of a graph are considered.
    """
    if isinstance(g, ModuleGraph):
        paths: Iterable[str] = [p for p in g.selected() if p not in ("go", "toolchain")]
    else:
        paths = g
    fam: dict[str, list[str]] = {}
    for p in paths:
        prefix, _, ok = split_path_version(p)
        fam.setdefault(prefix if ok else p, []).append(p)
    return {k: sorted(v) for k, v in fam.items() if len(v) > 1}


def retraction_checker(
    retractions: Mapping[str, Sequence[tuple[str, str, str]]],
) -> Callable[[ModuleVersion], str | None]:
    """A ``retracted`` callback from ``path -> [(low, high, rationale)]``.

    The callback returns the rationale (``""`` if none was given) of the first interval
    containing the version, or None when the version is not retracted.
    """

    def check(m: ModuleVersion) -> str | None:
        for lo, hi, why in retractions.get(m.path, ()):
            if mod_compare(m.path, lo, m.version) <= 0 <= mod_compare(m.path, hi, m.version):
                return why
        return None

    return check


def _assess(
    path: str,
    selected: str,
    versions: Sequence[str],
    families: Mapping[str, list[str]],
    retracted: Callable[[ModuleVersion], str | None] | None,
    excluded: Collection[ModuleVersion],
) -> Risk:
    if selected == "":
        return Risk("low", ("the main module itself is required; the main module always wins",))
    found: list[tuple[int, str]] = []  # (level index, reason)
    sel_major = major(selected)
    lower = [v for v in versions if v != selected]
    # Major jumps: v0 -> v1, or into/out of +incompatible majors.
    jumped = sorted({major(v) for v in lower if major(v) != sel_major})
    if jumped:
        found.append(
            (
                2,
                f"major version jump ({', '.join(jumped)} -> {sel_major}): breaking changes allowed",
            )
        )
    if sel_major == "v0":
        minors = sorted(
            {major_minor(v) for v in lower if major(v) == "v0"} - {major_minor(selected)},
            key=_key(path),
        )
        if minors:
            found.append(
                (
                    2,
                    f"minor version jump within v0 ({', '.join(minors)} -> {major_minor(selected)}):"
                    " v0 makes no compatibility promise",
                )
            )
    if retracted is not None:
        why = retracted(ModuleVersion(path, selected))
        if why is not None:
            found.append((2, f"selected {selected} is retracted" + (f": {why}" if why else "")))
    if ModuleVersion(path, selected) in excluded:
        found.append((2, f"selected {selected} is excluded by the main go.mod"))
    if is_pseudo_version(selected):
        found.append((1, f"selected {selected} is a pseudo-version (an untagged commit)"))
    elif is_prerelease(selected):
        found.append((1, f"selected {selected} is a prerelease"))
    if build(selected) == "+incompatible":
        found.append((1, f"selected {selected} is +incompatible (a v2+ tag without go.mod)"))
    prefix, _, ok = split_path_version(path)
    siblings = [p for p in families.get(prefix if ok else path, []) if p != path]
    if siblings:
        found.append(
            (1, f"other major versions of the same repository in the build: {', '.join(siblings)}")
        )
    if not found:
        minor_set = {major_minor(v) for v in versions}
        if len(minor_set) > 1:
            found.append((0, "minor upgrade within one major version (compatible by promise)"))
        else:
            found.append((0, "patch-level difference only"))
    level = max(i for i, _ in found)
    reasons = [r for i, r in sorted(found, key=lambda x: -x[0])]
    return Risk(_LEVELS[level], tuple(reasons))


def _build_conflict(
    g: ModuleGraph,
    path: str,
    versions: Sequence[str],
    selected: dict[str, str],
    families: Mapping[str, list[str]],
    retracted: Callable[[ModuleVersion], str | None] | None,
    excluded: Collection[ModuleVersion],
    path_limit: int,
    path_cache: dict[ModuleVersion, tuple[tuple[ModuleVersion, ...], ...]] | None = None,
) -> Conflict:
    sel = selected[path]
    if path_cache is None:
        path_cache = {}
    requests: list[Request] = []
    for v in sorted(versions, key=_key(path), reverse=True):
        node = ModuleVersion(path, v)
        for by in g.requirers(node):
            paths = path_cache.get(by)
            if paths is None:
                paths = tuple(tuple(p) for p in shortest_paths(g, by, path_limit))
                path_cache[by] = paths
            requests.append(
                Request(
                    by=by,
                    version=v,
                    sets_max=v == sel,
                    by_selected=selected.get(by.path) == by.version,
                    paths=paths,
                )
            )
    return Conflict(
        path=path,
        selected=sel,
        requests=tuple(requests),
        risk=_assess(path, sel, versions, families, retracted, excluded),
    )


def conflicts(
    g: ModuleGraph,
    retracted: Callable[[ModuleVersion], str | None] | None = None,
    excluded: Collection[ModuleVersion] = (),
    path_limit: int = 3,
) -> list[Conflict]:
    """Every module path requested at more than one version, sorted by path.

    ``retracted(m)`` returns a rationale string when ``m`` is retracted (None when not);
    ``excluded`` is the main go.mod's exclude set. Each request carries up to
    ``path_limit`` shortest paths from the main module to its requirer.
    """
    selected = g.selected()
    families = major_families(g)
    out: list[Conflict] = []
    cache: dict[ModuleVersion, tuple[tuple[ModuleVersion, ...], ...]] = {}
    for path, vs in sorted(_requested(g).items()):
        if len(vs) > 1:
            out.append(
                _build_conflict(
                    g, path, vs, selected, families, retracted, excluded, path_limit, cache
                )
            )
    return out


def find_conflict(
    g: ModuleGraph,
    path: str,
    retracted: Callable[[ModuleVersion], str | None] | None = None,
    excluded: Collection[ModuleVersion] = (),
    path_limit: int = 3,
) -> Conflict | None:
    """The conflict on ``path``, or None when it is requested at one version (or not at all)."""
    vs = _requested(g).get(path, [])
    if len(vs) < 2:
        return None
    return _build_conflict(
        g, path, vs, g.selected(), major_families(g), retracted, excluded, path_limit
    )
