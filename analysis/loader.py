"""The module graph without the go command: go.mod files in, ``go mod graph`` out.

:func:`load_module_graph` reads the main module's go.mod, then every go.mod the go
command would read, through a :class:`GoModSource` (a proxy client, the module cache,
or a plain :class:`DirectorySource`), and builds the graph ``go mod graph`` prints::

    >>> loaded = load_module_graph_sync("path/to/main", DirectorySource(proxy_dir))  # doctest: +SKIP
    >>> print(loaded.graph.text(), end="")                                          # doctest: +SKIP
    example.com/main example.com/a@v1.0.0
    example.com/main go@1.22
    example.com/a@v1.0.0 example.com/b@v1.1.0
    ...

What it reproduces, as cmd/go's ``modload`` does it (Go 1.21 and newer):

* graph pruning: in a main module at ``go >= 1.17`` only the roots' go.mod files are
  read, except below modules at ``go < 1.17`` (or with no ``go`` line), which are
  expanded fully; a main module below 1.17 reads everything reachable;
* the main module's ``replace`` (exact ``path version`` keys first, then path-only
  keys; module or local-directory targets) and ``exclude`` (requirements on excluded
  versions are dropped, Go >= 1.16);
* the ``go@V`` / ``toolchain@V`` pseudo-modules: the main module requires ``go`` (1.16
  when the line is missing) and its ``toolchain``; a dependency at ``go >= 1.21``
  requires ``go@V``; ``go@V`` (V >= 1.21) requires ``toolchain@goV``;
* the roots-consistency step ``go mod graph`` performs (``expandGraph`` →
  ``updateRoots``): when a root is not the selected version of its path the roots are
  recomputed (pruned: each root path at its selected version, repeated to a fixed
  point; unpruned: the minimal requirement list keeping direct requirements) and the
  graph is read again from them;
* the output order: breadth-first from the main module, each node's edges in its
  requirement order.

:func:`load_workspace_graph` does the same for a go.work workspace (``readModGraph`` with
workspace pruning): the roots are every used module and the go.work's ``go`` and
``toolchain``; each main module's requirements are read like a dependency's (pruned or
not by its own ``go`` line); then, in rounds until nothing changes, the selected version
of every root path, and of every path a module read that way asks for below its
selected version, is read too. Replacements follow
:func:`analysis.workspace.workspace_replacement` and every main module's ``exclude``
applies everywhere.

Go's loader is mostly sequential on a slow proxy; here every go.mod the graph needs is
requested as soon as it is known, up to ``concurrency`` at once. Each module version's
go.mod is fetched at most once per load, and the result does not depend on the order in
which fetches complete.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from analysis import modfile
from analysis.errors import (
    GomodxError,
    LoadError,
    ModuleLoadError,
    ModuleNotFound,
    ModuleVersionError,
    ProxyError,
    TooNewError,
)
from analysis.fsio import os_reason
from analysis.modfile import ModFile
from analysis.modgraph import ModuleGraph
from analysis.modgraph import build_list as graph_build_list
from analysis.modpath import escape_path, escape_version
from analysis.module import NONE, ModuleVersion
from analysis.mvs import (
    LoadedReqs,
    RequirementGraph,
    WorkspaceRequirementGraph,
    selected_roots,
    unpruned_root_paths,
)
from analysis.mvs import req as mvs_req
from analysis.semver import (
    cmp_version,
    gover_compare,
    gover_is_valid,
    is_toolchain_path,
    mod_compare,
    mod_sort_key,
)
from analysis.summary import (
    DEFAULT_GO_MOD_VERSION,
    STRICT_VERSION,
    Summary,
    check_summary,
    has_redundant_root,
    lookup_replacement,
    main_module,
    parse_summary,
    read_dir_gomod,
    replace_map,
    roots_from_mod_file,
    strip_module_prefix,
    summarize,
    supports_pruning,
    toolchain_summary,
)
from analysis.toolchain import Toolchain
from analysis.workspace import Workspace, workspace_replacement

if TYPE_CHECKING:
    import asyncio

    from analysis.goproxy import GoModFile
    from analysis.hashes import GoSum
    from analysis.source import ProxySource

# asyncio and the fetch layer are imported where a load starts, not here: a warm start
# builds a LoadedGraph from the snapshot without an event loop.

__all__ = [
    "DirectorySource",
    "GoModSource",
    "GoModSummary",
    "LoadedGraph",
    "load_module_graph",
    "load_module_graph_sync",
    "load_workspace_graph",
]


WORK_DEFAULT_GO_VERSION = "1.18"
"""The go version of a go.work with no ``go`` line (``gover.DefaultGoWorkVersion``)."""


# -- sources ----------------------------------------------------------------------------


class GoModSource(Protocol):
    """Where go.mod files come from: a proxy client, a cache, a directory.

    ``go_mod`` is called at most once per module version in one load, possibly many
    times concurrently. It raises :class:`~analysis.errors.ModuleNotFound` (or another
    :class:`~analysis.errors.ProxyError`) when the file cannot be had; a message that
    starts with ``path@version: `` (Go's ``module.ModuleError`` shape) is reported
    without repeating that prefix.
    """

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        """The go.mod file of ``mod`` exactly as served."""
        ...


class DirectorySource:
    """go.mod files from a GOPROXY-layout directory: ``ROOT/<path>/@v/<version>.mod``.

    Paths and versions are case-escaped (``!a`` for ``A``), so a Go module cache's
    ``cache/download`` directory works too. A missing file raises
    :class:`~analysis.errors.ModuleNotFound` worded like the go command's ``file://``
    proxy.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path_for(self, mod: ModuleVersion) -> Path:
        """Where the go.mod of ``mod`` lives under :attr:`root`."""
        return self.root / escape_path(mod.path) / "@v" / (escape_version(mod.version) + ".mod")

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        path = self.path_for(mod)
        try:
            return path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            raise ModuleNotFound(
                f"{mod}: reading {_file_uri(path)}: no such file or directory"
            ) from None
        except OSError as exc:
            raise ProxyError(f"{mod}: reading {_file_uri(path)}: {os_reason(exc)}") from None


def _file_uri(path: Path) -> str:
    # As go prints a file:// proxy URL: the path as it is, "@" and all.
    return "file://" + path.absolute().as_posix()


# -- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GoModSummary:
    """What the module graph needs from one module version's go.mod.

    ``module`` is the graph node; ``actual`` is where its go.mod came from (the
    replacement, if any: a directory replacement has version ``""``). ``require`` is
    the requirement list after the main module's exclusions, with ``go@V`` appended for
    a go.mod at ``go >= 1.21``; for ``go@V`` itself it is ``toolchain@goV``.
    """

    module: ModuleVersion
    actual: ModuleVersion
    module_path: str = ""
    go_version: str = ""
    toolchain: str = ""
    require: tuple[ModuleVersion, ...] = ()
    pruned: bool = False
    """Whether the go.mod supports graph pruning (``go >= 1.17``)."""

    @property
    def replaced(self) -> bool:
        return self.actual != self.module


@dataclass(frozen=True)
class LoadedGraph:
    """The result of :func:`load_module_graph`.

    ``graph`` prints exactly as ``go mod graph`` (``graph.text()``). ``roots`` is what
    the main module requires in that graph (after the consistency step), in order.
    ``summaries`` holds every go.mod summary read during the load, keyed by graph node
    (a few may belong to versions that only an intermediate graph needed), so later
    planning can reuse them without fetching again. ``fetches`` counts go.mod files
    requested from the source.
    """

    graph: ModuleGraph
    main: ModFile
    main_dir: Path
    roots: tuple[ModuleVersion, ...]
    pruned: bool
    summaries: Mapping[ModuleVersion, GoModSummary]
    excluded: frozenset[ModuleVersion]
    replacements: Mapping[ModuleVersion, ModuleVersion]
    fetches: int = 0
    go_version: str = DEFAULT_GO_MOD_VERSION
    """The main module's go version (1.16 when the ``go`` line is missing); in a
    workspace, the go.work's (1.18 when its ``go`` line is missing)."""
    workspace: Workspace | None = None
    """The workspace whose modules are the main modules (``None``: one main module)."""

    @property
    def main_module(self) -> ModuleVersion:
        return self.graph.main

    def build_list(self) -> list[ModuleVersion]:
        """``go list -m all``: the main module, then the selected version of each path."""
        return graph_build_list(self.graph)

    def selected(self) -> dict[str, str]:
        """The version MVS selects for every path (``go``/``toolchain`` included)."""
        return self.graph.selected()

    def required(self, m: ModuleVersion) -> tuple[ModuleVersion, ...]:
        """What ``m`` requires in the graph (empty when its go.mod was pruned out)."""
        return tuple(self.graph.required(m))

    def replacement(self, m: ModuleVersion) -> ModuleVersion | None:
        """What the main module replaces ``m`` with (exact version first), or None."""
        if self.workspace is not None:
            return workspace_replacement(self.workspace, m)
        return lookup_replacement(self.replacements, m)


def _have_sum(gosum: GoSum, m: ModuleVersion) -> bool:
    """``modfetch.HaveSum`` for ``m``'s go.mod: an ``h1:`` line in go.sum."""
    return any(h.startswith("h1:") for h in gosum.gomod_hashes(m.path, m.version))


class _LoadFailure(Exception):
    """A go.mod summary that failed: remembered per module, reported via the graph."""

    def __init__(self, actual: ModuleVersion, reason: str, err: BaseException | None = None):
        super().__init__(reason)
        self.actual = actual
        self.reason = reason
        # Without an underlying exception the failure is Go's module.ModuleError itself.
        self.err: BaseException = (
            err if err is not None else ModuleVersionError(actual.path, actual.version, reason)
        )


# -- the loader -------------------------------------------------------------------------


_Graph = RequirementGraph[_LoadFailure]
"""One ``readModGraph`` result: the requirement lists read, and what failed."""


class _WorkGraph(WorkspaceRequirementGraph[_LoadFailure]):
    """A workspace's ``readModGraph`` result, read in rounds."""

    def forget_selected(self) -> None:
        """Requirements were added since the selected versions were computed."""
        self._selected = None


# How one module's requirements are followed (cmd/go's modPruning for one enqueue).
_PRUNED, _UNPRUNED, _WORKSPACE = "pruned", "unpruned", "workspace"


class _Loader:
    """One load: the main go.mod's directives, the caches, and the fetch limit."""

    def __init__(
        self,
        main_file: ModFile,
        main_dir: Path,
        source: GoModSource,
        concurrency: int,
        toolchain: Toolchain | None = None,
        require_sums: GoSum | None = None,
    ) -> None:
        self.main = main_module(main_file)
        self.require_sums = require_sums
        """go's ``mustHaveSums`` (``go list`` in a module, ``-mod=readonly``): every go.mod
        read needs its ``/go.mod`` line in this go.sum, or its read fails."""
        self.toolchain = toolchain if toolchain is not None else Toolchain()
        self.main_file = main_file
        self.main_dir = main_dir
        import asyncio

        from analysis.memo import Memo
        from analysis.source import ProxySource

        self.source = source
        self.proxy_source = source if isinstance(source, ProxySource) else None
        self.semaphore = asyncio.Semaphore(max(1, concurrency))
        self.excluded = frozenset(e.mod for e in main_file.exclude)
        self.replacements = replace_map(main_file)
        self.workspace: Workspace | None = None
        """In a workspace: the main modules' go.mod files are read like dependencies'."""
        self.main_files: dict[ModuleVersion, ModFile] = {}
        # One read per go.mod; a failed read is an answer too (reported with its chain).
        self.raw = Memo(_LoadFailure)
        self.summaries = Memo(_LoadFailure)
        self.loaded: dict[ModuleVersion, GoModSummary] = {}
        self.fetches = 0

    # -- go.mod summaries -------------------------------------------------------------

    async def summary(self, m: ModuleVersion) -> GoModSummary:
        """``goModSummary``: m's requirements after replacement and exclusion."""
        return await self.summaries.get(m, lambda: self._summary(m))

    async def _summary(self, m: ModuleVersion) -> GoModSummary:
        if is_toolchain_path(m.path):
            s = _toolchain_summary(m)
            self.loaded[m] = s
            return s
        if m.version == "" and m in self.main_files:
            actual, raw = m, summarize(self.main_files[m])
        else:
            actual = self.replacement(m) or m
            sums = self.require_sums
            if sums is not None and actual.version and not _have_sum(sums, actual):
                raise _LoadFailure(
                    actual,
                    f"missing go.sum entry for go.mod file; to add it:\n\tgo mod download {m.path}",
                )
            raw = await self.raw.get(actual, lambda: self._raw_summary(actual))
        try:
            checked = check_summary(m, actual, raw, self.excluded)
        except LoadError as exc:
            raise _LoadFailure(exc.mod, exc.reason, exc.err) from None
        if self.toolchain.dependency_too_new(checked.go_version):
            # goModSummary: a go.mod at go >= 1.21 is a requirement on the go running.
            text = self.toolchain.too_new(f"module {actual}", checked.go_version)
            raise _LoadFailure(actual, text, TooNewError(text, checked.go_version))
        s = GoModSummary(
            module=m,
            actual=actual,
            module_path=checked.module_path,
            go_version=checked.go_version,
            toolchain=checked.toolchain,
            require=checked.require,
            pruned=checked.pruned,
        )
        self.loaded[m] = s
        return s

    def replacement(self, m: ModuleVersion) -> ModuleVersion | None:
        """What ``m`` is replaced with (the main go.mod's, or the workspace's rules)."""
        if self.workspace is not None:
            # A ReplacementConflict ends the load, as go reports it: not as m's failure.
            return workspace_replacement(self.workspace, m)
        return lookup_replacement(self.replacements, m)

    async def _raw_summary(self, actual: ModuleVersion) -> Summary:
        """``rawGoModSummary``: the go.mod of ``actual`` itself, parsed leniently."""
        try:
            if actual.version == "":
                data = read_dir_gomod(actual, self.main_dir)
            elif self.proxy_source is not None:
                # The client parsed the file when it checked it: share that parse.
                gm = await self._fetch_file(self.proxy_source, actual)
                if gm.simple is not None:
                    return gm.simple  # the parser's answer, made without it
                return parse_summary(actual, gm.data, self.main_dir, gm.lax)
            else:
                data = await self._fetch(actual)
            return parse_summary(actual, data, self.main_dir)
        except LoadError as exc:
            raise _LoadFailure(exc.mod, exc.reason, exc.err) from None

    async def _fetch_file(self, source: ProxySource, actual: ModuleVersion) -> GoModFile:
        async with self.semaphore:
            self.fetches += 1
            try:
                return await source.go_mod_file(actual)
            except (GomodxError, OSError) as exc:
                raise _LoadFailure(actual, strip_module_prefix(str(exc), actual), exc) from None

    async def _fetch(self, actual: ModuleVersion) -> bytes:
        async with self.semaphore:
            self.fetches += 1
            try:
                return await self.source.go_mod(actual)
            except (GomodxError, OSError) as exc:
                raise _LoadFailure(actual, strip_module_prefix(str(exc), actual), exc) from None

    # -- graphs -----------------------------------------------------------------------

    async def read_graph(self, pruned: bool, roots: Sequence[ModuleVersion]) -> _Graph:
        """``readModGraph``: read every go.mod the graph from ``roots`` needs."""
        import asyncio

        g = _Graph(self.main, roots)
        try:
            async with asyncio.TaskGroup() as tg:
                self._start_walk(tg, g, pruned)
        except BaseExceptionGroup as group:
            # Only bugs and unexpected source failures get here; raise the first plainly.
            raise _first_leaf(group) from None
        return g

    def _start_walk(self, tg: asyncio.TaskGroup, g: _Graph, pruned: bool) -> None:
        seen: set[tuple[ModuleVersion, bool]] = set()

        def enqueue(m: ModuleVersion, pruning: bool) -> None:
            todo = [(m, pruning)]
            while todo:
                m, pruning = todo.pop()
                if m.version == NONE or (m, pruning) in seen:
                    continue
                seen.add((m, pruning))
                known, s = self.summaries.peek(m)
                if not known:
                    tg.create_task(visit(m, pruning))
                    continue
                # Read already (m was met with the other pruning): what visit() would
                # do, without a task.
                assert isinstance(s, GoModSummary)
                g.required[m] = s.require
                if not (pruning and s.pruned):
                    todo += [(r, False) for r in s.require]

        async def visit(m: ModuleVersion, pruning: bool) -> None:
            try:
                s = await self.summary(m)
            except _LoadFailure as exc:
                g.failed[m] = exc
                return
            g.required[m] = s.require
            if pruning and s.pruned:
                return  # pruned: m's requirements are edges, their go.mod files unread
            # Below an unpruned module (or in an unpruned graph) everything is read.
            for r in s.require:
                enqueue(r, False)

        for m in g.roots:
            enqueue(m, pruned)

    async def read_graph_checked(self, pruned: bool, roots: Sequence[ModuleVersion]) -> _Graph:
        """:meth:`read_graph`, raising :class:`ModuleLoadError` for any failure."""
        g = await self.read_graph(pruned, roots)
        if g.failed:
            chain = g.find_failure()
            if chain is None:  # pragma: no cover - a failed node is always reachable
                chain = [self.main, min(g.failed)]
            fail = g.failed[chain[-1]]
            raise ModuleLoadError(chain, fail.actual, fail.reason, fail.err)
        return g

    async def read_workspace_graph(self, roots: Sequence[ModuleVersion]) -> _WorkGraph:
        """``readModGraph`` with workspace pruning: every main module's requirements are
        read (each pruned or not by its own go line), then, until nothing changes, the
        selected version of every root path and of every path a read module asks for at
        a lower version than selected is read as well."""
        import asyncio

        g = _WorkGraph(roots)
        seen: set[tuple[ModuleVersion, str]] = set()

        async def run(start: Iterable[tuple[ModuleVersion, str]]) -> None:
            try:
                async with asyncio.TaskGroup() as tg:

                    def enqueue(m: ModuleVersion, mode: str) -> None:
                        if m.version == NONE or (m, mode) in seen:
                            return
                        seen.add((m, mode))
                        tg.create_task(visit(m, mode))

                    async def visit(m: ModuleVersion, mode: str) -> None:
                        try:
                            s = await self.summary(m)
                        except _LoadFailure as exc:
                            g.failed[m] = exc
                            return
                        g.required[m] = s.require
                        if mode == _PRUNED and s.pruned:
                            return
                        then = _UNPRUNED if mode == _UNPRUNED or not s.pruned else _PRUNED
                        for r in s.require:
                            enqueue(r, then)

                    for m, mode in start:
                        enqueue(m, mode)
            except BaseExceptionGroup as group:
                raise _first_leaf(group) from None
            g.forget_selected()

        await run((m, _WORKSPACE) for m in roots)
        deps_in_all = {m.path for m in roots}
        done: set[ModuleVersion] = set()
        while True:
            need: set[ModuleVersion] = set()
            for p in deps_in_all:
                m = ModuleVersion(p, g.selected(p))
                if m not in done:
                    need.add(m)
                    continue
                for r in g.required.get(m, ()):
                    sel = ModuleVersion(r.path, g.selected(r.path))
                    if (
                        sel.version != ""
                        and mod_compare(r.path, sel.version, r.version) > 0
                        and sel not in done
                    ):
                        need.add(sel)
            if not need:
                return g
            ordered = sorted(need, key=lambda m: mod_sort_key(m.path, m.version))
            await run((m, _WORKSPACE) for m in ordered)
            done |= need
            deps_in_all |= {m.path for m in need}

    async def read_workspace_graph_checked(self, roots: Sequence[ModuleVersion]) -> _WorkGraph:
        """:meth:`read_workspace_graph`, raising :class:`ModuleLoadError` for any failure."""
        g = await self.read_workspace_graph(roots)
        if g.failed:
            chain = g.find_failure() or [min(g.failed)]
            fail = g.failed[chain[-1]]
            raise ModuleLoadError(chain, fail.actual, fail.reason, fail.err)
        return g

    # -- roots --------------------------------------------------------------------------

    def roots_from_mod_file(self) -> tuple[list[ModuleVersion], set[str]]:
        """``rootsFromModFile``: non-excluded requirements plus go and toolchain, sorted."""
        roots, direct, _ = roots_from_mod_file(self.main_file, self.excluded)
        return roots, direct

    def has_redundant_root(self, roots: Sequence[ModuleVersion]) -> bool:
        return has_redundant_root(self.main, roots)

    async def update_pruned_roots(
        self, roots: list[ModuleVersion], g: _Graph | None
    ) -> tuple[list[ModuleVersion], _Graph | None]:
        """``updatePrunedRoots`` with no packages: every root path once, at its selected
        version, re-reading the graph until that is a fixed point.

        Returns the new roots and, when one was read from exactly those roots, the graph.
        """
        upgraded = False
        while True:
            if upgraded:
                g = await self.read_graph_checked(True, roots)
            selected = g.selected if g is not None else functools.partial(_max_root_version, roots)
            new, upgraded = selected_roots(self.main, roots, selected)
            if not upgraded:
                return new, g if new == roots else None
            roots = new

    async def update_unpruned_roots(
        self, roots: list[ModuleVersion], direct: set[str], g: _Graph | None
    ) -> list[ModuleVersion]:
        """``updateUnprunedRoots`` with nothing added: the minimal requirement list that
        keeps the build list and every direct requirement."""
        if g is None:
            g = await self.read_graph_checked(False, roots)
        keep = g.build_list()[1:]
        root_paths = unpruned_root_paths(roots, g, keep, direct)
        return mvs_req(self.main, root_paths, LoadedReqs(self.main, keep, self._loaded_require))

    def _loaded_require(self, m: ModuleVersion) -> Sequence[ModuleVersion]:
        s = self.loaded.get(m)
        if s is None:
            if is_toolchain_path(m.path):
                return _toolchain_summary(m).require
            # Every module reachable from the build list was read with the unpruned graph.
            raise GomodxError(f"internal error: {m}: go.mod not loaded")
        return s.require


def _toolchain_summary(m: ModuleVersion) -> GoModSummary:
    s = toolchain_summary(m)
    return GoModSummary(
        module=m, actual=m, module_path=s.module_path, require=s.require, pruned=True
    )


# -- helpers ----------------------------------------------------------------------------


def _first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    exc: BaseException = group
    while isinstance(exc, BaseExceptionGroup):
        exc = exc.exceptions[0]
    return exc


def _max_root_version(roots: Iterable[ModuleVersion], path: str) -> str:
    best = ""
    for r in roots:
        if r.path == path and (best == "" or cmp_version(path, best, r.version) < 0):
            best = r.version
    return best


def _read_main(main_dir: Path) -> ModFile:
    gomod = main_dir / "go.mod"
    try:
        data = gomod.read_bytes()
    except FileNotFoundError:
        raise GomodxError(
            f"{main_dir}: go.mod file not found in current directory or any parent"
            " directory; see 'go help modules'"
        ) from None
    except OSError as exc:
        raise GomodxError(f"reading {gomod}: {os_reason(exc)}") from None
    return modfile.parse(str(gomod), data, modfile.fix_version)


# -- entry points -----------------------------------------------------------------------


async def load_module_graph(
    main_dir: str | os.PathLike[str],
    source: GoModSource,
    *,
    concurrency: int = 64,
    go_version_override: str | None = None,
    toolchain: Toolchain | None = None,
    require_sums: GoSum | None = None,
    allow_errors: bool = False,
) -> LoadedGraph:
    """Build the graph ``go mod graph`` prints for the module in ``main_dir``.

    With ``allow_errors`` (``go list -e``), a go.mod that cannot be read leaves its
    module without requirements instead of failing the load, and the roots are kept as
    go.mod states them (go's ``expandGraph`` updates no roots of a graph with errors).

    With ``require_sums`` (the main module's go.sum), the graph is the one ``go list``
    loads (``-mod=readonly``): a go.mod whose ``/go.mod`` line that go.sum lacks fails
    to load, with go's ``missing go.sum entry`` error.

    go.mod files of dependencies come from ``source`` (at most ``concurrency`` requests
    at a time, each module version at most once); local directory replacements are read
    from disk relative to ``main_dir``. ``go_version_override`` is ``go mod graph -go=V``:
    the graph as that Go version would load it (unpruned below 1.17), without the
    roots-consistency step. ``toolchain`` is the go answered for (default: the stated
    default version, ``GOTOOLCHAIN`` unknown): a go.mod that needs a newer one fails as
    with go (:mod:`analysis.toolchain`).

    Raises :class:`ModuleLoadError` (naming the chain of requirements to the module)
    when a needed go.mod is missing or malformed, :class:`~analysis.errors.ModfileError`
    for a malformed main go.mod, and :class:`~analysis.errors.GomodxError` for
    conflicting replacements or an unusable ``go_version_override``.
    """
    main_path = Path(main_dir)
    main_file = _read_main(main_path)
    toolchain = toolchain if toolchain is not None else Toolchain()
    toolchain.check_main(main_file)
    ld = _Loader(main_file, main_path, source, concurrency, toolchain, require_sums)
    roots, direct = ld.roots_from_mod_file()
    main_go = main_file.go.version if main_file.go is not None else DEFAULT_GO_MOD_VERSION
    pruned = supports_pruning(main_go)

    if ld.has_redundant_root(roots):
        # loadModFile: duplicate roots, or the main module among them, are resolved first.
        if pruned:
            roots, _ = await ld.update_pruned_roots(roots, None)
        else:
            roots = await ld.update_unpruned_roots(roots, direct, None)

    if go_version_override is not None:
        v = go_version_override
        if not gover_is_valid(v):
            raise GomodxError(f'invalid value "{v}" for flag -go: expecting a Go version')
        go_root = _max_root_version(roots, "go")
        if gover_compare(go_root, STRICT_VERSION) >= 0 and gover_compare(v, go_root) < 0:
            raise GomodxError(
                f"requested Go version {v} cannot load module graph (requires Go >= {go_root})"
            )
        if not supports_pruning(v):
            pruned = False
        graph = await ld.read_graph_checked(pruned, roots)
    else:
        if allow_errors:
            graph = await ld.read_graph(pruned, roots)
        else:
            graph = await ld.read_graph_checked(pruned, roots)
        # expandGraph: roots that are not selected are brought up to date, and the
        # graph is read again from the new roots (go mod graph runs with -mod=mod).
        if not graph.failed and any(graph.selected(r.path) != r.version for r in roots):
            reread: _Graph | None = None
            if pruned:
                new, reread = await ld.update_pruned_roots(roots, graph)
            else:
                new = await ld.update_unpruned_roots(roots, direct, graph)
            if new != roots:
                roots = new
                graph = reread or await ld.read_graph_checked(pruned, roots)

    return LoadedGraph(
        graph=graph.module_graph(),
        main=main_file,
        main_dir=main_path,
        roots=tuple(roots),
        pruned=pruned,
        summaries=MappingProxyType(dict(sorted(ld.loaded.items()))),
        excluded=ld.excluded,
        replacements=MappingProxyType(dict(ld.replacements)),
        fetches=ld.fetches,
        go_version=main_go,
    )


async def load_workspace_graph(
    ws: Workspace,
    source: GoModSource,
    *,
    directory: str | os.PathLike[str] | None = None,
    concurrency: int = 64,
) -> LoadedGraph:
    """Build the graph ``go mod graph`` prints in workspace ``ws``
    (:func:`analysis.workspace.load_workspace`).

    Every used module is a main module; the graph's roots are the main modules and the
    go.work's ``go`` (1.18 when missing) and ``toolchain``. Replacements follow
    :func:`~analysis.workspace.workspace_replacement`; every main module's ``exclude``
    applies to every go.mod. Local directory replacements are read relative to the
    go.work's directory. ``directory`` (where go runs; default: the first main module)
    chooses :attr:`LoadedGraph.main` and :attr:`LoadedGraph.main_dir`.

    Raises :class:`ModuleLoadError` as :func:`load_module_graph` does.
    """
    mains = [ModuleVersion(p, "") for p in ws.modules]
    files = dict(zip(mains, ws.mod_files, strict=True))
    here = Path(directory) if directory is not None else ws.roots[0]
    mine = next(
        (f for root, f in zip(ws.roots, ws.mod_files, strict=True) if root == here.absolute()),
        ws.mod_files[0],
    )
    ld = _Loader(mine, ws.path.parent, source, concurrency)
    ld.workspace = ws
    ld.main_files = files
    ld.excluded = frozenset(e.mod for f in ws.mod_files for e in f.exclude)
    go_version = ws.file.go.version if ws.file.go is not None else WORK_DEFAULT_GO_VERSION
    roots = [*mains, ModuleVersion("go", go_version)]
    if ws.file.toolchain is not None and ws.file.toolchain.name:
        roots.append(ModuleVersion("toolchain", ws.file.toolchain.name))
    roots.sort(key=lambda m: mod_sort_key(m.path, m.version))
    graph = await ld.read_workspace_graph_checked(roots)
    return LoadedGraph(
        graph=graph.module_graph(),
        main=mine,
        main_dir=here,
        roots=tuple(roots),
        pruned=True,
        summaries=MappingProxyType(dict(sorted(ld.loaded.items()))),
        excluded=ld.excluded,
        replacements=MappingProxyType({}),
        fetches=ld.fetches,
        go_version=go_version,
        workspace=ws,
    )


def load_module_graph_sync(
    main_dir: str | os.PathLike[str],
    source: GoModSource,
    *,
    concurrency: int = 64,
    go_version_override: str | None = None,
) -> LoadedGraph:
    """:func:`load_module_graph` for code without an event loop (runs its own)."""
    import asyncio

    return asyncio.run(
        load_module_graph(
            main_dir,
            source,
            concurrency=concurrency,
            go_version_override=go_version_override,
        )
    )
