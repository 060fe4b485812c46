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
    parser.add_argument(
        "--fix",
        action="store_true",
        help="for each affected module, preview `go get` of the nearest unaffected version",
    )
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

    fixes: list[dict[str, Any]] = []

    async def go() -> list[Finding]:
        from analysis.vulnscan import scan

        loaded = await session.load()
        db = session.vulndb()
        try:
            found = await scan(db, scan_targets(loaded))
            if args.fix:
                fixes.extend(await fix_previews(session, db, found))
            return found
        finally:
            await db.aclose()

    findings = run_session(args, session, go)
    if args.json:
        out: dict[str, Any] = {"Findings": [f.to_json() for f in findings]}
        if args.fix:
            out["Fixes"] = fixes
        print(json.dumps(out, indent="\t", ensure_ascii=False))
    else:
        print(render_text(findings), end="")
        if args.fix:
            print(render_fixes(fixes), end="")
    return 1 if findings else 0


async def fix_previews(
    session: Session, db: VulnDB, findings: list[Finding]
) -> list[dict[str, Any]]:
    """For each affected module (not stdlib or toolchain): the nearest version no entry
    affects, and what ``go get M@V`` would do (a preview; nothing is written)."""
    from analysis.errors import GomodxError
    from analysis.osv import STDLIB, TOOLCHAIN
    from analysis.vulnscan import nearest_fixed

    out: list[dict[str, Any]] = []
    modules = dict.fromkeys((f.module, f.version) for f in findings)
    for path, version in modules:
        if path in (STDLIB, TOOLCHAIN):
            continue
        row: dict[str, Any] = {"Module": path, "Version": version}
        try:
            entries = (await db.for_modules([path])).get(path, [])
            listed = (await session.client.versions(path)).versions
            target = nearest_fixed(path, version, entries, listed)
            if not target:
                row["Error"] = "no released version is free of these vulnerabilities"
                out.append(row)
                continue
            plan = await session.plan(f"{path}@{target}", suggest=False)
        except GomodxError as exc:
            row["Error"] = str(exc)
            out.append(row)
            continue
        before = {m.path: m.version for m in plan.previous_build_list}
        after = {m.path: m.version for m in plan.build_list}
        moves = [
            {"Path": p, "From": before.get(p, ""), "To": after.get(p, "")}
            for p in sorted(before.keys() | after.keys())
            if before.get(p) != after.get(p) and p != path
        ]
        row.update(
            {
                "Fixed": target,
                "GoGet": f"go get {path}@{target}",
                "OK": plan.ok,
                "Error": str(plan.error or ""),
                "Moves": moves if plan.ok else [],
                "GoSumAdded": len(plan.gosum_added) + len(plan.zip_sums_added),
            }
        )
        out.append(row)
    return out


def render_fixes(fixes: list[dict[str, Any]]) -> str:
    """The ``--fix`` previews, one block per module."""
    lines: list[str] = []
    for f in fixes:
        head = f"{f['Module']}@{f['Version']}"
        if "GoGet" not in f:
            lines.append(f"fix {head}: {f['Error']}")
            continue
        if not f["OK"]:
            lines.append(f"fix {head}: `{f['GoGet']}` would be refused:")
            lines.extend(f"    {line}" for line in f["Error"].splitlines())
            continue
        lines.append(f"fix {head}: `{f['GoGet']}`")
        for m in f["Moves"]:
            move = f"{m['From'] or '(none)'} -> {m['To'] or '(removed)'}"
            lines.append(f"    also moves {m['Path']} {move}")
        if not f["Moves"]:
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
