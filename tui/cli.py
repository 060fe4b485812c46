"""The ``gomodx`` command line: a thin layer over the engine in :mod:`analysis`.

Textual is imported only when the app is opened, so scripted use starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from analysis.errors import GomodxError

# Each module registers its subcommands; order here is the order in --help.
COMMAND_MODULES = (
    "tui.commands.modjson",
    "tui.commands.workjson",
    "tui.commands.worksync",
    "tui.commands.graphcmds",
    "tui.commands.versions",
    "tui.commands.get",
    "tui.commands.outdated",
    "tui.commands.plancmds",
    "tui.commands.download",
    "tui.commands.vuln",
    "tui.commands.doctor",
    "tui.commands.tidy",
)


# Which module registers each command: running one command imports only its module
# (start-up time). A command missing here still works, through the full parser;
# tests/test_cli_users.py checks that this agrees with what the modules register.
COMMAND_MODULE_OF = {
    "modjson": "tui.commands.modjson",
    "workjson": "tui.commands.workjson",
    "graph": "tui.commands.graphcmds",
    "conflicts": "tui.commands.graphcmds",
    "list": "tui.commands.graphcmds",
    "why": "tui.commands.graphcmds",
    "versions": "tui.commands.versions",
    "get": "tui.commands.get",
    "downgrade": "tui.commands.plancmds",
    "upgrade": "tui.commands.plancmds",
    "undo": "tui.commands.plancmds",
    "download": "tui.commands.download",
    "vuln": "tui.commands.vuln",
    "doctor": "tui.commands.doctor",
    "outdated": "tui.commands.outdated",
    "tidy": "tui.commands.tidy",
    "worksync": "tui.commands.worksync",
}


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``command`` (a name in :data:`COMMAND_MODULE_OF`)
    only the module that registers it is imported."""
    parser = argparse.ArgumentParser(
        prog="gomodx",
        description="Explore and fix a Go module's dependencies.",
        epilog=(
            "Without a COMMAND, gomodx opens the terminal app: `gomodx [DIR] [--offline]` "
            "on the Go module in DIR (default: .), `gomodx [DIR] --graph FILE` on recorded "
            "`go mod graph` output, `gomodx --demo` on a bundled example (no Go toolchain or "
            "network needed)."
        ),
    )
    parser.add_argument("--version", action=_VersionAction, nargs=0, help="print the version")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CommandParser)
    only = COMMAND_MODULE_OF.get(command or "")
    for name in COMMAND_MODULES if only is None else (only,):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command module not written yet
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


class CommandParser(argparse.ArgumentParser):
    """The parser of every subcommand: options may come before, between or after the
    positionals (``downgrade M@V --dry-run DIR``), as with argparse's intermixed parsing,
    and ``--`` still ends the options. Anything the command does not know is an error
    printed with the command's own usage (``usage: gomodx downgrade ...``), exit status 2.

    Parsing takes two passes over the arguments before ``--``: first the options, with
    the positionals switched off, then the positionals (the strings left over, then
    everything after ``--``). This is argparse's ``parse_known_intermixed_args``, except
    that a ``--`` keeps its meaning (3.11's version drops it between the passes, so
    ``download -- -odd-name`` would be read as an option).
    """

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        argv = list(sys.argv[1:] if args is None else args)
        cut = argv.index("--") if "--" in argv else len(argv)
        head, tail = argv[:cut], argv[cut:]
        positionals = self._get_positional_actions()
        optionals = self._get_optional_actions()
        saved_usage = self.usage
        if self.usage is None:
            # Errors in the first pass must show the real usage, positionals included.
            self.usage = self.format_usage().removeprefix("usage: ").rstrip("\n")
        saved = [(a, a.nargs, a.default, a.required) for a in positionals + optionals]
        try:
            for a in positionals:
                a.nargs = a.default = argparse.SUPPRESS
            ns, rest = super().parse_known_args(head, namespace)
            for a, nargs, default, _ in saved:
                a.nargs, a.default = nargs, default
            for a in optionals:
                a.required = False  # already checked by the first pass
            ns, extras = super().parse_known_args(rest + tail, ns)
        finally:
            for a, nargs, default, required in saved:
                a.nargs, a.default, a.required = nargs, default, required
            self.usage = saved_usage
        if extras:
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return ns, []


class _VersionAction(argparse.Action):
    """``--version``, reading the installed metadata only when asked (start-up time)."""

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        import platform

        from analysis.eventloop import loop_name

        where = f"Python {platform.python_version()}, event loop: {loop_name()}"
        parser.exit(message=f"gomodx {_version()} ({where})\n")


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gomodx")
    except PackageNotFoundError:
        return "0+unknown"


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    names: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            names.update(action.choices)
    return names


