"""What ``go list -m -json all`` prints: one record per build-list module.

:class:`ModuleInfo` is cmd/go's ``modinfo.ModulePublic``: the same fields, left out when
empty, in the same order; :func:`go_json` writes one as go's ``json.MarshalIndent(m, "",
"\\t")`` does, HTML characters escaped, and :func:`json_stream` writes a list of them as
the stream of objects go prints (not a JSON array). :func:`list_module_info` fills the
records for a loaded graph as ``modload.moduleInfo`` does::

    main module      Path, Main, Dir, GoMod, GoVersion (1.16 when go.mod has no go line)
    a dependency     Path, Version, Time (its .info), Indirect, Dir (when extracted in
                     GOMODCACHE), GoMod (its .mod in GOMODCACHE), GoVersion, Sum and
                     GoModSum (go.sum's lines)
    replaced         Replace holds the replacement's own record (a directory replacement:
                     Dir and GoMod on disk); Dir, GoMod, GoVersion, Retracted are copied up,
                     and the replaced module itself gets no Time
    -u / -retracted  Update (Path, Version, Time), Retracted, Deprecated, for both the
                     module and its replacement; Error when a question failed

What is fetched is what go fetches: every listed version's ``.info`` (Go's module cache
first), and the go.mod of a module the graph did not read (for its go version).

>>> go_json(ModuleInfo("example.com/a", "v1.0.0", indirect=True)).splitlines()
['{', '\\t"Path": "example.com/a",', '\\t"Version": "v1.0.0",', '\\t"Indirect": true', '}']
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from analysis.errors import GomodxError
from analysis.goproxy import format_time
from analysis.modpath import escape_path, escape_version
from analysis.module import ModuleVersion
from analysis.semver import is_toolchain_path

if TYPE_CHECKING:
    from analysis.hashes import GoSum
    from analysis.modfile import ModFile
    from analysis.modgraph import ListedModule, ModuleGraph
    from analysis.proxy import ProxyClient
    from analysis.toolchain import Toolchain
    from analysis.updates import ModuleUpdate

__all__ = [
    "ModuleInfo",
    "go_json",
    "json_stream",
    "list_module_info",
]

DEFAULT_GO_MOD_VERSION = "1.16"
"""The go version of a main go.mod with no ``go`` line (``gover.DefaultGoModVersion``)."""


@dataclass(frozen=True)
class ModuleInfo:
    """One module as ``go list -m -json`` reports it (``modinfo.ModulePublic``).

    Empty fields are left out of :meth:`to_json`, as go's ``omitempty`` does; ``time`` is
    already formatted as go prints it (:func:`~analysis.goproxy.format_time`) and ``error`` is the ``Err`` text.
    """

    path: str
    version: str = ""
    query: str = ""
    versions: tuple[str, ...] = ()
    replace: ModuleInfo | None = None
    time: str = ""
    update: ModuleInfo | None = None
    main: bool = False
    indirect: bool = False
    dir: str = ""
    gomod: str = ""
    go_version: str = ""
    retracted: tuple[str, ...] = ()
    deprecated: str = ""
    error: str = ""
    sum: str = ""
    gomod_sum: str = ""

    def to_json(self) -> dict[str, Any]:
        """The JSON object go prints, fields in ``ModulePublic``'s order."""
        out: dict[str, Any] = {}
        fields: list[tuple[str, Any]] = [
            ("Path", self.path),
            ("Version", self.version),
            ("Query", self.query),
            ("Versions", list(self.versions)),
            ("Replace", self.replace.to_json() if self.replace is not None else None),
            ("Time", self.time),
            ("Update", self.update.to_json() if self.update is not None else None),
            ("Main", self.main),
            ("Indirect", self.indirect),
            ("Dir", self.dir),
            ("GoMod", self.gomod),
            ("GoVersion", self.go_version),
            ("Retracted", list(self.retracted)),
            ("Deprecated", self.deprecated),
            ("Error", {"Err": self.error} if self.error else None),
            ("Sum", self.sum),
            ("GoModSum", self.gomod_sum),
        ]
        for name, value in fields:
            if value:
                out[name] = value
        return out

    def line(self) -> str:
        """The line ``go list -m`` prints (``ModulePublic.String``)."""

        def version(m: ModuleInfo) -> str:
            return m.version + (" (retracted)" if m.retracted else "")

        text = self.path
        if self.version:
            text += " " + version(self)
            if self.update is not None:
                text += f" [{version(self.update)}]"
        if self.deprecated:
            text += " (deprecated)"
        r = self.replace
        if r is not None:
            text += " => " + r.path
            if r.version:
                text += " " + version(r)
                if r.update is not None:
                    text += f" [{version(r.update)}]"
            if r.deprecated:
                text += " (deprecated)"
        return text


