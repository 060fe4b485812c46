"""``gomodx downgrade|upgrade|undo``: exact ``go get`` previews, applied safely.

``gomodx downgrade MODULE@VERSION [DIR]`` and ``gomodx upgrade MODULE[@VERSION] [DIR]``
compute what ``go get MODULE@VERSION`` would do in DIR (default ``.``) — without the go
command — print go's own report (``go: downgraded X v1 => v2``) and a go.mod diff, then
write go.mod and go.sum atomically, keeping a backup. Each change that is not the
argument's own gets a ``why …`` line (:attr:`analysis.plan.Change.why`). ``--dry-run``
writes nothing; ``--json`` prints the object ``gomodx get --json`` prints (``Target``,
``OK``, ``Error`` — ``null`` when go succeeds —, ``Changes`` with
``Path``/``From``/``To``/``Why``, ``GoMod``, ``GoSum``, …; see :mod:`tui.commands.get`);
``--use-go`` applies through the real ``go get``
and reports any difference from the preview. ``gomodx undo [DIR]`` restores the files as
they were before the last apply, byte for byte.

Both verbs run the same ``go get``: ``downgrade`` insists on an explicit version,
``upgrade`` defaults to ``@upgrade`` as go does. Exit status: 0 done (or previewed),
1 refused by go's rules (the reason is go's own message), 2 error — including an
argument that is malformed or names no module or version, and a module that cannot be
read (:attr:`analysis.errors.PlanRefused.exit_code`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis.errors import StaleFiles

if TYPE_CHECKING:
    from analysis.apply import ApplyResult
    from analysis.plan import Plan

__all__ = ["plan_json", "register", "render_plan", "render_result", "why_lines"]


def register(subparsers: Any) -> None:
    """Add the downgrade, upgrade and undo subcommands."""
    from tui.commands.common import add_fetch_options

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="module directory")
        p.add_argument("--dry-run", action="store_true", help="preview only; write nothing")
        p.add_argument("--json", action="store_true", help="print one JSON object")
        p.add_argument(
            "--use-go",
            action="store_true",
            help="apply with the real `go get` and report differences from the preview",
        )
        p.add_argument(
            "--no-suggest",
            action="store_true",
            help="on a refusal, do not look for the nearest version go would accept",
        )
        add_fetch_options(p)

    p = subparsers.add_parser(
        "downgrade",
        help="preview and apply `go get MODULE@VERSION` (downgrades dependents as go does)",
        description=(
            "Compute exactly what `go get MODULE@VERSION` does to go.mod and go.sum — "
            "dependents stepped down or removed, excluded and retracted versions skipped — "
            "show it as go reports it, and apply it atomically with a backup."
        ),
    )
    p.add_argument("module", metavar="MODULE@VERSION", help="e.g. example.com/m@v1.2.0 or @none")
    common(p)
    p.set_defaults(func=run_downgrade)

    p = subparsers.add_parser(
        "upgrade",
        help="preview and apply `go get MODULE[@VERSION]` (default @upgrade)",
        description=(
            "Compute exactly what `go get MODULE[@VERSION]` does (a bare MODULE means "
            "@upgrade, like go) and apply it atomically with a backup."
        ),
    )
    p.add_argument("module", metavar="MODULE[@VERSION]", help="e.g. example.com/m or m@latest")
    common(p)
    p.set_defaults(func=run_upgrade)

    p = subparsers.add_parser(
        "undo",
        help="restore go.mod and go.sum from before the last downgrade/upgrade",
        description="Restore go.mod and go.sum byte for byte as they were before the last apply.",
    )
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="module directory")
    p.add_argument(
        "--force", action="store_true", help="restore even if the files changed since the apply"
    )
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_undo)


def run_downgrade(args: argparse.Namespace) -> int:
    if "@" not in args.module:
        raise argparse.ArgumentError(
            None, f"downgrade needs a version: {args.module}@VERSION (or @none to remove it)"
        )
    return _run(args, "downgrade")


def run_upgrade(args: argparse.Namespace) -> int:
    return _run(args, "upgrade")


def _run(args: argparse.Namespace, verb: str) -> int:
    from analysis.errors import StaleFiles
    from analysis.plan import parse_target
    from tui.commands.common import open_session, run_session

    target = parse_target(args.module)
    # In a workspace, as go get there (go runs on a sandbox copy), else DIR's module
    # alone (GOWORK=off) with a warning.
    session = open_session(args, get_command=True)
    plan = run_session(args, session, lambda: session.plan(target, suggest=not args.no_suggest))
    result: ApplyResult | None = None
    stale: StaleFiles | None = None
    if plan.ok and not args.dry_run:
        try:
            result = session.apply(plan, use_go=args.use_go)
        except StaleFiles as exc:
            stale = exc

    if args.json:
        out = plan_json(plan, dry_run=args.dry_run, result=result, stale=stale)
        print(json.dumps(out, indent="\t", ensure_ascii=False))
    else:
        sys.stdout.write(render_plan(plan, verb))
        if plan.error is not None:
            for line in str(plan.error).splitlines():
                print(line, file=sys.stderr)
            if plan.suggestion:
                print(
                    f"gomodx: the nearest version go accepts: gomodx {verb} {plan.suggestion}",
                    file=sys.stderr,
                )
        elif stale is not None:
            print(f"gomodx: {stale}; nothing written — preview again", file=sys.stderr)
        elif result is not None:
            sys.stdout.write(render_result(result, session.directory))
        elif args.dry_run:
            print("(dry run: nothing written)")
    if plan.error is not None:
        return plan.error.exit_code
    if stale is not None:
        return stale.exit_code
    # The plan's go.sum lines were checked against GOSUMDB (Session.plan); say so of
    # those the database could not vouch for (offline, unreachable).
    vouched = dict(plan.verified)
    unchecked = [
        ln
        for ln in (*plan.gosum_added, *plan.zip_sums_added)
        if vouched.get(ln, "not verified").startswith("not verified")
    ]
    if result is not None and not result.via_go and unchecked and session.env.gosumdb != "off":
        print(
            f"gomodx: note: {len(unchecked)} new go.sum line(s) hash what GOPROXY served and"
            f" were not checked against the checksum database ({session.env.gosumdb}) — run"
            " `go mod verify`, or apply with --use-go",
            file=sys.stderr,
        )
    if result is not None and result.via_go and result.differences:
        for d in result.differences:
            print(f"gomodx: warning: {d}", file=sys.stderr)
    return 0


def plan_json(
    plan: Plan, *, dry_run: bool, result: ApplyResult | None, stale: StaleFiles | None
) -> dict[str, Any]:
    """The one JSON object ``get``, ``downgrade`` and ``upgrade`` print: the plan
    (:meth:`analysis.plan.Plan.to_json`) and what the apply did."""
    out = plan.to_json()
    out["DryRun"] = bool(dry_run)
    out["Applied"] = result is not None and result.changed
    out["Backup"] = result.backup if result is not None else ""
    out["ViaGo"] = bool(result is not None and result.via_go)
    out["Differences"] = list(result.differences) if result is not None else []
    out["Stale"] = str(stale or "")
    return out


def why_lines(plan: Plan) -> list[str]:
    """``why downgraded X v1 => v0: A@v2 requires X@v2, above the requested v1`` for
    every change that is not an argument's own."""
    return [
        f"why {c}: {c.why}" for c in plan.changes if c.why and not c.why.startswith("requested:")
    ]


