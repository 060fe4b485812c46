"""The build list with updates: what ``go list -m -u all`` prints.

:func:`list_updates` takes a loaded module graph and answers, for every module of the
build list (in ``go list -m all`` order, with the main go.mod's replacements), which newer
version go offers (``[v1.2.3]``: :func:`~analysis.versions.query_upgrade`), whether the
selected version is retracted and the module deprecated — and the same for each module
replacement (``=> path version [update]``, go's ``Replace.Update``). Each row also keeps
the module's annotated versions (:func:`~analysis.versions.module_versions`).

>>> async def outdated(client, loaded):                      # doctest: +SKIP
...     rows = await list_updates(client, loaded.graph, loaded.main_file, ".")
...     return [row.line() for row in rows if row.update]
['example.com/a v1.0.0 [v1.2.0]']
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from analysis import semver
from analysis.errors import GomodxError, ModuleNotFound
from analysis.modfile import ModFile
from analysis.modgraph import ModuleGraph, list_modules
from analysis.module import ModuleVersion
from analysis.proxy import ProxyClient, lists_asked_early
from analysis.semver import version_depth
from analysis.versions import (
    NO_MAIN,
    MainModule,
    ModuleVersions,
    QueryContext,
    module_versions,
    query_upgrade,
)
from analysis.workspace import Workspace, workspace_replacement

__all__ = [
    "ModuleUpdate",
    "list_updates",
    "lists_asked_early",
    "requested_versions",
    "version_depth",
]

_RETRACTED = "retracted by module author"


@dataclass(frozen=True)
class ModuleUpdate:
    """One module of ``go list -m -u all``: its version, the upgrade go offers, and its
    versions — and the same for its module replacement.

    ``update`` and ``replace_update`` are ``""`` when there is none; ``versions`` is
    ``None`` for the main module and for a module no proxy knows (go says nothing about
    those either); ``error`` is why the module's facts could not be had.
    """

    path: str
    version: str = ""
    main: bool = False
    replace: ModuleVersion | None = None
    versions: ModuleVersions | None = None
    update: str = ""
    replace_versions: ModuleVersions | None = None
    replace_update: str = ""
    error: str = ""

    @property
    def retracted(self) -> tuple[str, ...]:
        """Go's ``Retracted``: the rationale when the version is retracted (its own, else
        that of the replacement it stands for), ``()`` when it is not."""
        return _retraction(self.versions, self.version) or self.replace_retracted

    @property
    def replace_retracted(self) -> tuple[str, ...]:
        """``Replace.Retracted``: the same for the replacement's version."""
        if self.replace is None or not self.replace.version:
            return ()
        return _retraction(self.replace_versions, self.replace.version)

    @property
    def deprecated(self) -> str:
        return self.versions.deprecated if self.versions is not None else ""

    @property
    def replace_deprecated(self) -> str:
        return self.replace_versions.deprecated if self.replace_versions is not None else ""

    def line(self) -> str:
        """The line ``go list -m -u all`` prints (``modinfo.ModulePublic.String``)."""
        if self.main:
            return self.path
        text = f"{self.path} {self.version}" + (" (retracted)" if self.retracted else "")
        if self.update:
            text += f" [{self.update}]"
        if self.deprecated:
            text += " (deprecated)"
        r = self.replace
        if r is not None:
            text += f" => {r.path}"
            if r.version:
                text += f" {r.version}" + (" (retracted)" if self.replace_retracted else "")
                if self.replace_update:
                    text += f" [{self.replace_update}]"
            if self.replace_deprecated:
                text += " (deprecated)"
        return text

    def __str__(self) -> str:
        return self.line()

    def to_json(self) -> dict[str, Any]:
        """``go list -m -u -json`` field names (``Update``, ``Retracted``, ``Deprecated``,
        ``Replace`` with its own ``Update``…), plus gomodx's version annotations."""
        if self.main:
            return {"Path": self.path, "Main": True}
        out: dict[str, Any] = {"Path": self.path, "Version": self.version}
        if self.versions is not None:
            out.update(self.versions.to_json())
        if self.retracted:
            out["Retracted"] = list(self.retracted)
        if self.update:
            out["Update"] = {"Path": self.path, "Version": self.update}
        r = self.replace
        if r is not None:
            replace: dict[str, Any] = {"Path": r.path}
            if r.version:
                replace["Version"] = r.version
            if self.replace_update:
                replace["Update"] = {"Path": r.path, "Version": self.replace_update}
            if self.replace_retracted:
                replace["Retracted"] = list(self.replace_retracted)
            if self.replace_deprecated:
                replace["Deprecated"] = self.replace_deprecated
            out["Replace"] = replace
        if self.error:
            out["Error"] = {"Err": self.error}
        return out


def _retraction(mv: ModuleVersions | None, version: str) -> tuple[str, ...]:
    entry = mv.entry(version) if mv is not None else None
    if entry is None or not entry.retracted:
        return ()
    return entry.rationale or (_RETRACTED,)


