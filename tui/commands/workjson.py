"""``gomodx workjson [FILE]``: print a go.work exactly as ``go work edit -json`` prints it.

Without FILE it reads the go.work go would use here (``GOWORK``, else the nearest go.work in
this directory or a parent). Like go it applies ``SortBlocks`` and ``Cleanup`` and prints
the JSON object; errors are go's, with exit status 1::

    go: errors parsing go.work:
    errors parsing go.work:
    go.work:3: unknown directive: foo
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from analysis import workfile
from analysis.errors import GomodxError, ModfileError
from analysis.workspace import find_workspace
from tui.commands.modjson import _enc, _short_path, emit


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "workjson",
        help="print a go.work as `go work edit -json` prints it",
        description=(
            "Print FILE (default: the go.work go would use here) as `go work edit -json` "
            "prints it, without Go."
        ),
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="the go.work to read (any name)")
    parser.set_defaults(func=run)


def render(file: str | None) -> tuple[int, bytes, bytes]:
    """What ``gomodx workjson [FILE]`` prints: ``(exit status, stdout, stderr)``."""
    if file is None:
        try:
            found = find_workspace(os.getcwd(), os.environ)
        except GomodxError as exc:
            # Unless GOTOOLCHAIN=local, go's toolchain switch reads GOWORK first and wraps
            # the error once more.
            prefix = "go: " if os.environ.get("GOTOOLCHAIN") == "local" else "go: go: "
            return 1, b"", _enc(f"{prefix}{exc}\n")
        if found is None:
            return (
                1,
                b"",
                b"go: no go.work file found\n\t(run 'go work init' first or specify path "
                b"using GOWORK environment variable)\n",
            )
        path = str(found)
    else:
        path = file
    short = _short_path(path)
    try:
        with open(short, "rb") as fh:
            data = fh.read()
    except IsADirectoryError:
        return (
            1,
            b"",
            _enc(f"go: errors parsing {short}:\nreading go.work: read {short}: is a directory\n"),
        )
    except OSError as exc:
        reason = exc.strerror.lower() if exc.strerror else str(exc)
        return (
            1,
            b"",
            _enc(f"go: errors parsing {short}:\nreading go.work: open {short}: {reason}\n"),
        )
    try:
        wf = workfile.parse(short, data)
    except ModfileError as exc:
        return 1, b"", _enc(f"go: errors parsing {short}:\nerrors parsing go.work:\n{exc}\n")
    wf.sort_blocks()
    wf.cleanup()
    return 0, _enc(workfile.workfile_json(wf)), b""


def run(args: argparse.Namespace) -> int:
    return emit(*render(args.file))
