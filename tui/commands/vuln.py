"""``gomodx vuln [DIR] [--json]``: the module-level vulnerability scan of DIR's build list.

Every module of the build list at its selected version, ``stdlib`` at the go line and
``toolchain`` at the toolchain line, checked against the Go vulnerability database that
``GOVULNDB`` names (default https://vuln.go.dev; ``file:///dir`` for a mirror), as
``govulncheck -scan module`` checks them. ``--json`` prints
``{"Findings": [{"OSV", "Module", "Version", "FixedVersion", "Aliases", "Summary"}]}``.

``--fix`` adds, for each affected module, the nearest version no entry affects and the
exact ``go get M@V`` preview of moving there (``Fixes``: what else moves, whether go would
refuse and why) — nothing is written. Exit status: 1 when something is affected, 0 when
nothing is, 2 when the scan could not be made.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from tui.commands.common import add_module_options, open_session, run_session

if TYPE_CHECKING:
    from analysis.session import LoadedModule, Session
    from analysis.vulndb import VulnDB
    from analysis.vulnscan import Finding, VulnFix


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "vuln",
        help="list known vulnerabilities of the build list (GOVULNDB)",
        description=(
            "Check every module of DIR's build list (and the go and toolchain lines as "
            "stdlib and toolchain) against the Go vulnerability database GOVULNDB "
            "(default https://vuln.go.dev), like `govulncheck -scan module`. Exit status 1 "
            "when something is affected."
        ),
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument(
        "--fix",
        action="store_true",
        help="for each affected module, preview `go get` of the nearest unaffected version",
    )
    add_module_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    session = open_session(args, require_module=getattr(args, "graph", None) is None)

    fixes: list[VulnFix] = []

    async def go() -> list[Finding]:
        loaded = await session.load()
        db = session.vulndb()
        try:
            found = await session.vuln_scan(loaded, db=db)
            if args.fix:
                fixes.extend(await fix_previews(session, db, loaded, found))
            return found
        finally:
            await db.aclose()

    findings = run_session(args, session, go)
    if args.json:
        out: dict[str, Any] = {"Findings": [f.to_json() for f in findings]}
        if args.fix:
            out["Fixes"] = [f.to_json() for f in fixes]
        print(json.dumps(out, indent="\t", ensure_ascii=False))
    else:
        print(render_text(findings), end="")
        if args.fix:
            print(render_fixes(fixes), end="")
    return 1 if findings else 0


async def fix_previews(
    session: Session, db: VulnDB, loaded: LoadedModule, findings: list[Finding]
) -> list[VulnFix]:
    """For each affected module (not stdlib or toolchain): :meth:`Session.vuln_fix`, the
    nearest version no entry affects and what ``go get M@V`` would do (nothing is
    written)."""
    from analysis.errors import GomodxError
    from analysis.osv import STDLIB, TOOLCHAIN
    from analysis.vulnscan import VulnFix

    out: list[VulnFix] = []
    for path, version in dict.fromkeys((f.module, f.version) for f in findings):
        if path in (STDLIB, TOOLCHAIN):
            continue
        try:
            fix = await session.vuln_fix(path, version, loaded=loaded, db=db)
        except GomodxError as exc:
            fix = VulnFix(path, version, error=str(exc))
        out.append(fix)
    return out


def render_fixes(fixes: list[VulnFix]) -> str:
    """The ``--fix`` previews, one block per module."""
    lines: list[str] = []
    for f in fixes:
        head = f"{f.module}@{f.version}"
        if f.plan is None:
            lines.append(f"fix {head}: {f.error}")
            continue
        if not f.plan.ok:
            lines.append(f"fix {head}: `{f.go_get}` would be refused:")
            lines.extend(f"    {line}" for line in str(f.plan.error).splitlines())
            if f.plan.suggestion:
                lines.append(f"    nearest version go would accept: {f.plan.suggestion}")
            continue
        lines.append(f"fix {head}: `{f.go_get}`")
        moves = f.moves()
        for path, old, new in moves:
            lines.append(f"    also moves {path} {old or '(none)'} -> {new or '(removed)'}")
        if not moves:
            lines.append("    nothing else moves")
    return "".join(f"{line}\n" for line in lines)


def render_text(findings: list[Finding]) -> str:
    """One block per finding: ID, module@version, summary, the fix."""
    if not findings:
        return "No vulnerabilities found.\n"
    lines: list[str] = []
    for f in findings:
        aliases = f" ({', '.join(f.aliases)})" if f.aliases else ""
        lines.append(f"{f.osv}{aliases}: {f.module}@{f.version}")
        if f.summary:
            lines.append(f"    {f.summary}")
        lines.append(f"    fixed in: {f.fixed_version or 'N/A (no fix known)'}")
    noun = "vulnerability" if len(findings) == 1 else "vulnerabilities"
    modules = len({f.module for f in findings})
    lines.append(f"{len(findings)} {noun} in {modules} module{'s' * (modules != 1)}.")
    return "\n".join(lines) + "\n"
