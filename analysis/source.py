"""The module world as ``go get`` sees it: versions, go.mod files, retractions, queries.

Two layers:

* :class:`ModuleSource` is where bytes come from — a GOPROXY client
  (:class:`ProxySource` adapts :class:`~analysis.proxy.ProxyClient`, ``file://`` proxies
  included), or anything with the same five coroutines. A :class:`ProxySource` also serves
  as the loader's :class:`~analysis.loader.GoModSource`.
* :class:`ModuleView` puts the main module's ``exclude`` and ``replace`` directives on top,
  the way cmd/go's ``modload`` does, and memoises everything: ``goModSummary`` (the
  summaries of :mod:`analysis.summary`, replacement and exclusions applied), ``CheckAllowed``
  (exclusions and retractions from the latest version's go.mod), ``previousVersion`` and
  version queries (the rules of :mod:`analysis.query`, run against the view). It records
  which go.mod files and zips it read, because ``go get`` writes go.sum lines for exactly
  those.

Concurrent callers share one request per file::

    >>> async def latest_allowed(client, main_file, main_dir):    # doctest: +SKIP
    ...     view = ModuleView(ProxySource(client), main_file, main_dir)
    ...     return (await view.query("golang.org/x/text", "latest")).version

Errors carry the text go prints after ``go: `` (``module.ModuleError`` shapes such as
``example.com/m@v1.9.0: reading …/@v/v1.9.0.info: no such file or directory``).
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Protocol

from analysis import semver
from analysis.errors import (
    Disallowed,
    GomodxError,
    LoadError,
    ModuleError,
    ModuleNotFound,
    ProxyError,
    QueryError,
    TooNewError,
)
from analysis.goproxy import GoModFile, RevInfo
from analysis.hashes import zip_hash
from analysis.memo import Memo
from analysis.modfile import ModFile, auto_quote
from analysis.modpath import check_path_major, split_path_version
from analysis.module import NONE, ModuleVersion
from analysis.proxy import ProxyClient
from analysis.query import reraise_transient, run_query
from analysis.semver import cmp_version
from analysis.summary import (
    Summary,
    check_summary,
    lookup_replacement,
    main_module,
    parse_summary,
    read_dir_gomod,
    replace_map,
    strip_module_prefix,
    toolchain_summary,
)
from analysis.toolchain import DEFAULT_GO_VERSION, Toolchain

__all__ = [
    "LOCAL_GO_VERSION",
    "ModuleSource",
    "ModuleView",
    "ProxySource",
    "retracted",
    "retractions_error",
    "short_message",
]

LOCAL_GO_VERSION = DEFAULT_GO_VERSION
"""The go command gomodx imitates (``gover.Local()``) when no other version is given
(:data:`analysis.toolchain.DEFAULT_GO_VERSION`)."""


# -- sources ----------------------------------------------------------------------------


class ModuleSource(Protocol):
    """Where module metadata comes from (a GOPROXY client, a cache, a test double).

    Each coroutine raises :class:`~analysis.errors.ModuleNotFound` (or another
    :class:`~analysis.errors.ProxyError`) worded as go words it: ``path@version: reason``
    for a version, ``module path: reason`` for a list.
    """

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        """The go.mod of ``mod`` exactly as served."""
        ...

    async def versions(self, path: str) -> tuple[str, ...]:
        """The tagged versions the proxy lists (``@v/list``), in semver order."""
        ...

    async def stat(self, path: str, rev: str) -> RevInfo:
        """``@v/REV.info``: the canonical version of a version or revision."""
        ...

    async def latest(self, path: str) -> RevInfo:
        """``@latest``: the proxy's latest version when the list is empty."""
        ...

    async def zip(self, mod: ModuleVersion) -> bytes:
        """The module zip of ``mod``."""
        ...


