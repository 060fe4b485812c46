"""``gomodx modjson [FILE]``: print a go.mod exactly as ``go mod edit -json`` prints it.

Like ``go mod edit -json`` it parses the file strictly, applies ``SortBlocks`` and
``Cleanup`` (which drop duplicate and deleted entries) and prints the JSON object. A file
that does not parse is reported as the go command reports it::

    go: errors parsing go.mod:
    /abs/path/go.mod:3: unknown directive: foo

and the exit status is 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from analysis import modfile
from analysis.errors import ModfileError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "modjson",
        help="print a go.mod as `go mod edit -json` prints it",
        description="Print FILE (default ./go.mod) as `go mod edit -json` prints it, without Go.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="the go.mod to read (any name)")
    parser.set_defaults(func=run)


def _short_path(path: str) -> str:
    """The go command's ``base.ShortPath``: relative to the working directory when shorter."""
    try:
        rel = os.path.relpath(path)
    except ValueError:
        return path
    if len(rel) < len(path):
        try:
            if os.path.samefile(rel, path):
                return rel
        except OSError:
            if not os.path.exists(rel) and not os.path.exists(path):
                return rel
    return path


def _write_err(text: str) -> None:
    sys.stderr.flush()
    sys.stderr.buffer.write(text.encode("utf-8", "surrogateescape"))
    sys.stderr.buffer.flush()


def run(args: argparse.Namespace) -> int:
    if args.file is None:
        # go mod edit names the main module's go.mod by its absolute path in errors.
        path = os.path.abspath("go.mod")
        if not os.path.isfile(path):
            _write_err(
                "go: go.mod file not found in current directory or any parent directory; "
                "see 'go help modules'\n"
            )
            return 2
    else:
        path = args.file
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except IsADirectoryError:
        _write_err(f"go: read {path}: is a directory\n")
        return 2
    except FileNotFoundError:
        _write_err(f"go: open {path}: no such file or directory\n")
        return 2
    except OSError as exc:
        _write_err(f"go: open {path}: {exc.strerror or exc}\n")
        return 2
    try:
        f = modfile.parse(path, data)
    except ModfileError as exc:
        _write_err(f"go: errors parsing {_short_path(path)}:\n{exc}\n")
        return 2
    f.sort_blocks()
    f.cleanup()
    out = modfile.modfile_json(f)
    sys.stdout.flush()
    sys.stdout.buffer.write(out.encode("utf-8", "surrogateescape"))
    sys.stdout.buffer.flush()
    return 0
