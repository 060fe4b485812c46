"""``gomodx tidy``: ``go mod tidy`` as the go command does it, previewed, checked, undoable.

``gomodx tidy [-C DIR] [-e] [-go=VERSION] [-compat=VERSION]`` computes the go.mod and
go.sum bytes ``go mod tidy`` would write — without the go command — and writes them
through :meth:`analysis.session.Session.apply` (atomically, with a backup: ``gomodx
undo`` puts the files back). Standard error carries what go prints there (``go: finding
module for package …``, ``go: found P in M V``, or go's refusal, exit status 1).
Standard output carries what gomodx adds: each changed line with why.

* ``--dry-run`` writes nothing and prints the diff instead;
* ``--check`` writes nothing, prints what ``go mod tidy -diff`` prints (unified diffs of
  go.mod and go.sum, ``current/`` → ``tidy/``) and exits 1 when the files are not tidy,
  0 when they are — a CI gate without the go command;
* ``--json`` prints one object: ``OK``, ``GoMod``, ``GoSum`` (``null``: no go.sum and none
  written), ``Error`` (go's text, ``null`` when go succeeds), ``GoModChanged``,
  ``GoSumChanged``, ``Lines`` (``{"File", "Op", "Text", "Why"}`` per changed line),
  ``Stderr`` and, like ``get --json``, ``DryRun``, ``Applied``, ``Backup``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.apply import ApplyResult

__all__ = ["register"]

_NO_MODULE = (
    "go: go.mod file not found in current directory or any parent directory; see 'go help modules'"
)


def register(subparsers: Any) -> None:
    """Add the ``tidy`` subcommand."""
    from tui.commands.common import add_fetch_options

    p = subparsers.add_parser(
        "tidy",
        help="`go mod tidy` without the go command: preview, --check for CI, undo",
        description=(
            "Do what `go mod tidy` does to go.mod and go.sum — the same bytes, the same "
            "messages — and say why each line changes. Writes atomically with a backup "
            "(`gomodx undo`); --check exits 1 with go's -diff output when not tidy."
        ),
    )
    p.add_argument(
        "args", nargs="*", metavar="ARG", help=argparse.SUPPRESS
    )  # go's own error for any
    p.add_argument(
        "-C", dest="dir", default=".", metavar="DIR", help="change to DIR first (like go -C)"
    )
    p.add_argument("-e", dest="allow_errors", action="store_true", help="proceed despite errors")
    p.add_argument(
        "-go", dest="go_version", default="", metavar="VERSION", help="the go line to write"
    )
    p.add_argument(
        "-compat",
        dest="compat",
        default="",
        metavar="VERSION",
        help="the go version whose loading must give the same packages",
    )
    p.add_argument("--dry-run", action="store_true", help="preview only; write nothing")
    p.add_argument(
        "--check",
        action="store_true",
        help="write nothing; print go mod tidy -diff's output and exit 1 when not tidy",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_fetch_options(p)
    p.set_defaults(func=run_tidy)


def _check_version(flag: str, value: str) -> str | None:
    """go's ``goVersionFlag.Set``: the error text for a bad ``-go``/``-compat`` value."""
    from analysis.modfile import GO_VERSION_RE
    from analysis.source import LOCAL_GO_VERSION

    if not value:
        return None
    if not GO_VERSION_RE.fullmatch(value):
        return f'invalid value "{value}" for flag -{flag}: expecting a Go version like "{LOCAL_GO_VERSION}"'
    from analysis.semver import gover_compare

    if gover_compare(value, LOCAL_GO_VERSION) > 0:
        return f'invalid value "{value}" for flag -{flag}: maximum supported Go version is {LOCAL_GO_VERSION}'
    return None


def run_tidy(args: argparse.Namespace) -> int:
    from analysis.errors import GomodxError, ModfileError, StaleFiles
    from tui.commands.common import open_session, run_session
    from tui.commands.plancmds import render_result

    directory = Path(args.dir)
    if args.args:
        print("go: 'go mod tidy' accepts no arguments", file=sys.stderr)
        return 1
    for flag, value in (("go", args.go_version), ("compat", args.compat)):
        bad = _check_version(flag, value)
        if bad is not None:
            print(bad, file=sys.stderr)
            print(
                "usage: go mod tidy [-e] [-v] [-x] [-diff] [-go=version] [-compat=version]",
                file=sys.stderr,
            )
            print("Run 'go help mod tidy' for details.", file=sys.stderr)
            return 2
    try:
        if not (directory / "go.mod").is_file():
            raise GomodxError(_NO_MODULE)
        session = open_session(args, directory)
        plan = run_session(
            args,
            session,
            lambda: session.tidy(
                go_version=args.go_version, compat=args.compat, allow_errors=args.allow_errors
            ),
        )
    except GomodxError as exc:
        go_error = isinstance(exc, ModfileError) or str(exc).startswith("go: ")
        if args.json:
            text = str(exc) if go_error or str(exc).startswith("gomodx: ") else f"gomodx: {exc}"
            failed: dict[str, Any] = {
                "OK": False,
                "GoMod": None,
                "GoSum": None,
                "Error": text,
                "Lines": [],
            }
            print(json.dumps(failed, indent="\t", ensure_ascii=False))
            return 1 if go_error else exc.exit_code
        if not go_error:
            raise
        print(exc, file=sys.stderr)
        return 1

    write = plan.ok and not (args.dry_run or args.check)
    result: ApplyResult | None = None
    stale: StaleFiles | None = None
    if write:
        try:
            result = session.apply(plan)
        except StaleFiles as exc:
            stale = exc

    if args.json:
        out: dict[str, Any] = plan.tidy_json()
        out["DryRun"] = bool(args.dry_run or args.check)
        out["Applied"] = bool(result is not None and result.changed)
        out["Backup"] = result.backup if result is not None else ""
        print(json.dumps(out, indent="\t", ensure_ascii=False))
    else:
        for line in plan.stderr:
            print(line, file=sys.stderr)
        if not plan.ok:
            print(plan.error, file=sys.stderr)
        elif args.check:
            sys.stdout.write(plan.diff())
        else:
            for ln in plan.lines:
                print(f"{ln.file}: {ln.op} {ln.text.strip()}  # {ln.why}")
            if stale is not None:
                print(f"gomodx: {stale}; nothing written — run again", file=sys.stderr)
            elif result is not None:
                sys.stdout.write(render_result(result, session.directory))
            elif args.dry_run:
                sys.stdout.write(plan.diff())
                print("(dry run: nothing written)")
    if not plan.ok:
        return 1
    if stale is not None:
        return stale.exit_code
    if args.check and not plan.tidy:
        return 1
    return 0
