"""``gomodx doctor [DIR] [--json] [--deep]``: why module downloads fail, and what to change.

Probes every GOPROXY entry, GOSUMDB and the module cache with a few cheap requests (each
bounded by ``--timeout``), then prints one line per check — a glyph and ``ok``/``warn``/
``fail``, the summary — with the evidence indented under it and the fix as a command to
paste. Progress goes to stderr while it runs. ``--json`` prints
``{"Checks": [{"ID", "Status", "Summary", "Detail", "Fix"}]}`` instead (``Detail`` is a
list of lines, ``Fix`` ``""`` when there is none). ``--deep`` also downloads the zips of
the sampled modules to compare their hashes.

Exit status: 0 when no check fails (warnings included), 1 when any check fails, 2 for
unusable input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from analysis.doctor import Check, DoctorReport

GLYPHS = {"ok": "✓", "warn": "!", "fail": "✗"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="diagnose why module downloads fail (proxies, credentials, checksums, cache)",
        description=(
            "Check GOPROXY (each entry), private modules sent to public proxies, .netrc "
            "credentials, GOSUMDB, the module cache (as go mod verify), checksums that "
            "disagree, GOFLAGS and the toolchain; print what is wrong and the command that "
            "fixes it. Exit status 1 when any check fails."
        ),
    )
    parser.add_argument("dir", nargs="?", default=".", metavar="DIR", help="module directory")
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    parser.add_argument(
        "--deep", action="store_true", help="also download zips to compare their hashes"
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=3.0,
        metavar="SECONDS",
        help="the longest any one request may take (default: 3)",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="print every checksum database request"
    )
    parser.set_defaults(func=run)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def run(args: argparse.Namespace) -> int:
    from analysis.doctor import DoctorOptions
    from tui.commands.common import open_session, run_session

    session = open_session(args, args.dir, require_module=False)
    options = DoctorOptions(timeout=args.timeout, deep=args.deep)
    progress = _Progress(sys.stderr)
    try:
        report = run_session(
            args, session, lambda: session.doctor(options, on_progress=progress.update)
        )
    finally:
        progress.close()
    if args.json:
        json.dump(report.to_json(), sys.stdout, indent="\t", ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_report(report))
    sys.stdout.flush()
    return 1 if report.failed else 0


def format_check(check: Check) -> str:
    """``✗ fail  goproxy  summary`` then the evidence and the fix, indented."""
    lines = [f"{GLYPHS.get(check.status, '?')} {check.status:<4}  {check.id}: {check.summary}"]
    lines += [f"        {d}" for d in check.detail]
    if check.fix:
        lines.append(f"        fix: {check.fix}")
    return "\n".join(lines) + "\n"


def format_report(report: DoctorReport) -> str:
    """Every check, then one line of totals."""
    counts = {s: sum(1 for c in report.checks if c.status == s) for s in ("ok", "warn", "fail")}
    totals = ", ".join(f"{n} {s}" for s, n in counts.items())
    return "".join(format_check(c) for c in report.checks) + (
        f"{len(report.checks)} checks: {totals} ({report.seconds:.1f}s)\n"
    )


class _Progress:
    """One line per finished probe on stderr (a carriage-return line on a terminal)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.tty = out.isatty()
        self.shown = False

    def update(self, text: str) -> None:
        if self.tty:
            self.out.write(f"\rgomodx doctor: {text}\x1b[K")
            self.shown = True
        else:
            self.out.write(f"gomodx doctor: {text}\n")
        self.out.flush()

    def close(self) -> None:
        if self.shown:
            self.out.write("\r\x1b[K")
            self.out.flush()
            self.shown = False
