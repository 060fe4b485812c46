"""``gomodx list|graph|conflicts|why``: the module graph on the command line.

Every command reads the graph from ``--graph FILE`` (recorded ``go mod graph`` output;
``-`` is standard input) or, without it, from ``DIR`` (default ``.``): ``--source go`` runs
``go mod graph`` there, ``--source proxy`` builds the same graph without the go command from
go.mod files fetched through GOPROXY, and ``--source auto`` (the default) uses go when it is
installed (see :mod:`tui.commands.common`). When ``DIR/go.mod`` belongs to the graph's main
module it is read too, for ``// indirect`` marks, replacements and exclusions.

Text is for people, ``--json`` for scripts (Go's field names: ``Path``, ``Version``, …).
``graph --focus MODULE`` draws one module's neighbourhood
(:func:`analysis.export.neighbourhood`), and ``graph --format svg|png`` renders through
Graphviz (:func:`analysis.render.render_image`).
Exit status: 0 fine, 1 findings (``conflicts`` found some the build sees, at
``--min-risk`` or above; ``why`` found no path), 2 error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import GomodxError
from analysis.fsio import write_atomic
from analysis.module import ModuleVersion
from tui.commands.common import (
    LoadedModule,
    add_module_options,
    load_module,
    open_session,
    run_session,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from analysis.conflicts import Conflict, Request
    from analysis.modinfo import ModuleInfo

# The engine (networkx and friends) is imported inside each command, so that building
# the parser — which every gomodx command does — stays cheap.

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the list, graph, conflicts and why subcommands."""

    def common(p: argparse.ArgumentParser) -> None:
        add_module_options(p)

    p = subparsers.add_parser(
        "list",
        help="the build list, as `go list -m all` prints it",
        description="Print the build list: the main module, then every module by path.",
    )
    common(p)
    p.add_argument(
        "--json",
        action="store_true",
        help="JSON objects one after another, byte for byte as `go list -m -json all`",
    )
    p.add_argument(
        "-u",
        dest="updates",
        action="store_true",
        help="with the available upgrade, retraction and deprecation (`go list -m -u all`)",
    )
    p.add_argument(
        "-e",
        dest="errors",
        action="store_true",
        help="list modules whose facts could not be had, with an Error (`go list -m -e`)",
    )
    p.add_argument(
        "--retracted",
        "-retracted",
        action="store_true",
        help="with retraction information (`go list -m -retracted all`)",
    )
    p.set_defaults(func=run_list)

    p = subparsers.add_parser(
        "graph",
        help="the requirement graph as text, DOT, Mermaid, JSON, SVG or PNG",
        description=(
            "Print the module requirement graph. `text` is exactly `go mod graph`. "
            "`svg` and `png` are drawn by Graphviz's `dot`, which must be installed; PNG is "
            "binary, so it needs -o FILE unless standard output is a pipe or a file. "
            "--focus MODULE keeps only the part of the graph around one module: its "
            "requirers up to --depth steps above it, shortest paths from the main module to "
            "its direct requirers, and what it requires down to --depth steps below. "
            "MODULE is a path (every version of it; below it, the selected version) or "
            "path@version."
        ),
    )
    common(p)
    p.add_argument(
        "--format",
        choices=("text", "dot", "mermaid", "json", "svg", "png"),
        default="text",
        help="output format (default: text); svg and png need Graphviz",
    )
    scope = p.add_mutually_exclusive_group()
    scope.add_argument(
        "--conflicts-only",
        action="store_true",
        help="only the conflicts the build sees: each conflicting module's versions, the"
        " modules that ask for them and the main module, with the paths from it collapsed",
    )
    scope.add_argument(
        "--focus",
        metavar="MODULE[@VERSION]",
        help="only MODULE's neighbourhood: who requires it and what it requires",
    )
    p.add_argument(
        "--depth",
        type=_positive,
        metavar="N",
        help="with --focus: how many requirement steps above and below MODULE (default: 1)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (atomically)")
    p.set_defaults(func=run_graph)

    p = subparsers.add_parser(
        "conflicts",
        help="modules required at several versions, and who wins",
        description=(
            "List the modules that modules in the build ask for at different versions, "
            "riskiest first: a summary (how many by risk, every high-risk one in a line), "
            "then for each the selected version, the winning request and the closest losing "
            "one, each with one shortest path from the main module, and why it is risky. "
            "A module asked for at several versions only by modules outside the build "
            "(older versions MVS did not select) is not a conflict: nothing built asked for "
            "another version; --all shows those too, with every request. "
            "Risk: high is a major, +incompatible or v0 minor jump over a request from the "
            "build, or a retracted or excluded selected version; medium a move to or from an "
            "untagged commit (pseudo-version) or a prerelease selected; low a minor or patch "
            "upgrade. Exit status 1 when there are conflicts (at --min-risk or above)."
        ),
    )
    common(p)
    p.add_argument(
        "--json",
        action="store_true",
        help="a JSON array of every conflict and request (as --all), riskiest first",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="every conflict, also those outside the build, with every request and path",
    )
    p.add_argument(
        "--min-risk",
        choices=("low", "medium", "high"),
        default="low",
        metavar="LEVEL",
        help="only conflicts at LEVEL or above: low, medium or high (default: low)",
    )
    p.add_argument(
        "--limit",
        type=_positive_count,
        metavar="N",
        help="show at most N conflicts (the summary still counts them all)",
    )
    p.set_defaults(func=run_conflicts)

    p = subparsers.add_parser(
        "why",
        help="why a module is in the build: every shortest requirement path",
        description=(
            "Print every shortest requirement path from the main module to MODULE "
            "(at VERSION, or at its selected version). Exit status 1 if it is not needed."
        ),
    )
    p.add_argument("module", metavar="MODULE[@VERSION]")
    common(p)
    p.add_argument(
        "more",
        nargs="*",
        metavar="ARG",
        help="with --imports: more packages (or modules, with -m)",
    )
    p.add_argument(
        "--imports",
        action="store_true",
        help="print what `go mod why [-m] ARG...` prints: import paths from the main module",
    )
    p.add_argument(
        "-m", dest="why_modules", action="store_true", help="with --imports: ARGs are modules"
    )
    p.add_argument(
        "--all",
        dest="all_paths",
        action="store_true",
        help="with --imports: every shortest import path, not only the first",
    )
    p.add_argument(
        "-C", dest="chdir", default=None, metavar="DIR", help="with --imports: the module directory"
    )
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument(
        "--limit",
        type=int,
        default=100,
        metavar="N",
        help="print at most N paths (default: 100)",
    )
    p.set_defaults(func=run_why)


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"want a whole number of steps, 1 or more: {text!r}")
    return n