# -- go's JSON --------------------------------------------------------------------------

_HTML_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_HTML_ESCAPES["\u2029"] = "\\u2029"


def go_json(m: ModuleInfo | Mapping[str, Any]) -> str:
    """``json.MarshalIndent(m, "", "\\t")`` plus a newline, as go list prints each record.

    Go's encoder escapes ``<``, ``>``, ``&``, U+2028 and U+2029 inside strings (they can
    only occur inside strings here: the keys are fixed).
    """
    data = m.to_json() if isinstance(m, ModuleInfo) else m
    text = json.dumps(data, indent="\t", ensure_ascii=False)
    for raw, escaped in _HTML_ESCAPES.items():
        if raw in text:
            text = text.replace(raw, escaped)
    return text + "\n"


def json_stream(records: Sequence[ModuleInfo]) -> str:
    """Every record as go list prints them: objects one after another, no array."""
    return "".join(go_json(m) for m in records)


ZERO_TIME = "0001-01-01T00:00:00Z"
"""What go prints for an ``.info`` without a time (Go's zero ``time.Time``)."""


# -- filling the records ----------------------------------------------------------------


@dataclass(frozen=True)
class ListContext:
    """What :func:`list_module_info` needs besides the graph.

    ``gomodcache`` is Go's module cache (``""``: unknown, then Dir and GoMod of
    dependencies are left out); ``must_have_sums`` is go's ``mustHaveSums`` (``-mod``
    readonly, the default): then a module's Dir, GoMod, GoVersion and sums are only
    reported when go.sum has the matching line. ``go_versions`` holds the go line of every
    go.mod the graph already read, keyed by graph node (replacements' included).
    """

    main_dir: Path
    gosum: GoSum
    gomodcache: str = ""
    must_have_sums: bool = True
    go_versions: Mapping[ModuleVersion, str] | None = None
    read_go_versions: Mapping[ModuleVersion, str] | None = None
    """go's ``rawGoVersion``: the go line of each module version whose own go.mod was
    read (keyed by the version read, not the graph node it was read for)."""
    updates: bool = False
    """``-u`` (Update, Deprecated) rather than ``-retracted`` alone, when updates are given."""
    whole_replaced: frozenset[str] = frozenset()
    """Paths the main module replaces at every version (go asks no deprecation of them)."""
    toolchain: Toolchain | None = None
    """The go answered for: a go.mod that needs a newer one has no GoVersion."""
    complete: bool = True
    """Whether to fill what needs the modules' files (Time, Dir, GoMod, GoVersion, sums);
    not for a recorded graph, which comes without them."""


def _cache_file(gomodcache: str, m: ModuleVersion, suffix: str) -> str:
    return os.path.join(
        gomodcache,
        "cache",
        "download",
        escape_path(m.path),
        "@v",
        f"{escape_version(m.version)}.{suffix}",
    )


def _download_dir(gomodcache: str, m: ModuleVersion) -> str:
    """``modfetch.DownloadDir``: the extracted module, when it is there and complete."""
    d = os.path.join(gomodcache, f"{escape_path(m.path)}@{escape_version(m.version)}")
    if not os.path.isdir(d):
        return ""
    if os.path.exists(_cache_file(gomodcache, m, "partial")):
        return ""
    if not os.path.exists(_cache_file(gomodcache, m, "ziphash")):
        return ""
    return d