def _subparser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and name in action.choices:
            sub: argparse.ArgumentParser = action.choices[name]
            return sub
    return parser


def _app_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gomodx",
        usage="gomodx [DIR] [--offline] [--graph FILE] | gomodx --demo | gomodx COMMAND ...",
        description="Open the gomodx terminal app (see `gomodx --help` for the commands).",
    )
    parser.add_argument("dir", nargs="?", metavar="DIR", help="the Go module (default: .)")
    parser.add_argument("--demo", action="store_true", help="open the bundled example project")
    parser.add_argument("--offline", action="store_true", help="answer from the module caches only")
    parser.add_argument(
        _APP_GRAPH,
        metavar="FILE",
        help="show recorded `go mod graph` output (no go command, no network for the graph)",
    )
    return parser


_APP_GRAPH = "--graph"
"""The app's one option that takes a value (its value is not a COMMAND)."""


def _wants_app(argv: Sequence[str], commands: set[str]) -> bool:
    """No command named: ``gomodx``, ``gomodx DIR``, ``gomodx --demo``, ``gomodx --offline``,
    ``gomodx --graph FILE``."""
    if any(a in ("-h", "--help", "--version") for a in argv[:1]):
        return False
    word = _first_word(argv)
    return word is None or word not in commands


def _first_word(argv: Sequence[str]) -> str | None:
    """The first argument that is not an option (nor ``--graph``'s value): the command's
    name, or the app's DIR."""
    for i, a in enumerate(argv):
        if not a.startswith("-") and (i == 0 or argv[i - 1] != _APP_GRAPH):
            return a
    return None


def _open_app(argv: Sequence[str]) -> int:
    parser = _app_parser()
    args = parser.parse_args(argv)
    if args.demo and (args.dir or args.graph):
        parser.error("--demo takes no DIR and no --graph")
    if args.graph == "-":
        parser.error("--graph -: the app reads keys from standard input; save the graph to a file")
    from tui.app import run_app  # Textual is imported only here

    return run_app(args.dir, demo=args.demo, offline=args.offline, graph=args.graph)


def _tune_gc() -> None:
    """A command (and the app) builds tens of thousands of small objects that live until
    it exits (a graph, its go.mod summaries, thousands of requests). With CPython's default
    thresholds the cycle collector walks them again and again: a seventh of a cold graph
    load. Young objects are examined ten times less often here; cycles are still
    collected (peak memory measured the same). (The ``gomodx`` process turns the
    collector off for the commands that never need it: :func:`tui.replay.main`.)"""
    import gc

    gc.set_threshold(10_000, 50, 50)


def main(argv: Sequence[str] | None = None) -> int:
    _tune_gc()
    argv = list(sys.argv[1:] if argv is None else argv)
    # The app is told apart by the command names alone: opening it imports no command.
    if _wants_app(argv, set(COMMAND_MODULE_OF)):
        try:
            return _open_app(argv)
        except GomodxError as exc:
            _print_error(exc)
            return exc.exit_code
        except KeyboardInterrupt:
            return 130
    parser = build_parser(_first_word(argv))
    args = parser.parse_args(argv)
    handler = getattr(args, "func", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    verbose = bool(getattr(args, "verbose", False))
    try:
        code: int = handler(args)
    except argparse.ArgumentError as exc:  # a usage mistake only the handler could see
        command = _subparser(parser, args.command)
        command.print_usage(sys.stderr)
        print(f"{command.prog}: error: {exc.message}", file=sys.stderr)
        return 2
    except GomodxError as exc:
        _print_error(exc, verbose)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: one line, the traceback with -v
        _print_error(exc, verbose)
        return 2
    return code


def _print_error(exc: Exception, verbose: bool = False) -> None:
    """One go-shaped error on stderr (and its hint, when it has one); with ``verbose``
    the traceback first. An exception that is not a :class:`GomodxError` is a bug in
    gomodx and says so."""
    if verbose:
        import traceback

        traceback.print_exception(exc, file=sys.stderr)
    if not isinstance(exc, GomodxError):
        print(
            f"gomodx: internal error: {type(exc).__name__}: {exc}"
            + ("" if verbose else " (run with -v for the traceback)"),
            file=sys.stderr,
        )
        return
    print(str(exc) if _go_shaped(exc) else f"gomodx: {exc}", file=sys.stderr)
    if exc.hint:
        print(f"({exc.hint})", file=sys.stderr)


def _go_shaped(exc: GomodxError) -> bool:
    """Errors that already start with a file position or ``go:`` are printed as Go prints
    them."""
    from analysis.errors import GraphError, ModfileError, ReplacementConflict

    return isinstance(exc, (ModfileError, GraphError, ReplacementConflict)) or str(exc).startswith(
        "go: "
    )
