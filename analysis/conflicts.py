"""Version conflicts: module paths that the graph requests at more than one version.

MVS resolves every such disagreement by taking the highest version, silently. A
:class:`Conflict` makes the resolution visible: who asked for what, which requirement set
the maximum, how each requirer got into the build, and how risky the outcome looks::

    >>> from analysis.modgraph import parse_graph
    >>> g = parse_graph("m a@v1.0.0\\nm b@v0.3.0\\na@v1.0.0 b@v0.5.0\\n")
    >>> [c] = conflicts(g)
    >>> c.path, c.selected, [(str(r.by), r.version) for r in c.requests]
    ('b', 'v0.5.0', [('a@v1.0.0', 'v0.5.0'), ('m', 'v0.3.0')])
    >>> c.risk.level, c.risk.reason
    ('high', 'v0 minor jump v0.3.0 -> v0.5.0 (asked by m): v0 minors may break')

Risk counts only what the build sees: requests from modules in the build (selected
requirers). Older, unselected versions still take part in MVS, so their requests still
appear (``Request.by_selected`` is false), but a path that only they ask for at several
versions is not :attr:`Conflict.in_build` and is ranked low.

The ``go`` and ``toolchain`` pseudo-modules never appear in conflict views.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from analysis.errors import GomodxError
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
    pseudo_version_base,
)

__all__ = [
    "Conflict",
    "Request",
    "Risk",
    "RiskLevel",
    "by_risk",
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
    """How likely a resolution is to break the build: ``low``, ``medium`` or ``high``,
    and why (most severe reason first).

    Only requests from modules in the build count: ``high`` is a major or +incompatible
    jump, a v0 minor jump (v0.x -> v0.y breaks by semver) over such a request, or a
    retracted or excluded selected version; ``medium`` is an override to or from an
    untagged commit (a pseudo-version) or a prerelease selected; ``low`` is a minor or
    patch upgrade within one major version, or a disagreement among modules outside the
    build only.
    """

    level: RiskLevel
    reasons: tuple[str, ...]
    levels: tuple[RiskLevel, ...] = field(default=(), compare=False)
    """The level each reason alone would give (parallel to ``reasons``; may be empty)."""

    @property
    def reason(self) -> str:
        """The main reason, in one line (what the CLI's summary and the app show first)."""
        return self.reasons[0] if self.reasons else ""

    @property
    def key_reasons(self) -> tuple[str, ...]:
        """The reasons worth a reader's time: every medium or high one, or else the main
        one (a low risk's other notes, such as more compatible upgrades, are left out)."""
        if len(self.levels) != len(self.reasons):
            return self.reasons
        raised = tuple(r for r, lvl in zip(self.reasons, self.levels, strict=True) if lvl != "low")
        return raised or self.reasons[:1]

    @property
    def rank(self) -> int:
        """``0`` for low, ``1`` for medium, ``2`` for high."""
        return _LEVELS.index(self.level)


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

    @property
    def in_build(self) -> bool:
        """Whether the build sees this conflict: MVS overrode a request from a module in
        the build (a selected requirer asked for a lower version than the selected one).

        False when only modules outside the build (older, unselected versions) disagree:
        their requirements still count in MVS, but no code built asked for another version.
        False too for requirements on the main module itself, which go ignores.
        """
        return self.selected != "" and any(r.by_selected and not r.sets_max for r in self.requests)

    @property
    def build_requests(self) -> tuple[Request, ...]:
        """The requests from modules in the build (selected requirers), highest first."""
        return tuple(r for r in self.requests if r.by_selected)

    @property
    def winner(self) -> Request | None:
        """The winning request to show: from a module in the build when one asks for the
        selected version, else the one nearest the main module (None when the main module
        itself is required: nobody asks for the version that wins)."""
        if not self.winners:
            return None
        return min(self.winners, key=lambda r: (not r.by_selected, _nearest(r)))

    @property
    def runner_up(self) -> Request | None:
        """The closest losing request from a module in the build: the highest version
        below the selected one (nearest the main module among equals), or None."""
        losers = [r for r in self.requests if r.by_selected and not r.sets_max]
        if not losers:
            return None
        top = losers[0].version  # requests are highest version first
        return min((r for r in losers if r.version == top), key=_nearest)


def _key(path: str) -> Callable[[str], tuple[object, ...]]:
    return lambda v: version_key(path, v)


def _requested(g: ModuleGraph) -> dict[str, list[str]]:
    """Path -> versions that appear as edge targets (what someone requested)."""
    out: dict[str, list[str]] = {}
    for path in g.paths():
        if path in ("go", "toolchain"):
            continue
        vs = [v for v in g.versions(path) if g.in_degree(ModuleVersion(path, v)) > 0]
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


def _untagged(v: str) -> bool:
    """Whether ``v`` is a pseudo-version with no tag below it (``vX.0.0-date-hash``).

    Such a request names a commit, not a release: it makes no semver claim to compare.
    """
    if not is_pseudo_version(v):
        return False
    try:
        return pseudo_version_base(v) == ""
    except GomodxError:
        return False


# One kind of override: (level, severity, what happened, why it matters). The level is
# an index into _LEVELS; severity orders reasons of one level (lower is worse).
_Jump = tuple[int, int, str, str]

_INCOMPATIBLE: _Jump = (2, 2, "major jump through +incompatible", "breaking changes allowed")
_MAJOR: _Jump = (2, 3, "major version jump", "breaking changes allowed")
_V0_MINOR: _Jump = (2, 4, "v0 minor jump", "v0 minors may break")
_UNTAGGED: _Jump = (1, 5, "untagged commit to tag", "a commit, no promise")
_TO_PSEUDO: _Jump = (1, 6, "tag to pseudo-version", "an untagged commit, no promise")
_COMMITS: _Jump = (1, 7, "commit to commit", "no release, no promise")
_MINOR: _Jump = (0, 9, "minor upgrade", "compatible by promise")
_PATCH: _Jump = (0, 10, "patch upgrade", "compatible by promise")


def _jump(lo: str, hi: str) -> _Jump:
    """What overriding a request for ``lo`` with the selected ``hi`` amounts to."""
    incompatible = build(hi) == "+incompatible" or build(lo) == "+incompatible"
    if major(lo) != major(hi) and incompatible:
        return _INCOMPATIBLE
    if _untagged(lo):
        return _COMMITS if is_pseudo_version(hi) else _UNTAGGED
    if major(lo) != major(hi):
        return _MAJOR
    if major(hi) == "v0" and major_minor(lo) != major_minor(hi):
        return _V0_MINOR
    if is_pseudo_version(hi) or is_pseudo_version(lo):
        return _COMMITS if is_pseudo_version(lo) and is_pseudo_version(hi) else _TO_PSEUDO
    if major_minor(lo) != major_minor(hi):
        return _MINOR
    return _PATCH


def _nearest(r: Request) -> int:
    return len(r.paths[0]) if r.paths else 1 << 30


def _assess(
    path: str,
    selected: str,
    requests: Sequence[Request],
    families: Mapping[str, list[str]],
    retracted: Callable[[ModuleVersion], str | None] | None,
    excluded: Collection[ModuleVersion],
) -> Risk:
    """Rank what can break the build: only requests from modules in the build count."""
    if selected == "":
        return Risk(
            "low", ("the main module itself is required; the main module always wins",), ("low",)
        )
    found: list[tuple[int, int, str]] = []  # (level index, severity, reason)
    if retracted is not None:
        why = retracted(ModuleVersion(path, selected))
        if why is not None:
            found.append((2, 0, f"selected {selected} is retracted" + (f": {why}" if why else "")))
    if ModuleVersion(path, selected) in excluded:
        found.append((2, 1, f"selected {selected} is excluded by the main go.mod"))
    overridden = [r for r in requests if r.by_selected and not r.sets_max]
    groups: dict[_Jump, list[Request]] = {}
    for r in overridden:
        groups.setdefault(_jump(r.version, selected), []).append(r)
    key = _key(path)
    for (level, severity, what, why), reqs in groups.items():
        # Name the biggest jump (the lowest version), from the requirer nearest the main
        # module; count the others.
        worst = min(reqs, key=lambda r: (key(r.version), _nearest(r), str(r.by)))
        more = len({r.by for r in reqs}) - 1
        found.append(
            (
                level,
                severity,
                f"{what} {worst.version} -> {selected}"
                + f" (asked by {worst.by}{f' and {more} more' if more else ''}): {why}",
            )
        )
    if is_prerelease(selected) and not is_pseudo_version(selected):
        found.append((1, 8, f"selected {selected} is a prerelease"))
    if overridden and not any(r.by_selected and r.sets_max for r in requests):
        setters = [r for r in requests if r.sets_max]
        if setters:
            by = min(setters, key=lambda r: (_nearest(r), str(r.by))).by
            found.append((0, 11, f"no module in the build asks for {selected}: {by} does"))
    if not overridden:
        found.append((0, 11, "only modules outside the build ask for other versions"))
    if build(selected) == "+incompatible":
        found.append((0, 12, f"selected {selected} is +incompatible (a v2+ tag without go.mod)"))
    prefix, _, ok = split_path_version(path)
    siblings = [p for p in families.get(prefix if ok else path, []) if p != path]
    if siblings:
        found.append(
            (
                0,
                12,
                f"other major versions of the same repository in the build: {', '.join(siblings)}",
            )
        )
    found.sort(key=lambda x: (-x[0], x[1]))  # most severe first
    return Risk(
        _LEVELS[found[0][0]],
        tuple(r for _, _, r in found),
        tuple(_LEVELS[i] for i, _, _ in found),
    )


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
        risk=_assess(path, sel, requests, families, retracted, excluded),
    )


def by_risk(found: Iterable[Conflict]) -> list[Conflict]:
    """Conflicts riskiest first: by level, then those the build sees, then by path."""
    return sorted(found, key=lambda c: (-c.risk.rank, not c.in_build, c.path))


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