def _positive_count(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"want a whole number, 1 or more: {text!r}")
    return n


# -- loading ----------------------------------------------------------------------------


def _load(args: argparse.Namespace, *, go_list: bool = False, replay: bool = True) -> LoadedModule:
    # What these commands print is computed from the graph alone: replayable unless a
    # command says otherwise (tui.replay).
    return load_module(args, go_list=go_list, replay=replay)


# -- output -----------------------------------------------------------------------------


def _emit(text: str, output: str | None = None) -> None:
    if output is None or output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    # The directory must exist, as for a shell redirection; errors are one line:
    # "writing out/graph.dot: no such file or directory".
    write_atomic(Path(output), text.encode("utf-8"), parents=False)


def _emit_bytes(data: bytes, output: str | None) -> None:
    """Write an image to ``output`` (atomically), or to standard output."""
    if output is None or output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    write_atomic(Path(output), data, parents=False)


def _json(data: object) -> str:
    return json.dumps(data, indent="\t", ensure_ascii=False) + "\n"


# -- list -------------------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    from analysis.modgraph import list_modules
    from analysis.modinfo import json_stream

    if not (args.json or args.updates or args.retracted or args.errors):
        # The plain list needs nothing but the graph.
        loaded = _load(args, go_list=True)
        if loaded.workspace is not None:
            entries = list_modules(
                loaded.graph, direct=loaded.direct, replacement=loaded.replacement
            )
        else:
            entries = list_modules(loaded.graph, loaded.main_file)
        _emit("".join(f"{m}\n" for m in entries))
        return 0
    session = open_session(args, require_module=getattr(args, "graph", None) is None)
    session.check_go_list_flags()

    async def listing() -> list[ModuleInfo]:
        # go list -e goes on with the graph it could load.
        loaded = await session.load(go_list=True, allow_errors=args.errors)
        return await session.list_info(loaded, updates=args.updates, retracted=args.retracted)

    infos = run_session(args, session, listing)
    failed = [m.error for m in infos if m.error]
    if failed and not args.errors:
        # go list prints every module's error, each on its own go: line, and nothing else.
        raise GomodxError("\n".join(f"go: {e}" for e in failed))
    if args.json:
        _emit(json_stream(infos))
    else:
        _emit("".join(f"{m.line()}\n" for m in infos))
    return 0