def render_plan(plan: Plan, verb: str = "") -> str:
    """The human-readable preview: go's report lines, then the go.mod diff."""
    lines: list[str] = []
    if plan.ok:
        lines.extend(line for w in plan.warnings for line in w.splitlines())
        lines.extend(plan.go_lines())
        lines.extend(why_lines(plan))
        if not plan.changes:
            lines.append(f"gomodx: go get {plan.target.raw} changes no requirement")
        current = next(
            (m.version for m in plan.previous_build_list if m.path == plan.target.path), ""
        )
        if verb == "downgrade" and current and plan.version not in ("", "none"):
            from analysis.semver import mod_compare

            if mod_compare(plan.target.path, plan.version, current) > 0:
                lines.append(
                    f"gomodx: note: {plan.target.path} {current} => {plan.version} is an upgrade"
                )
        diff = plan.gomod_diff()
        if diff:
            lines.append("")
            lines.extend(diff.rstrip("\n").split("\n"))
        added = len(plan.gosum_added) + len(plan.zip_sums_added)
        if added:
            lines.append("")
            lines.append(
                f"go.sum: +{len(plan.gosum_added)} go.mod hash line(s),"
                f" +{len(plan.zip_sums_added)} zip hash line(s)"
            )
        for c in plan.conflicts_resolved:
            lines.append(f"conflict resolved: {c.path} (was requested at {', '.join(c.versions)})")
        for c in plan.conflicts_introduced:
            lines.append(f"new conflict: {c.path} requested at {', '.join(c.versions)}")
    else:
        lines.extend(line for w in plan.warnings for line in w.splitlines())
    return "".join(line + "\n" for line in lines)


def render_result(result: ApplyResult, directory: Path) -> str:
    if not result.changed:
        return "nothing to write: go.mod and go.sum are already up to date\n"
    wrote = [
        n for n, w in (("go.mod", result.gomod_written), ("go.sum", result.gosum_written)) if w
    ]
    how = " with go get" if result.via_go else ""
    text = f"wrote {' and '.join(wrote)}{how}; undo with: gomodx undo {directory}\n"
    if result.differences:
        text += "".join(f"differs from the preview: {d}\n" for d in result.differences)
    return text


def run_undo(args: argparse.Namespace) -> int:
    from analysis.errors import NothingToUndo, StaleFiles
    from analysis.session import Session
    from tui.commands.common import session_options

    session = Session.open(args.dir, session_options(args), workspace=False)
    try:
        res = session.undo(force=args.force)
    except (StaleFiles, NothingToUndo) as exc:
        print(f"gomodx: {exc}", file=sys.stderr)
        return exc.exit_code
    if args.json:
        print(
            json.dumps(
                {
                    "Dir": res.main_dir,
                    "Target": res.target,
                    "GoModRestored": res.gomod_restored,
                    "GoSumRestored": res.gosum_restored,
                    "GoSumRemoved": res.gosum_removed,
                },
                indent="\t",
            )
        )
    else:
        parts = []
        if res.gomod_restored:
            parts.append("go.mod")
        if res.gosum_restored:
            parts.append("go.sum")
        if res.gosum_removed:
            parts.append("go.sum (removed: it did not exist before)")
        what = " and ".join(parts) or "nothing (files already match the backup)"
        undid = res.target if res.target.startswith("go ") else f"go get {res.target}"
        print(f"restored {what}; undid {undid}")
    return 0
