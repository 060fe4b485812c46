"""``gomodx vuln [DIR] [--json]``: the module-level vulnerability scan of DIR's build list.

Every module of the build list at its selected version, ``stdlib`` at the go line and
``toolchain`` at the toolchain line, checked against the Go vulnerability database that
``GOVULNDB`` names (default https://vuln.go.dev; ``file:///dir`` for a mirror), as
``govulncheck -scan module`` checks them. ``--json`` prints
``{"Findings": [{"OSV", "Module", "Version", "FixedVersion", "Aliases", "Summary"}]}``.
Exit status: 1 when something is affected, 0 when nothing is, 2 when the scan could not
be made.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from tui.commands.common import add_module_options, open_session, run_session

if TYPE_CHECKING:
    from analysis.session import LoadedModule
    from analysis.vulnscan import Finding, ScanTarget


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
    add_module_options(parser)
    parser.set_defaults(func=run)


def scan_targets(loaded: LoadedModule) -> list[ScanTarget]:
    """What the scan checks: the build list (replacements by module version judged at
    their version; directory replacements left out), stdlib and toolchain."""
    from analysis.vulnscan import targets

    mains = {m.path for m in loaded.graph.mains}
    pairs: list[tuple[str, str]] = []
    for m in loaded.build_list():
        if m.path in mains:
            continue
        rep = loaded.replacement(m)
        if rep is None:
            pairs.append((m.path, m.version))
        elif rep.version:
            pairs.append((rep.path, rep.version))
    f = loaded.main_file
    go = f.go.version if f is not None and f.go is not None else ""
    toolchain = f.toolchain.name if f is not None and f.toolchain is not None else ""
    return targets(pairs, go=go, toolchain=toolchain)


def run(args: argparse.Namespace) -> int:
    session = open_session(args, require_module=getattr(args, "graph", None) is None)

    async def go() -> list[Finding]:
        from analysis.vulnscan import scan

        loaded = await session.load()
        db = session.vulndb()
        try:
            return await scan(db, scan_targets(loaded))
        finally:
            await db.aclose()

    findings = run_session(args, session, go)
    if args.json:
        out = {"Findings": [f.to_json() for f in findings]}
        print(json.dumps(out, indent="\t", ensure_ascii=False))
    else:
        print(render_text(findings), end="")
    return 1 if findings else 0


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