class ProxySource:
    """:class:`ModuleSource` (and the loader's ``GoModSource``) over a :class:`ProxyClient`.

    The client honours GOPROXY (``file://`` entries included), the module caches and
    go.sum; it also memoises, so asking twice costs nothing.
    """

    def __init__(self, client: ProxyClient) -> None:
        self.client = client

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        return (await self.client.gomod(mod.path, mod.version)).data

    async def go_mod_file(self, mod: ModuleVersion) -> GoModFile:
        """The go.mod with the client's lax parse (:meth:`GoModFile.lax`): the loader and
        the view read it without parsing the bytes a second time."""
        return await self.client.gomod(mod.path, mod.version)

    async def versions(self, path: str) -> tuple[str, ...]:
        return (await self.client.versions(path)).versions

    async def stat(self, path: str, rev: str) -> RevInfo:
        return await self.client.stat(path, rev)

    async def latest(self, path: str) -> RevInfo:
        return await self.client.latest(path)

    async def zip(self, mod: ModuleVersion) -> bytes:
        return await self.client.zip(mod.path, mod.version)

    async def extracted(self, mod: ModuleVersion) -> tuple[Path, str] | None:
        """Go's extracted tree of ``mod`` and its zip hash, when go has one (see
        :meth:`ProxyClient.extracted`)."""
        return self.client.extracted(mod.path, mod.version)


# -- helpers ----------------------------------------------------------------------------


def retracted(
    path: str, version: str, intervals: Iterable[tuple[str, str, str]]
) -> tuple[bool, tuple[str, ...]]:
    """Whether ``version`` lies in one of the ``(low, high, rationale)`` retract intervals,
    and the non-empty rationales of those that hold it, in go.mod order."""
    hit = False
    why: list[str] = []
    for low, high, rationale in intervals:
        if (
            semver.mod_compare(path, low, version) <= 0
            and semver.mod_compare(path, version, high) <= 0
        ):
            hit = True
            if rationale:
                why.append(rationale)
    return hit, tuple(why)


def retractions_error(m: ModuleVersion, reason: str) -> GomodxError:
    """Go's ``retractionLoadingError`` for checking version ``m``."""
    return GomodxError(f"loading module retractions for {m}: {reason}")


def short_message(message: str, empty_default: str) -> str:
    """``modload.ShortMessage``: the first line, trimmed, safe to print."""
    message = message.split("\n", 1)[0].strip()
    if not message:
        return empty_default
    if len(message.encode()) > 500:
        return "(message omitted: too long)"
    if any(not (c.isprintable() or c.isspace()) for c in message):
        return "(message omitted: contains non-printable characters)"
    return message


def _zero_pseudo(path: str) -> str:
    _, path_major, ok = split_path_version(path)
    major = path_major[1:] if ok and path_major else "v0"
    return semver.zero_pseudo_version(major)


# -- the view ---------------------------------------------------------------------------


