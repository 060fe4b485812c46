"""The module requirement graph: ``go mod graph`` text in, a networkx graph out.

``go mod graph`` prints one edge per line, ``FROM TO``, where the main module is a bare
path and every other node is ``path@version``. :func:`parse_graph` reads that text into
a :class:`ModuleGraph`; the free functions answer questions about it, graph first::

    >>> g = parse_graph("m a@v1.0.0\\nm b@v1.0.0\\na@v1.0.0 b@v1.2.0\\n")
    >>> selected_versions(g)
    {'m': '', 'a': 'v1.0.0', 'b': 'v1.2.0'}
    >>> [str(m) for m in build_list(g)]
    ['m', 'a@v1.0.0', 'b@v1.2.0']
    >>> [[str(m) for m in p] for p in why(g, "b")]
    [['m', 'a@v1.0.0', 'b@v1.2.0']]

The pseudo-modules ``go@V`` and ``toolchain@V`` that Go 1.21+ prints stay in the graph
(so :meth:`ModuleGraph.text` reproduces go's output byte for byte); :func:`build_list`
leaves them out, as ``go list -m all`` does.
"""

from __future__ import annotations

import codecs
import gc
import os
import shutil
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.errors import GoCommandError, GomodxError, GraphError
from analysis.module import NONE, ModuleVersion
from analysis.semver import is_toolchain_path, mod_is_valid, mod_sort_key

if TYPE_CHECKING:
    import networkx as nx  # type: ignore[import-untyped, unused-ignore]

    from analysis.modfile import ModFile

__all__ = [
    "ListedModule",
    "ModuleGraph",
    "build_list",
    "is_toolchain_node",
    "list_modules",
    "load_graph",
    "parse_graph",
    "read_graph",
    "requirers",
    "run_go_mod_graph",
    "selected_versions",
    "shortest_paths",
    "version_key",
    "why",
]

DEFAULT_PATH_LIMIT = 64
"""How many shortest paths :func:`why` and conflict analysis enumerate per target."""


_ADJACENCY = ("_succ", "_pred", "edges")
"""What an unpickled :class:`ModuleGraph` builds on first use."""


