"""The module graph as Graphviz DOT, Mermaid and JSON.

DOT follows the convention of ``golang.org/x/exp/cmd/modgraphviz`` — the selected version
of each module is filled green, other versions grey — and adds: the requirement edges
that set a selected version drawn bold, losing versions of conflicting modules outlined
in red with dashed edges into them, the main module in bold, and a legend. The ``go`` and
``toolchain`` pseudo-modules are left out of DOT and Mermaid.

``conflicts_only=True`` draws only what explains the conflicts the build sees (see
:attr:`analysis.conflicts.Conflict.in_build`), in three columns: the main module; the
modules that ask for a version (the requirers in the build), each with one edge from the
main module, labelled ``N steps`` when it stands for a longer shortest path; and one
table per conflicting module, riskiest first, a row per version asked for. Above
:data:`CLUSTER_AFTER` nodes, requirers and tables are grouped by host (or code-host
owner). Mermaid and JSON show the same reduced graph; text writes each collapsed path out
as one shortest path, so every line stays a real requirement.
:func:`neighbourhood` cuts out the part of a graph around one module,
to draw in any format; :func:`to_format` picks a text format by name (images are
:mod:`analysis.render`'s).

>>> from analysis.modgraph import parse_graph
>>> g = parse_graph("m a@v1.0.0\\nm b@v1.0.0\\na@v1.0.0 b@v1.1.0\\n")
>>> print(to_mermaid(g, legend=False))
flowchart TD
    n0["m"]:::main
    n1["a@v1.0.0"]:::selected
    n2["b@v1.0.0"]:::losing
    n3["b@v1.1.0"]:::selected
    n0 --> n1
    n0 -.-> n2
    n1 ==> n3
    classDef main fill:#9be89b,stroke:#1b5e20,stroke-width:3px
    classDef selected fill:#9be89b,stroke:#2e7d32
    classDef losing fill:#d9d9d9,stroke:#d32f2f,color:#b71c1c
<BLANKLINE>
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from analysis.conflicts import Conflict, Request, by_risk, conflicting_paths, conflicts
from analysis.errors import GomodxError
from analysis.modgraph import ModuleGraph, is_toolchain_node, shortest_paths, version_key
from analysis.module import ModuleVersion

__all__ = [
    "CLUSTER_AFTER",
    "DEFAULT_DEPTH",
    "TEXT_FORMATS",
    "conflict_to_json",
    "conflicts_to_json",
    "dot_quote",
    "graph_to_json",
    "mermaid_label",
    "module_json",
    "neighbourhood",
    "path_group",
    "to_dot",
    "to_format",
    "to_json",
    "to_mermaid",
    "to_text",
]

TEXT_FORMATS = ("text", "dot", "mermaid", "json")
"""The formats :func:`to_format` writes (``text`` is ``go mod graph``'s)."""

DEFAULT_DEPTH = 1
"""How far :func:`neighbourhood` reaches by default (the export dialog's "around")."""

# Colours: modgraphviz's green/grey, plus red for losers and bold green for winners.
_GREEN = "#9be89b"
_GREY = "#d9d9d9"
_RED = "#d32f2f"
_WIN = "#1b5e20"
_LOSE_EDGE = "#9e9e9e"
_PATH = "#616161"


@dataclass(frozen=True)
class _View:
    """What to draw: nodes and edges in graph order, and how to style them.

    The conflicts-only view (``reduced``) has two sorts of edges: ``requests`` (a
    requirer's go.mod asks for a version of a conflicting module) and ``links`` from the
    main module to each requirer, ``links[(main, m)] = n`` standing for a shortest path of
    ``n`` requirement steps (1: the main module requires ``m`` itself). One edge can be
    both. ``risk`` is each conflicting path's risk level.
    """

    nodes: list[ModuleVersion]
    edges: list[tuple[ModuleVersion, ModuleVersion]]
    selected: dict[str, str]
    conflicting: frozenset[str]
    mains: frozenset[ModuleVersion]
    links: Mapping[tuple[ModuleVersion, ModuleVersion], int] = field(default_factory=dict)
    requests: frozenset[tuple[ModuleVersion, ModuleVersion]] = frozenset()
    risk: Mapping[str, str] = field(default_factory=dict)
    reduced: bool = False

    def is_selected(self, m: ModuleVersion) -> bool:
        return self.selected.get(m.path) == m.version

    def kind(self, m: ModuleVersion) -> str:
        if m in self.mains:
            return "main"
        if self.is_selected(m):
            return "selected"
        return "losing" if m.path in self.conflicting else "unselected"

    def edge_kind(self, u: ModuleVersion, v: ModuleVersion) -> str:
        """``win``: sets a conflicting module's selected version; ``lose``: into a loser;
        ``path``: a collapsed path from the main module (conflicts-only view)."""
        if self.reduced and (u, v) not in self.requests:
            return "path" if self.links.get((u, v), 1) > 1 else "plain"
        if v.path in self.conflicting:
            return "win" if self.is_selected(v) else "lose"
        return "plain"

    def steps(self, u: ModuleVersion, v: ModuleVersion) -> int:
        """How many requirement steps the edge stands for (more than 1: collapsed)."""
        return self.links.get((u, v), 1)


def _view(
    g: ModuleGraph,
    conflicts_only: bool,
    conflict_list: Sequence[Conflict] | None,
    toolchain: bool = False,
) -> _View:
    selected = g.selected()
    if not conflicts_only:
        conflicting = frozenset(
            [c.path for c in conflict_list] if conflict_list is not None else conflicting_paths(g)
        )
        keep_nodes = [m for m in g.nodes() if toolchain or not is_toolchain_node(m)]
        keep_edges = [
            (u, v)
            for u, v in _unique(g.edges)
            if toolchain or not (is_toolchain_node(u) or is_toolchain_node(v))
        ]
        return _View(keep_nodes, keep_edges, selected, conflicting, frozenset(g.mains))
    found = list(conflict_list) if conflict_list is not None else conflicts(g, path_limit=1)
    return _conflict_view(g, found)


def _conflict_view(g: ModuleGraph, found: Sequence[Conflict]) -> _View:
    """The conflicts the build sees, riskiest first: each conflicting module's versions
    that modules in the build ask for (and the selected one), those requirers (and, when
    none of them asks for the selected version, the nearest requirer that does), and the
    main module, with one edge from it to each requirer: the requirement itself when the
    main module requires it directly, else one edge standing for its shortest path
    (``links``), instead of every module along the way.
    """
    selected = g.selected()
    shown = [c for c in by_risk(found) if c.in_build]
    mains = frozenset(g.mains)
    nodes: dict[ModuleVersion, None] = dict.fromkeys(g.mains[:1])
    requests: dict[tuple[ModuleVersion, ModuleVersion], None] = {}
    requirers: dict[ModuleVersion, None] = {}
    for c in shown:
        asks = list(c.build_requests)
        winner = c.winner
        if winner is not None and not winner.by_selected:
            asks.append(winner)  # only a module outside the build asks for the selected one
        nodes.setdefault(ModuleVersion(c.path, c.selected))
        for r in asks:
            target = ModuleVersion(c.path, r.version)
            nodes.setdefault(target)
            nodes.setdefault(r.by)
            requests.setdefault((r.by, target))
            requirers.setdefault(r.by)
    links: dict[tuple[ModuleVersion, ModuleVersion], int] = {}
    if g.mains:
        main = g.main
        dist, _ = g.bfs()
        far = 1 << 30
        for m in sorted(requirers, key=lambda m: dist.get(m, far)):
            if m not in mains and m in dist:
                links[(main, m)] = 1 if g.has_edge(main, m) else dist[m]
    risk = {c.path: c.risk.level for c in shown}
    return _View(
        list(nodes),
        list(dict.fromkeys([*links, *requests])),
        selected,
        frozenset(risk),
        mains,
        links=links,
        requests=frozenset(requests),
        risk=risk,
        reduced=True,
    )


def _unique(
    edges: Sequence[tuple[ModuleVersion, ModuleVersion]],
) -> list[tuple[ModuleVersion, ModuleVersion]]:
    return list(dict.fromkeys(edges))


def to_text(
    g: ModuleGraph,
    conflicts_only: bool = False,
    conflict_list: Sequence[Conflict] | None = None,
) -> str:
    """``go mod graph`` text: the graph exactly as read, or the conflicts-only edges (a
    collapsed path written out as one shortest path, so every line is a requirement)."""
    if not conflicts_only:
        return g.text()
    view = _view(g, True, conflict_list)
    wanted: set[tuple[ModuleVersion, ModuleVersion]] = set()
    for u, v in view.edges:
        if view.steps(u, v) > 1:  # text has real requirements only: one shortest path
            wanted.update(pairwise(shortest_paths(g, v, 1)[0]))
        else:
            wanted.add((u, v))
    return "".join(f"{u} {v}\n" for u, v in _unique(g.edges) if (u, v) in wanted)


def to_format(
    g: ModuleGraph,
    fmt: str,
    conflicts_only: bool = False,
    conflict_list: Sequence[Conflict] | None = None,
) -> str:
    """``g`` in text format ``fmt`` (one of :data:`TEXT_FORMATS`)."""
    if fmt == "text":
        return to_text(g, conflicts_only=conflicts_only, conflict_list=conflict_list)
    if fmt == "dot":
        return to_dot(g, conflicts_only=conflicts_only, conflict_list=conflict_list)
    if fmt == "mermaid":
        return to_mermaid(g, conflicts_only=conflicts_only, conflict_list=conflict_list)
    if fmt == "json":
        return to_json(g, conflicts_only=conflicts_only, conflict_list=conflict_list)
    raise ValueError(f"unknown text format {fmt!r} (want one of {', '.join(TEXT_FORMATS)})")


# -- one module's neighbourhood -----------------------------------------------------------


def neighbourhood(
    g: ModuleGraph,
    module: ModuleVersion | str,
    depth: int = DEFAULT_DEPTH,
    paths_per_requirer: int = 3,
) -> ModuleGraph:
    """The part of ``g`` that explains one module.

    ``module`` is a path (every version of it in ``g``; below it, the selected version) or
    ``path@version`` (that one version). Kept, in ``g``'s edge order:

    * who requires it, up to ``depth`` requirement steps above;
    * up to ``paths_per_requirer`` shortest paths from the main module to each of its
      direct requirers, so that the picture starts at the main module;
    * what it requires, down to ``depth`` steps below.

    The result keeps ``g``'s selected versions (:meth:`ModuleGraph.subgraph`). Raises
    :class:`~analysis.errors.GomodxError` when ``module`` is not in ``g``.

    >>> from analysis.modgraph import parse_graph
    >>> g = parse_graph(
    ...     "m a@v1.0.0\\nm b@v1.0.0\\na@v1.0.0 c@v1.0.0\\nb@v1.0.0 c@v1.1.0\\n"
    ...     "c@v1.0.0 x@v1.0.0\\nc@v1.1.0 d@v1.0.0\\nd@v1.0.0 e@v1.0.0\\n"
    ... )
    >>> print(neighbourhood(g, "c").text(), end="")
    m a@v1.0.0
    m b@v1.0.0
    a@v1.0.0 c@v1.0.0
    b@v1.0.0 c@v1.1.0
    c@v1.1.0 d@v1.0.0
    >>> print(neighbourhood(g, "c@v1.0.0", depth=2).text(), end="")
    m a@v1.0.0
    a@v1.0.0 c@v1.0.0
    c@v1.0.0 x@v1.0.0
    """
    if depth < 1:
        raise ValueError(f"depth must be at least 1, not {depth}")
    target = ModuleVersion.parse(module) if isinstance(module, str) else module
    if target.version:
        if target not in g:
            raise GomodxError(f"module {target} is not in the module graph")
        focus = [target]
        below = target
    else:
        versions = g.versions(target.path)
        if not versions:
            raise GomodxError(f"module {target.path} is not in the module graph")
        focus = [ModuleVersion(target.path, v) for v in versions]
        below = ModuleVersion(target.path, g.selected()[target.path])
    wanted: set[tuple[ModuleVersion, ModuleVersion]] = set()
    for by in dict.fromkeys(by for node in focus for by in g.requirers(node)):
        for p in shortest_paths(g, by, paths_per_requirer):
            wanted.update(pairwise(p))
    for by, node in _levels(focus, g.requirers, depth):
        wanted.add((by, node))
    for dep, node in _levels([below], g.required, depth):
        wanted.add((node, dep))
    return g.subgraph(e for e in _unique(g.edges) if e in wanted)


def _levels(
    start: list[ModuleVersion],
    step: Callable[[ModuleVersion], Iterable[ModuleVersion]],
    depth: int,
) -> Iterator[tuple[ModuleVersion, ModuleVersion]]:
    """``(next, node)`` for every edge ``step`` takes from ``start``, breadth first, up to
    ``depth`` levels (each node expanded once)."""
    seen = set(start)
    level = start
    for _ in range(depth):
        following: list[ModuleVersion] = []
        for node in level:
            for nxt in step(node):
                yield nxt, node
                if nxt not in seen:
                    seen.add(nxt)
                    following.append(nxt)
        level = following


# -- DOT --------------------------------------------------------------------------------


def dot_quote(text: str) -> str:
    """``text`` as a DOT double-quoted string, safe as an ID and as an escString label.

    Backslashes are doubled (so ``\\N`` or ``\\l`` in a name stay literal), quotes
    escaped, line breaks turned into ``\\n``.

    >>> print(dot_quote('a"b\\\\c'))
    "a\\"b\\\\c"
    """
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + out.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n") + '"'


def _dot_label(text: str) -> str:
    # Graphviz decodes HTML entities (&amp; &#945; ...) in ordinary labels; keep '&' literal.
    return dot_quote(text.replace("&", "&amp;"))


_DOT_NODE_STYLE = {
    "main": f'style="filled,bold", fillcolor="{_GREEN}", penwidth=2',
    "selected": f'style=filled, fillcolor="{_GREEN}"',
    "losing": f'style=filled, fillcolor="{_GREY}", color="{_RED}", fontcolor="{_RED}"',
    "unselected": f'style=filled, fillcolor="{_GREY}"',
}
_DOT_EDGE_STYLE = {
    "win": f'color="{_WIN}", penwidth=2.5',
    "lose": f'color="{_LOSE_EDGE}", style=dashed',
    "plain": "",
    "path": f'color="{_PATH}", style=dotted, fontsize=9, fontcolor="{_PATH}"',
}
_RISK_COLOUR = {"high": _RED, "medium": "#e65100", "low": "#757575"}

CLUSTER_AFTER = 40
"""A conflicts-only picture with more nodes than this groups them by host (or
host/owner on code hosts such as github.com) in dashed boxes."""

_CODE_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "codeberg.org"})