class ModuleView:
    """The main module's view of the module world (``modload`` with one main module).

    ``main_file`` is the parsed main go.mod and ``main_dir`` its directory (directory
    replacements are read relative to it). ``local_go`` is the version of the go command
    being imitated. Every go.mod read through the source is recorded in
    :attr:`gomod_reads` (by the module version actually fetched) and every zip in
    :attr:`zip_reads`.
    """

    def __init__(
        self,
        source: ModuleSource,
        main_file: ModFile,
        main_dir: str | os.PathLike[str],
        local_go: str = LOCAL_GO_VERSION,
    ) -> None:
        self.main = main_module(main_file)
        self.source = source
        self.main_file = main_file
        self.main_dir = Path(main_dir)
        self.local_go = local_go
        self.toolchain = Toolchain(local_go, "local")
        """The go imitated, for go.mod files too new for it (go get previews are made as
        with ``GOTOOLCHAIN=local``: gomodx does not switch toolchains)."""
        self.excluded: frozenset[ModuleVersion] = frozenset(e.mod for e in main_file.exclude)
        self.replacements = replace_map(main_file)
        self.highest_replaced: dict[str, str] = {}
        for old in self.replacements:
            cur = self.highest_replaced.get(old.path)
            if cur is None or (
                old.version and (cur == "" or cmp_version(old.path, cur, old.version) < 0)
            ):
                self.highest_replaced[old.path] = old.version
        self._fresh()

    def with_source(self, source: ModuleSource) -> ModuleView:
        """The same main module's view through ``source``: what the main module's
        directives imply is shared (worked out once), what is read and asked is not."""
        view = object.__new__(type(self))
        view.__dict__.update(self.__dict__)
        view.source = source
        view._fresh()
        return view

    def _fresh(self) -> None:
        """Nothing read, nothing asked yet."""
        self.gomod_reads: set[ModuleVersion] = set()
        self.zip_reads: set[ModuleVersion] = set()
        # One single flight for every question, keyed by what is asked (a view is made
        # per query, and most answer two or three questions).
        self._asked = Memo(GomodxError)
        self._sums: dict[ModuleVersion, str] = {}

    # -- replacement and exclusion ------------------------------------------------------

    def replacement(self, m: ModuleVersion) -> ModuleVersion | None:
        """``Replacement``: the exact ``path version`` key first, then the path-only key."""
        return lookup_replacement(self.replacements, m)

    def resolve(self, m: ModuleVersion) -> ModuleVersion:
        """``resolveReplacement``: where ``m``'s files really come from."""
        if m.version == "" and m.path == self.main.path:
            return m
        return self.replacement(m) or m

    # -- go.mod files --------------------------------------------------------------------

    async def raw_summary(self, actual: ModuleVersion) -> Summary:
        """``rawGoModSummary``: ``actual``'s own go.mod (a directory when version is ``""``)."""
        if semver.is_toolchain_path(actual.path):
            return toolchain_summary(actual)
        return await self._asked.get(("raw", actual), lambda: self._read_raw(actual))

    async def _read_raw(self, actual: ModuleVersion) -> Summary:
        if actual.version != "" and isinstance(self.source, ProxySource):
            gm = await self._proxy_gomod(self.source, actual)
            if gm.simple is not None:
                return gm.simple  # the parser's answer, made without it
            return parse_summary(actual, gm.data, self.main_dir, gm.lax)
        return parse_summary(actual, await self.raw_gomod(actual), self.main_dir)

    async def _proxy_gomod(self, source: ProxySource, actual: ModuleVersion) -> GoModFile:
        """:meth:`raw_gomod` through a proxy client, keeping its parse."""
        try:
            gm = await source.go_mod_file(actual)
        except (ProxyError, ModuleError) as exc:
            reraise_transient(exc)
            raise LoadError(actual, strip_module_prefix(str(exc), actual), exc) from None
        self.gomod_reads.add(actual)
        return gm

    async def raw_gomod(self, actual: ModuleVersion) -> bytes:
        """``rawGoModData``: the bytes of ``actual``'s go.mod (no replacement applied)."""
        if actual.version == "":
            return read_dir_gomod(actual, self.main_dir)
        try:
            data = await self.source.go_mod(actual)
        except (ProxyError, ModuleError) as exc:
            reraise_transient(exc)
            raise LoadError(actual, strip_module_prefix(str(exc), actual), exc) from None
        self.gomod_reads.add(actual)
        return data

    async def summary(self, m: ModuleVersion) -> Summary:
        """``goModSummary``: ``m``'s requirements after replacement and exclusion.

        Raises :class:`LoadError` naming the module version whose go.mod failed.
        """
        if semver.is_toolchain_path(m.path):
            return toolchain_summary(m)
        actual = self.resolve(m)
        s = check_summary(m, actual, await self.raw_summary(actual), self.excluded)
        if self.toolchain.dependency_too_new(s.go_version):
            # goModSummary: a go.mod at go >= 1.21 is a requirement on the go running.
            text = self.toolchain.too_new(f"module {actual}", s.go_version)
            raise LoadError(actual, text, TooNewError(text, s.go_version))
        return s

    async def has_go_mod(self, m: ModuleVersion) -> bool:
        """``versionHasGoMod``: whether ``m`` has a real go.mod (not a synthesized one)."""
        data = await self.raw_gomod(m)
        return data != f"module {auto_quote(m.path)}\n".encode()

    async def zip(self, m: ModuleVersion) -> bytes:
        """The zip of ``m`` (already replacement-resolved); recorded in :attr:`zip_reads`."""

        async def fetch() -> bytes:
            try:
                data = await self.source.zip(m)
            except (ProxyError, ModuleError) as exc:
                reraise_transient(exc)
                raise LoadError(m, strip_module_prefix(str(exc), m), exc) from None
            self.zip_reads.add(m)
            return data

        return await self._asked.get(("zip", m), fetch)

    async def extracted(self, m: ModuleVersion) -> Path | None:
        """Go's extracted tree of ``m`` (already replacement-resolved) when GOMODCACHE has
        a complete one — read instead of the zip, as go reads it — else None. Its zip hash
        (go's ``.ziphash``, checked against go.sum) is kept for :meth:`zip_sum`, and the
        module counts in :attr:`zip_reads` as if its zip had been read."""
        find = getattr(self.source, "extracted", None)
        if find is None or not m.version:
            return None

        async def look() -> Path | None:
            try:
                hit: tuple[Path, str] | None = await find(m)
            except (ProxyError, ModuleError) as exc:
                reraise_transient(exc)
                raise LoadError(m, strip_module_prefix(str(exc), m), exc) from None
            if hit is None:
                return None
            self._sums[m] = hit[1]
            self.zip_reads.add(m)
            return hit[0]

        return await self._asked.get(("tree", m), look)

    async def zip_sum(self, m: ModuleVersion) -> str:
        """The ``h1:`` hash of ``m``'s zip: from go's ``.ziphash`` when the tree was read,
        else computed from the zip."""
        if m not in self._sums:
            self._sums[m] = zip_hash(await self.zip(m))
        return self._sums[m]

    # -- versions -------------------------------------------------------------------------

    async def repo_versions(self, path: str) -> tuple[str, ...]:
        """``lookupRepo(path).Versions("")``: the proxy's list plus replaced versions."""

        async def fetch() -> tuple[str, ...]:
            if path not in self.highest_replaced:
                return await self.source.versions(path)
            try:
                listed = await self.source.versions(path)
            except ModuleNotFound:
                listed = ()
            extra = [
                old.version
                for old in self.replacements
                if old.path == path and old.version and not semver.is_pseudo_version(old.version)
            ]
            if not extra:
                return listed
            merged = set(listed) | set(extra)
            return tuple(sorted(merged, key=lambda v: semver.mod_sort_key(path, v)))

        return await self._asked.get(("versions", path), fetch)

    async def repo_stat(self, path: str, rev: str) -> RevInfo:
        """``repo.Stat``, with the replacement repository's fallback for replaced versions."""

        async def fetch() -> RevInfo:
            try:
                return await self.source.stat(path, rev)
            except (ProxyError, ModuleError) as exc:
                reraise_transient(exc)
                if path not in self.highest_replaced:
                    raise
                v = semver.canonical_version(rev) if semver.is_valid(rev) else ""
                if v != rev:
                    raise
                _, path_major, ok = split_path_version(path)
                if ok and path_major == "" and semver.build(v) == "":
                    try:
                        check_path_major(v, path_major)
                    except GomodxError:
                        v += "+incompatible"
                if self.replacement(ModuleVersion(path, v)) is None:
                    raise
                return _replacement_stat(v)

        return await self._asked.get(("stat", path, rev), fetch)

    async def repo_latest(self, path: str) -> RevInfo:
        """``repo.Latest`` (with the replacement repository's highest replaced version)."""

        async def fetch() -> RevInfo:
            info: RevInfo | None = None
            err: GomodxError | None = None
            try:
                info = await self.source.latest(path)
            except (ProxyError, ModuleError) as exc:
                reraise_transient(exc)
                err = exc
            if path in self.highest_replaced:
                v = self.highest_replaced[path] or _zero_pseudo(path)
                if info is None or cmp_version(path, v, info.version) > 0:
                    return _replacement_stat(v)
            if info is None:
                assert err is not None
                raise err
            return info

        return await self._asked.get(("latest", path), fetch)

    # -- allowed versions -------------------------------------------------------------------

    async def retractions(self, path: str) -> tuple[tuple[str, str, str], ...]:
        """The retractions of ``path`` (from its latest version's go.mod, ignoring
        retractions and exclusions). Raises :class:`GomodxError` when they cannot be loaded."""

        async def load() -> tuple[tuple[str, str, str], ...]:
            latest = await self.latest_ignoring_retractions(path)
            s = await self.raw_summary(latest)
            return s.retract

        return await self._asked.get(("retractions", path), load)

    async def latest_ignoring_retractions(self, path: str) -> ModuleVersion:
        """``queryLatestVersionIgnoringRetractions`` (replacement applied)."""
        repl = self.replacements.get(ModuleVersion(path, ""))
        if repl is not None:
            return repl
        info = await self.query(path, "latest", "", allowed=None)
        return self.resolve(ModuleVersion(path, info.version))

    async def deprecation(self, path: str) -> str:
        """``CheckDeprecation``: the ``// Deprecated:`` message of ``path`` (``""``: none)."""
        if self.replacements.get(ModuleVersion(path, "")) is not None:
            return ""
        latest = await self.latest_ignoring_retractions(path)
        return (await self.raw_summary(latest)).deprecated

    def check_exclusions(self, m: ModuleVersion) -> None:
        """``CheckExclusions``: raise :class:`Disallowed` for an excluded version."""
        if m in self.excluded:
            raise Disallowed(m, "excluded by go.mod")

    async def check_retractions(self, m: ModuleVersion) -> None:
        """``CheckRetractions``: raise :class:`Disallowed` for a retracted version, or
        :class:`GomodxError` (``loading module retractions for …``) when unknown."""
        if m.version == "":
            return
        if self.replacements.get(ModuleVersion(m.path, "")) is not None:
            return
        try:
            intervals = await self.retractions(m.path)
        except GomodxError as exc:
            reason = exc.reason if isinstance(exc, (LoadError, QueryError)) else str(exc)
            raise retractions_error(m, reason) from None
        hit, why = retracted(m.path, m.version, intervals)
        if hit:
            text = "retracted by module author"
            if why:
                text += ": " + short_message(why[0], "retracted by module author")
            raise Disallowed(m, text, retracted=True)

    async def check_allowed(self, m: ModuleVersion) -> None:
        """``CheckAllowed``: exclusions, then retractions."""
        self.check_exclusions(m)
        await self.check_retractions(m)

    async def previous_version(self, m: ModuleVersion) -> ModuleVersion:
        """``previousVersion``: the allowed tagged version just below ``m`` (or none)."""
        if m.version == "" and m.path == self.main.path:
            return ModuleVersion(m.path, NONE)
        try:
            listed = await self.repo_versions(m.path)
        except ModuleNotFound:
            return ModuleVersion(m.path, NONE)
        allowed: list[str] = []
        for v in listed:
            try:
                await self.check_allowed(ModuleVersion(m.path, v))
            except Disallowed:
                continue
            allowed.append(v)
        best = NONE
        for v in allowed:
            if semver.mod_compare(m.path, v, m.version) < 0:
                best = v
            else:
                break
        return ModuleVersion(m.path, best)

    # -- queries ---------------------------------------------------------------------------

    async def query(
        self,
        path: str,
        query: str,
        current: str,
        allowed: Callable[[ModuleVersion], Awaitable[None]] | None,
        allowed_now: Callable[[str], bool | None] | None = None,
    ) -> RevInfo:
        """``modload.Query`` in this view (:func:`analysis.query.run_query`): resolve
        ``path@query`` relative to ``current``.

        ``allowed(m)`` raises :class:`Disallowed` for versions that must not be chosen
        (``None`` allows everything; ``allowed_now``: its answer without waiting, or
        ``None``). Raises :class:`QueryError` (or the proxy's error as :class:`LoadError`)
        when nothing matches.
        """
        return await run_query(self, path, query, current, allowed, self.main.path, allowed_now)


def _replacement_stat(v: str) -> RevInfo:
    when = None
    if semver.is_pseudo_version(v):
        try:
            when = semver.pseudo_version_time(v)
        except GomodxError:
            when = None
    return RevInfo(v, when, "replacement")