# -- graph ------------------------------------------------------------------------------


def run_graph(args: argparse.Namespace) -> int:
    from analysis import export
    from analysis.conflicts import conflicts

    fmt = args.format
    if args.depth is not None and not args.focus:
        raise argparse.ArgumentError(None, "--depth needs --focus MODULE")
    to_stdout = args.output is None or args.output == "-"
    if fmt == "png" and to_stdout and sys.stdout.isatty():
        raise GomodxError("graph: PNG is binary: write it to a file with -o FILE")
    # Not images: Graphviz's output also depends on its plugins and fonts, which are
    # no inputs gomodx knows of. Not -o FILE: that writes a file.
    loaded = _load(args, replay=to_stdout and fmt not in ("svg", "png"))
    g = loaded.graph
    if args.focus:
        g = export.neighbourhood(g, args.focus, args.depth or export.DEFAULT_DEPTH)
    found = conflicts(g, excluded=loaded.excluded) if args.conflicts_only else None
    if fmt in ("svg", "png"):
        from analysis.render import render_image

        dot = export.to_dot(g, conflicts_only=args.conflicts_only, conflict_list=found)
        _emit_bytes(render_image(dot, fmt), args.output)
        return 0
    _emit(export.to_format(g, fmt, args.conflicts_only, found), args.output)
    return 0


# -- conflicts --------------------------------------------------------------------------


_RISK_RANK = {"low": 0, "medium": 1, "high": 2}
_INDEX_AFTER = 5
"""More conflicts than this and the summary lists the high-risk ones, a line each."""


def _route(r: Request) -> str:
    """One shortest path from the main module to the requirer (the requirer last)."""
    return " -> ".join(str(m) for m in r.paths[0]) if r.paths else str(r.by)


def _conflict_all(c: Conflict) -> list[str]:
    """Every request of ``c``, with its requirer and path (``--all``)."""
    lines = [f"{c.path}: selected {c.selected} (risk: {c.risk.level})"]
    width = max(len(r.version) for r in c.requests)
    for r in c.requests:
        mark = "*" if r.sets_max else " "
        note = "" if r.by_selected else "  [requirer not selected]"
        lines.append(f"  {mark} {r.version:<{width}}  required by {r.by}{note}")
        if len(r.paths) == 0 or len(r.paths[0]) > 1:
            lines.append(f"    {'':<{width}}  via {_route(r)}")
    for reason in c.risk.reasons:
        lines.append(f"    - {reason}")
    return lines


