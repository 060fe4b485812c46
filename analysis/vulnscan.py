"""Which modules of a build list, and which versions of a module, are vulnerable.

The module-level scan of govulncheck (``govulncheck -scan module``): every module of the
build list at its selected version (at its replacement's version when replaced by another
module version; a directory replacement has no version and is not judged), plus the
pseudo-modules ``stdlib`` at the main go.mod's ``go`` line and ``toolchain`` at its
``toolchain`` line, checked against every OSV entry the database's index lists for it.

>>> Finding("GO-1", "m", "v1.0.0", "v1.2.0").to_json()["FixedVersion"]
'v1.2.0'
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from analysis import semver
from analysis.osv import STDLIB, TOOLCHAIN, Entry, affects, fixed_version
from analysis.vulndb import VulnDB

if TYPE_CHECKING:
    from analysis.plan import Plan

__all__ = [
    "Finding",
    "ScanTarget",
    "VulnFix",
    "nearest_fixed",
    "scan",
    "version_vulns",
]


@dataclass(frozen=True)
class ScanTarget:
    """A module (or pseudo-module) at the version the build uses."""

    path: str
    version: str


@dataclass(frozen=True)
class Finding:
    """One entry affecting one module at its version."""

    osv: str
    module: str
    version: str
    fixed_version: str = ""
    aliases: tuple[str, ...] = ()
    summary: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "OSV": self.osv,
            "Module": self.module,
            "Version": self.version,
            "FixedVersion": self.fixed_version,
            "Aliases": list(self.aliases),
            "Summary": self.summary,
        }


def findings_for(targets: Sequence[ScanTarget], entries: dict[str, list[Entry]]) -> list[Finding]:
    """The findings of ``targets`` against ``entries`` (by module path), sorted by module,
    then ID. Withdrawn entries are skipped."""
    out: list[Finding] = []
    for t in targets:
        for e in entries.get(t.path, ()):
            if e.withdrawn or not affects(e, t.path, t.version):
                continue
            out.append(
                Finding(
                    e.id,
                    t.path,
                    t.version,
                    fixed_version(e, t.path, t.version),
                    e.aliases,
                    e.summary,
                )
            )
    out.sort(key=lambda f: (f.module, f.osv))
    return out


def targets(
    build_list: Iterable[tuple[str, str]],
    *,
    go: str = "",
    toolchain: str = "",
) -> list[ScanTarget]:
    """Scan targets from ``(path, version)`` pairs (versions ``""`` are left out), plus
    ``stdlib`` at ``go`` and ``toolchain`` at ``toolchain`` when given."""
    out = [ScanTarget(p, v) for p, v in build_list if v]
    if go:
        out.append(ScanTarget(STDLIB, go if go.startswith("go") else "go" + go))
    if toolchain:
        out.append(ScanTarget(TOOLCHAIN, toolchain))
    return out


async def scan(db: VulnDB, scan_targets: Sequence[ScanTarget]) -> list[Finding]:
    """Every finding of ``scan_targets`` in ``db``."""
    entries = await db.for_modules(t.path for t in scan_targets)
    return findings_for(scan_targets, entries)


async def version_vulns(db: VulnDB, path: str, versions: Iterable[str]) -> dict[str, list[str]]:
    """``{version: IDs of the entries affecting path@version}`` (every version listed)."""
    entries = (await db.for_modules([path])).get(path, [])
    return {
        v: sorted(e.id for e in entries if not e.withdrawn and affects(e, path, v))
        for v in versions
    }


def nearest_fixed(
    path: str,
    version: str,
    entries: Iterable[Entry],
    versions: Iterable[str],
    *,
    skip: Iterable[str] = (),
) -> str:
    """The lowest of ``versions`` above ``version``, of the same major version, that none
    of ``entries`` affects and that is not in ``skip`` (retracted versions): a release
    when there is one, else a prerelease (``""`` when none is known).

    >>> nearest_fixed("m", "v1.0.0", [], ["v1.0.1", "v2.0.0+incompatible"])
    'v1.0.1'
    """
    live = [e for e in entries if not e.withdrawn]
    skipped = set(skip)
    major = semver.major(version)
    above = [
        v
        for v in semver.sort_versions(versions)
        if semver.compare(v, version) > 0
        and semver.major(v) == major
        and v not in skipped
        and not any(affects(e, path, v) for e in live)
    ]
    releases = [v for v in above if not semver.is_prerelease(v)]
    return (releases or above or [""])[0]


@dataclass(frozen=True)
class VulnFix:
    """The nearest fixed version of one vulnerable module, and ``go get``'s preview of it.

    ``ids``: the entries affecting ``module@version``; ``fixed``: the nearest version
    none affects (:func:`nearest_fixed`; ``""`` when none is known, then ``error`` says
    so); ``plan``: what ``go get module@fixed`` would do (a refusal is a plan with an
    error, and its ``suggestion`` is the nearest version go would accept).
    """

    module: str
    version: str
    ids: tuple[str, ...] = ()
    fixed: str = ""
    plan: Plan | None = None
    error: str = ""

    @property
    def go_get(self) -> str:
        return f"go get {self.module}@{self.fixed}" if self.fixed else ""

    def moves(self) -> list[tuple[str, str, str]]:
        """``(path, from, to)`` of every other module the fix moves (``""``: none)."""
        plan = self.plan
        if plan is None or not plan.ok:
            return []
        before = {m.path: m.version for m in plan.previous_build_list}
        after = {m.path: m.version for m in plan.build_list}
        return [
            (p, before.get(p, ""), after.get(p, ""))
            for p in sorted(before.keys() | after.keys())
            if before.get(p) != after.get(p) and p != self.module
        ]

    def to_json(self) -> dict[str, object]:
        """``{"Module", "Version", "OSV", "Fixed", "GoGet", "OK", "Error", "Moves",
        "GoSumAdded", "Suggestion"}`` (only ``Module``, ``Version``, ``OSV`` and
        ``Error`` when there is no fixed version or no preview)."""
        out: dict[str, object] = {
            "Module": self.module,
            "Version": self.version,
            "OSV": list(self.ids),
        }
        plan = self.plan
        if plan is None:
            out["Error"] = self.error
            return out
        out.update(
            {
                "Fixed": self.fixed,
                "GoGet": self.go_get,
                "OK": plan.ok,
                "Error": str(plan.error or ""),
                "Moves": [{"Path": p, "From": a, "To": b} for p, a, b in self.moves()],
                "GoSumAdded": len(plan.gosum_added) + len(plan.zip_sums_added),
                "Suggestion": plan.suggestion or "",
            }
        )
        return out
