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
    """The go command's ``base.ShortPath``: an absolute path made relative to the working
    directory when that is shorter (Go's ``filepath.Rel`` refuses relative paths)."""
    if not os.path.isabs(path):
        return path
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


def render(file: str | None) -> tuple[int, bytes, bytes]:
    """What ``gomodx modjson [FILE]`` prints: ``(exit status, stdout, stderr)``.

    The messages are the go command's (``go mod edit -json``), with exit status 2 for errors.
    """
    if file is None:
        # go mod edit names the main module's go.mod by its absolute path in errors.
        path = os.path.abspath("go.mod")
        if not os.path.isfile(path):
            return (
                2,
                b"",
                (
                    b"go: go.mod file not found in current directory or any parent directory; "
                    b"see 'go help modules'\n"
                ),
            )
    else:
        path = file
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except IsADirectoryError:
        return 2, b"", _enc(f"go: read {path}: is a directory\n")
    except FileNotFoundError:
        return 2, b"", _enc(f"go: open {path}: no such file or directory\n")
    except OSError as exc:
        return 2, b"", _enc(f"go: open {path}: {exc.strerror or exc}\n")
    try:
        f = modfile.parse(path, data)
    except ModfileError as exc:
        return 2, b"", _enc(f"go: errors parsing {_short_path(path)}:\n{exc}\n")
    f.sort_blocks()
    f.cleanup()
    return 0, _enc(modfile.modfile_json(f)), b""


def _enc(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def run(args: argparse.Namespace) -> int:
    return emit(*render(args.file))


def emit(code: int, out: bytes, err: bytes) -> int:
    """Write go's bytes to stdout and stderr as they are; return the exit status."""
    for stream, data in ((sys.stdout, out), (sys.stderr, err)):
        if data:
            stream.flush()
            stream.buffer.write(data)
            stream.buffer.flush()
    return code
