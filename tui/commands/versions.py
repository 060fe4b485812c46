"""``gomodx versions MODULE [DIR]``: a module's versions, annotated, through GOPROXY.

Lists what ``go list -m -versions MODULE`` lists, in Go's order, plus the versions go hides
(retracted with their rationale, excluded by DIR's go.mod), prereleases, ``+incompatible``
versions, what ``MODULE@latest`` resolves to, deprecation, newer major versions, and — with
DIR — the selected version and which modules ask for each version. ``--json`` prints
``go list -m -versions -json`` field names plus gomodx's annotations; ``-v`` prints every
request to stderr; ``--offline`` answers from the module caches only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import anyio

from analysis.cache import CacheStack
from analysis.errors import GomodxError
from analysis.goenv import load_goenv
from analysis.hashes import GoSum
from analysis.proxy import FetchEvent, ProxyClient
from analysis.versions import MainModule, ModuleVersions, module_versions, short_message


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "versions",
        help="list a module's versions with retractions, deprecation and @latest",
        description=(
            "List MODULE's versions as `go list -m -versions` does, annotated: retracted "
            "(with rationale), deprecated, prerelease, +incompatible, newer major versions, "
            "what @latest resolves to, and (with DIR) the selected version and who requires it."
        ),
    )
    parser.add_argument("module", metavar="MODULE", help="module path, e.g. golang.org/x/text")
    parser.add_argument(
        "dir",
        nargs="?",
        metavar="DIR",
        help="main module directory: its go.sum, excludes and replacements apply",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print every request to stderr"
    )
    parser.add_argument("--offline", action="store_true", help="answer from the module caches only")
    parser.add_argument(
        "--no-majors", action="store_true", help="do not probe for newer major versions"
    )
    parser.add_argument(
        "--cache-dir", metavar="DIR", help="gomodx's own download cache (default: user cache)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    directory = Path(args.dir) if args.dir else None
    if directory is not None and not directory.is_dir():
        raise GomodxError(f"{directory}: not a directory")
    env = load_goenv(cwd=directory or Path.cwd())
    main = MainModule()
    gosum = GoSum()
    selected = ""
    requested: dict[str, list[str]] = {}
    notes: list[str] = []
    if directory is not None and (directory / "go.mod").is_file():
        main = MainModule.load(directory)
        gosum = GoSum.read(directory / "go.sum")
        selected, requested, note = _build_list_facts(directory, args.module, main, env.go)
        if note:
            notes.append(note)
    own = Path(args.cache_dir) if args.cache_dir else None
    caches = CacheStack.for_env(env.gomodcache, own)

    def show(event: FetchEvent) -> None:
        print(f"gomodx: {event.describe()}", file=sys.stderr)

    async def fetch() -> ModuleVersions:
        async with ProxyClient(env, caches=caches, gosum=gosum, offline=args.offline) as client:
            if args.verbose:
                client.subscribe(show)
            return await module_versions(
                client,
                args.module,
                main=main,
                selected=selected,
                requested_by=requested,
                majors=not args.no_majors,
            )

    result = anyio.run(fetch)
    for note in (*notes, *result.warnings):
        print(f"gomodx: warning: {note}", file=sys.stderr)
    if result.error:
        print(f"gomodx: {result.error}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.to_json(), indent="\t", ensure_ascii=False))
    else:
        print(render_text(result), end="")
    return 0


def _build_list_facts(
    directory: Path, path: str, main: MainModule, go: str | None
) -> tuple[str, dict[str, list[str]], str]:
    """The selected version of ``path`` and its requirers, from ``go mod graph`` when go is
    installed, else from DIR's own go.mod requirements."""
    requested: dict[str, list[str]] = {}
    exe = go or shutil.which("go")
    if exe is not None:
        try:
            from analysis.modgraph import parse_graph, run_go_mod_graph, selected_versions
            from analysis.module import ModuleVersion

            graph = parse_graph(run_go_mod_graph(directory, exe), "go mod graph")
            for node in graph.versions(path):
                for who in graph.requirers(ModuleVersion(path, node)):
                    requested.setdefault(node, []).append(str(who))
            return selected_versions(graph).get(path, ""), requested, ""
        except GomodxError as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            note = f"no build list ({first}); showing DIR's own requirements only"
        except OSError as exc:
            note = f"no build list ({exc})"
    else:
        note = "the go command is not installed; showing DIR's own requirements only"
    from analysis.modfile import parse

    gomod = directory / "go.mod"
    f = parse(os.fspath(gomod), gomod.read_bytes())
    for req in f.require:
        if req.mod.path == path:
            requested.setdefault(req.mod.version, []).append(main.path or "main module")
    return "", requested, note


def render_text(mv: ModuleVersions) -> str:
    """The human-readable listing: one version per line with words, newest last."""
    lines = [f"{mv.path}" + (" (stale: from the module cache)" if mv.stale else "")]
    width = max((len(e.version) for e in mv.entries), default=0)
    for e in mv.entries:
        words = e.tags()
        if e.retracted:
            why = "; ".join(short_message(r) for r in e.rationale) or "retracted by module author"
            words = [w if w != "retracted" else f"retracted ({why})" for w in words]
        if e.requested_by:
            words.append("required by " + ", ".join(e.requested_by))
        mark = "*" if e.selected else " "
        lines.append(f" {mark} {e.version:<{width}}  {', '.join(words)}".rstrip())
    if not mv.entries:
        lines.append("   (no tagged versions)")
    if mv.error:
        lines.append(f"error: {mv.error} (retraction marks may be missing)")
    lines.append(
        f"latest: {mv.latest or '-'}" + (f" ({mv.latest_error})" if mv.latest_error else "")
    )
    if mv.deprecated:
        lines.append(f"deprecated: {short_message(mv.deprecated)}")
    if mv.newer_majors:
        majors = ", ".join(f"{m.path} ({m.version})" for m in mv.newer_majors)
        lines.append(f"newer major versions: {majors}")
    return "\n".join(lines) + "\n"