def requested_versions(g: ModuleGraph) -> dict[str, dict[str, list[str]]]:
    """``path -> version -> [requirer, ...]``: who asks for each version, in graph order.

    >>> from analysis.modgraph import parse_graph
    >>> requested_versions(parse_graph("m a@v1.0.0\\nm b@v1.0.0\\na@v1.0.0 b@v1.1.0\\n"))["b"]
    {'v1.0.0': ['m'], 'v1.1.0': ['a@v1.0.0']}
    """
    out: dict[str, dict[str, list[str]]] = {}
    names: dict[ModuleVersion, str] = {}  # a requirer has many edges: named once
    for src, dst in g.edges:
        name = names.get(src)
        if name is None:
            name = names[src] = str(src)
        out.setdefault(dst.path, {}).setdefault(dst.version, []).append(name)
    return out


async def list_updates(
    client: ProxyClient,
    g: ModuleGraph,
    main_file: ModFile | None = None,
    main_dir: str | os.PathLike[str] | None = None,
    *,
    majors: bool = True,
    workspace: Workspace | None = None,
    requesters: bool = True,
    asked_early: Collection[str] = (),
) -> list[ModuleUpdate]:
    """Every module of build list ``g`` as ``go list -m -u all`` reports it.

    ``main_file`` is the main module's go.mod (in ``main_dir``), when there is one: its
    replacements are listed, and its excludes and replacements steer every query, as they
    do go's. In a ``workspace`` its modules' and go.work's do instead. The modules are
    asked about concurrently, through ``client``; ``majors`` also probes for newer major
    versions (a gomodx annotation; go does not). ``requesters=False`` leaves out who
    requires each version (the entries' ``requested_by``, which the text go prints does
    not show). ``asked_early``: paths whose lists the caller asked for already (see
    :func:`lists_asked_early`), not asked again.
    """
    # Every module's version list first: what follows until the queries start does not
    # wait for them.
    mains = {m.path for m in g.mains}
    selected = g.selected()
    skip = mains | set(asked_early)
    paths = [p for p in selected if p not in skip and not semver.is_toolchain_path(p)]
    paths.sort(key=lambda p: version_depth(selected[p]))  # (see _list_updates)
    async with lists_asked_early(client, paths):
        return await _list_updates(client, g, main_file, main_dir, majors, workspace, requesters)


async def _list_updates(
    client: ProxyClient,
    g: ModuleGraph,
    main_file: ModFile | None,
    main_dir: str | os.PathLike[str] | None,
    majors: bool,
    workspace: Workspace | None,
    requesters: bool,
) -> list[ModuleUpdate]:
    asked = requested_versions(g) if requesters else {}
    if workspace is not None:
        main = MainModule.for_workspace(workspace)
        listed = list_modules(g, replacement=lambda m: workspace_replacement(workspace, m))
    else:
        main = MainModule.from_file(main_file, main_dir) if main_file is not None else NO_MAIN
        listed = list_modules(g, main_file)
    rows: list[ModuleUpdate] = [
        ModuleUpdate(m.path, m.version, main=m.main, replace=m.replace) for m in listed
    ]

    # One context for every module: a module and its replacement, and the versions and
    # update of each, ask the same questions (retractions, go.mod files) once.
    context = QueryContext(client, main)

    async def fill(i: int) -> None:
        rows[i] = await _update_row(client, main, rows[i], asked, majors, context)

    # The modules whose answers take the most questions one after another start first,
    # while the others keep the connections busy, so the last answer comes sooner: at a
    # pseudo-version (the list, the retractions, then @latest and its .info), then at a
    # prerelease or +incompatible version (the upgrade stats a version of its own).
    order = sorted((i for i, row in enumerate(rows) if not row.main), key=lambda i: _depth(rows[i]))
    try:
        async with asyncio.TaskGroup() as group:
            for i in order:
                group.create_task(fill(i))
    finally:
        await context.settle()
    return rows


def _depth(row: ModuleUpdate) -> int:
    return version_depth(row.version)


async def _update_row(
    client: ProxyClient,
    main: MainModule,
    row: ModuleUpdate,
    asked: Mapping[str, Mapping[str, list[str]]],
    majors: bool,
    context: QueryContext | None = None,
) -> ModuleUpdate:
    """Versions, update, retraction and deprecation of one module and of its module
    replacement (go asks the same questions of both)."""
    versions: ModuleVersions | None = None
    update = ""
    replace_versions: ModuleVersions | None = None
    replace_update = ""
    error = ""
    if context is not None and _depth(row) < 2 and not row.main:
        # Its upgrade stats a version of its own: asked for with the list, not after.
        context.upgrade_soon(row.path, row.version)
    try:
        versions = await module_versions(
            client,
            row.path,
            main=main,
            selected=row.version,
            requested_by=asked.get(row.path, {}),
            majors=majors,
            context=context,
        )
        update = await query_upgrade(client, row.path, row.version, main=main, context=context)
        r = row.replace
        if r is not None and r.version:
            replace_versions = await module_versions(
                client, r.path, main=main, selected=r.version, majors=False, context=context
            )
            replace_update = await query_upgrade(
                client, r.path, r.version, main=main, context=context
            )
    except ModuleNotFound:
        pass  # go list -m -u says nothing about modules no proxy knows
    except (GomodxError, OSError) as exc:  # reported per module, never as a traceback
        error = str(exc)
    return ModuleUpdate(
        row.path,
        row.version,
        main=row.main,
        replace=row.replace,
        versions=versions,
        update=update,
        replace_versions=replace_versions,
        replace_update=replace_update,
        error=error,
    )