def _recorded_sum(gosum: GoSum, path: str, version: str) -> str:
    """``Fetcher.RecordedSum``: go.sum's one ``h1:`` hash for the key (none if several)."""
    found = {h for h in gosum.hashes(path, version) if h.startswith("h1:")}
    return found.pop() if len(found) == 1 else ""


class _Lister:
    """``modload.moduleInfo`` and ``completeFromModCache`` for one listing."""

    def __init__(self, client: ProxyClient, ctx: ListContext) -> None:
        self.client = client
        self.ctx = ctx

    def checksum_ok(self, m: ModuleVersion, suffix: str) -> bool:
        if not self.ctx.must_have_sums or not m.version:
            return True
        return bool(self.ctx.gosum.hashes(m.path, m.version + suffix))

    async def info_time(self, m: ModuleVersion) -> tuple[str, str]:
        """``Query(path, version)``: the ``.info`` time, or the error go reports."""
        try:
            rev = await self.client.stat(m.path, m.version)
        except (GomodxError, OSError) as exc:
            return "", str(exc)
        return (format_time(rev.time) if rev.time is not None else ZERO_TIME), ""

    async def go_version(self, m: ModuleVersion, known: str | None) -> tuple[str, bool]:
        """The go line of ``m``'s go.mod (read by the graph, else fetched, as go's
        ``rawGoModSummary``), and whether the go.mod could be had."""
        if known is not None:
            return known, True
        from analysis.summary import parse_summary, read_dir_gomod

        try:
            if m.version == "":
                data = read_dir_gomod(m, self.ctx.main_dir)
                go = parse_summary(m, data, self.ctx.main_dir).go_version
            else:
                gm = await self.client.gomod(m.path, m.version)
                if gm.simple is not None:
                    go = gm.simple.go_version
                else:
                    go = parse_summary(m, gm.data, self.ctx.main_dir, gm.lax).go_version
        except (GomodxError, OSError):
            return "", False
        # rawGoModSummary fails for a go.mod too new for this go: go reports no version.
        toolchain = self.ctx.toolchain
        return ("" if toolchain is not None and toolchain.dependency_too_new(go) else go), True

    async def complete(self, info: ModuleInfo, known_go: str | None) -> ModuleInfo:
        """``completeFromModCache``: time, go version, cache paths and sums."""
        if is_toolchain_path(info.path) or not self.ctx.complete:
            return info
        m = ModuleVersion(info.path, info.version)
        changes: dict[str, Any] = {}
        if m.version:
            changes["time"], changes["error"] = await self.info_time(m)
        got_mod = known_go is not None
        if not info.go_version and self.checksum_ok(m, "/go.mod"):
            go, got_mod = await self.go_version(m, known_go or None)
            changes["go_version"] = go
        gomodcache = self.ctx.gomodcache
        if m.version and gomodcache:
            if self.checksum_ok(m, "/go.mod"):
                # Go has the .mod in its cache once it read it (for the graph or just now).
                if got_mod:
                    changes["gomod"] = _cache_file(gomodcache, m, "mod")
                changes["gomod_sum"] = _recorded_sum(self.ctx.gosum, m.path, m.version + "/go.mod")
            if self.checksum_ok(m, ""):
                changes["dir"] = _download_dir(gomodcache, m)
                changes["sum"] = _recorded_sum(self.ctx.gosum, m.path, m.version)
        return replace(info, **changes)

    async def module(
        self, listed: ListedModule, main_go: str | None, updates: ModuleUpdate | None
    ) -> ModuleInfo:
        if listed.main:
            if main_go is None:  # a recorded graph of a module whose go.mod is not here
                return ModuleInfo(listed.path, main=True)
            main_dir = str(self.ctx.main_dir.resolve())
            return ModuleInfo(
                listed.path,
                main=True,
                dir=main_dir,
                gomod=os.path.join(main_dir, "go.mod"),
                go_version=main_go,
            )
        m = ModuleVersion(listed.path, listed.version)
        known = (self.ctx.go_versions or {}).get(m)
        info = ModuleInfo(m.path, m.version, indirect=bool(listed.indirect))
        r = listed.replace
        if r is None:
            info = await self.complete(replace(info, go_version=known or ""), known)
            return await self.with_updates(info, updates, replacement=False)
        # Go does not ask about the replaced version itself: its time, cache paths and
        # sums would be the original's, and the replacement's answer the question. Its
        # GoVersion, though, is rawGoVersion of the *original* when the original's own
        # go.mod was read (another node replaced by it, say), else the replacement's.
        own = (self.ctx.read_go_versions or {}).get(m)
        rep = ModuleInfo(r.path, r.version, go_version=own or known or "")
        if r.version == "" and self.ctx.complete:
            d = r.path if os.path.isabs(r.path) else os.path.join(self.ctx.main_dir, r.path)
            d = os.path.normpath(os.path.abspath(d))
            rep = replace(rep, dir=d, gomod=os.path.join(d, "go.mod"))
        rep = await self.complete(rep, known)
        rep = await self.with_updates(rep, updates, replacement=True)
        info = replace(
            info,
            replace=rep,
            dir=rep.dir,
            gomod=rep.gomod,
            go_version=rep.go_version,
            retracted=rep.retracted,
        )
        return await self.with_updates(info, updates, replacement=False)

    async def with_updates(
        self, info: ModuleInfo, u: ModuleUpdate | None, *, replacement: bool
    ) -> ModuleInfo:
        """Fold a ``-u``/``-retracted`` answer (:mod:`analysis.updates`) into a record."""
        if u is None:
            return info
        if replacement:
            retracted, deprecated, update = u.replace_retracted, u.replace_deprecated, ""
            if info.version:
                update = u.replace_update
        else:
            retracted, deprecated, update = u.retracted, u.deprecated, u.update
            if info.path in self.ctx.whole_replaced:
                deprecated = ""  # CheckDeprecation: asked of the replacement instead
        changes: dict[str, Any] = {"retracted": retracted or info.retracted}
        if self.ctx.updates:
            changes["deprecated"] = deprecated
            if update:
                time, _ = await self.info_time(ModuleVersion(info.path, update))
                changes["update"] = ModuleInfo(info.path, update, time=time)
        if not replacement and u.error and not info.error:
            changes["error"] = u.error
        return replace(info, **changes)


