"""``gomodx download [DIR] [MODULE[@VERSION]...]``: fill Go's module cache, resiliently.

With no modules, downloads everything the go command needs to work on DIR's module (in a
workspace, on the whole workspace, as ``go mod download`` does there) with no network
(``GOPROXY=off``): the go.mod of every module version in the module graph and
the ``.info``, ``.mod``, ``.zip`` and ``.ziphash`` of every module in the build list, into
``$GOMODCACHE/cache/download`` in Go's own layout. With modules, those (``path@query`` by
Go's query rules; bare paths, ``all`` and ``pattern/...`` against the build list).

Every file is verified against go.sum; requests are retried through GOPROXY. A live
progress line goes to stderr on a terminal (a plain log otherwise); the closing summary
to stdout, or with ``--json`` one JSON object (``Summary``, ``Modules`` with
``go mod download -json`` field names, ``GoMods``). Exit status: 0 when everything needed
is in the cache and verified, 1 otherwise, 2 for unusable input.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from analysis.download import DownloadProgress, DownloadSummary, ModuleResult

_CLASS_NAMES = {
    "network": "network",
    "not_found": "not found",
    "auth": "auth",
    "checksum": "checksum",
    "other": "other",
}


def register(subparsers: Any) -> None:
    from tui.commands.common import add_fetch_options

    parser = subparsers.add_parser(
        "download",
        help="download modules into Go's module cache, resiliently and verified",
        description=(
            "Download what the go command needs to build DIR's module offline (or the named "
            "modules) into $GOMODCACHE/cache/download, in Go's layout, verified against "
            "go.sum, retrying through GOPROXY. Re-running resumes; files already valid in "
            "the cache are not fetched again."
        ),
    )
    parser.add_argument(
        "targets",
        nargs="*",
        metavar="[DIR] [MODULE[@VERSION]...]",
        help="main module directory (default: .), then modules: path, path@version, "
        "path@latest (or any version query), all, pattern/...",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_fetch_options(parser)
    parser.set_defaults(func=run)


def split_targets(targets: list[str]) -> tuple[Path, list[str]]:
    """The directory (first argument, when it names one and is not ``path@version``) and
    the module arguments."""
    if targets and "@" not in targets[0] and targets[0] != "all":
        first = Path(targets[0])
        if first.is_dir() or targets[0].startswith((".", "/", "~")):
            return first.expanduser(), targets[1:]
    return Path("."), targets


def run(args: argparse.Namespace) -> int:
    from tui.commands.common import open_session, run_session

    directory, modules = split_targets(list(args.targets))
    # go mod download works without a main module when every argument has a version;
    # in a workspace it downloads what the workspace needs.
    session = open_session(args, directory, require_module=False, print_requests=False)
    display = _Display(sys.stderr, verbose=args.verbose)
    try:
        summary = run_session(
            args, session, lambda: session.download(modules, on_progress=display.update)
        )
    finally:
        display.close()
    if args.json:
        # One string, one write: json.dump would write each of its thousands of pieces.
        sys.stdout.write(json.dumps(summary.to_json(), indent="\t") + "\n")
    else:
        sys.stdout.write(format_summary(summary))
    sys.stdout.flush()
    return 0 if summary.ok else 1


class _Display:
    """A carriage-return progress line on a terminal; a plain log otherwise."""

    def __init__(self, out: TextIO, verbose: bool = False) -> None:
        self.out = out
        self.verbose = verbose
        self.tty = out.isatty() and os.environ.get("TERM") != "dumb"
        self.last_draw = 0.0
        self.last_log = 0.0
        self.phase = ""
        self.line_shown = False

    def update(self, p: DownloadProgress) -> None:
        now = time.monotonic()
        if self.verbose and p.event is not None:
            self._line(p.event.describe())
        elif p.message and (not self.tty or not p.message.startswith("retry")):
            self._line(p.message)
        if p.phase != self.phase:
            self.phase = p.phase
            if not self.tty and p.phase != "done":
                self._line(_phase_text(p))
        if self.tty and not self.verbose:
            if now - self.last_draw >= 0.1 or p.phase == "done":
                self.last_draw = now
                self._draw(_status(p))
        elif not self.tty and now - self.last_log >= 2.0 and p.phase != "done":
            self.last_log = now
            self._line(_status(p))

    def _draw(self, text: str) -> None:
        width = 200
        with contextlib.suppress(OSError, ValueError):
            width = os.get_terminal_size(self.out.fileno()).columns
        self.out.write("\r" + text[: max(10, width - 1)] + "\x1b[K")
        self.out.flush()
        self.line_shown = True

    def _line(self, text: str) -> None:
        if self.line_shown:
            self.out.write("\r\x1b[K")
            self.line_shown = False
        self.out.write("gomodx: " + text + "\n")
        self.out.flush()

    def close(self) -> None:
        if self.line_shown:
            self.out.write("\r\x1b[K")
            self.out.flush()
            self.line_shown = False


def _phase_text(p: DownloadProgress) -> str:
    if p.phase == "graph":
        return "loading the module graph (go.mod files)"
    return f"downloading module zips and infos ({p.total} module versions known)"


def _status(p: DownloadProgress) -> str:
    parts = [
        f"{p.phase}: {p.done}/{p.total}",
        f"{p.downloaded} downloaded",
        f"{p.present} present",
        f"{_size(p.bytes)}",
    ]
    if p.retried:
        parts.append(f"{p.retried} retried")
    if p.failed:
        parts.append(f"{p.failed} failed")
    parts.append(f"{p.elapsed:.1f}s")
    text = " | ".join(parts)
    if p.current:
        text += f" | {p.current}"
    return text


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{n} B"


def format_summary(s: DownloadSummary) -> str:
    """The closing summary, as printed to stdout."""
    lines: list[str] = []
    failed_mods = [r for r in (*s.modules, *s.gomods) if r.error]
    for r in failed_mods:
        lines.append(f"{_label(r)}: {r.error_class or 'failed'}: {_indent(r.error)}")
    for f in s.errors:
        lines.append(f"{_CLASS_NAMES.get(f.kind, f.kind)}: {_indent(f.message)}")
    unverified = s.unverified
    for r in unverified:
        what = " and ".join(r.not_in_gosum)
        lines.append(f"{_label(r)}: unverified: {what} hash not in go.sum")
    for note in s.notes:
        lines.append(f"note: {note}")
    if lines:
        lines.append("")
    files = s.downloaded_total
    lines.append(
        f"{len(s.modules)} modules, {len(s.gomods)} go.mod-only versions: "
        f"downloaded {files} file{'s' if files != 1 else ''} ({_size(s.bytes)}"
        f"{_breakdown(s.downloaded_files)}), {s.present_total} already present"
        f"{_breakdown(s.present_files, parens=True)}"
    )
    lines.append(
        f"{s.requests} requests, {s.retried} retried"
        + (f", fell through to the next GOPROXY entry {s.fell_through}x" if s.fell_through else "")
        + f", {s.elapsed:.1f}s"
    )
    lines.append(
        "failed: " + ", ".join(f"{count} {_CLASS_NAMES[kind]}" for kind, count in s.failed.items())
    )
    if s.ok:
        results = (*s.modules, *s.gomods)
        databases = sorted({n for r in results for n in r.verified_by if n != "go.sum"})
        by_db = [r for r in results if r.not_in_gosum and set(r.verified_by) - {"go.sum"}]
        accepted = sum(1 for r in results if r.not_in_gosum) - len(by_db)
        how = "verified against go.sum"
        if by_db:
            how += (
                f" and, for {len(by_db)} module versions not in go.sum, by the checksum"
                f" database {', '.join(databases)}"
            )
        if accepted:
            how += (
                f" ({accepted} module versions not in go.sum, accepted as go accepts them "
                "with GOSUMDB=off or GONOSUMDB)"
            )
        lines.append(f"ok: everything needed is in {s.cache_dir}, {how}")
    else:
        problems = sum(s.failed.values())
        text = f"FAILED: {problems} failure{'s' if problems != 1 else ''}"
        if unverified:
            text += (
                f", {len(unverified)} unverified (go.sum lacks their hashes and the checksum "
                "database was not consulted (offline); the go command will check them against "
                "it before use)"
            )
        lines.append(text)
    return "\n".join(lines) + "\n"


def _label(r: ModuleResult) -> str:
    text = str(r)
    if r.query:
        text += f" ({r.query})"
    if r.replaces:
        text += f" (replacing {r.replaces})"
    return text


def _indent(text: str) -> str:
    return text.replace("\n", "\n\t")


def _breakdown(counts: dict[str, int] | Any, parens: bool = False) -> str:
    items = [f"{n} {kind}" for kind, n in counts.items() if n]
    if not items:
        return ""
    joined = ", ".join(items)
    return f" ({joined})" if parens else f": {joined}"
