"""``gomodx versions MODULE [DIR]`` and ``gomodx versions --all [DIR]``: versions, annotated,
through GOPROXY.

For one MODULE it lists what ``go list -m -versions MODULE`` lists, in Go's order, plus the
versions go hides (retracted with their rationale, excluded by DIR's go.mod), prereleases,
``+incompatible`` versions, what ``MODULE@latest`` resolves to, deprecation, newer major
versions, and — with DIR — the selected version and which modules ask for each version.

``--all`` does that for every module in DIR's build list at once, through one client, and
prints what ``go list -m -u all`` prints: ``path version [update] (retracted) (deprecated)``.

The build list comes from the module graph (``--source``/``--graph``, see
:mod:`tui.commands.common`); ``--json`` prints ``go list -m -versions -json`` field names
plus gomodx's annotations; ``-v`` prints every request to stderr; ``--offline`` answers from
the module caches only.

A partial answer — DIR's build list could not be had (no selected version, only DIR's own
requirements), the retractions could not be read, rows of ``--all`` failed — says what is
missing and why on stderr and exits 2; ``--best-effort`` prints the same and exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import semver
from analysis.errors import GomodxError
from tui.commands.common import add_module_options, open_session, run_session

if TYPE_CHECKING:
    from analysis.proxy import ProxyClient
    from analysis.session import Session
    from analysis.versions import MainModule, ModuleVersions


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "versions",
        help="list a module's versions with retractions, deprecation and @latest",
        description=(
            "List MODULE's versions as `go list -m -versions` does, annotated: retracted "
            "(with rationale), deprecated, prerelease, +incompatible, newer major versions, "
            "what @latest resolves to, and (with DIR) the selected version and who requires it. "
            "With --all, do it for DIR's whole build list and print what `go list -m -u all` "
            "prints."
        ),
    )
    parser.add_argument(
        "module",
        nargs="?",
        metavar="MODULE",
        help="module path, e.g. golang.org/x/text (with --all: DIR)",
    )
    parser.add_argument(
        "dir",
        nargs="?",
        metavar="DIR",
        help="main module directory: its go.sum, excludes and replacements apply",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="every module in DIR's build list, like `go list -m -u all`",
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--no-majors", action="store_true", help="do not probe for newer major versions"
    )
    parser.add_argument(
        "--vulns",
        action="store_true",
        help="mark each version's known vulnerabilities from GOVULNDB (JSON: Vulns)",
    )
    parser.add_argument(
        "--best-effort",
        action="store_true",
        help=(
            "when part of the answer cannot be had (DIR's build list, the retractions, rows"
            " of --all), print the rest with a warning and exit 0 (default: exit 2)"
        ),
    )
    add_module_options(parser, directory=False)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.all:
        return run_all(args)
    if not args.module:
        raise argparse.ArgumentError(None, "MODULE is required (or --all for the whole build list)")
    directory = Path(args.dir) if args.dir else None
    session = open_session(args, directory or ".", require_module=False)
    from analysis.versions import MainModule, module_versions

    main = MainModule()
    has_main = directory is not None and (directory / "go.mod").is_file()
    if has_main:
        main = session.main_module()
    notes: list[str] = []

    async def fetch() -> ModuleVersions:
        import anyio

        client = session.client
        selected = ""
        requested: dict[str, list[str]] = {}
        if has_main:
            # The module's own answers need no graph: ask for them while it loads.
            async with anyio.create_task_group() as group:
                group.start_soon(_warm, client, args.module)
                selected, requested, note = await _build_list_facts(session, args.module, main)
            if note:
                notes.append(note)
        found = await module_versions(
            client,
            args.module,
            main=main,
            selected=selected,
            requested_by=requested,
            majors=not args.no_majors,
        )
        if getattr(args, "vulns", False):
            vulns.update(await _vulns(session, found))
        return found

    vulns: dict[str, list[str]] = {}
    result = run_session(args, session, fetch)
    for note in (*notes, *result.warnings):
        print(f"gomodx: warning: {note}", file=sys.stderr)
    if result.error:
        print(f"gomodx: {result.error}", file=sys.stderr)
    partial = bool(notes or result.error)
    if args.json:
        out = result.to_json()
        if notes:
            out["Warnings"] = [*out.get("Warnings", ()), *notes]
        if partial:
            out["Partial"] = True
        if args.vulns:
            for row in out["Annotations"]:
                row["Vulns"] = vulns.get(row["Version"], [])
            out["Vulns"] = {v: ids for v, ids in vulns.items() if ids}
        print(json.dumps(out, indent="\t", ensure_ascii=False))
    else:
        print(render_text(result, vulns), end="")
    return _partial_status(partial, args.best_effort)


async def _vulns(session: Session, found: ModuleVersions) -> dict[str, list[str]]:
    """Each listed version's vulnerability IDs (GOVULNDB)."""
    from analysis.vulnscan import version_vulns

    db = session.vulndb()
    try:
        return await version_vulns(db, found.path, [e.version for e in found.entries])
    finally:
        await db.aclose()