def _conflict_brief(c: Conflict) -> list[str]:
    """The winning request and the closest losing one from the build, a path each."""
    lines = [f"{c.path}: selected {c.selected} (risk: {c.risk.level})"]
    shown = [r for r in (c.winner, c.runner_up) if r is not None]
    width = max(len(r.version) for r in shown)
    for r in shown:
        mark = "*" if r.sets_max else " "
        note = "" if r.by_selected else "  [requirer not in the build]"
        route = f"{r.by} (go.mod)" if r.paths and len(r.paths[0]) == 1 else _route(r)
        lines.append(f"  {mark} {r.version:<{width}}  {route}{note}")
    rest = [r for r in c.build_requests if r not in shown]
    if rest:
        versions = sorted({r.version for r in rest}, key=_vkey(c.path))
        span = f" at {versions[0]}" + (f" .. {versions[-1]}" if len(versions) > 1 else "")
        lines.append(
            f"    ... {len(rest)} more request{'s' if len(rest) != 1 else ''} from the build"
            f"{span} (--all)"
        )
    for reason in c.risk.key_reasons:
        lines.append(f"    - {reason}")
    return lines


def _vkey(path: str) -> Callable[[str], tuple[object, ...]]:
    from analysis.modgraph import version_key

    return lambda v: version_key(path, v)


def _conflicts_report(
    found: Sequence[Conflict],
    everything: bool,
    min_risk: str,
    limit: int | None,
    asked_by: Callable[[str], list[tuple[str, str]]] | None = None,
) -> str:
    """The text of ``gomodx conflicts``: a summary, then the conflicts riskiest first.

    In a workspace, ``asked_by`` names the main modules whose go.mod requires a path (and
    at which version): each conflict says which main module asks for what."""
    in_build = [c for c in found if c.in_build]
    outside = len(found) - len(in_build)
    listed = [c for c in (found if everything else in_build) if c.risk.rank >= _RISK_RANK[min_risk]]
    counts = {
        lvl: sum(1 for c in in_build if c.risk.level == lvl) for lvl in ("high", "medium", "low")
    }
    n = len(in_build)
    out = [
        f"{n} module{'s' if n != 1 else ''} asked for at several versions by modules in the build:"
        f" {counts['high']} high, {counts['medium']} medium, {counts['low']} low risk"
    ]
    if outside:
        out.append(
            f"{outside} more {'are' if outside != 1 else 'is'} asked for at several versions only"
            " by modules outside the build (older versions MVS did not select)"
            + ("" if everything else ": --all shows them")
        )
    shown = listed if limit is None else listed[:limit]
    high = [c for c in shown if c.risk.level == "high"]
    if high and len(shown) > _INDEX_AFTER:
        # Too many to see at once: every high-risk one in a line, on the first screen.
        out.append("")
        out.append("high risk:")
        out += [f"  {c.path} {c.selected}: {c.risk.reason}" for c in high]
    out.append("")
    start = "a main module" if asked_by is not None else "the main module"
    out.append(f"* marks the request that sets the selected version; paths start at {start}")
    out.append("")
    for c in shown:
        out += _conflict_all(c) if everything else _conflict_brief(c)
        mains = asked_by(c.path) if asked_by is not None else []
        if mains:
            out.append("    main modules: " + ", ".join(f"{p} asks for {v}" for p, v in mains))
        out.append("")
    if len(shown) < len(listed):
        more = len(listed) - len(shown)
        out.append(f"({more} more conflict{'s' if more != 1 else ''} not shown: raise --limit)")
    elif not listed and n:
        out.append(f"(none at {min_risk} risk or above)")
    return "\n".join(out).rstrip("\n") + "\n"


