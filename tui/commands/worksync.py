"""``gomodx worksync``: ``go work sync`` previewed file by file, then applied as one change.

``-C DIR`` (or ``DIR``) changes to DIR first, as go's does; the workspace is the go.work go would use
there (``GOWORK``, else the nearest go.work above). The preview is exactly go's — the go
command runs on a sandbox copy of the workspace (:mod:`analysis.worksync`) — and, unless
``--dry-run``, every file it changes (each module's go.mod and go.sum, go.work,
go.work.sum) is written at once, all or nothing, with a backup: ``gomodx worksync
--undo`` puts them all back.

Standard error carries what ``go work sync`` prints there (but ``go: downloading``);
standard output the diff of each file that changes (``--dry-run``) or what was written.

``--json`` prints one object::

    {"OK": true, "GoMods": {"<dir relative to go.work>": "<new go.mod text>"},
     "Error": null, "GoWork": "/w/go.work", "GoSums": {"<dir>": "<go.sum>" | null},
     "GoWorkText": "<new go.work>", "GoWorkSum": "<go.work.sum>" | null,
     "Modules": {"<dir>": "<module path>"}, "Changed": ["a/go.mod", "go.work"],
     "Messages": [...], "Source": "go", "DryRun": false, "Applied": ["a/go.mod", ...],
     "Backup": "...", "Stale": null}

``GoMods`` holds every used module's go.mod after the sync (changed or not). Exit status:
0 done, 1 when go work sync fails (its message on stderr, or in ``Error``) or the files
changed since the preview, 2 for what gomodx cannot preview yet.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the ``worksync`` subcommand."""
    from tui.commands.common import add_fetch_options

    p = subparsers.add_parser(
        "worksync",
        help="`go work sync`, previewed per file, applied atomically with undo",
        description=(
            "Preview what `go work sync` writes — every module's go.mod and go.sum, go.work"
            " — then write it all at once with a backup (`gomodx worksync --undo`)."
        ),
    )
    p.add_argument(
        "-C", dest="dir", default=".", metavar="DIR", help="change to DIR first (like go -C)"
    )
    p.add_argument("where", nargs="?", default=None, metavar="DIR", help="the same as -C DIR")
    p.add_argument("--dry-run", action="store_true", help="preview only; write nothing")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--undo", action="store_true", help="restore the files the last worksync wrote")
    p.add_argument(
        "--force", action="store_true", help="with --undo: restore even files edited since"
    )
    add_fetch_options(p)
    p.set_defaults(func=run_worksync)


def _failure(error: str) -> dict[str, Any]:
    return {"OK": False, "GoMods": {}, "Error": error}


def run_worksync(args: argparse.Namespace) -> int:
    from analysis.apply import FilesResult
    from analysis.errors import GomodxError, NotSupported, StaleFiles
    from tui.commands.common import open_session, run_session

    if args.where is not None:
        args.dir = args.where
    directory = Path(args.dir)
    try:
        session = open_session(args, directory, work_command=True)
        if args.undo:
            return _undo(args, session)
        sync = run_session(args, session, session.worksync)
    except GomodxError as exc:
        text = str(exc)
        go_error = text.startswith("go: ") or text.startswith("go.work:")
        if isinstance(exc, NotSupported):
            go_error = False
        if args.json:
            print(json.dumps(_failure(text), indent="\t", ensure_ascii=False))
            return 1 if go_error else exc.exit_code
        if not go_error:
            raise
        print(text, file=sys.stderr)
        return 1

    result: FilesResult | None = None
    stale: StaleFiles | None = None
    if sync.ok and not args.dry_run:
        try:
            result = session.apply_worksync(sync)
        except StaleFiles as exc:
            stale = exc
    if args.json:
        out = sync.to_json()
        out.update(
            DryRun=bool(args.dry_run),
            Applied=list(result.written) if result is not None else [],
            Backup=result.backup if result is not None else "",
            Stale=str(stale) if stale is not None else None,
        )
        print(json.dumps(out, indent="\t", ensure_ascii=False))
    else:
        for line in sync.messages:
            print(line, file=sys.stderr)
        if not sync.ok:
            print(sync.error, file=sys.stderr)
        elif stale is not None:
            print(f"gomodx: {stale}; nothing written — run again", file=sys.stderr)
        elif args.dry_run:
            for _, diff in sync.diffs():
                sys.stdout.write(diff)
            if not sync.changed:
                print("gomodx: go work sync changes nothing")
            print("(dry run: nothing written)")
        elif result is not None and result.changed:
            print(
                f"wrote {', '.join(result.written)}; undo with: gomodx worksync --undo"
                f" -C {args.dir}"
            )
        else:
            print("gomodx: go work sync changes nothing")
    if not sync.ok:
        return 1
    if stale is not None:
        return stale.exit_code
    return 0


def _undo(args: argparse.Namespace, session: Any) -> int:
    from analysis.errors import NothingToUndo, StaleFiles

    try:
        res = session.undo_worksync(force=args.force)
    except (StaleFiles, NothingToUndo) as exc:
        if args.json:
            print(json.dumps({"OK": False, "Error": f"gomodx: {exc}"}, indent="\t"))
        else:
            print(f"gomodx: {exc}", file=sys.stderr)
        return int(exc.exit_code)
    if args.json:
        out = {
            "OK": True,
            "Dir": res.main_dir,
            "Target": res.target,
            "Restored": list(res.restored),
            "Removed": list(res.removed),
        }
        print(json.dumps(out, indent="\t"))
    else:
        parts = list(res.restored) + [
            f"{n} (removed: it did not exist before)" for n in res.removed
        ]
        print(f"restored {', '.join(parts) or 'nothing'}; undid {res.target or 'go work sync'}")
    return 0
