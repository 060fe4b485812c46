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
    "tui.commands.graphcmds",
    "tui.commands.versions",
    "tui.commands.plancmds",
    "tui.commands.download",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gomodx",
        description="Explore and fix a Go module's dependencies.",
    )
    parser.add_argument("--version", action="version", version=f"gomodx {_version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:  # a command module not written yet
            if exc.name != name:
                raise
            continue
        module.register(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gomodx")
    except PackageNotFoundError:
        return "0+unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "func", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        code: int = handler(args)
    except GomodxError as exc:
        print(f"gomodx: {exc}" if not _go_shaped(exc) else str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code


def _go_shaped(exc: GomodxError) -> bool:
    """Errors that already start with a file position are printed as Go prints them."""
    from analysis.errors import GraphError, ModfileError

    return isinstance(exc, (ModfileError, GraphError))
