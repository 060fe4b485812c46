"""``gomodx outdated [DIR]``: which modules of the build list are behind, and how far
``go get`` would take each.

For every module of DIR's build list (``go list -m all``):

* ``Update``: the version ``go list -m -u`` offers (its retraction and prerelease rules
  included; ``""`` when none);
* ``Compatible``: the highest version of the same major that ``go get PATH@VERSION``
  accepts without refusal, previewed (never run) from the highest candidate down —
  releases only, unless the module or its update is a prerelease; ``""`` when nothing
  newer is accepted (``Refused`` then says which version go refused, and why);
* ``Level``: how far the update goes — ``major``, ``minor``, ``patch`` or ``prerelease``
  (``major`` too when only a newer major version exists under a ``/vN`` path);
* ``NewerMajors``: the latest version of each newer ``/vN`` path (go list does not look);
* ``Deprecated``, ``Retracted`` (the selected version's rationale) and ``Direct``.

The table lists the modules with something to say (outdated, retracted or deprecated;
``--all``: every module), the most disruptive level first, direct dependencies before
indirect ones. ``--json`` prints one array with an object per module of the build list
(every field always present). ``--direct`` keeps the main module's direct requirements
only.

``--ci`` makes the exit status a check: 1 when a module (of those shown) is retracted or
deprecated, and with ``--ci=LEVEL`` also when one is outdated at LEVEL or beyond
(``prerelease`` < ``patch`` < ``minor`` < ``major``); the reasons go to stderr. Without
``--ci`` the exit status is 0 whatever is outdated; 2 for gomodx's own failures.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.outdated import Outdated

__all__ = ["register", "render_table"]

GLYPHS = {"major": "▲", "minor": "◆", "patch": "●", "prerelease": "◇", "": " "}
"""The level's glyph, always printed with its word."""


def register(subparsers: Any) -> None:
    """Add the ``outdated`` subcommand."""
    from analysis.outdated import LEVELS
    from tui.commands.common import add_module_options

    p = subparsers.add_parser(
        "outdated",
        help="modules with updates: go list -m -u, the version go get accepts, level",
        description=(
            "List the modules of DIR's build list that are behind: the update `go list -m "
            "-u` offers, the highest same-major version `go get` accepts (previewed), the "
            "level of the update, newer /vN major versions, retractions and deprecations. "
            "--ci turns it into a check for CI."
        ),
        epilog=(
            "--json prints an array, one object per module of the build list: Path, "
            'Version, Update (what `go list -m -u` offers, "" for none), Compatible (the '
            'highest same-major version go get accepts, "" for none), Level (major, '
            'minor, patch, prerelease or ""), NewerMajors ([{Path, Version}]), '
            "Deprecated, Retracted (rationale lines), Direct, and when a newer version was "
            "refused, Refused ({Version, Error}: go's words). Exit status: 0, or with --ci "
            "1 when something is retracted, deprecated or (--ci=LEVEL) behind at LEVEL or "
            "more; 2 for gomodx's own failures."
        ),
    )
    add_module_options(p, graph=False, dir_help="the main module (default: .)")
    p.add_argument("--json", action="store_true", help="print a JSON array, one object a module")
    p.add_argument("--direct", action="store_true", help="direct requirements only")
    p.add_argument("--all", action="store_true", help="list up-to-date modules too")
    p.add_argument(
        "--ci",
        dest="ci",
        action="store_const",
        const="",
        default=None,
        help=(
            "exit 1 when a module is retracted or deprecated; --ci=LEVEL (prerelease, patch,"
            " minor, major) also when one is outdated at LEVEL or beyond"
        ),
    )
    # --ci takes its LEVEL only as --ci=LEVEL, so that it never swallows DIR.
    for level in LEVELS:
        p.add_argument(
            f"--ci={level}", dest="ci", action="store_const", const=level, help=argparse.SUPPRESS
        )
    p.add_argument(
        "--no-compatible",
        action="store_true",
        help="skip the go get previews behind Compatible (faster)",
    )
    p.add_argument(
        "--no-majors", action="store_true", help="do not probe for newer /vN major versions"
    )
    p.set_defaults(func=run_outdated)


def run_outdated(args: argparse.Namespace) -> int:
    from analysis.outdated import level_at_least, sort_key
    from tui.commands.common import open_session, run_session

    session = open_session(args, args.dir)
    found = run_session(
        args,
        session,
        lambda: session.outdated(
            compatible=not args.no_compatible,
            direct_only=args.direct,
            majors=not args.no_majors,
        ),
    )
    if args.json:
        print(json.dumps([o.to_json() for o in found], indent="\t", ensure_ascii=False))
    else:
        shown = found if args.all else [o for o in found if o.outdated or o.flagged]
        sys.stdout.write(render_table(sorted(shown, key=sort_key)))
        errors = [o for o in found if o.error]
        for o in errors:
            print(f"gomodx: {o.path}: {o.error}", file=sys.stderr)
    if args.ci is None:
        return 0
    failing = []
    for o in found:
        if o.retracted:
            failing.append(f"{o.path} {o.version} is retracted: {'; '.join(o.retracted)}")
        if o.deprecated:
            failing.append(f"{o.path} is deprecated: {o.deprecated}")
        if args.ci and level_at_least(o.level, args.ci):
            target = o.update or (o.latest_major.version if o.latest_major else "")
            failing.append(f"{o.path} {o.version} is behind ({o.level}: {target})")
    for line in failing:
        print(f"gomodx: outdated: {line}", file=sys.stderr)
    return 1 if failing else 0


def render_table(rows: list[Outdated]) -> str:
    """The human table: module, version, update, compatible, level (glyph + word),
    newest major, and notes (direct/indirect, retracted, deprecated, refusals)."""
    if not rows:
        return "all modules are up to date\n"
    head = ("MODULE", "VERSION", "UPDATE", "COMPATIBLE", "LEVEL", "MAJOR", "NOTES")
    table = [head]
    for o in rows:
        notes = ["direct" if o.direct else "indirect"]
        if o.retracted:
            notes.append("retracted")
        if o.deprecated:
            notes.append("deprecated")
        if o.refused and not o.compatible:
            notes.append(f"go get refuses {o.refused}")
        elif o.refused:
            notes.append(f"{o.refused} refused")
        major = o.latest_major
        table.append(
            (
                o.path,
                o.version,
                o.update or "-",
                o.compatible or "-",
                f"{GLYPHS[o.level]} {o.level or 'current'}",
                f"{major.path}@{major.version}" if major else "-",
                ", ".join(notes),
            )
        )
    widths = [max(len(r[i]) for r in table) for i in range(len(head) - 1)]
    out = []
    for r in table:
        cells = [c.ljust(w) for c, w in zip(r, widths, strict=False)]
        out.append("  ".join([*cells, r[-1]]).rstrip() + "\n")
    return "".join(out)
