"""The module graph as Graphviz DOT, Mermaid and JSON.

DOT follows the convention of ``golang.org/x/exp/cmd/modgraphviz`` — the selected version
of each module is filled green, other versions grey — and adds: the requirement edges
that set a selected version drawn bold, losing versions of conflicting modules outlined
in red with dashed edges into them, the main module in bold, and a legend. The ``go`` and
``toolchain`` pseudo-modules are left out of DOT and Mermaid.

``conflicts_only=True`` draws only what explains the conflicts: every version of each
conflicting module, their requirers, and shortest requirement paths from the main module
to those requirers. :func:`neighbourhood` cuts out the part of a graph around one module,
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
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from analysis.conflicts import Conflict, Request, conflicting_paths, conflicts
from analysis.errors import GomodxError
from analysis.modgraph import ModuleGraph, is_toolchain_node, shortest_paths
from analysis.module import ModuleVersion

__all__ = [
    "DEFAULT_DEPTH",
    "TEXT_FORMATS",
    "conflict_to_json",
    "conflicts_to_json",
    "dot_quote",
    "graph_to_json",
    "mermaid_label",
    "module_json",
    "neighbourhood",
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


@dataclass(frozen=True)
class _View:
    """What to draw: nodes and edges in graph order, and how to style them."""

    nodes: list[ModuleVersion]
    edges: list[tuple[ModuleVersion, ModuleVersion]]
    selected: dict[str, str]
    conflicting: frozenset[str]
    mains: frozenset[ModuleVersion]

    def is_selected(self, m: ModuleVersion) -> bool:
        return self.selected.get(m.path) == m.version

    def kind(self, m: ModuleVersion) -> str:
        if m in self.mains:
            return "main"
        if self.is_selected(m):
            return "selected"
        return "losing" if m.path in self.conflicting else "unselected"

    def edge_kind(self, v: ModuleVersion) -> str:
        """``win``: sets a conflicting module's selected version; ``lose``: into a loser."""
        if v.path in self.conflicting:
            return "win" if self.is_selected(v) else "lose"
        return "plain"


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
    found = list(conflict_list) if conflict_list is not None else conflicts(g)
    conflicting = frozenset(c.path for c in found)
    wanted_edges: set[tuple[ModuleVersion, ModuleVersion]] = set()
    for c in found:
        for r in c.requests:
            wanted_edges.add((r.by, ModuleVersion(c.path, r.version)))
            for p in r.paths:
                wanted_edges.update(pairwise(p))
    edges = [e for e in _unique(g.edges) if e in wanted_edges]
    on = {n for e in edges for n in e}
    nodes = [m for m in g.nodes() if m in on]
    return _View(nodes, edges, selected, conflicting, frozenset(g.mains))


def _unique(
    edges: Sequence[tuple[ModuleVersion, ModuleVersion]],
) -> list[tuple[ModuleVersion, ModuleVersion]]:
    return list(dict.fromkeys(edges))


def to_text(
    g: ModuleGraph,
    conflicts_only: bool = False,
    conflict_list: Sequence[Conflict] | None = None,
) -> str:
    """``go mod graph`` text: the graph exactly as read, or the conflicts-only edges."""
    if not conflicts_only:
        return g.text()
    view = _view(g, True, conflict_list)
    return "".join(f"{u} {v}\n" for u, v in view.edges)


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
    seen = set(focus)
    level = focus
    for _ in range(depth):
        above: list[ModuleVersion] = []
        for node in level:
            for by in g.requirers(node):
                wanted.add((by, node))
                if by not in seen:
                    seen.add(by)
                    above.append(by)
        level = above
    seen = {below}
    level = [below]
    for _ in range(depth):
        deeper: list[ModuleVersion] = []
        for node in level:
            for dep in g.required(node):
                wanted.add((node, dep))
                if dep not in seen:
                    seen.add(dep)
                    deeper.append(dep)
        level = deeper
    return g.subgraph(e for e in _unique(g.edges) if e in wanted)


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
}


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
        f"\tgraph [rankdir={rankdir}, fontname=Helvetica, fontsize=12];",
        "\tnode [shape=rectangle, fontname=Helvetica, fontsize=12];",
        "\tedge [arrowsize=0.7];",
    ]
    if legend:
        lines += _dot_legend()
    for m in view.nodes:
        lines.append(f"\t{ids[m]} [label={_dot_label(str(m))}, {_DOT_NODE_STYLE[view.kind(m)]}];")
    for u, v in view.edges:
        style = _DOT_EDGE_STYLE[view.edge_kind(v)]
        lines.append(f"\t{ids[u]} -> {ids[v]}" + (f" [{style}]" if style else "") + ";")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dot_legend() -> list[str]:
    # Legend IDs contain a space, which no module token can (go mod graph splits on it).
    def node(key: str, label: str, kind: str) -> str:
        return f"\t\t{dot_quote('legend ' + key)} [label={_dot_label(label)}, {_DOT_NODE_STYLE[kind]}];"

    return [
        "\tsubgraph cluster_legend {",
        '\t\tlabel="legend"; fontsize=11; style=dashed; color="#9e9e9e";',
        "\t\tnode [fontsize=10];",
        node("main", "main module", "main"),
        node("selected", "selected version", "selected"),
        node("winner", "selected (conflict)", "selected"),
        node("losing", "losing version", "losing"),
        f'\t\t{dot_quote("legend main")} -> {dot_quote("legend selected")} [label="requires", fontsize=9];',
        f"\t\t{dot_quote('legend main')} -> {dot_quote('legend winner')}"
        f' [label="sets the maximum", fontsize=9, {_DOT_EDGE_STYLE["win"]}];',
        f"\t\t{dot_quote('legend main')} -> {dot_quote('legend losing')}"
        f' [label="outvoted", fontsize=9, {_DOT_EDGE_STYLE["lose"]}];',
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


_MERMAID_ARROW = {"win": "==>", "lose": "-.->", "plain": "-->"}
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
    direction: str = "TD",
) -> str:
    """The graph as a Mermaid flowchart (node ids ``n0``, ``n1``…; labels escaped)."""
    view = _view(g, conflicts_only, conflict_list)
    ids = {m: f"n{i}" for i, m in enumerate(view.nodes)}
    lines = [f"flowchart {direction}"]
    for m in view.nodes:
        lines.append(f"    {ids[m]}[{mermaid_label(str(m))}]:::{view.kind(m)}")
    for u, v in view.edges:
        lines.append(f"    {ids[u]} {_MERMAID_ARROW[view.edge_kind(v)]} {ids[v]}")
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
    go mod graph prints them, except in the conflicts-only view.
    """
    view = _view(g, conflicts_only, conflict_list, toolchain=not conflicts_only)
    nodes: list[dict[str, Any]] = []
    for m in view.nodes:
        item = module_json(m)
        if m in view.mains:
            item["Main"] = True
        item["Selected"] = view.is_selected(m)
        nodes.append(item)
    return {
        "Main": module_json(g.main) if g.mains else None,
        "Nodes": nodes,
        "Edges": [{"From": module_json(u), "To": module_json(v)} for u, v in view.edges],
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
