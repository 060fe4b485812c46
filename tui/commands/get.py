"""``gomodx get ARG...``: ``go get ARG...`` as the go command does it, and why.

Arguments are go's: module or package paths with an optional ``@query`` (``@v1.2.0``,
``@none``, ``@latest``, ``@upgrade``, ``@patch``, ``@v1``, ``@<v1.3``), several at once.
``-C DIR`` changes to DIR first, as go's does. ``-u`` and ``-u=patch`` are go's: the
modules providing the packages the arguments import move to their latest (or latest
patch) version too, unless an argument names them; with no argument, the package in the
current directory. The plan is computed without the go
command and, unless ``--dry-run``, written through :meth:`analysis.session.Session.apply`
(atomically, with a backup: ``gomodx undo`` puts the files back).

Standard error carries exactly what ``go get`` prints there (but its ``go: downloading``
lines): warnings, then ``go: added/removed/upgraded/downgraded …``, or go's refusal.
Standard output carries what gomodx adds: ``why …`` for every change that is not an
argument's own, and, when something was written, how to undo it (with ``--dry-run``, the
go.mod diff instead).

``--json`` prints one object instead (the shape ``downgrade --json`` prints):

* ``OK``: whether go get would succeed; ``Error``: go's error text, ``null`` when OK;
* ``GoMod``: go.mod after ``go get`` (unchanged when refused); ``GoSum``: go.sum after,
  ``null`` when there is none and go would write none;
* ``Changes``: go's report, one ``{"Path", "From", "To", "Kind", "Why"}`` per line:
  ``From`` is ``""`` for an added module and ``To`` is ``none`` for a removed one, as in
  go's own ``reportChanges``; ``Why`` is the reason (``requested: go get ARG`` for an
  argument's module);
* ``DryRun``, ``Applied``, ``Backup``, ``Stale`` and the rest of the plan.

``--then CMD`` runs CMD with the shell in the module's directory once the change is
written (``go test ./...``, say): its output is its own (on standard error with
``--json``). When it fails, gomodx says with which exit status and then

* with ``--undo-on-failure``, undoes the change (as ``gomodx undo`` would);
* otherwise, when standard input is a terminal (and no ``--json``), asks whether to undo;
* otherwise leaves the change and says how to undo it.

The exit status is then CMD's; ``--json`` adds ``"Then": {"Command", "ExitCode",
"Undone"}``. Nothing runs with ``--dry-run``, nor when go would refuse the change.

Exit status is go's: 0 done, 1 for anything go get would refuse or fail on (its message
on standard error, or in ``Error``); 2 for usage mistakes, for the cases gomodx cannot
preview yet (``gomodx: … not supported yet``) and for gomodx's own failures (a proxy it
cannot reach, say). With ``--json`` every failure is still one object (``OK`` false).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analysis.apply import ApplyResult
    from analysis.errors import StaleFiles
    from analysis.session import Session

__all__ = ["register"]

_NO_MODULE = (
    "go: go.mod file not found in current directory or any parent directory.\n"
    "\t'go get' is no longer supported outside a module.\n"
    "\tTo build and install a command, use 'go install' with a version,\n"
    "\tlike 'go install example.com/cmd@latest'\n"
    "\tFor more information, see https://go.dev/doc/go-get-install-deprecation\n"
    "\tor run 'go help get' or 'go help install'."
)
"""go get's own words outside a module (Go 1.27, cmd/go/internal/modget)."""