class ModuleGraph:
    """Module versions and their requirement edges, in the order they were added.

    ``graph`` is the graph as a :class:`networkx.DiGraph` whose nodes are
    :class:`ModuleVersion` (main modules have version ``""``), built on first use: the
    questions gomodx itself asks (requirers, shortest paths, selection) are answered from
    plain adjacency dicts, so a command that never needs networkx never imports it.
    ``edges`` keeps every edge as read, duplicates included, so :meth:`text` re-prints
    the input exactly. ``mains`` lists the main modules (more than one only in workspace
    mode), first seen first.
    """

    def __init__(self, main: ModuleVersion | str | None = None) -> None:
        self._succ: dict[ModuleVersion, dict[ModuleVersion, None]] = {}
        self._pred: dict[ModuleVersion, dict[ModuleVersion, None]] = {}
        self._nx: nx.DiGraph[ModuleVersion] | None = None
        self.edges: list[tuple[ModuleVersion, ModuleVersion]] = []
        self.mains: list[ModuleVersion] = []
        self._versions: dict[str, list[str]] = {}
        self._selected: dict[str, str] | None = None
        self._selected_from: dict[str, str] | None = None
        self._bfs: tuple[dict[ModuleVersion, int], dict[ModuleVersion, list[ModuleVersion]]]
        self._bfs_valid = False
        if main is not None:
            self.add_node(ModuleVersion(main, "") if isinstance(main, str) else main)

    _DERIVED = frozenset(
        (
            "_succ",
            "_pred",
            "_nx",
            "edges",
            "mains",
            "_versions",
            "_selected",
            "_bfs",
            "_bfs_valid",
            "_pending",
        )
    )

    def __getstate__(self) -> dict[str, object]:
        """A compact state (what a warm start unpickles): the nodes' strings in order and
        the edges as pairs of node numbers. The adjacency, the versions per path and the
        networkx view are derived from them again by :meth:`__setstate__`, in the same
        orders; the selection is recomputed on first use."""
        from array import array

        nodes = list(self._succ)
        index = {m: i for i, m in enumerate(nodes)}
        pairs = array("I")
        for u, v in self.edges:
            pairs.append(index[u])
            pairs.append(index[v])
        state: dict[str, object] = {
            k: v for k, v in self.__dict__.items() if k not in self._DERIVED
        }
        state["_compact"] = (
            [m.path for m in nodes],
            [m.version for m in nodes],
            pairs.tobytes(),
            [(m.path, m.version) for m in self.mains],
        )
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        compact = state.pop("_compact")
        assert isinstance(compact, tuple)
        paths: list[str] = compact[0]
        versions: list[str] = compact[1]
        raw: bytes = compact[2]
        mains: list[tuple[str, str]] = compact[3]
        self.__init__()  # type: ignore[misc]
        self.__dict__.update(state)
        nodes = list(map(ModuleVersion, paths, versions))
        by_path = self._versions
        for m in nodes:
            by_path.setdefault(m.path, []).append(m.version)
        self.mains = [ModuleVersion(p, v) for p, v in mains]
        # The adjacency is built when first used (see __getattr__): the selection, the
        # build list and the versions of each path need none of it.
        for name in _ADJACENCY:
            del self.__dict__[name]
        self._pending = (nodes, raw)

    if not TYPE_CHECKING:  # (mypy keeps checking every other attribute)

        def __getattr__(self, name: str) -> object:
            if name in _ADJACENCY and self.__dict__.get("_pending") is not None:
                self._materialize()
                return self.__dict__[name]
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _materialize(self) -> None:
        """The adjacency and the edges of an unpickled graph, from its compact state."""
        from array import array

        nodes, raw = self.__dict__.pop("_pending")
        succ: dict[ModuleVersion, dict[ModuleVersion, None]] = {m: {} for m in nodes}
        pred: dict[ModuleVersion, dict[ModuleVersion, None]] = {m: {} for m in nodes}
        pairs = array("I")
        pairs.frombytes(raw)
        edges = [(nodes[i], nodes[j]) for i, j in zip(pairs[0::2], pairs[1::2], strict=True)]
        for u, v in edges:
            succ[u][v] = None
            pred[v][u] = None
        self._succ, self._pred, self.edges = succ, pred, edges

    @property
    def graph(self) -> nx.DiGraph[ModuleVersion]:
        """The graph as a networkx ``DiGraph``: nodes in the order first seen, each
        node's successors and predecessors in edge order (built once, on first use)."""
        if self._nx is None:
            import networkx as nx  # type: ignore[import-untyped, unused-ignore]

            g: nx.DiGraph[ModuleVersion] = nx.DiGraph()
            g.add_nodes_from(self._succ)
            g.add_edges_from(self.edges)
            self._nx = g
        return self._nx

    def _changed(self) -> None:
        self._nx = None
        self._selected = None
        self._bfs_valid = False

    # -- building -----------------------------------------------------------------------

    def add_node(self, m: ModuleVersion) -> None:
        """Add a module version (a main module when its version is ``""``)."""
        if m in self._succ:
            return
        self._succ[m] = {}
        self._pred[m] = {}
        self._versions.setdefault(m.path, []).append(m.version)
        if m.version == "" and m not in self.mains:
            self.mains.append(m)
        self._changed()

    def add_edge(self, u: ModuleVersion, v: ModuleVersion) -> None:
        """Record that ``u``'s go.mod requires ``v``."""
        self.add_edges(((u, v),))

    def add_edges(self, edges: Iterable[tuple[ModuleVersion, ModuleVersion]]) -> None:
        """Record many edges at once."""
        edges = list(edges)
        succ, pred, versions = self._succ, self._pred, self._versions
        for u, v in edges:
            if u not in succ:
                succ[u] = {}
                pred[u] = {}
                versions.setdefault(u.path, []).append(u.version)
                if u.version == "":
                    self.mains.append(u)
            if v not in succ:
                succ[v] = {}
                pred[v] = {}
                versions.setdefault(v.path, []).append(v.version)
                if v.version == "":
                    self.mains.append(v)
            succ[u][v] = None
            pred[v][u] = None
        self.edges.extend(edges)
        self._changed()

    def add_parsed(
        self,
        edges: list[tuple[ModuleVersion, ModuleVersion]],
        nodes: dict[str, ModuleVersion],
        succ: dict[str, dict[str, dict[str, object]]],
        pred: dict[str, dict[str, dict[str, object]]],
    ) -> None:
        """Load a parsed graph into an empty ModuleGraph (the fast path of parse_graph).

        ``succ``/``pred`` are the adjacency by token, in first-seen order; node order is
        ``succ``'s key order, exactly what ``add_edges(edges)`` would produce.
        """
        if self._succ:
            self.add_edges(edges)
            return
        for tok in succ:
            m = nodes[tok]
            self._versions.setdefault(m.path, []).append(m.version)
            if m.version == "":
                self.mains.append(m)
        self._succ = {nodes[tok]: dict.fromkeys(nodes[t] for t in out) for tok, out in succ.items()}
        self._pred = {nodes[tok]: dict.fromkeys(nodes[t] for t in inc) for tok, inc in pred.items()}
        self.edges.extend(edges)
        self._changed()

    def subgraph(self, edges: Iterable[tuple[ModuleVersion, ModuleVersion]]) -> ModuleGraph:
        """A graph of some of this graph's ``edges`` (and its first main module) that keeps
        this graph's selected versions: a version that lost here is not selected there,
        even when it is the only version of its path left."""
        sub = ModuleGraph(self.mains[0] if self.mains else None)
        sub.add_edges(edges)
        sub._selected_from = self.selected()
        return sub

    # -- reading ------------------------------------------------------------------------

    @property
    def main(self) -> ModuleVersion:
        """The (first) main module; raises GraphError for a graph with no main module."""
        if not self.mains:
            raise GraphError("the module graph has no main module")
        return self.mains[0]

    def __contains__(self, m: object) -> bool:
        return m in self._succ

    def __len__(self) -> int:
        return len(self._succ)

    def nodes(self) -> list[ModuleVersion]:
        """Every module version, in the order first seen."""
        return list(self._succ)

    def paths(self) -> list[str]:
        """Every module path, in the order first seen."""
        return list(self._versions)

    def versions(self, path: str) -> list[str]:
        """The versions of ``path`` in the graph, lowest first (Go's order)."""
        vs = self._versions.get(path, [])
        return sorted(vs, key=lambda v: version_key(path, v))

    def required(self, m: ModuleVersion) -> list[ModuleVersion]:
        """What ``m`` requires, in go.mod order (empty if its go.mod was not loaded)."""
        return list(self._succ.get(m, ()))

    def requirers(self, m: ModuleVersion) -> list[ModuleVersion]:
        """Every module version whose go.mod requires ``m``."""
        return list(self._pred.get(m, ()))

    def has_edge(self, u: ModuleVersion, v: ModuleVersion) -> bool:
        """Whether ``u``'s go.mod requires ``v``."""
        return v in self._succ.get(u, ())

    def in_degree(self, m: ModuleVersion) -> int:
        """How many module versions require ``m``."""
        return len(self._pred.get(m, ()))

    def out_degree(self, m: ModuleVersion) -> int:
        """How many module versions ``m`` requires."""
        return len(self._succ.get(m, ()))

    def text(self) -> str:
        """The graph in ``go mod graph`` format, edges in their original order."""
        names = {m: str(m) for m in self._succ}
        return "".join([f"{names[u]} {names[v]}\n" for u, v in self.edges])

    def bfs(self) -> tuple[dict[ModuleVersion, int], dict[ModuleVersion, list[ModuleVersion]]]:
        """Distance of every node from the main modules and its predecessors one step
        closer (in edge order): the data every shortest-path question needs."""
        if not self._bfs_valid:
            self._bfs = _bfs(self._succ, self.mains)
            self._bfs_valid = True
        return self._bfs

    def selected(self) -> dict[str, str]:
        """Cached :func:`selected_versions`."""
        if self._selected is None:
            sel: dict[str, str] = {}
            outer = self._selected_from or {}
            for path, vs in self._versions.items():
                sel[path] = outer.get(path) or max(vs, key=lambda v: version_key(path, v))
            self._selected = sel
        return dict(self._selected)