def _partial_status(partial: bool, best_effort: bool) -> int:
    """A partial answer is an error (2) unless the user asked for best effort."""
    if not partial or best_effort:
        return 0
    print(
        "gomodx: the answer is partial (see above): exit status 2; --best-effort accepts it",
        file=sys.stderr,
    )
    return 2


async def _build_list_facts(
    session: Session, path: str, main: MainModule
) -> tuple[str, dict[str, list[str]], str]:
    """The selected version of ``path`` and its requirers from the module graph (``--source``,
    ``--graph``), else — with a note saying why — from DIR's own go.mod requirements."""
    try:
        loaded = await session.load()
    except (GomodxError, OSError) as exc:
        note = (
            f"partial answer: no build list, so no selected version and only the"
            f" requirements of {session.directory / 'go.mod'} itself: {_first_line(exc)}"
        )
    else:
        from analysis.updates import requested_versions

        asked = requested_versions(loaded.graph).get(path, {})
        return loaded.graph.selected().get(path, ""), asked, ""
    requested: dict[str, list[str]] = {}
    f = session.main_file()
    for req in f.require if f is not None else ():
        if req.mod.path == path:
            requested.setdefault(req.mod.version, []).append(main.path or "main module")
    return "", requested, note


def _first_line(exc: BaseException) -> str:
    """The first line that says something of ``exc`` (go's error is several lines; its
    first is what went wrong), or its type when it says nothing."""
    return next((line.strip() for line in str(exc).splitlines() if line.strip()), "") or (
        type(exc).__name__
    )


# -- versions --all ---------------------------------------------------------------------


def run_all(args: argparse.Namespace) -> int:
    if args.module and args.dir:
        raise argparse.ArgumentError(None, "--all takes at most one argument, DIR")
    session = open_session(args, args.module or args.dir or ".")
    session.check_go_list_flags()
    # Who requires each version shows in JSON only (go's text has no room for it).
    rows = run_session(
        args,
        session,
        lambda: session.versions_all(majors=not args.no_majors, requesters=args.json),
    )
    failed = 0
    for row in rows:
        if row.error:
            failed += 1
            # Say which module, when the error does not (a proxy's bad answer, say).
            where = "" if row.path in row.error else f"{row.path}: "
            print(f"gomodx: {where}{row.error}", file=sys.stderr)
        elif row.versions is not None:
            for note in (
                *row.versions.warnings,
                *([row.versions.error] * bool(row.versions.error)),
            ):
                print(f"gomodx: warning: {row.path}: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps([row.to_json() for row in rows], indent="\t", ensure_ascii=False))
    else:
        print("".join(f"{row.line()}\n" for row in rows), end="")
    if failed:
        print(
            f"gomodx: warning: partial answer: {failed} of {len(rows)} modules could not be listed",
            file=sys.stderr,
        )
    return _partial_status(bool(failed), args.best_effort)


async def _warm(client: ProxyClient, path: str) -> None:
    """Ask for what :func:`module_versions` almost always asks for: the version list, then
    the ``.info`` and go.mod of the newest compatible release (the usual @latest, whose
    go.mod holds the retractions). The answers are memoised by the client; failures are
    left for the real call to report.

    Worth it while something slow runs beside it (the graph, for one module). Not for
    ``--all``: there the event loop is busy with the graph's go.mod files, and warming
    every path during the load measured slower (more CPU) than asking afterwards."""
    try:
        listed = (await client.versions(path)).versions
        compatible = [v for v in listed if not v.endswith("+incompatible")]
        releases = [v for v in compatible if not semver.mod_is_prerelease(path, v)]
        newest = (releases or compatible or [""])[-1]
        if newest:
            await client.stat(path, newest)
            await client.gomod(path, newest)
    except (GomodxError, OSError):
        pass


def render_text(mv: ModuleVersions, vulns: dict[str, list[str]] | None = None) -> str:
    """The human-readable listing: one version per line with words, newest last (with
    ``vulns``, a vulnerable version says so and names the entries)."""
    from analysis.versions import short_message

    lines = [f"{mv.path}" + (" (stale: from the module cache)" if mv.stale else "")]
    width = max((len(e.version) for e in mv.entries), default=0)
    for e in mv.entries:
        words = e.tags()
        if e.retracted:
            why = "; ".join(short_message(r) for r in e.rationale) or "retracted by module author"
            words = [w if w != "retracted" else f"retracted ({why})" for w in words]
        if e.requested_by:
            words.append("required by " + ", ".join(e.requested_by))
        if vulns and vulns.get(e.version):
            words.append("vulnerable (" + ", ".join(vulns[e.version]) + ")")
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