def register(subparsers: Any) -> None:
    """Add the ``get`` subcommand."""
    from tui.commands.common import add_fetch_options

    p = subparsers.add_parser(
        "get",
        help="`go get ARG...` without the go command: go's report, why, and undo",
        description=(
            "Do what `go get ARG...` does to go.mod and go.sum — the same edits, the same "
            "report on stderr — and say why each other module moves. Writes atomically "
            "with a backup (`gomodx undo`)."
        ),
        epilog=(
            "--then CMD: once the change is written, CMD runs with the shell in the "
            "module's directory (its standard output goes to standard error with --json). "
            "If it exits non-zero, gomodx prints its exit status, then undoes the change "
            "with --undo-on-failure, asks whether to undo when standard input is a "
            "terminal (and no --json), or else leaves the change and prints how to undo "
            "it; the exit status is CMD's. Nothing runs with --dry-run or when go would "
            'refuse the change. --json adds "Then": {"Command", "ExitCode", "Undone"}.'
        ),
    )
    p.add_argument(
        "args",
        nargs="*",
        metavar="ARG",
        help="a module or package path with an optional @query, e.g. example.com/m@v1.2.0",
    )
    p.add_argument(
        "-C", dest="dir", default=".", metavar="DIR", help="change to DIR first (like go -C)"
    )
    p.add_argument(
        "-u",
        dest="upgrade",
        action="store_const",
        const="upgrade",
        default="",
        help="also upgrade the modules providing the imported packages (go get -u)",
    )
    # go's -u is a boolean flag that takes its value only as -u=VALUE.
    p.add_argument(
        "-u=patch",
        dest="upgrade",
        action="store_const",
        const="patch",
        help="the same, to the latest patch release (go get -u=patch)",
    )
    p.add_argument(
        "-u=upgrade", dest="upgrade", action="store_const", const="upgrade", help=argparse.SUPPRESS
    )
    p.add_argument("--dry-run", action="store_true", help="preview only; write nothing")
    p.add_argument(
        "--then",
        metavar="CMD",
        help=(
            "after writing, run CMD with the shell in the module's directory (e.g. 'go test"
            " ./...'); if it fails, offer to undo (asks only on a terminal)"
        ),
    )
    p.add_argument(
        "--undo-on-failure",
        action="store_true",
        help="with --then: undo the change when CMD fails, without asking",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    add_fetch_options(p)
    p.set_defaults(func=run_get)


def run_get(args: argparse.Namespace) -> int:
    from analysis.errors import GomodxError, NotSupported, StaleFiles
    from analysis.plan import parse_target
    from tui.commands.common import open_session, run_session
    from tui.commands.plancmds import plan_json, render_result, why_lines

    directory = Path(args.dir)
    if args.then is not None and args.dry_run:
        print("gomodx get: --then runs after writing: not with --dry-run", file=sys.stderr)
        return 2
    if args.undo_on_failure and args.then is None:
        print("gomodx get: --undo-on-failure needs --then CMD", file=sys.stderr)
        return 2
    try:
        if directory.is_dir() and not (directory / "go.mod").is_file():
            raise GomodxError(_NO_MODULE)
        targets = [parse_target(a) for a in args.args]
        session = open_session(args, directory, get_command=True)
        plan = run_session(
            args, session, lambda: session.plan(targets, suggest=False, upgrade=args.upgrade)
        )
    except GomodxError as exc:
        go_error = not isinstance(exc, NotSupported) and _go_shaped(exc)
        if args.json:
            text = str(exc) if go_error or str(exc).startswith("gomodx: ") else f"gomodx: {exc}"
            print(json.dumps(_failure_json(text), indent="\t", ensure_ascii=False))
            return 1 if go_error else exc.exit_code
        if not go_error:
            raise  # printed by the command line's handler, with its hint
        print(exc, file=sys.stderr)
        return 1

    result: ApplyResult | None = None
    stale: StaleFiles | None = None
    if plan.ok and not args.dry_run:
        try:
            result = session.apply(plan)
        except StaleFiles as exc:
            stale = exc

    if not args.json:
        # Standard error: go's own lines, as go prints them.
        for line in (line for w in plan.warnings for line in w.splitlines()):
            print(line, file=sys.stderr)
        for line in plan.go_lines():
            print(line, file=sys.stderr)
        # Standard output: what gomodx adds.
        for line in why_lines(plan):
            print(line)
        if stale is not None:
            print(f"gomodx: {stale}; nothing written — run again", file=sys.stderr)
        elif result is not None and result.changed:
            sys.stdout.write(render_result(result, session.directory))
        elif args.dry_run and plan.ok:
            diff = plan.gomod_diff()
            if diff:
                sys.stdout.write(diff)
            print("(dry run: nothing written)")
    then: dict[str, Any] | None = None
    if args.then is not None and result is not None:
        # What gomodx said comes before the command's own output.
        sys.stdout.flush()
        sys.stderr.flush()
        then = _run_then(args, session, plan.command, changed=result.changed)
    if args.json:
        out = plan_json(plan, dry_run=args.dry_run, result=result, stale=stale)
        if then is not None:
            out["Then"] = then
        print(json.dumps(out, indent="\t", ensure_ascii=False))
    if plan.error is not None:
        return 2 if isinstance(plan.error, NotSupported) else 1
    if stale is not None:
        return stale.exit_code
    if then is not None:
        return int(then["ExitCode"])
    return 0


def _run_then(
    args: argparse.Namespace, session: Session, command: str, *, changed: bool
) -> dict[str, Any]:
    """``--then``: run the command; when it fails, undo (``--undo-on-failure``, or a yes
    on a terminal) or say how to. Returns the ``Then`` JSON object."""
    from analysis.errors import GomodxError

    cmd = args.then
    # With --json standard output is the JSON's: the command's goes to standard error.
    code = session.run_after(cmd, stdout=2 if args.json else None)
    undone = False
    if code != 0:
        print(f"gomodx: --then: {cmd!r} failed with exit status {code}", file=sys.stderr)
        if not changed:
            pass  # nothing was written: nothing to undo
        elif args.undo_on_failure or (not args.json and _ask(f"undo go get {command}?")):
            try:
                res = session.undo()
            except GomodxError as exc:
                print(f"gomodx: not undone: {exc}", file=sys.stderr)
            else:
                undone = True
                print(f"gomodx: undid go get {res.target}", file=sys.stderr)
        else:
            print(
                f"gomodx: the change stays; undo with: gomodx undo {session.directory}",
                file=sys.stderr,
            )
    return {"Command": cmd, "ExitCode": code, "Undone": undone}


def _ask(question: str) -> bool:
    """A yes/no question on the terminal; no when standard input is not one."""
    if not sys.stdin.isatty():
        return False
    print(f"gomodx: {question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def _go_shaped(exc: Exception) -> bool:
    """An error go itself would print (and exit 1 for): ``go: …`` or ``go.mod:3:9: …``."""
    from analysis.errors import ModfileError

    return isinstance(exc, ModfileError) or str(exc).startswith("go: ")


def _failure_json(error: str) -> dict[str, Any]:
    """``--json`` when there is no plan at all (no go.mod, a malformed argument …)."""
    return {"OK": False, "Error": error, "Changes": [], "GoMod": None, "GoSum": None}