def version_key(path: str, v: str) -> tuple[object, ...]:
    """A sort key in cmd/go's version order for ``path``: ``""`` (a main module) above
    everything, ``none`` below, Go's ``ModCompare`` in between."""
    if v == "":
        return (2,)
    if v == NONE:
        return (0,)
    return (1, mod_sort_key(path, v))


def _bfs(
    adj: Mapping[ModuleVersion, Mapping[ModuleVersion, None]], sources: Sequence[ModuleVersion]
) -> tuple[dict[ModuleVersion, int], dict[ModuleVersion, list[ModuleVersion]]]:
    dist: dict[ModuleVersion, int] = {s: 0 for s in sources}
    preds: dict[ModuleVersion, list[ModuleVersion]] = {s: [] for s in sources}
    queue = deque(sources)
    while queue:
        u = queue.popleft()
        d = dist[u] + 1
        for v in adj[u]:
            dv = dist.get(v)
            if dv is None:
                dist[v] = d
                preds[v] = [u]
                queue.append(v)
            elif dv == d:
                preds[v].append(u)
    return dist, preds


# -- free functions ---------------------------------------------------------------------


def is_toolchain_node(m: ModuleVersion) -> bool:
    """Whether ``m`` is a ``go@V`` or ``toolchain@V`` pseudo-module."""
    return is_toolchain_path(m.path)