def run_conflicts(args: argparse.Namespace) -> int:
    from analysis import export
    from analysis.conflicts import by_risk, conflicts

    loaded = _load(args)
    found = by_risk(conflicts(loaded.graph, excluded=loaded.excluded))
    floor = _RISK_RANK[args.min_risk]
    failing = any(c.in_build and c.risk.rank >= floor for c in found)
    if args.json:
        listed = [c for c in found if c.risk.rank >= floor]
        if args.limit is not None:
            listed = listed[: args.limit]
        data = export.conflicts_to_json(listed)
        if loaded.workspace is not None:
            # Which main module's go.mod asks for which version of each path.
            for c, item in zip(listed, data, strict=True):
                item["MainModules"] = [
                    {"Path": p, "Version": v} for p, v in loaded.asked_by(c.path)
                ]
        _emit(_json(data))
    elif not found:
        _emit("no conflicts: every module is required at a single version\n")
    elif not args.all and not any(c.in_build for c in found):
        n = len(found)
        _emit(
            "no conflicts: every module in the build asks for the selected version"
            f" ({n} module{'s are' if n != 1 else ' is'} asked for at several versions only by"
            " modules outside the build: --all shows them)\n"
        )
    else:
        asked_by = loaded.asked_by if loaded.workspace is not None else None
        _emit(_conflicts_report(found, args.all, args.min_risk, args.limit, asked_by))
    return 1 if failing else 0


# -- why --------------------------------------------------------------------------------


def _run_why_imports(args: argparse.Namespace) -> int:
    """``gomodx why --imports [-m] [--all] [-C DIR] ARG...``: ``go mod why``'s output."""
    from tui.commands.common import open_session, run_session

    names = [args.module]
    if args.dir != ".":
        names.append(args.dir)  # with --imports, DIR comes from -C: this is an argument
    names.extend(args.more)
    directory = Path(args.chdir or ".")
    try:
        session = open_session(args, directory)
        text = run_session(
            args,
            session,
            lambda: session.why_imports(names, modules=args.why_modules, all_paths=args.all_paths),
        )
    except GomodxError as exc:
        if not str(exc).startswith("go: "):
            raise
        print(exc, file=sys.stderr)
        return 1
    if args.json:
        _emit(_json({"Args": names, "Text": text}))
    else:
        sys.stdout.write(text)
    return 0


def run_why(args: argparse.Namespace) -> int:
    from analysis import export
    from analysis.modgraph import shortest_paths

    if args.imports:
        return _run_why_imports(args)
    if args.more or args.why_modules or args.all_paths or args.chdir is not None:
        raise GomodxError("-m, --all, -C and more than one argument go with --imports")
    loaded = _load(args)
    g = loaded.graph
    target = ModuleVersion.parse(args.module)
    selected = g.selected()
    sel = selected.get(target.path)
    if target.version == "" and sel is not None:
        target = ModuleVersion(target.path, sel)
    limit = max(1, args.limit)
    paths = shortest_paths(g, target, limit) if sel is not None else []
    if args.json:
        _emit(
            _json(
                {
                    "Module": export.module_json(target),
                    "Selected": sel if sel is not None else "",
                    "Paths": [
                        [
                            {**export.module_json(m), "Selected": selected.get(m.path) == m.version}
                            for m in p
                        ]
                        for p in paths
                    ],
                }
            )
        )
        return 0 if paths else 1
    if not paths:
        what = str(target) if args.module.find("@") >= 0 else target.path
        _emit(f"(main module does not need module {what})\n")
        return 1
    out = [
        f"# {target}"
        + ("" if sel == target.version else f" (selected: {sel})")
        + f": {len(paths)} shortest path{'s' if len(paths) != 1 else ''},"
        f" {len(paths[0]) - 1} step{'s' if len(paths[0]) != 2 else ''}"
    ]
    for p in paths:
        out.append(str(p[0]))
        for depth, m in enumerate(p[1:], 1):
            note = ""
            chosen = selected.get(m.path)
            if chosen is not None and chosen != m.version:
                note = f"  (selected: {chosen or 'main module'})"
            out.append(f"{'  ' * depth}requires {m.path} {m.version}{note}")
        out.append("")
    if len(paths) == limit:
        out.append(f"(stopped after {limit} paths; use --limit to see more)\n")
    _emit("\n".join(out))
    return 0