async def list_module_info(
    client: ProxyClient,
    g: ModuleGraph,
    main_file: ModFile | None,
    ctx: ListContext,
    *,
    updates: Sequence[ModuleUpdate] | None = None,
    listed: Sequence[ListedModule] | None = None,
    mains: Mapping[str, ModuleInfo] | None = None,
) -> list[ModuleInfo]:
    """The records ``go list -m -json all`` prints for build list ``g``, in its order.

    ``updates`` (one per module, from :func:`analysis.updates.list_updates`) adds what
    ``-u`` or ``-retracted`` add. Modules are asked about concurrently through
    ``client``; a failed question is that record's ``Error``, as with go. A workspace
    passes its ``listed`` build list and the records of its main modules (``mains``).
    """
    from analysis.modgraph import list_modules

    if listed is None:
        listed = list_modules(g, main_file)
    main_go: str | None = None
    if main_file is not None:
        main_go = main_file.go.version if main_file.go is not None else DEFAULT_GO_MOD_VERSION
    by_path = {u.path: u for u in updates} if updates is not None else {}
    lister = _Lister(client, ctx)
    out: list[ModuleInfo | None] = [None] * len(listed)

    async def fill(i: int) -> None:
        m = listed[i]
        if m.main and mains is not None and m.path in mains:
            out[i] = mains[m.path]
            return
        out[i] = await lister.module(m, main_go, by_path.get(m.path))

    async with anyio.create_task_group() as group:
        for i in range(len(listed)):
            group.start_soon(fill, i)
    return [m for m in out if m is not None]