def selected_versions(g: ModuleGraph) -> dict[str, str]:
    """The version MVS selects for every path in ``g``: the highest one present.

    Main modules select ``""``. ``go`` and ``toolchain`` are included (Go-version order).

    >>> selected_versions(parse_graph("m x@v1.9.0\\nm x@v1.10.0\\n"))
    {'m': '', 'x': 'v1.10.0'}
    """
    return g.selected()


def build_list(g: ModuleGraph, toolchain: bool = False) -> list[ModuleVersion]:
    """The build list as ``go list -m all`` orders it: main modules, then by path.

    ``go``/``toolchain`` are left out unless ``toolchain`` is true.
    """
    sel = g.selected()
    mains = [m for m in g.mains]
    main_paths = {m.path for m in mains}
    rest = [
        ModuleVersion(p, v)
        for p, v in sel.items()
        if p not in main_paths and (toolchain or not is_toolchain_path(p))
    ]
    rest.sort(key=lambda m: m.path)
    return mains + rest


def requirers(g: ModuleGraph, path: str) -> list[tuple[ModuleVersion, str]]:
    """Every ``(requirer, version asked for)`` of module ``path``, in graph order."""
    out: list[tuple[ModuleVersion, str]] = []
    for v in g.versions(path):
        node = ModuleVersion(path, v)
        for r in g.requirers(node):
            out.append((r, v))
    return out


def shortest_paths(
    g: ModuleGraph, target: ModuleVersion, limit: int = DEFAULT_PATH_LIMIT
) -> list[list[ModuleVersion]]:
    """Up to ``limit`` shortest requirement paths from a main module to ``target``.

    Paths are listed in edge order (the first is the one go's breadth-first walk finds
    first). An unreachable or unknown ``target`` has no paths.
    """
    dist, preds = g.bfs()
    if target not in dist:
        return []
    out: list[list[ModuleVersion]] = []
    # Depth-first over predecessor lists. A partial path is an entry in these two arrays
    # (a node and the index of the entry after it, towards the target), so extending a
    # path is O(1) instead of copying it.
    node_at: list[ModuleVersion] = [target]
    next_at: list[int] = [-1]
    stack = [0]
    while stack and len(out) < limit:
        i = stack.pop()
        ps = preds[node_at[i]]
        if not ps:
            path: list[ModuleVersion] = []
            while i >= 0:
                path.append(node_at[i])
                i = next_at[i]
            out.append(path)
            continue
        for p in reversed(ps):
            node_at.append(p)
            next_at.append(i)
            stack.append(len(node_at) - 1)
    return out


