"""Minimal version selection, as ``cmd/go/internal/mvs`` computes it.

The algorithms only see module versions through a :class:`Reqs` object: what a version
requires and how two versions of one path compare. Version strings are opaque except for
:data:`~analysis.module.NONE` (absent, lowest) and, by cmd/go's convention, ``""`` (the main
module, highest). Cycles are allowed everywhere.

>>> class Table:
...     def __init__(self, reqs):
...         self.reqs = reqs
...     def required(self, m):
...         return self.reqs.get(m, [])
...     def max(self, path, v1, v2):
...         if v1 == "" or v2 == "none":
...             return v1
...         return v2 if v2 == "" or v1 == "none" else max(v1, v2)
>>> A, B1, C2, D3, D4 = (ModuleVersion(p, v) for p, v in
...     [("A", ""), ("B", "1"), ("C", "2"), ("D", "3"), ("D", "4")])
>>> [str(m) for m in build_list([A], Table({A: [B1, C2], B1: [D3], C2: [D4]}))]
['A', 'B@1', 'C@2', 'D@4']

:class:`GoModReqs` is the cmd/go flavour: it reads go.mod files through a callback and
applies the main module's ``exclude`` and ``replace`` directives the way the go command does.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from analysis import modfile
from analysis.errors import BuildListError
from analysis.modfile import ModFile
from analysis.modgraph import ModuleGraph
from analysis.module import NONE, ModuleVersion
from analysis.semver import cmp_version, gover_compare, mod_sort_key

__all__ = [
    "DowngradeReqs",
    "GoModReqs",
    "LoadedReqs",
    "Reqs",
    "RequirementGraph",
    "UpgradeReqs",
    "WorkspaceRequirementGraph",
    "build_list",
    "downgrade",
    "req",
    "upgrade",
    "upgrade_all",
]


class Reqs(Protocol):
    """The module requirement graph as MVS sees it (Go's ``mvs.Reqs``)."""

    def required(self, m: ModuleVersion) -> Sequence[ModuleVersion]:
        """The versions ``m`` itself requires (its go.mod's requirements)."""
        ...

    def max(self, path: str, v1: str, v2: str) -> str:
        """The larger of ``v1`` and ``v2`` for module ``path``; ``max(p, v, "none") == v``."""
        ...


class UpgradeReqs(Reqs, Protocol):
    """:class:`Reqs` that can also name the version an "upgrade all" moves ``m`` to."""

    def upgrade(self, m: ModuleVersion) -> ModuleVersion:
        """The version ``m`` upgrades to (``m`` itself for none)."""
        ...


class DowngradeReqs(Reqs, Protocol):
    """:class:`Reqs` that can also step a module back one allowed version."""

    def previous(self, m: ModuleVersion) -> ModuleVersion:
        """The highest allowed version below ``m``, or ``ModuleVersion(m.path, "none")``."""
        ...


def _comparator(reqs: Reqs) -> Callable[[str, str, str], int]:
    if type(reqs).max is LoadedReqs.max:
        # The two max calls below, answered by one comparison (a graph's every edge).
        return cmp_version

    def cmp(path: str, v1: str, v2: str) -> int:
        if reqs.max(path, v1, v2) != v1:
            return -1
        if reqs.max(path, v2, v1) != v2:
            return 1
        return 0

    return cmp


class _Graph:
    """The reachable requirement graph with the running maximum per path (``mvs.Graph``)."""

    def __init__(self, cmp: Callable[[str, str, str], int], roots: Sequence[ModuleVersion]):
        self.cmp = cmp
        self.roots = list(roots)
        self.required: dict[ModuleVersion, list[ModuleVersion]] = {}
        self.reachable: set[ModuleVersion] = set(roots)
        self.selected: dict[str, str] = {}
        for m in roots:
            self._raise(m)

    def _raise(self, m: ModuleVersion) -> None:
        have = self.selected.get(m.path, NONE)
        if have != m.version and self.cmp(m.path, have, m.version) < 0:
            self.selected[m.path] = m.version

    def require(self, m: ModuleVersion, reqs: list[ModuleVersion]) -> None:
        self.required[m] = reqs
        for d in reqs:
            self.reachable.add(d)
            self._raise(d)

    def build_list(self) -> list[ModuleVersion]:
        out: list[ModuleVersion] = []
        seen: set[str] = set()
        for r in self.roots:
            if r.path in seen:
                continue
            seen.add(r.path)
            v = self.selected.get(r.path, NONE)
            if v != NONE:
                out.append(ModuleVersion(r.path, v))
        rest = [
            ModuleVersion(p, v) for p, v in self.selected.items() if p not in seen and v != NONE
        ]
        rest.sort(key=lambda m: m.path)  # paths are unique here
        return out + rest


def _find_path(
    required: Mapping[ModuleVersion, Sequence[ModuleVersion]],
    starts: Sequence[ModuleVersion],
    found: Callable[[ModuleVersion], bool],
) -> list[ModuleVersion] | None:
    """``mvs.Graph.FindPath``: breadth-first from ``starts`` along ``required``, the
    shortest chain that ends at a node ``found`` accepts (None when none is reachable)."""
    parent: dict[ModuleVersion, ModuleVersion | None] = {t: None for t in starts}
    queue = deque(starts)
    while queue:
        m = queue.popleft()
        if found(m):
            chain = [m]
            p = parent[m]
            while p is not None:
                chain.append(p)
                p = parent[p]
            return chain[::-1]
        for r in required.get(m, ()):
            if r not in parent:
                parent[r] = m
                queue.append(r)
    return None


class LoadedReqs:
    """cmd/go's ``mvsReqs``: :class:`Reqs` where the main module requires ``roots`` and
    every other version what ``required_of`` says (its go.mod, already loaded); versions
    compare with :func:`~analysis.semver.cmp_version`."""

    def __init__(
        self,
        main: ModuleVersion,
        roots: Sequence[ModuleVersion],
        required_of: Callable[[ModuleVersion], Sequence[ModuleVersion]],
    ) -> None:
        self.main = main
        self.roots = roots
        self.required_of = required_of

    def required(self, m: ModuleVersion) -> Sequence[ModuleVersion]:
        if m == self.main:
            return self.roots
        if m.version == NONE:
            return []
        return self.required_of(m)

    def max(self, path: str, v1: str, v2: str) -> str:
        return _max_version(path, v1, v2)


def _max_version(path: str, v1: str, v2: str) -> str:
    """cmd/go's ``mvsReqs.Max``: ``v1`` unless ``v2`` is higher."""
    return v2 if cmp_version(path, v1, v2) < 0 else v1


def selected_roots(
    main: ModuleVersion, roots: Sequence[ModuleVersion], selected: Callable[[str], str]
) -> tuple[list[ModuleVersion], bool]:
    """One round of cmd/go's ``updatePrunedRoots``: every root path once (never the main
    module's) at ``selected(path)``, and whether any root moved."""
    out: list[ModuleVersion] = []
    seen = {main.path}
    moved = False
    for m in roots:
        if m.path in seen:
            continue  # a redundant root: its path already has its selected version
        v = selected(m.path)
        out.append(ModuleVersion(m.path, v))
        seen.add(m.path)
        if v != m.version:
            moved = True
    return out, moved


def unpruned_root_paths(
    roots: Sequence[ModuleVersion],
    graph: RequirementGraph[Any],
    keep: Sequence[ModuleVersion],
    direct: Collection[str],
) -> list[str]:
    """The paths cmd/go's ``updateUnprunedRoots`` keeps for ``mvs.Req``: the roots that are
    selected in ``graph``, then the direct paths among ``keep``."""
    paths: list[str] = []
    seen: set[str] = set()
    for r in roots:
        if r.path not in seen and graph.selected(r.path) == r.version:
            paths.append(r.path)
            seen.add(r.path)
    for m in keep:
        if m.path in direct and m.path not in seen:
            paths.append(m.path)
            seen.add(m.path)
    return paths


_F = TypeVar("_F")


class RequirementGraph(Generic[_F]):
    """One ``readModGraph`` result in cmd/go: the requirement lists read from the main
    module's ``roots`` (``required[main]`` is ``roots``), and the nodes whose go.mod
    could not be read (``failed``, mapped to whatever the reader keeps as the reason).

    Versions compare with :func:`~analysis.semver.cmp_version` (the main module highest).
    The selected versions are computed on first use: fill ``required`` first.
    """

    def __init__(self, main: ModuleVersion, roots: Sequence[ModuleVersion]) -> None:
        self.main = main
        self.roots = tuple(roots)
        self.required: dict[ModuleVersion, tuple[ModuleVersion, ...]] = {main: self.roots}
        self.failed: dict[ModuleVersion, _F] = {}
        self._selected: dict[str, str] | None = None

    def selected(self, path: str) -> str:
        """``mvs.Graph.Selected``: the highest version of ``path`` required anywhere
        (roots included), ``""`` for the main module, ``none`` when nothing requires it."""
        if self._selected is None:
            sel: dict[str, str] = {self.main.path: ""}
            for reqs in self.required.values():
                for r in reqs:
                    cur = sel.get(r.path)
                    if cur is None or cmp_version(r.path, cur, r.version) < 0:
                        sel[r.path] = r.version
            self._selected = sel
        return self._selected.get(path, NONE)

    def walk(self) -> list[ModuleVersion]:
        """``WalkBreadthFirst`` from the main module (every version, not only selected)."""
        order = [self.main]
        seen = {self.main}
        queue = deque(order)
        while queue:
            m = queue.popleft()
            for r in self.required.get(m, ()):
                if r not in seen and r.version != NONE:
                    seen.add(r)
                    order.append(r)
                    queue.append(r)
        return order

    def build_list(self) -> list[ModuleVersion]:
        """``BuildList``: the main module, then every other selected path in ModSort order."""
        self.selected(self.main.path)
        assert self._selected is not None
        rest = [
            ModuleVersion(p, v)
            for p, v in self._selected.items()
            if p != self.main.path and v != NONE
        ]
        rest.sort(key=lambda m: mod_sort_key(m.path, m.version))
        return [self.main, *rest]

    def find_failure(self) -> list[ModuleVersion] | None:
        """The shortest chain from the main module to a failed node (``findError``)."""
        return _find_path(self.required, [self.main], lambda m: m in self.failed)

    def module_graph(self) -> ModuleGraph:
        """The graph as ``go mod graph`` prints it: breadth-first from the main module,
        each node's requirements in order."""
        out = ModuleGraph(self.main)
        edges: list[tuple[ModuleVersion, ModuleVersion]] = []
        for m in self.walk():
            edges.extend((m, r) for r in self.required.get(m, ()))
        out.add_edges(edges)
        return out


class WorkspaceRequirementGraph(RequirementGraph[_F]):
    """``readModGraph`` in workspace mode: the graph's roots are the main modules (version
    ``""``) and the go.work's ``go`` and ``toolchain``, in ModSort order, with no main
    module above them. Each main module's requirement list is its go.mod's, read like any
    other; breadth-first walks and the build list start from the roots.

    ``main`` (what :class:`RequirementGraph` needs) is the first root.
    """

    def __init__(self, roots: Sequence[ModuleVersion]) -> None:
        super().__init__(roots[0], roots)
        del self.required[self.main]

    def selected(self, path: str) -> str:
        if self._selected is None:
            sel: dict[str, str] = {}
            for reqs in (self.roots, *self.required.values()):
                for r in reqs:
                    cur = sel.get(r.path)
                    if cur is None or cmp_version(r.path, cur, r.version) < 0:
                        sel[r.path] = r.version
            self._selected = sel
        return self._selected.get(path, NONE)

    def walk(self) -> list[ModuleVersion]:
        order = [r for r in dict.fromkeys(self.roots) if r.version != NONE]
        seen = set(order)
        queue = deque(order)
        while queue:
            m = queue.popleft()
            for r in self.required.get(m, ()):
                if r not in seen and r.version != NONE:
                    seen.add(r)
                    order.append(r)
                    queue.append(r)
        return order

    def build_list(self) -> list[ModuleVersion]:
        """``mvs.Graph.BuildList``: each root path once at its selected version, then every
        other selected path in ModSort order."""
        self.selected(self.main.path)
        assert self._selected is not None
        head: list[ModuleVersion] = []
        seen: set[str] = set()
        for r in self.roots:
            if r.path not in seen:
                seen.add(r.path)
                if self._selected[r.path] != NONE:
                    head.append(ModuleVersion(r.path, self._selected[r.path]))
        rest = [ModuleVersion(p, v) for p, v in self._selected.items() if p not in seen]
        rest.sort(key=lambda m: mod_sort_key(m.path, m.version))
        return head + rest

    def find_failure(self) -> list[ModuleVersion] | None:
        return _find_path(self.required, list(self.roots), lambda m: m in self.failed)

    def module_graph(self) -> ModuleGraph:
        out = ModuleGraph()
        for r in self.roots:
            if r.version == "":
                out.add_node(r)
        edges: list[tuple[ModuleVersion, ModuleVersion]] = []
        for m in self.walk():
            edges.extend((m, r) for r in self.required.get(m, ()))
        out.add_edges(edges)
        return out


def _build(
    targets: Sequence[ModuleVersion],
    reqs: Reqs,
    upgrade: Callable[[ModuleVersion], ModuleVersion] | None = None,
) -> list[ModuleVersion]:
    g = _Graph(_comparator(reqs), targets)
    queue = deque(targets)
    queued = set(targets)
    errors: dict[ModuleVersion, BaseException] = {}
    while queue:
        m = queue.popleft()
        required: list[ModuleVersion] = []
        if m.version != NONE:
            try:
                required = list(reqs.required(m))
            except Exception as exc:  # reported with the chain that reached m
                errors[m] = exc
        if upgrade is not None:
            try:
                u = upgrade(m)
            except Exception as exc:
                errors.setdefault(m, exc)
            else:
                if u != m:
                    required.insert(0, u)
        g.require(m, required)
        for r in required:
            if r not in queued:
                queued.add(r)
                queue.append(r)
    if errors:
        # Report the error closest to a target, as go does.
        order = {m: i for i, m in enumerate(_bfs_order(g, targets))}
        bad = min(errors, key=lambda m: order.get(m, len(order)))
        chain = _find_path(g.required, targets, lambda m: m == bad) or [bad]
        raise BuildListError(chain, errors[bad])
    out = g.build_list()
    for t, got in zip(targets, out, strict=False):
        if t != got:
            raise AssertionError(f"mvs: chose {got} instead of target {t}")
    return out


def _bfs_order(g: _Graph, targets: Sequence[ModuleVersion]) -> list[ModuleVersion]:
    seen = set(targets)
    order = list(targets)
    i = 0
    while i < len(order):
        for r in g.required.get(order[i], ()):
            if r not in seen:
                seen.add(r)
                order.append(r)
        i += 1
    return order


def build_list(targets: Sequence[ModuleVersion], reqs: Reqs) -> list[ModuleVersion]:
    """The build list of ``targets``: they come first, then every other path, sorted.

    Each path is at the highest version required anywhere in the graph reachable from
    the targets. Raises :class:`BuildListError` when a go.mod cannot be loaded.
    """
    return _build(targets, reqs)


def _postorder(
    roots: Iterable[ModuleVersion],
    reqs: Reqs,
    cache: dict[ModuleVersion, Sequence[ModuleVersion]],
) -> list[ModuleVersion]:
    """Depth-first post-order over ``reqs.required``, iterative (graphs can be deep)."""
    post: list[ModuleVersion] = []
    for root in roots:
        if root in cache:
            continue
        cache[root] = list(reqs.required(root))
        stack: list[tuple[ModuleVersion, int]] = [(root, 0)]
        while stack:
            m, i = stack[-1]
            children = cache[m]
            if i < len(children):
                stack[-1] = (m, i + 1)
                c = children[i]
                if c not in cache:
                    cache[c] = list(reqs.required(c))
                    stack.append((c, 0))
            else:
                stack.pop()
                post.append(m)
    return post


def req(main: ModuleVersion, base: Sequence[str], reqs: Reqs) -> list[ModuleVersion]:
    """The minimal requirement list for ``main`` that still yields the same build list.

    Paths in ``base`` are kept (at their selected version) even when implied by others.
    The result is sorted by path and never contains ``main`` itself.
    """
    blist = build_list([main], reqs)
    cache: dict[ModuleVersion, Sequence[ModuleVersion]] = {main: []}
    post = _postorder(blist, reqs, cache)

    have: set[ModuleVersion] = set()

    def mark(start: ModuleVersion) -> None:
        stack = [start]
        while stack:
            m = stack.pop()
            if m in have:
                continue
            have.add(m)
            stack.extend(cache.get(m, ()))

    top: dict[str, str] = {}
    for m in blist:
        top[m.path] = reqs.max(m.path, m.version, top[m.path]) if m.path in top else m.version

    out: list[ModuleVersion] = []
    seen_base: set[str] = set()
    for path in base:
        if path in seen_base:
            continue
        seen_base.add(path)
        m = ModuleVersion(path, top.get(path, ""))
        out.append(m)
        mark(m)
    for m in reversed(post):
        if top.get(m.path) != m.version:
            continue
        if m not in have:
            out.append(m)
            mark(m)
    out.sort(key=lambda m: (m.path, m.version))
    return out


def upgrade_all(target: ModuleVersion, reqs: UpgradeReqs) -> list[ModuleVersion]:
    """The build list with every module upgraded as ``reqs.upgrade`` says (``go get -u``)."""

    def up(m: ModuleVersion) -> ModuleVersion:
        return target if m.path == target.path else reqs.upgrade(m)

    return _build([target], reqs, up)


class _Override:
    """``reqs`` with ``target``'s requirements replaced by ``required``."""

    def __init__(self, target: ModuleVersion, required: Sequence[ModuleVersion], reqs: Reqs):
        self.target = target
        self.list = list(required)
        self.reqs = reqs

    def required(self, m: ModuleVersion) -> Sequence[ModuleVersion]:
        return self.list if m == self.target else self.reqs.required(m)

    def max(self, path: str, v1: str, v2: str) -> str:
        return self.reqs.max(path, v1, v2)


def upgrade(target: ModuleVersion, reqs: Reqs, *upgrades: ModuleVersion) -> list[ModuleVersion]:
    """The build list after upgrading each of ``upgrades`` (new edges only, none removed)."""
    required = list(reqs.required(target))
    present = {m.path for m in required}
    to: dict[str, str] = {}
    for u in upgrades:
        if u.path not in present:
            required.append(ModuleVersion(u.path, NONE))
            present.add(u.path)
        to[u.path] = reqs.max(u.path, to[u.path], u.version) if u.path in to else u.version

    def up(m: ModuleVersion) -> ModuleVersion:
        v = to.get(m.path)
        return m if v is None else ModuleVersion(m.path, v)

    return _build([target], _Override(target, required, reqs), up)


def downgrade(
    target: ModuleVersion, reqs: DowngradeReqs, *downgrades: ModuleVersion
) -> list[ModuleVersion]:
    """The build list after downgrading to ``downgrades`` by removing requirements.

    A module whose every lower version still needs something too new is dropped.
    """
    blist = build_list([target], reqs)[1:]
    ceiling: dict[str, str] = {m.path: m.version for m in blist}
    for d in downgrades:
        v = ceiling.get(d.path)
        if v is None or reqs.max(d.path, v, d.version) != d.version:
            ceiling[d.path] = d.version

    added: set[ModuleVersion] = set()
    excluded: set[ModuleVersion] = set()
    rdeps: dict[ModuleVersion, list[ModuleVersion]] = {}

    def exclude(start: ModuleVersion) -> None:
        stack = [start]
        while stack:
            m = stack.pop()
            if m in excluded:
                continue
            excluded.add(m)
            stack.extend(rdeps.get(m, ()))

    def too_high(m: ModuleVersion) -> bool:
        c = ceiling.get(m.path)
        return c is not None and reqs.max(m.path, m.version, c) != c

    def add(start: ModuleVersion) -> None:
        # Iterative form of a recursive walk: a frame is (module, its requirements, index).
        if start in added:
            return
        frames: list[tuple[ModuleVersion, Sequence[ModuleVersion], int]] = []

        def enter(m: ModuleVersion) -> None:
            added.add(m)
            if too_high(m):
                exclude(m)
                return
            try:
                rl = list(reqs.required(m))
            except Exception:
                exclude(m)
                return
            frames.append((m, rl, 0))

        enter(start)
        while frames:
            m, rl, i = frames[-1]
            if i > 0:
                # Finished adding rl[i-1]: propagate its exclusion or record the edge.
                r = rl[i - 1]
                if r in excluded:
                    exclude(m)
                    frames.pop()
                    continue
                rdeps.setdefault(r, []).append(m)
            if i == len(rl):
                frames.pop()
                continue
            frames[-1] = (m, rl, i + 1)
            r = rl[i]
            if r not in added:
                enter(r)

    out = [target]
    for r in blist:
        add(r)
        dropped = False
        while r in excluded:
            p = reqs.previous(r)
            v = ceiling[r.path]
            # Prefer the exact requested version when it lies between p and r (it may be
            # a hidden or pseudo-version that previous() would skip).
            if reqs.max(r.path, v, r.version) != v and reqs.max(r.path, p.version, v) != p.version:
                p = ModuleVersion(p.path, v)
            if p.version == NONE:
                dropped = True
                break
            add(p)
            r = p
        if not dropped:
            out.append(r)

    # Drop requirements that only downgraded versions introduced and that others pull up.
    actual = {m.path: m.version for m in build_list([target], _Override(target, out, reqs))}
    out = [ModuleVersion(m.path, actual[m.path]) for m in blist if m.path in actual]
    return build_list([target], _Override(target, out, reqs))


# -- the go command's Reqs ------------------------------------------------------------


class GoModReqs:
    """cmd/go's requirement graph, read from go.mod files and the main go.mod's directives.

    ``main`` is the parsed main go.mod. ``go_mod(m)`` returns the go.mod bytes of module
    version ``m`` (the version after replacement; from a proxy, the module cache, …).
    ``versions(path)`` lists a module's known versions, for :meth:`previous`;
    ``retracted(m)`` says whether a version is retracted (retracted versions are skipped
    by :meth:`previous`, as are excluded ones). Directory replacements are read from
    ``main_dir``.

    * ``exclude``: a requirement on an excluded version is dropped (Go ≥ 1.16).
    * ``replace``: graph nodes keep the original path and version; their requirements
      come from the replacement's go.mod (exact ``path version`` first, then path-only).
    * With ``toolchain_nodes`` the main module also requires ``go@V`` (and
      ``toolchain@V``), and a dependency whose go.mod says ``go >= 1.21`` requires
      ``go@V``, as in ``go mod graph``.
    """

    def __init__(
        self,
        main: ModFile,
        go_mod: Callable[[ModuleVersion], bytes],
        versions: Callable[[str], Sequence[str]] | None = None,
        retracted: Callable[[ModuleVersion], bool] | None = None,
        main_dir: Path | None = None,
        toolchain_nodes: bool = False,
    ) -> None:
        self.main_file = main
        mod = main.module
        self.main = ModuleVersion(mod.mod.path if mod is not None else "", "")
        self._go_mod = go_mod
        self._versions = versions
        self._retracted = retracted
        self.main_dir = main_dir
        self.toolchain_nodes = toolchain_nodes
        self.excluded: set[ModuleVersion] = {e.mod for e in main.exclude}
        self.replacements: dict[ModuleVersion, ModuleVersion] = {}
        for r in main.replace:
            self.replacements[r.old] = r.new
        self._cache: dict[ModuleVersion, list[ModuleVersion]] = {}
        self.go_versions: dict[ModuleVersion, str] = {}

    # Reqs -------------------------------------------------------------------------

    def max(self, path: str, v1: str, v2: str) -> str:
        return _max_version(path, v1, v2)

    def required(self, m: ModuleVersion) -> Sequence[ModuleVersion]:
        if m.version == NONE:
            return []
        got = self._cache.get(m)
        if got is None:
            got = self._load(m)
            self._cache[m] = got
        return got

    def upgrade(self, m: ModuleVersion) -> ModuleVersion:
        return m

    def previous(self, m: ModuleVersion) -> ModuleVersion:
        if self._versions is None:
            raise NotImplementedError("GoModReqs.previous needs a versions() callback")
        best = NONE
        for v in self._versions(m.path):
            if cmp_version(m.path, v, m.version) >= 0:
                continue
            cand = ModuleVersion(m.path, v)
            if cand in self.excluded or (self._retracted is not None and self._retracted(cand)):
                continue
            if best == NONE or cmp_version(m.path, v, best) > 0:
                best = v
        return ModuleVersion(m.path, best)

    # helpers ------------------------------------------------------------------------

    def replacement(self, m: ModuleVersion) -> ModuleVersion | None:
        """What ``m`` is replaced by (exact version first, then all versions), or None."""
        r = self.replacements.get(m)
        if r is None:
            r = self.replacements.get(ModuleVersion(m.path, ""))
        return r

    def _roots(self) -> list[ModuleVersion]:
        roots = [r.mod for r in self.main_file.require if r.mod not in self.excluded]
        if self.toolchain_nodes:
            go = self.main_file.go
            if go is not None:
                roots.append(ModuleVersion("go", go.version))
            tc = self.main_file.toolchain
            if tc is not None and tc.name:
                roots.append(ModuleVersion("toolchain", tc.name))
        roots.sort(key=lambda m: mod_sort_key(m.path, m.version))
        return roots

    def _load(self, m: ModuleVersion) -> list[ModuleVersion]:
        if m == self.main:
            return self._roots()
        if m.path in {"go", "toolchain"}:
            return []
        r = self.replacement(m) or m
        if r.version == "":
            # A directory replacement: read DIR/go.mod beside the main module.
            base = self.main_dir or Path(".")
            path = base / r.path / "go.mod"
            data = path.read_bytes()
            filename = str(path)
        else:
            data = self._go_mod(r)
            filename = f"{r.path}@{r.version}/go.mod"
        f = modfile.parse_lax(filename, data)
        out = [q.mod for q in f.require if q.mod not in self.excluded]
        if f.go is not None:
            self.go_versions[m] = f.go.version
            if self.toolchain_nodes and _gover_at_least(f.go.version, "1.21"):
                out.append(ModuleVersion("go", f.go.version))
        return out


def _gover_at_least(v: str, floor: str) -> bool:
    return gover_compare(v, floor) >= 0