def path_group(path: str) -> str:
    """The prefix a large picture groups a module under: its host, or host/owner on a
    code host.

    >>> path_group("golang.org/x/net"), path_group("github.com/google/go-cmp")
    ('golang.org', 'github.com/google')
    """
    parts = path.split("/")
    if parts[0] in _CODE_HOSTS and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0]


def to_dot(
    g: ModuleGraph,
    conflicts_only: bool = False,
    legend: bool = True,
    conflict_list: Sequence[Conflict] | None = None,
    rankdir: str = "LR",
) -> str:
    """The graph in Graphviz DOT (see the module docstring for the conventions)."""
    view = _view(g, conflicts_only, conflict_list)
    ids = {m: dot_quote(str(m)) for m in view.nodes}
    lines = [
        "digraph gomodgraph {",
        f"\tgraph [rankdir={rankdir}, fontname=Helvetica, fontsize=12"
        + (", newrank=true, nodesep=0.15, ranksep=0.5" if view.reduced else "")
        + "];",
        "\tnode [shape=rectangle, fontname=Helvetica, fontsize=12];",
        "\tedge [arrowsize=0.7" + (", fontname=Helvetica" if view.reduced else "") + "];",
    ]
    if legend:
        lines += _dot_legend(view.reduced)
    if view.reduced:
        lines += _dot_reduced(view)
        lines.append("}")
        return "\n".join(lines) + "\n"
    for m in view.nodes:
        lines.append(f"\t{ids[m]} [label={_dot_label(str(m))}, {_DOT_NODE_STYLE[view.kind(m)]}];")
    for u, v in view.edges:
        style = _DOT_EDGE_STYLE[view.edge_kind(u, v)]
        lines.append(f"\t{ids[u]} -> {ids[v]}" + (f" [{style}]" if style else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _html(text: str) -> str:
    """``text`` for an HTML-like label: entities for markup, and backslashes doubled, since
    Graphviz expands ``\\N``, ``\\G``… in HTML text too."""
    out = text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;")
    return out.replace(">", "&gt;").replace('"', "&quot;")


def _dot_table(title: str, risk: str, rows: Sequence[tuple[str, bool]]) -> str:
    """An HTML-like label: a conflicting module as a table, its risk under its path, then
    one row (port ``p0``, ``p1``…) per version, highest first, the selected one green."""
    colour = _RISK_COLOUR.get(risk, _RISK_COLOUR["low"])
    cells = [
        f'<tr><td bgcolor="white"><b>{_html(title)}</b><br/>'
        f'<font color="{colour}">{_html(risk)} risk</font></td></tr>'
    ]
    for i, (version, selected) in enumerate(rows):
        if selected:
            cells.append(
                f'<tr><td port="p{i}" bgcolor="{_GREEN}">{_html(version)} <b>selected</b></td></tr>'
            )
        else:
            cells.append(
                f'<tr><td port="p{i}" bgcolor="{_GREY}"><font color="{_RED}">'
                f"{_html(version)}</font></td></tr>"
            )
    return (
        f'<<table border="{3 if risk == "high" else 2}" cellborder="0" cellspacing="0"'
        f' cellpadding="4" color="{colour}">' + "".join(cells) + "</table>>"
    )


@dataclass(frozen=True)
class _Columns:
    """The conflicts-only view laid out in columns: the requirers (in graph order), and
    each conflicting module's versions asked for, riskiest module first, highest version
    first."""

    requirers: list[ModuleVersion]
    tables: dict[str, list[ModuleVersion]]
    grouping: bool
    """More than :data:`CLUSTER_AFTER` requirers and tables: group them by host."""

    def groups(self, keys: Sequence[str]) -> dict[str, list[str]]:
        """``keys`` (module paths or ``path@version``) by :func:`path_group` when grouping
        (a group of one is no group: key ``""``), else all under ``""``."""
        by: dict[str, list[str]] = {}
        for key in keys:
            by.setdefault(path_group(key.partition("@")[0]) if self.grouping else "", []).append(
                key
            )
        out: dict[str, list[str]] = {}
        for group, members in by.items():
            out.setdefault(group if len(members) > 1 else "", []).extend(members)
        return out


def _columns(view: _View) -> _Columns:
    asked: dict[str, set[ModuleVersion]] = {}
    for _, v in view.requests:
        asked.setdefault(v.path, set()).add(v)
    tables = {
        path: sorted(asked[path], key=lambda m: version_key(m.path, m.version), reverse=True)
        for path in view.risk
        if path in asked
    }
    ends = {v for _, v in view.links} | {u for u, _ in view.requests}
    requirers = [m for m in view.nodes if m in ends and m not in view.mains]
    return _Columns(requirers, tables, len(requirers) + len(tables) > CLUSTER_AFTER)


def _dot_reduced(view: _View) -> list[str]:
    """The conflicts-only view in three columns: the main module; every requirer, linked
    to the main module (by its requirement, or by one edge labelled with the length of
    its shortest path); and one table per conflicting module, a row per version asked
    for, which the requests point at. A requirer that is itself a version of a
    conflicting module is drawn twice: as a requirer, and as a row of its table."""
    cols = _columns(view)
    row: dict[ModuleVersion, str] = {}
    for path, versions in cols.tables.items():
        for i, m in enumerate(versions):
            row[m] = f'{_dot_table_id(path)}:"p{i}":w'
    lines = [
        f"\t{dot_quote(str(m))} [label={_dot_label(str(m))}, {_DOT_NODE_STYLE['main']}];"
        for m in view.nodes
        if m in view.mains
    ]

    def grouped(keys: Sequence[str], role: str, declare: Callable[[str], str]) -> None:
        for group, members in cols.groups(keys).items():
            if group:
                lines.append(f"\tsubgraph {dot_quote(f'cluster_{role} {group}')} {{")
                lines.append(
                    f'\t\tlabel={_dot_label(group)}; style="dashed,rounded"; color="#bdbdbd";'
                    ' fontcolor="#616161"; fontsize=13;'
                )
            indent = "\t\t" if group else "\t"
            lines.extend(indent + declare(key) for key in members)
            if group:
                lines.append("\t}")

    kinds = {str(m): view.kind(m) for m in cols.requirers}
    grouped(
        list(kinds),
        "r",
        lambda key: f"{dot_quote(key)} [label={_dot_label(key)}, {_DOT_NODE_STYLE[kinds[key]]}];",
    )
    grouped(
        list(cols.tables),
        "t",
        lambda path: (
            f"{_dot_table_id(path)} [shape=plain, label="
            + _dot_table(
                path,
                view.risk[path],
                [(m.version, view.is_selected(m)) for m in cols.tables[path]],
            )
            + "];"
        ),
    )
    for u, v in view.edges:
        n = view.links.get((u, v))
        if n is not None:
            style = _DOT_EDGE_STYLE["plain"] if n == 1 else _steps_style(n)
            lines.append(
                f"\t{dot_quote(str(u))} -> {dot_quote(str(v))}"
                + (f" [{style}]" if style else "")
                + ";"
            )
        if (u, v) in view.requests:
            style = _DOT_EDGE_STYLE[view.edge_kind(u, v)]
            lines.append(f"\t{dot_quote(str(u))} -> {row[v]} [{style}];")
    return lines


def _steps_style(n: int) -> str:
    return f"{_DOT_EDGE_STYLE['path']}, label={_dot_label(f'{n} steps')}"


def _dot_table_id(path: str) -> str:
    return dot_quote("conflict " + path)  # a space: no module token has one


def _dot_legend(reduced: bool = False) -> list[str]:
    # Legend IDs contain a space, which no module token can (go mod graph splits on it).
    def node(key: str, label: str, kind: str) -> str:
        return f"\t\t{dot_quote('legend ' + key)} [label={_dot_label(label)}, {_DOT_NODE_STYLE[kind]}];"

    def edge(a: str, b: str, label: str, style: str = "", head: str = "") -> str:
        attrs = f"label={_dot_label(label)}, fontsize=9" + (f", {style}" if style else "")
        return f"\t\t{dot_quote('legend ' + a)} -> {dot_quote('legend ' + b)}{head} [{attrs}];"

    lines = [
        "\tsubgraph cluster_legend {",
        '\t\tlabel="legend"; fontsize=11; style=dashed; color="#9e9e9e";',
        "\t\tnode [fontsize=10];",
        node("main", "main module", "main"),
    ]
    if reduced:
        table = _dot_table("a conflicting module", "high", [("v1.2.0", True), ("v1.0.0", False)])
        return [
            *lines,
            node("direct", "requirer", "selected"),
            node("far", "requirer further down", "selected"),
            f"\t\t{dot_quote('legend table')} [shape=plain, fontsize=10, label={table}];",
            edge("main", "direct", "requires"),
            edge("main", "far", "3 steps (a shortest path, collapsed)", _DOT_EDGE_STYLE["path"]),
            edge("direct", "table", "sets the maximum", _DOT_EDGE_STYLE["win"], ':"p0":w'),
            edge("far", "table", "outvoted", _DOT_EDGE_STYLE["lose"], ':"p1":w'),
            "\t}",
        ]
    return [
        *lines,
        node("selected", "selected version", "selected"),
        node("winner", "selected (conflict)", "selected"),
        node("losing", "losing version", "losing"),
        edge("main", "selected", "requires"),
        edge("main", "winner", "sets the maximum", _DOT_EDGE_STYLE["win"]),
        edge("main", "losing", "outvoted", _DOT_EDGE_STYLE["lose"]),
        "\t}",
    ]


# -- Mermaid ----------------------------------------------------------------------------

_MERMAID_SAFE = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./_@+-~:, "
)


def mermaid_label(text: str) -> str:
    """``text`` as a double-quoted Mermaid label, with entity codes for anything risky.

    ``"`` becomes ``#quot;``; other punctuation Mermaid or its HTML labels might read
    (``# < > & [ ] ( ) { } | ` \\``), control characters and line breaks become ``#NN;``.
    Other non-ASCII characters are kept as they are.

    >>> mermaid_label('a"b<c>#d')
    '"a#quot;b#60;c#62;#35;d"'
    """
    out: list[str] = []
    for c in text:
        if c in _MERMAID_SAFE or (ord(c) > 0x7F and c.isprintable()):
            out.append(c)
        elif c == '"':
            out.append("#quot;")
        else:
            out.append(f"#{ord(c)};")
    return '"' + "".join(out) + '"'


_MERMAID_ARROW = {"win": "==>", "lose": "-.->", "plain": "-->", "path": "-->"}
_MERMAID_CLASSES = (
    f"    classDef main fill:{_GREEN},stroke:{_WIN},stroke-width:3px",
    f"    classDef selected fill:{_GREEN},stroke:#2e7d32",
    f"    classDef losing fill:{_GREY},stroke:{_RED},color:#b71c1c",
    f"    classDef unselected fill:{_GREY},stroke:#757575",
)


def to_mermaid(
    g: ModuleGraph,
    conflicts_only: bool = False,
    legend: bool = True,
    conflict_list: Sequence[Conflict] | None = None,
    direction: str | None = None,
) -> str:
    """The graph as a Mermaid flowchart (node ids ``n0``, ``n1``…; labels escaped).

    ``direction`` defaults to ``TD``, and to ``LR`` for the conflicts-only view, which
    is drawn as DOT draws it: requirers, then one subgraph per conflicting module.
    """
    view = _view(g, conflicts_only, conflict_list)
    if view.reduced:
        return _mermaid_reduced(view, legend, direction or "LR")
    ids = {m: f"n{i}" for i, m in enumerate(view.nodes)}
    lines = [f"flowchart {direction or 'TD'}"]
    for m in view.nodes:
        lines.append(f"    {ids[m]}[{mermaid_label(str(m))}]:::{view.kind(m)}")
    for u, v in view.edges:
        lines.append(f"    {ids[u]} {_MERMAID_ARROW[view.edge_kind(u, v)]} {ids[v]}")
    if legend:
        lines += [
            "    subgraph legend [legend]",
            '        legend_main["main module"]:::main',
            '        legend_sel["selected version"]:::selected',
            '        legend_lose["losing version"]:::losing',
            "        legend_main ==>|sets the maximum| legend_sel",
            "        legend_main -.->|outvoted| legend_lose",
            "    end",
        ]
    used = {view.kind(m) for m in view.nodes}
    if legend:
        used |= {"main", "selected", "losing"}
    lines += [c for c in _MERMAID_CLASSES if c.split()[1] in used]
    return "\n".join(lines) + "\n"


def _mermaid_reduced(view: _View, legend: bool, direction: str) -> str:
    """The conflicts-only view: the main module (``n0``), the requirers (``r0``…) and a
    subgraph per conflicting module (``t0``…) holding its versions (``v0``…)."""
    cols = _columns(view)
    lines = [f"flowchart {direction}"]
    main = {m: f"n{i}" for i, m in enumerate(m for m in view.nodes if m in view.mains)}
    for m, i in main.items():
        lines.append(f"    {i}[{mermaid_label(str(m))}]:::main")
    req = {m: f"r{i}" for i, m in enumerate(cols.requirers)}
    by_text = {str(m): m for m in cols.requirers}
    for g, (group, members) in enumerate(cols.groups(list(by_text)).items()):
        indent = "        " if group else "    "
        if group:
            lines.append(f"    subgraph g{g} [{mermaid_label(group)}]")
        for key in members:
            m = by_text[key]
            lines.append(f"{indent}{req[m]}[{mermaid_label(key)}]:::{view.kind(m)}")
        if group:
            lines.append("    end")
    row: dict[ModuleVersion, str] = {}
    for t, (path, versions) in enumerate(cols.tables.items()):
        lines.append(f"    subgraph t{t} [{mermaid_label(f'{path} · {view.risk[path]} risk')}]")
        for m in versions:
            row[m] = f"v{len(row)}"
            label = m.version + (" selected" if view.is_selected(m) else "")
            lines.append(f"        {row[m]}[{mermaid_label(label)}]:::{view.kind(m)}")
        lines.append("    end")
    ends = main | req
    for u, v in view.edges:
        n = view.links.get((u, v))
        if n is not None:
            lines.append(f"    {ends[u]} -->" + (f"|{n} steps|" if n > 1 else "") + f" {ends[v]}")
        if (u, v) in view.requests:
            lines.append(f"    {ends[u]} {_MERMAID_ARROW[view.edge_kind(u, v)]} {row[v]}")
    if legend:
        lines += [
            "    subgraph legend [legend]",
            '        legend_main["main module"]:::main',
            '        legend_req["requirer"]:::selected',
            '        legend_far["requirer further down"]:::selected',
            '        legend_sel["v1.2.0 selected"]:::selected',
            '        legend_lose["v1.0.0"]:::losing',
            "        legend_main --> legend_req",
            "        legend_main -->|3 steps| legend_far",
            "        legend_req ==>|sets the maximum| legend_sel",
            "        legend_far -.->|outvoted| legend_lose",
            "    end",
        ]
    used = {view.kind(m) for m in view.nodes} | (
        {"main", "selected", "losing"} if legend else set()
    )
    lines += [c for c in _MERMAID_CLASSES if c.split()[1] in used]
    return "\n".join(lines) + "\n"


# -- JSON -------------------------------------------------------------------------------


def module_json(m: ModuleVersion) -> dict[str, Any]:
    """``{"Path": ..., "Version": ...}``; the version is left out for a main module."""
    out: dict[str, Any] = {"Path": m.path}
    if m.version:
        out["Version"] = m.version
    return out


def graph_to_json(
    g: ModuleGraph,
    conflicts_only: bool = False,
    conflict_list: Sequence[Conflict] | None = None,
) -> dict[str, Any]:
    """The graph as plain data in Go's field style.

    ``{"Main": {...}, "Nodes": [{"Path", "Version", "Selected", "Main"?}],
    "Edges": [{"From": {...}, "To": {...}}]}``; ``go``/``toolchain`` nodes are kept, as
    go mod graph prints them, except in the conflicts-only view. That view is the one DOT
    draws: the conflicting modules' versions (with their ``Risk``), their requirers and
    the main module; an edge with ``Steps`` stands for a shortest requirement path of
    that many steps from the main module (the modules along it are left out).
    """
    view = _view(g, conflicts_only, conflict_list, toolchain=not conflicts_only)
    nodes: list[dict[str, Any]] = []
    for m in view.nodes:
        item = module_json(m)
        if m in view.mains:
            item["Main"] = True
        item["Selected"] = view.is_selected(m)
        if m.path in view.risk and m not in view.mains:
            item["Risk"] = view.risk[m.path]
        nodes.append(item)
    edges: list[dict[str, Any]] = []
    for u, v in view.edges:
        edge: dict[str, Any] = {"From": module_json(u), "To": module_json(v)}
        if view.steps(u, v) > 1:
            edge["Steps"] = view.steps(u, v)
        edges.append(edge)
    return {
        "Main": module_json(g.main) if g.mains else None,
        "Nodes": nodes,
        "Edges": edges,
    }


def to_json(
    g: ModuleGraph,
    conflicts_only: bool = False,
    conflict_list: Sequence[Conflict] | None = None,
) -> str:
    """:func:`graph_to_json` as indented JSON text (tab indents, as go prints JSON)."""
    data = graph_to_json(g, conflicts_only, conflict_list)
    return json.dumps(data, indent="\t", ensure_ascii=False) + "\n"


def _request_json(r: Request) -> dict[str, Any]:
    return {
        "By": str(r.by),
        "Version": r.version,
        "SetsMax": r.sets_max,
        "Selected": r.by_selected,
        "Paths": [[str(m) for m in p] for p in r.paths],
    }


def conflict_to_json(c: Conflict) -> dict[str, Any]:
    """One conflict as ``{"Path", "Selected", "Versions", "InBuild", "Requests", "Risk"}``.

    Every request is kept; ``Selected`` on a request says whether its requirer is in the
    build, and ``InBuild`` whether any such request was overridden (see
    :attr:`~analysis.conflicts.Conflict.in_build`). ``Risk.Reason`` is the one-line why.
    """
    return {
        "Path": c.path,
        "Selected": c.selected,
        "Versions": list(c.versions),
        "InBuild": c.in_build,
        "Requests": [_request_json(r) for r in c.requests],
        "Risk": {"Level": c.risk.level, "Reason": c.risk.reason, "Reasons": list(c.risk.reasons)},
    }


def conflicts_to_json(found: Sequence[Conflict]) -> list[dict[str, Any]]:
    """A list of conflicts as JSON-ready data, in the order given."""
    return [conflict_to_json(c) for c in found]