def why(
    g: ModuleGraph, module: ModuleVersion | str, limit: int = DEFAULT_PATH_LIMIT
) -> list[list[ModuleVersion]]:
    """Every shortest requirement path from the main module to ``module``.

    ``module`` is ``path@version`` (a :class:`ModuleVersion` or text) or a bare path,
    which means the version of that path MVS selected. Each path starts at a main module;
    each step ``a -> b@v`` says a's go.mod asks for ``b`` at ``v``. At most ``limit``
    paths are returned; ``[]`` means ``module`` is not in the graph.
    """
    if isinstance(module, str):
        module = ModuleVersion.parse(module)
    if module.version == "":
        v = g.selected().get(module.path)
        if v is None:
            return []
        module = ModuleVersion(module.path, v)
    return shortest_paths(g, module, limit)


@dataclass(frozen=True)
class ListedModule:
    """One line of ``go list -m all``: a build-list entry and what the main go.mod says.

    ``indirect`` is None when no main go.mod was given (it cannot be known from the
    graph alone); ``replace`` is the replacement (version ``""`` for a directory).
    """

    path: str
    version: str
    main: bool = False
    indirect: bool | None = None
    replace: ModuleVersion | None = None

    def __str__(self) -> str:
        """The text ``go list -m all`` prints for this module."""
        text = self.path if self.main else f"{self.path} {self.version}"
        if self.replace is not None:
            r = self.replace
            text += f" => {r.path} {r.version}" if r.version else f" => {r.path}"
        return text


def list_modules(
    g: ModuleGraph,
    main_file: ModFile | None = None,
    *,
    direct: Collection[str] | None = None,
    replacement: Callable[[ModuleVersion], ModuleVersion | None] | None = None,
) -> list[ListedModule]:
    """The build list annotated like ``go list -m all``: main first, then by path.

    With the main module's parsed go.mod, ``indirect`` is set (a module is indirect
    unless the main go.mod requires it without ``// indirect``) and replacements are
    looked up as go does (``path version`` first, then a path-only replace). A workspace
    passes its own ``direct`` paths and ``replacement`` lookup instead.
    """
    replaces: dict[ModuleVersion, ModuleVersion] = {}
    if main_file is not None and direct is None and replacement is None:
        # A requirement on an excluded version is dropped before go looks at it.
        excluded = {e.mod for e in main_file.exclude}
        direct = {r.mod.path for r in main_file.require if not r.indirect and r.mod not in excluded}
        for r in main_file.replace:
            replaces[r.old] = r.new
    out: list[ListedModule] = []
    for m in build_list(g):
        if m.version == "" and m in g.mains:
            out.append(ListedModule(m.path, "", main=True))
            continue
        if replacement is not None:
            new = replacement(m)
        else:
            new = replaces.get(m) or replaces.get(ModuleVersion(m.path, ""))
        indirect = None if direct is None else m.path not in direct
        out.append(ListedModule(m.path, m.version, False, indirect, new))
    return out


# -- reading go mod graph ---------------------------------------------------------------


def parse_graph(
    data: str | bytes, filename: str = "go mod graph", main: str | None = None
) -> ModuleGraph:
    """Parse ``go mod graph`` output.

    Blank lines are ignored and ``\\r\\n`` line ends accepted; anything else that go
    would not print raises :class:`GraphError` as ``FILE:LINE: message``. ``main`` names
    the main module for a graph with no edges.

    >>> parse_graph("m a@v1\\nm\\n", "g.txt")
    Traceback (most recent call last):
    ...
    analysis.errors.GraphError: g.txt:2: malformed line "m": want "FROM TO"
    """
    # Parsing allocates a few objects per edge and nothing cyclic; the cyclic collector
    # would otherwise rescan the growing graph many times (it doubles the parse time).
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_graph(data, filename, main)
    finally:
        if gc_was_enabled:
            gc.enable()


