"""The rows behind the module table: one frozen value per build-list module.

Everything here is plain data computed from engine results, so it can be built in a
worker thread and tested without a terminal. Rendering helpers turn flags into Rich
``Text`` where every colour comes with a glyph or a word (the table must read the same
in monochrome).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from rich.text import Text

from analysis.conflicts import Conflict, conflicts
from analysis.modgraph import is_toolchain_node
from analysis.module import ModuleVersion
from analysis.semver import build, is_prerelease, is_pseudo_version
from analysis.session import LoadedModule
from analysis.versions import ModuleVersions
from tui.widgets.spacing import join_runs

__all__ = [
    "RISK_ORDER",
    "GraphFacts",
    "ModuleRow",
    "build_facts",
    "filter_rows",
    "flags_text",
    "legend",
    "risk_glyph",
    "risk_text",
    "sort_rows",
    "with_versions",
    "with_vulns",
]

RISK_ORDER = {"high": 0, "medium": 1, "low": 2}

# Glyph, word and style for each flag; the word is what a colour-blind reader relies on.
_RISK_STYLE = {
    "high": ("▲", "high", "bold red"),
    "medium": ("◆", "medium", "yellow"),
    "low": ("●", "low", "green"),
}
_FLAG_STYLE = {
    "retracted": ("✗", "retracted", "bold red"),
    "vulnerable": ("☠", "vulnerable", "bold red"),
    "deprecated": ("†", "deprecated", "yellow"),
    "excluded": ("⊘", "excluded", "magenta"),
    "replaced": ("⇄", "replaced", "cyan"),
    "pseudo": ("~", "pseudo", "blue"),
    "prerelease": ("β", "prerelease", "yellow"),
    "incompatible": ("±", "+incompatible", "magenta"),
    "indirect": ("·", "indirect", "dim"),
    # What the last apply or undo did to the row: after the row's own flags, so that
    # the mark of an event never pushes what the module is out of sight.
    "changed": ("✓", "changed", "bold green"),
    "undone": ("↶", "undone", "bold cyan"),
}


@dataclass(frozen=True)
class ModuleRow:
    """One module of the build list and everything the table shows about it."""

    path: str
    version: str
    main: bool = False
    asked: int = 1
    """How many distinct versions of this path the graph requests."""
    requirers: int = 0
    risk: str = ""
    """``high``/``medium``/``low`` for a conflicting module, ``""`` otherwise."""
    indirect: bool = False
    replaced: str = ""
    """The replacement (``path@version`` or a directory), ``""`` when not replaced."""
    excluded: tuple[str, ...] = ()
    """Versions of this path the main go.mod excludes."""
    retracted: bool = False
    deprecated: bool = False
    pseudo: bool = False
    prerelease: bool = False
    incompatible: bool = False
    changed: str = ""
    """The previous version when the last apply (or undo) moved this module."""
    undone: bool = False
    """Whether that move was an undo (the row says ``undone``, not ``changed``)."""
    vulns: tuple[str, ...] = ()
    """The IDs of the vulnerability entries affecting the selected version (GOVULNDB)."""
    required_by: tuple[str, ...] = ()
    """In a workspace: the main modules whose go.mod requires this path, each named by
    its directory relative to go.work (``api``, ``.``), in ``use`` order."""

    @property
    def key(self) -> str:
        return self.path

    @property
    def vulnerable(self) -> bool:
        return bool(self.vulns)

    def flags(self) -> list[str]:
        """The flag names that apply, in display order."""
        out = []
        for name in _FLAG_STYLE:
            if name in ("changed", "undone"):
                if self.changed and self.undone == (name == "undone"):
                    out.append(name)
            elif getattr(self, name):
                out.append(name)
        return out


@dataclass(frozen=True)
class GraphFacts:
    """What the app derives from one loaded graph: rows, conflicts, timings."""

    rows: tuple[ModuleRow, ...]
    conflicts: Mapping[str, Conflict]
    main: ModuleVersion
    edges: int
    nodes: int


def build_facts(
    loaded: LoadedModule,
    retracted: Mapping[str, str] | None = None,
) -> GraphFacts:
    """Rows for every build-list module and the conflicts, from one loaded graph.

    ``retracted`` maps a path to the rationale of its selected version's retraction (from
    version lists fetched so far); it feeds the conflict risk assessment.
    """
    g = loaded.graph
    retracted = retracted or {}

    def check(m: ModuleVersion) -> str | None:
        return retracted.get(m.path) if m.version == g.selected().get(m.path) else None

    # What the build sees, as `gomodx conflicts` shows it by default: a path that only
    # modules outside the build (unselected versions) ask for at several versions is not a
    # conflict here.
    found = {
        c.path: c for c in conflicts(g, check if retracted else None, loaded.excluded) if c.in_build
    }
    direct = loaded.direct
    required_by = workspace_requirers(loaded)
    excluded: dict[str, list[str]] = {}
    for e in loaded.excluded:
        excluded.setdefault(e.path, []).append(e.version)
    rows: list[ModuleRow] = []
    for m in loaded.build_list():
        if is_toolchain_node(m):
            continue
        versions = g.versions(m.path)
        asked = 0
        requirers = 0
        for v in versions:
            n = g.in_degree(ModuleVersion(m.path, v))
            if n:
                asked += 1
                requirers += n
        repl = loaded.replacement(m)
        conflict = found.get(m.path)
        is_main = m in g.mains
        rows.append(
            ModuleRow(
                path=m.path,
                version=m.version,
                main=is_main,
                asked=asked,
                requirers=requirers,
                risk=conflict.risk.level if conflict is not None else "",
                indirect=not is_main and m.path not in direct,
                replaced="" if repl is None else str(repl) if repl.version else repl.path,
                excluded=tuple(sorted(excluded.get(m.path, ()))),
                retracted=m.path in retracted,
                pseudo=bool(m.version) and is_pseudo_version(m.version),
                prerelease=bool(m.version)
                and is_prerelease(m.version)
                and not is_pseudo_version(m.version),
                incompatible=bool(m.version) and build(m.version) == "+incompatible",
                required_by=required_by.get(m.path, ()),
            )
        )
    return GraphFacts(
        rows=tuple(rows),
        conflicts=found,
        main=g.main,
        edges=len(g.edges),
        nodes=len(g),
    )


def workspace_requirers(loaded: LoadedModule) -> dict[str, tuple[str, ...]]:
    """In a workspace, ``{path: the main modules whose go.mod requires it}``, each main
    module named by its directory relative to go.work (``.`` for go.work's own), in
    ``use`` order; empty outside a workspace."""
    ws = loaded.workspace
    if ws is None:
        return {}
    out: dict[str, list[str]] = {}
    for root, f in zip(ws.roots, ws.mod_files, strict=True):
        name = os.path.relpath(root, ws.path.parent).replace(os.sep, "/")
        for r in f.require:
            names = out.setdefault(r.mod.path, [])
            if name not in names:
                names.append(name)
    return {path: tuple(names) for path, names in out.items()}


def with_versions(row: ModuleRow, mv: ModuleVersions) -> ModuleRow:
    """``row`` updated with what a fetched version list says (retracted, deprecated)."""
    entry = mv.entry(row.version)
    retracted = bool(entry and entry.retracted)
    deprecated = bool(mv.deprecated)
    if retracted == row.retracted and deprecated == row.deprecated:
        return row
    return replace(row, retracted=retracted, deprecated=deprecated)


def with_vulns(row: ModuleRow, ids: Sequence[str]) -> ModuleRow:
    """``row`` marked with the vulnerability IDs affecting its selected version."""
    ids = tuple(ids)
    return row if ids == row.vulns else replace(row, vulns=ids)


def filter_rows(rows: Sequence[ModuleRow], query: str) -> list[ModuleRow]:
    """Rows whose path (or a flag word) contains every space-separated term, ignoring case.

    >>> r = [ModuleRow("example.com/a", "v1.0.0"), ModuleRow("example.org/b", "v1.0.0")]
    >>> [x.path for x in filter_rows(r, "ORG")]
    ['example.org/b']
    """
    terms = query.lower().split()
    if not terms:
        return list(rows)
    out = []
    for row in rows:
        hay = row.path.lower()
        if all(t in hay for t in terms):
            out.append(row)
            continue
        words = " ".join([row.version.lower(), row.risk, *row.flags(), *row.required_by])
        if all(t in hay or t in words for t in terms):
            out.append(row)
    return out


def sort_rows(rows: Iterable[ModuleRow], conflicts_only: bool) -> list[ModuleRow]:
    """The main module first, then by path; conflicts-only: riskiest first."""
    if not conflicts_only:
        return sorted(rows, key=lambda r: (not r.main, r.path))
    return sorted(
        (r for r in rows if r.risk),
        key=lambda r: (RISK_ORDER.get(r.risk, 9), -r.asked, -r.requirers, r.path),
    )


def risk_text(risk: str) -> Text:
    """``▲ high`` in red, ``◆ medium`` in yellow, ``● low`` in green; empty when no conflict."""
    if not risk:
        return Text("")
    glyph, word, style = _RISK_STYLE[risk]
    return Text(f"{glyph} {word}", style=style)


def flag_text(name: str) -> Text:
    glyph, word, style = _FLAG_STYLE[name]
    return Text(f"{glyph} {word}", style=style)


def flags_text(row: ModuleRow, *, words: bool = True) -> Text:
    """The row's flags as glyph-and-word badges separated by spaces (``words=False``:
    the glyphs alone, for a narrow table; the details pane says the words)."""
    if row.main:
        return Text("main module" if words else "main", style="bold")
    by = [required_by_text(row, words=words)] if row.required_by else []
    if not words:
        return join_runs(
            [*by, *(Text(_FLAG_STYLE[f][0], style=_FLAG_STYLE[f][2]) for f in row.flags())]
        )
    return join_runs([*by, *(flag_text(f) for f in row.flags())])


REQUIRED_BY = ("⌂", "required by", "bold blue")
"""The workspace badge: which main modules' go.mod files require a module."""


def required_by_text(row: ModuleRow, *, words: bool = True) -> Text:
    """``⌂ api, web`` (``words=False``: ``⌂2``, how many main modules)."""
    glyph, _word, style = REQUIRED_BY
    if not words:
        return Text(f"{glyph}{len(row.required_by)}", style=style)
    return Text(f"{glyph} {', '.join(row.required_by)}", style=style)


def risk_glyph(risk: str) -> Text:
    """``▲`` in red, ``◆`` in yellow, ``●`` in green: :func:`risk_text` without the word."""
    if not risk:
        return Text("")
    glyph, _word, style = _RISK_STYLE[risk]
    return Text(glyph, style=style)


def legend() -> Text:
    """What every glyph of the module table means (the help screen shows it)."""
    out = Text()
    for glyph, word, style in (*_RISK_STYLE.values(), *_FLAG_STYLE.values(), REQUIRED_BY):
        if out:
            out.append("  ")
        out.append(glyph + " ", style=style)
        out.append(word)
    return out
