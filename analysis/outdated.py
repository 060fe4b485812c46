"""Outdated modules: what ``go list -m -u`` offers, and how far ``go get`` would go.

:func:`outdated_modules` turns the rows of ``go list -m -u all``
(:func:`analysis.updates.list_updates`) into one :class:`Outdated` per module of the
build list: its ``Update`` (exactly go's), the :attr:`~Outdated.level` of that update, the
newer major versions published under ``/vN`` paths (go does not look for those), whether
the selected version is retracted or the module deprecated, whether the main module
requires it directly — and :attr:`~Outdated.compatible`, the highest version of the same
major that ``go get PATH@VERSION`` accepts without refusal.

``compatible`` needs one plan per candidate, so candidates are tried from the highest
down and the first one go get accepts ends the search (usually the first: the update
itself); every module's search runs concurrently::

    >>> rows = await list_updates(client, g, main_file, ".")        # doctest: +SKIP
    >>> found = await outdated_modules(rows, direct, try_get)       # doctest: +SKIP
    >>> [(o.path, o.update, o.compatible, o.level) for o in found if o.level]  # doctest: +SKIP
    [('example.com/a', 'v1.4.0', 'v1.3.2', 'minor')]
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analysis import semver
from analysis.module import ModuleVersion

if TYPE_CHECKING:
    from analysis.plan import Plan
    from analysis.updates import ModuleUpdate
    from analysis.versions import ModuleVersions

__all__ = [
    "LEVELS",
    "Outdated",
    "compatible_candidates",
    "level_at_least",
    "outdated_modules",
    "sort_key",
    "update_level",
]

LEVELS = ("prerelease", "patch", "minor", "major")
"""Update levels, from the least to the most disruptive."""

TryGet = Callable[[str], Awaitable["Plan"]]
"""``go get ARG`` previewed: a plan (``ok`` false when go would refuse)."""


def update_level(version: str, update: str, newer_majors: Sequence[ModuleVersion] = ()) -> str:
    """How far ``update`` is from ``version``: ``major``, ``minor``, ``patch`` or
    ``prerelease`` (an update to a prerelease); with no update, ``major`` when a newer
    major version exists under another path, else ``""``.

    >>> update_level("v1.2.3", "v1.2.4"), update_level("v1.2.3", "v1.3.0")
    ('patch', 'minor')
    >>> update_level("v1.2.3", "v1.3.0-rc.1"), update_level("v1.9.0", "v2.0.0+incompatible")
    ('prerelease', 'major')
    >>> update_level("v1.2.3", "", [ModuleVersion("example.com/m/v2", "v2.0.0")])
    'major'
    """
    if not update:
        return "major" if newer_majors else ""
    if semver.major(update) != semver.major(version):
        return "major"
    if semver.is_prerelease(update):
        return "prerelease"
    if semver.major_minor(update) != semver.major_minor(version):
        return "minor"
    return "patch"


def level_at_least(level: str, threshold: str) -> bool:
    """Whether ``level`` is ``threshold`` or more disruptive (``""`` never is).

    >>> level_at_least("minor", "patch"), level_at_least("patch", "minor")
    (True, False)
    """
    if not level:
        return False
    return LEVELS.index(level) >= LEVELS.index(threshold)


@dataclass(frozen=True)
class Outdated:
    """One module of the build list, outdated or not.

    ``update`` is what ``go list -m -u`` offers (``""``: nothing); ``compatible`` the
    highest same-major version above ``version`` that ``go get PATH@compatible`` accepts
    (``""``: none newer, none accepted, or not computed); when a higher candidate was
    refused, ``refused`` is the lowest such version and ``refusal`` go's words for it.
    ``newer_majors`` are the latest versions of ``PATH/vN`` for each newer ``N``.
    """

    path: str
    version: str
    update: str = ""
    compatible: str = ""
    level: str = ""
    newer_majors: tuple[ModuleVersion, ...] = ()
    deprecated: str = ""
    retracted: tuple[str, ...] = ()
    direct: bool = False
    refused: str = ""
    refusal: str = ""
    tried: tuple[str, ...] = field(default=(), compare=False)
    """The versions planned to find :attr:`compatible`, in the order tried."""
    error: str = ""

    @property
    def outdated(self) -> bool:
        return bool(self.level)

    @property
    def flagged(self) -> bool:
        """Something to act on even without an update: retracted or deprecated."""
        return bool(self.retracted or self.deprecated)

    @property
    def latest_major(self) -> ModuleVersion | None:
        return self.newer_majors[-1] if self.newer_majors else None

    def to_json(self) -> dict[str, Any]:
        """``gomodx outdated --json``: one object per module (see the command's help)."""
        out: dict[str, Any] = {
            "Path": self.path,
            "Version": self.version,
            "Update": self.update,
            "Compatible": self.compatible,
            "Level": self.level,
            "NewerMajors": [{"Path": m.path, "Version": m.version} for m in self.newer_majors],
            "Deprecated": self.deprecated,
            "Retracted": list(self.retracted),
            "Direct": self.direct,
        }
        if self.refused:
            out["Refused"] = {"Version": self.refused, "Error": self.refusal}
        if self.error:
            out["Error"] = self.error
        return out


def sort_key(o: Outdated) -> tuple[object, ...]:
    """The table's order: the most disruptive level first, direct before indirect,
    then retracted or deprecated, then by path."""
    rank = LEVELS.index(o.level) if o.level else -1
    return (-rank, not o.direct, not o.flagged, o.path)


def compatible_candidates(mv: ModuleVersions | None, version: str, update: str) -> list[str]:
    """The versions :attr:`Outdated.compatible` may be, highest first: listed, neither
    retracted nor excluded, of ``version``'s major, above it — releases only, unless
    ``version`` or the ``update`` is a prerelease.

    ``+incompatible`` versions count as their own major (``v2``), so never for a
    ``v1`` module.
    """
    if mv is None or not version:
        return []
    major = semver.major(version)
    pre = semver.is_prerelease(version) or semver.is_prerelease(update)
    out = [
        e.version
        for e in mv.entries
        if e.listed
        and not e.hidden
        and semver.major(e.version) == major
        and semver.compare(e.version, version) > 0
        and (pre or not semver.is_prerelease(e.version))
    ]
    return sorted(out, key=semver.sort_key, reverse=True)


async def _compatible(
    path: str, candidates: Sequence[str], try_get: TryGet
) -> tuple[str, str, str, tuple[str, ...]]:
    """``(compatible, refused, refusal, tried)``: candidates from the top until go get
    accepts one."""
    refused = refusal = ""
    tried: list[str] = []
    for v in candidates:
        tried.append(v)
        plan = await try_get(f"{path}@{v}")
        if plan.ok:
            return v, refused, refusal, tuple(tried)
        refused, refusal = v, str(plan.error or "")
    return "", refused, refusal, tuple(tried)


async def outdated_modules(
    rows: Iterable[ModuleUpdate],
    direct: Iterable[str],
    try_get: TryGet | None = None,
    *,
    direct_only: bool = False,
    jobs: int = 8,
) -> list[Outdated]:
    """One :class:`Outdated` per non-main row of ``go list -m -u all`` (in its order).

    ``direct`` are the paths the main go.mod requires directly; with ``direct_only`` the
    others are left out. ``try_get`` previews ``go get ARG`` for :attr:`Outdated.compatible`
    (``None``: not computed); at most ``jobs`` previews run at once.
    """
    directs = frozenset(direct)
    picked = [
        r
        for r in rows
        if not r.main
        and not semver.is_toolchain_path(r.path)
        and (not direct_only or r.path in directs)
    ]
    base: list[Outdated] = []
    for r in picked:
        majors = r.versions.newer_majors if r.versions is not None else ()
        base.append(
            Outdated(
                path=r.path,
                version=r.version,
                update=r.update,
                level=update_level(r.version, r.update, majors),
                newer_majors=tuple(majors),
                deprecated=r.deprecated,
                retracted=r.retracted,
                direct=r.path in directs,
                error=r.error,
            )
        )
    if try_get is None:
        return base
    gate = asyncio.Semaphore(max(1, jobs))

    async def gated(arg: str) -> Plan:
        async with gate:
            return await try_get(arg)

    async def one(i: int, r: ModuleUpdate) -> None:
        if r.replace is not None and not r.replace.version:
            return  # a directory replacement: go get cannot move it
        candidates = compatible_candidates(r.versions, r.version, r.update)
        if not candidates:
            return
        compatible, refused, refusal, tried = await _compatible(r.path, candidates, gated)
        base[i] = dataclasses.replace(
            base[i], compatible=compatible, refused=refused, refusal=refusal, tried=tried
        )

    await asyncio.gather(*(one(i, r) for i, r in enumerate(picked)))
    return base