def _decode(data: bytes, filename: str) -> str:
    """UTF-8 text, without the byte-order mark Windows PowerShell 5 writes for
    ``Out-File -Encoding utf8`` (go never writes one; it carries no meaning). UTF-16, what
    PowerShell's ``>`` writes, is refused with the way to re-save it."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(data):
        target = "graph.txt" if filename.startswith("<") else filename
        raise GraphError(
            "UTF-16 text (as PowerShell's > writes): re-save it as UTF-8, e.g."
            f" go mod graph | Out-File -Encoding utf8 {target}",
            filename,
        )
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad_line = data[: exc.start].count(b"\n") + 1
        raise GraphError("invalid UTF-8", filename, bad_line) from None


def _utf16_without_bom(data: bytes) -> bool:
    """ASCII text stored as UTF-16: every other byte of the first few is zero."""
    head = data[:64]
    if len(head) < 4 or len(head) % 2:
        return False
    return not any(head[1::2]) or not any(head[0::2])


def _parse_graph(data: str | bytes, filename: str, main: str | None) -> ModuleGraph:
    text = _decode(data, filename) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    g = ModuleGraph(main)
    nodes: dict[str, ModuleVersion] = {}
    unversioned_targets: dict[str, int] = {}
    edges: list[tuple[ModuleVersion, ModuleVersion]] = []

    def node(token: str, lineno: int, is_from: bool) -> ModuleVersion:
        m = nodes.get(token)
        if m is not None:
            return m
        path, at, version = token.partition("@")
        if not path:
            raise GraphError(f'missing module path in "{token}"', filename, lineno)
        if at:
            if "@" in version:
                raise GraphError(f'malformed module "{token}": too many @', filename, lineno)
            if not version:
                raise GraphError(f'missing version in "{token}"', filename, lineno)
            if version == NONE or not mod_is_valid(path, version):
                raise GraphError(f'invalid version "{version}" in "{token}"', filename, lineno)
        elif not is_from:
            unversioned_targets.setdefault(path, lineno)
        for c in token:
            if c < " " or c == "\x7f":
                raise GraphError(f"control character in {token!r}", filename, lineno)
        m = ModuleVersion(path, version)
        nodes[token] = m
        return m

    # Adjacency is first collected by token (str hashes are cached) and then handed to
    # networkx in one go: hashing ModuleVersion per edge is what makes parsing slow.
    succ_t: dict[str, dict[str, dict[str, object]]] = {}
    pred_t: dict[str, dict[str, dict[str, object]]] = {}
    for lineno, line in enumerate(text.split("\n"), 1):
        if line.endswith("\r"):
            line = line[:-1]
        if not line:
            continue
        a, sep, b = line.partition(" ")
        if not sep or not a or not b or " " in b:
            raise GraphError(f'malformed line "{line}": want "FROM TO"', filename, lineno)
        ua = nodes.get(a) or node(a, lineno, True)
        ub = nodes.get(b) or node(b, lineno, False)
        edges.append((ua, ub))
        sa = succ_t.get(a)
        if sa is None:
            sa = succ_t[a] = {}
            pred_t[a] = {}
        pb = pred_t.get(b)
        if pb is None:
            succ_t[b] = {}
            pb = pred_t[b] = {}
        if b not in sa:
            sa[b] = pb[a] = {}
    g.add_parsed(edges, nodes, succ_t, pred_t)
    main_paths = {u.path for u, _ in edges if u.version == ""}
    if main is not None:
        main_paths.add(main)
    for path, lineno in unversioned_targets.items():
        if path not in main_paths:
            raise GraphError(f'missing version in "{path}"', filename, lineno)
    return g


def read_graph(source: str | os.PathLike[str], main: str | None = None) -> ModuleGraph:
    """Read recorded ``go mod graph`` output from a file, or from standard input for ``"-"``.

    Besides :func:`parse_graph`'s checks, the text must be what ``go mod graph`` prints for
    a module: not empty, and with the main module's requirements (go prints them first,
    ``M go@V`` included since Go 1.21). A file that is something else — a go.mod, a
    go.sum, JSON, UTF-16 — is a :class:`GraphError` that says what it looks like; a UTF-8
    byte-order mark is accepted.
    """
    stdin = str(source) == "-"
    name = "<stdin>" if stdin else str(source)
    if stdin:
        data = sys.stdin.buffer.read()
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise GraphError(exc.strerror or str(exc), name) from None
    text = _decode(data, name)
    _check_recorded(text, name)
    try:
        g = parse_graph(text, name, main)
    except GraphError as exc:
        last = text.count("\n") + 1
        if exc.line == last and exc.filename == name and not text.endswith("\n"):
            raise GraphError(
                f"{exc.message} (the file ends in the middle of this line: is it truncated?)",
                name,
                exc.line,
            ) from None
        raise
    if not any(u.version == "" for u, _ in g.edges):
        raise GraphError(
            "no line starts with the main module (a path without @version, as in"
            ' "example.com/m go@1.22"): `go mod graph` prints the main module\'s requirements'
            " first, so this is not its complete output (cut off at the start?)",
            name,
        )
    return g


_GOMOD_VERBS = frozenset(
    [
        "module",
        "go",
        "toolchain",
        "godebug",
        "require",
        "replace",
        "exclude",
        "retract",
        "tool",
        "ignore",
    ]
)
"""The directives a go.mod starts with (``modfile``'s verbs)."""


def _check_recorded(text: str, filename: str) -> None:
    """Refuse, with what the text looks like, what is not ``go mod graph`` output at all."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not first:
        raise GraphError(
            'empty: expected the output of `go mod graph` (one "FROM TO" edge per line)',
            filename,
        )
    words = first.split()
    an_edge = len(words) == 2 and "@" in words[1]
    if first.startswith("//") or (words[0] in _GOMOD_VERBS and not an_edge):
        what = "a go.mod file"
    elif len(words) == 3 and words[2].startswith("h1:"):
        what = "a go.sum file"
    elif first.startswith(("{", "[")):
        what = "JSON (`go list -m -json`?)"
    else:
        return
    raise GraphError(
        f"looks like {what}, not `go mod graph` output: pass the module's directory as DIR,"
        " or record its graph with `go mod graph > graph.txt`",
        filename,
    )


def run_go_mod_graph(
    module_dir: str | os.PathLike[str],
    go: str | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """Run ``go mod graph`` in ``module_dir`` and return its output.

    ``env`` replaces the process environment for go (e.g. ``GOPROXY=off`` for offline
    answers). Raises :class:`GoCommandError` when go is missing or fails: go's stderr is
    its message.
    """
    d = Path(module_dir)
    if not d.is_dir():
        raise GomodxError(f"{d}: not a directory")
    exe = go or shutil.which("go")
    if exe is None:
        raise GoCommandError(
            "the go command is not installed (or not on PATH); run `go mod graph > graph.txt`"
            " where Go is installed and pass --graph graph.txt"
        )
    try:
        proc = subprocess.run(
            [exe, "mod", "graph"],
            cwd=d,
            env=None if env is None else dict(env),
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise GoCommandError(f"cannot run {exe}: {exc}") from None
    if proc.returncode != 0:
        # go's own words are the message (its first line says what went wrong); where it
        # ran and what else to try is the hint.
        err = GoCommandError(
            proc.stderr.strip() or f"`go mod graph` in {d}: exit status {proc.returncode}",
            proc.stderr,
        )
        err.hint = (
            f"`go mod graph` failed in {d}; to read a recorded graph instead, pass --graph FILE"
        )
        raise err
    return proc.stdout


def load_graph(
    module_dir: str | os.PathLike[str] = ".",
    graph_file: str | os.PathLike[str] | None = None,
    main: str | None = None,
) -> ModuleGraph:
    """The graph from ``graph_file`` (``"-"`` = stdin) or from ``go mod graph`` in ``module_dir``."""
    if graph_file is not None:
        return read_graph(graph_file, main)
    return parse_graph(run_go_mod_graph(module_dir), "go mod graph", main)
