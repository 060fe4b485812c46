"""A module's versions as ``go list -m -versions`` sees them, annotated.

:func:`module_versions` fetches the proxy's list and answers, in Go's order and by Go's
rules, which versions are retracted (from the go.mod of the latest version, ignoring
retractions), whether the module is deprecated, what ``@latest`` resolves to (§7.4: highest
allowed release, else prerelease, else the proxy's ``@latest``; ``+incompatible`` versions
only when the last compatible version has no go.mod), which newer major versions exist
(``/v2``, ``/v3``…), and — given the build list — which version is selected and who asks
for each version.

The main module (``MainModule``) matters as it does to go: its ``exclude`` lines hide
versions, and its ``replace`` lines add versions and redirect where retractions are read.

:func:`query_latest` and :func:`query_upgrade` are Go's ``Query(path, "latest")`` and
``Query(path, "upgrade", current)`` through every GOPROXY entry, with ``CheckAllowed``;
both run :meth:`analysis.source.ModuleView.query`, the engine's one copy of Go's rules.

>>> async def show(client):                                 # doctest: +SKIP
...     mv = await module_versions(client, "golang.org/x/text")
...     print(mv.versions, mv.latest, mv.deprecated)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analysis import semver
from analysis.errors import (
    AuthRequired,
    ChecksumMismatch,
    Disallowed,
    GomodxError,
    LoadError,
    ModuleError,
    ModuleNotFound,
    NoMatchingVersion,
    ProxyError,
    ProxyUnavailable,
    QueryError,
)
from analysis.goproxy import RevInfo, VersionList
from analysis.memo import Memo
from analysis.modfile import Exclude, ModFile, Module, Replace, parse
from analysis.modpath import split_path_version
from analysis.module import ModuleVersion
from analysis.proxy import ProxyClient
from analysis.repos import Repo
from analysis.source import (
    ModuleView,
    ProxySource,
    retracted,
    retractions_error,
)
from analysis.source import short_message as _short_message

if TYPE_CHECKING:
    from analysis.workspace import Workspace

__all__ = [
    "MainModule",
    "ModuleVersions",
    "VersionEntry",
    "module_versions",
    "query_latest",
    "query_upgrade",
    "short_message",
]


# -- the main module's influence -----------------------------------------------------------------


@dataclass(frozen=True)
class MainModule:
    """What the main module's go.mod changes for queries: excludes and replacements.

    ``replaces`` maps ``(old path, old version or "")`` to ``(new path or dir, new version
    or "")``; a directory target is resolved against ``dir``.
    """

    path: str = ""
    dir: Path | None = None
    excludes: frozenset[tuple[str, str]] = frozenset()
    replaces: Mapping[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, directory: str | os.PathLike[str]) -> MainModule:
        """Read ``DIR/go.mod`` (raises ModfileError as go would print it)."""
        d = Path(directory)
        gomod = d / "go.mod"
        return cls.from_file(parse(str(gomod), gomod.read_bytes()), d)

    @classmethod
    def from_file(cls, f: ModFile, directory: str | os.PathLike[str] | None) -> MainModule:
        """The main module of go.mod ``f``, already parsed, in ``directory``."""
        path = f.module.mod.path if f.module else ""
        excludes = frozenset((e.mod.path, e.mod.version) for e in f.exclude)
        replaces = {(r.old.path, r.old.version): (r.new.path, r.new.version) for r in f.replace}
        return cls(path, Path(directory) if directory is not None else None, excludes, replaces)

    @classmethod
    def for_workspace(cls, ws: Workspace) -> MainModule:
        """What a workspace changes for queries: every used module's excludes, and the
        replacements :func:`~analysis.workspace.workspace_replacement` applies (the
        go.work's first, then the modules' in ``use`` order, later ones winning),
        directory targets made absolute."""
        excludes = frozenset((e.mod.path, e.mod.version) for f in ws.mod_files for e in f.exclude)
        by_work = {(r.old.path, r.old.version) for r in ws.file.replace}
        replaces: dict[tuple[str, str], tuple[str, str]] = {}
        for root, f in zip(ws.roots, ws.mod_files, strict=True):
            for r in f.replace:
                if (r.old.path, r.old.version) in by_work or (r.old.path, "") in by_work:
                    continue  # the go.work's replacement is found first
                new = (r.new.path, r.new.version)
                if not r.new.version and not os.path.isabs(r.new.path):
                    new = (os.path.normpath(os.path.join(root, r.new.path)), "")
                replaces[(r.old.path, r.old.version)] = new
        for r in ws.file.replace:
            new = (r.new.path, r.new.version)
            if not r.new.version and not os.path.isabs(r.new.path):
                new = (os.path.normpath(os.path.join(ws.path.parent, r.new.path)), "")
            replaces[(r.old.path, r.old.version)] = new
        return cls("", ws.path.parent, excludes, replaces)

    def excluded(self, path: str, version: str) -> bool:
        return (path, version) in self.excludes

    def replacement(self, path: str, version: str) -> tuple[str, str] | None:
        """Go's ``Replacement``: a version-specific replacement wins over a wildcard."""
        found = self.replaces.get((path, version))
        if found is None:
            found = self.replaces.get((path, ""))
        return found

    def replaced_wholly(self, path: str) -> bool:
        return (path, "") in self.replaces


NO_MAIN = MainModule()


# -- results -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionEntry:
    """One version of the module and what gomodx knows about it."""

    version: str
    listed: bool = True
    retracted: bool = False
    rationale: tuple[str, ...] = ()
    excluded: bool = False
    prerelease: bool = False
    pseudo: bool = False
    incompatible: bool = False
    selected: bool = False
    latest: bool = False
    requested_by: tuple[str, ...] = ()
    vulns: tuple[str, ...] = ()
    """IDs of the Go vulnerability database's entries affecting this version (filled only
    when the session is asked to: :attr:`~analysis.session.SessionOptions.vulns`)."""

    @classmethod
    def made(
        cls,
        version: str,
        listed: bool,
        retracted: bool,
        rationale: tuple[str, ...],
        excluded: bool,
        prerelease: bool,
        pseudo: bool,
        incompatible: bool,
        selected: bool,
        latest: bool,
        requested_by: tuple[str, ...],
    ) -> VersionEntry:
        """The entry with these fields and no ``vulns``, as the constructor makes it, a
        quarter of the cost: without the frozen ``__init__``'s ``object.__setattr__`` per
        field (:func:`module_versions` makes one per version of every module of a build
        list). A test keeps it setting every field."""
        entry = object.__new__(cls)
        entry.__dict__.update(
            version=version,
            listed=listed,
            retracted=retracted,
            rationale=rationale,
            excluded=excluded,
            prerelease=prerelease,
            pseudo=pseudo,
            incompatible=incompatible,
            selected=selected,
            latest=latest,
            requested_by=requested_by,
            vulns=(),
        )
        return entry

    @property
    def hidden(self) -> bool:
        """Hidden from ``go list -m -versions`` (retracted, excluded, or unlisted)."""
        return self.retracted or self.excluded or not self.listed

    def tags(self) -> list[str]:
        """Words for display: always paired with colour in the TUI."""
        out = []
        for flag, word in (
            (self.selected, "selected"),
            (self.latest, "latest"),
            (self.retracted, "retracted"),
            (self.excluded, "excluded"),
            (self.prerelease, "prerelease"),
            (self.pseudo, "pseudo"),
            (self.incompatible, "+incompatible"),
            (not self.listed, "unlisted"),
            (bool(self.vulns), "vulnerable"),
        ):
            if flag:
                out.append(word)
        return out


@dataclass(frozen=True)
class ModuleVersions:
    """Everything :func:`module_versions` found out about one module path."""

    path: str
    entries: tuple[VersionEntry, ...]
    latest: str = ""
    latest_error: str = ""
    retractions_from: str = ""
    """The version whose go.mod supplied retractions and deprecation."""
    deprecated: str = ""
    newer_majors: tuple[ModuleVersion, ...] = ()
    selected: str = ""
    stale: bool = False
    origin: str = ""
    warnings: tuple[str, ...] = ()
    error: str = ""
    """Why go would print no versions at all (retractions that could not be loaded)."""

    @property
    def versions(self) -> tuple[str, ...]:
        """What ``go list -m -versions`` prints: listed, not retracted, not excluded.

        Empty when :attr:`error` is set: go refuses to guess which versions are retracted.
        """
        if self.error:
            return ()
        return tuple(e.version for e in self.entries if not e.hidden)

    @property
    def versions_with_retracted(self) -> tuple[str, ...]:
        """What ``go list -m -versions -retracted`` prints."""
        return tuple(e.version for e in self.entries if e.listed and not e.excluded)

    def entry(self, version: str) -> VersionEntry | None:
        for e in self.entries:
            if e.version == version:
                return e
        return None

    def to_json(self) -> dict[str, Any]:
        """``go list -m -versions -json`` field names, plus gomodx's annotations."""
        out: dict[str, Any] = {"Path": self.path}
        if self.selected:
            out["Version"] = self.selected
        if self.versions:
            out["Versions"] = list(self.versions)
        if self.error:
            out["Error"] = {"Err": self.error}
        sel = self.entry(self.selected) if self.selected else None
        if sel is not None and sel.retracted:
            out["Retracted"] = list(sel.rationale) or ["retracted by module author"]
        if self.deprecated:
            out["Deprecated"] = self.deprecated
        out["Latest"] = self.latest
        if self.latest_error:
            out["LatestError"] = self.latest_error
        out["RetractedVersions"] = {
            e.version: list(e.rationale) or ["retracted by module author"]
            for e in self.entries
            if e.retracted
        }
        out["RetractionsFrom"] = self.retractions_from
        out["NewerMajorVersions"] = [
            {"Path": m.path, "Latest": m.version} for m in self.newer_majors
        ]
        out["Annotations"] = [
            {
                "Version": e.version,
                "Tags": e.tags(),
                **({"RequestedBy": list(e.requested_by)} if e.requested_by else {}),
            }
            for e in self.entries
        ]
        out["Stale"] = self.stale
        out["Source"] = self.origin
        if self.warnings:
            out["Warnings"] = list(self.warnings)
        return out


def short_message(text: str) -> str:
    """Go's ``ShortMessage`` for a retraction rationale or deprecation message (``""``
    stays ``""``)."""
    return _short_message(text, "")


# -- the query machinery -------------------------------------------------------------------------


@dataclass
class _Retractions:
    """Retractions of a module (from the go.mod of its latest version)."""

    intervals: tuple[tuple[str, str, str], ...]
    deprecated: str
    source: str
    reason: str = ""
    """Why they could not be loaded (go's error, unwrapped), or ``""``."""

    def check(self, path: str, version: str) -> tuple[bool, tuple[str, ...]]:
        return retracted(path, version, self.intervals)


class _Context:
    """Per-call state: the client, the main module, memoised retractions and go.mod data
    (one may serve many calls for the same main module: :data:`QueryContext`)."""

    def __init__(self, client: ProxyClient, main: MainModule) -> None:
        self.client = client
        self.main = main
        self.retractions: dict[str, _Retractions] = {}
        self._loading = Memo()  # one load of a path's retractions, however many ask
        # path@latest ignoring retractions and exclusions, as loading retractions found it.
        self._latest: dict[str, RevInfo] = {}
        self._soon: set[ModuleVersion] = set()  # go.mod files asked for ahead of need
        self._ahead: set[asyncio.Task[None]] = set()
        self._excluded_paths = frozenset(p for p, _ in main.excludes)
        self._replaced_paths = frozenset(p for p, _ in main.replaces)
        self._plain: dict[str, str] = {}  # path -> its latest, where plain() answered
        # The main module's directives as the go.mod a ModuleView reads.
        self.main_file = ModFile(
            module=Module(ModuleVersion(main.path, "")),
            exclude=[Exclude(ModuleVersion(p, v)) for p, v in sorted(main.excludes)],
            replace=[
                Replace(ModuleVersion(*old), ModuleVersion(*new))
                for old, new in main.replaces.items()
            ],
        )
        # go.mod files (replacements resolved), from whichever GOPROXY entry has them.
        self.gomods = ModuleView(ProxySource(client), self.main_file, main.dir or Path("."))

    def view(self, repo: Repo, gomod_too: bool = False) -> tuple[ModuleView, _RepoSource]:
        """Go's module queries against one GOPROXY entry (``queryProxy``); ``gomod_too``:
        the go.mod of every version stat'ed is wanted next (:meth:`gomod_soon`)."""
        source = _RepoSource(self, repo, gomod_too)
        return self.gomods.with_source(source), source

    # -- allowed (CheckAllowed = exclusions + retractions) -------------------------------------

    async def load_retractions(self, path: str) -> _Retractions:
        # Asked for every version a query weighs: once known, no await at all (a lock
        # would cost a turn of the event loop each time).
        known = self.retractions.get(path)
        if known is None:
            known = await self._loading.get(path, lambda: self._load_retractions(path))
            self.retractions[path] = known
        return known

    async def _load_retractions(self, path: str) -> _Retractions:
        """From the go.mod of ``path@latest`` ignoring retractions (``CheckRetractions``)."""
        if self.main.replaced_wholly(path):
            return _Retractions((), "", "")
        try:
            info = await query_latest(
                self.client, path, allowed=None, main=self.main, _ctx=self, _gomod_too=True
            )
            latest = self.gomods.resolve(ModuleVersion(path, info.version))
            s = await self.gomods.raw_summary(latest)
        except LoadError as exc:
            return _Retractions((), "", "", exc.reason)
        except GomodxError as exc:
            return _Retractions((), "", "", _unwrap_module_error(str(exc), path))
        self._latest[path] = info
        return _Retractions(s.retract, s.deprecated, info.version)

    def gomod_soon(self, path: str, version: str) -> None:
        """Start reading the go.mod of ``path@version`` (replacement resolved) now: the
        retractions need it as soon as the version's ``.info`` is in, so both are asked
        for at once (the client's single flight hands it to :meth:`_load_retractions`)."""
        target = self.gomods.resolve(ModuleVersion(path, version))
        if not target.version or target in self._soon:
            return
        self._soon.add(target)
        if self.client.gomod_now(target.path, target.version) is not None:
            return  # cached: nothing to ask ahead
        self._ask_ahead(self.client.gomod(target.path, target.version))

    def upgrade_soon(self, path: str, current: str) -> None:
        """Start ``path``'s upgrade query from ``current`` now, ignoring retractions: it
        asks what the real one will (the same version, unless that one is retracted)
        while the retractions load, instead of after them (the answers are shared)."""

        client = self.client
        try:
            specs = client.specs
        except GomodxError:
            return  # the query itself reports a bad GOPROXY
        if client.is_private(path) or not specs or specs[0].url in ("direct", "off", "noproxy"):
            return  # only of a proxy: the go command is too dear to ask what may go unused

        async def via(repo: Repo) -> RevInfo:
            return await _query_proxy(self, repo, path, "upgrade", current, None)

        self._ask_ahead(client.try_proxies(path, via))

    async def settle(self) -> None:
        """Stop what was asked ahead and is still unanswered (its query, if there was one,
        has its own answer by now), so that nothing outlives the client it asks."""
        pending = list(self._ahead)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)

    def _ask_ahead(self, question: Awaitable[object]) -> None:
        """Ask ``question`` in the background; what fails is asked again when needed."""

        async def ask() -> None:
            with contextlib.suppress(GomodxError, OSError):
                await question

        task = asyncio.ensure_future(ask())
        self._ahead.add(task)  # held until done (the loop keeps weak references only)
        task.add_done_callback(self._ahead.discard)

    async def plain(self, path: str) -> VersionList | None:
        """``path``'s version list when its questions have the plain answer, found without
        the general query: the first GOPROXY entry is a proxy that lists releases, none
        ``+incompatible``; ``path`` is neither excluded nor replaced; and the go.mod of its
        highest release does not retract that release. Then that release is ``@latest``
        whether retractions are checked or not, and the upgrade from any release below
        it; its go.mod gives the retractions and the deprecation — what the query would
        find, through the same requests (the list, the release's ``.info`` and go.mod).
        They are kept for :meth:`load_retractions`, :meth:`known_latest` and
        :meth:`known_upgrade`.
        ``None`` otherwise, or on any failure: the general query asks again (the answers
        are shared) and reports what is wrong."""
        if path in self._excluded_paths or path in self._replaced_paths:
            return None
        repo = self.client.first_proxy(path)
        if repo is None:
            return None
        try:
            listing = await repo.versions()
            listed = listing.versions
            if listing.stale or not listed or any("+" in v for v in listed):
                return None
            releases = [v for v in listed if not semver.mod_is_prerelease(path, v)]
            if not releases:
                return None
            latest = releases[-1]
            self.gomod_soon(path, latest)
            info = await repo.stat(latest)
            if info.version != latest:
                return None
            s = await self.gomods.raw_summary(ModuleVersion(path, latest))
        except (GomodxError, OSError):
            return None
        retractions = _Retractions(s.retract, s.deprecated, latest)
        if retractions.check(path, latest)[0]:
            return None  # @latest is an older version then, found by the query
        self.retractions.setdefault(path, retractions)
        self._latest.setdefault(path, info)
        self._plain[path] = latest
        return listing

    def known_upgrade(self, path: str, current: str) -> str | None:
        """``go list -m -u``'s update of ``path`` from ``current`` without a query, when
        :meth:`plain` answered for ``path`` and ``current`` is a release at or below its
        latest: that release (allowed, and the highest release at or above ``current``),
        or ``""`` when it is ``current``. ``None`` otherwise."""
        latest = self._plain.get(path)
        if latest is None or not _plain_release(current):
            return None
        order = semver.mod_compare(path, latest, current)
        if order < 0:
            return None
        return latest if order > 0 else ""

    def known_latest(self, path: str, allowed: bool | None) -> RevInfo | None:
        """``path@latest`` without a query, when it must be what loading the retractions
        found: nothing of ``path`` is excluded and, when ``allowed``, nothing retracted —
        then every version is allowed, as when none is checked. ``None`` otherwise."""
        info = self._latest.get(path)
        if info is None or path in self._excluded_paths:
            return None
        if allowed:
            r = self.retractions.get(path)
            if r is None or (r.intervals and path not in self._plain):
                return None
        return info

    def allowed_now(self, path: str, version: str, retractions: bool = True) -> bool | None:
        """:meth:`allowed` without waiting: ``None`` while the retractions are unknown."""
        if self.main.excluded(path, version):
            return False
        if not retractions:
            return True
        r = self.retractions.get(path)
        if r is None:
            return None
        return not r.intervals or not r.check(path, version)[0]

    async def allowed(self, path: str, version: str, retractions: bool = True) -> bool:
        now = self.allowed_now(path, version, retractions)
        if now is not None:
            return now
        r = await self.load_retractions(path)
        return not r.check(path, version)[0]


def _plain_release(version: str) -> bool:
    """A canonical release: no prerelease, no ``+incompatible``."""
    return (
        semver.is_valid(version)
        and semver.canonical_version(version) == version
        and semver.version_depth(version) == 2
    )


def _unwrap_module_error(text: str, path: str) -> str:
    """What Go's ``errors.As(err, &module.ModuleError)`` leaves: the text after
    ``module PATH: `` or ``PATH@VERSION: ``."""
    if text.startswith(f"module {path}: "):
        return text[len(f"module {path}: ") :]
    if text.startswith(path + "@"):
        version, sep, rest = text[len(path) + 1 :].partition(": ")
        if sep and version and " " not in version:
            return rest
    return text


async def query_latest(
    client: ProxyClient,
    path: str,
    *,
    allowed: bool | None = True,
    main: MainModule = NO_MAIN,
    direct: bool = True,
    _ctx: _Context | None = None,
    _gomod_too: bool = False,
) -> RevInfo:
    """Resolve ``path@latest`` as ``go list -m path@latest`` does.

    ``allowed=True`` applies the main module's exclusions and the module's retractions
    (``CheckAllowed``); ``allowed=False`` only exclusions; ``None`` nothing (Go's
    ``queryLatestVersionIgnoringRetractions``). Raises :class:`NoMatchingVersion` when no
    version qualifies, and the proxy's error when the proxies fail.
    """
    ctx = _ctx or _Context(client, main)
    if direct:
        known = ctx.known_latest(path, allowed)
        if known is not None:
            return known

    async def via(repo: Repo) -> RevInfo:
        return await _query_proxy(ctx, repo, path, "latest", "", allowed, _gomod_too)

    return await client.try_proxies(path, via, direct=direct)


async def query_upgrade(
    client: ProxyClient,
    path: str,
    current: str,
    *,
    main: MainModule = NO_MAIN,
    context: QueryContext | None = None,
) -> str:
    """The version ``go list -m -u`` offers over ``current``, or ``""`` for none.

    Go's ``addUpdate``: ``Query(path, "upgrade", current, CheckAllowed)`` — the highest
    allowed (neither excluded nor retracted) release at or above ``current``, else
    prerelease; ``+incompatible`` versions only from one, or when the last compatible
    version has no go.mod; from a pseudo-version above every tag, the proxy's ``@latest``;
    never a version tagged before a pseudo-version's commit — offered when it is newer than
    ``current``. No version, no module, or a disallowed ``current`` with nothing above it
    is no update; other failures (the network, a broken go.mod) raise.

    >>> await query_upgrade(client, "golang.org/x/text", "v0.3.0")  # doctest: +SKIP
    'v0.21.0'
    """
    if not current:
        return ""
    ctx = context or _Context(client, main)
    known = ctx.known_upgrade(path, current)
    if known is not None:
        return known

    async def via(repo: Repo) -> RevInfo | None:
        try:
            return await _query_proxy(ctx, repo, path, "upgrade", current, True)
        except NoMatchingVersion:
            # Go's TryProxies stops here: "no matching versions" is not "not found".
            return None

    try:
        info = await client.try_proxies(path, via)
    except (ModuleNotFound, Disallowed):
        return ""
    if info is None or semver.mod_compare(path, info.version, current) <= 0:
        return ""
    return info.version


QueryContext = _Context
"""What queries for one main module share (``QueryContext(client, main)``)."""


class _RepoSource:
    """One GOPROXY entry as a :class:`~analysis.source.ModuleSource` (go.mod files come
    through the client, from whichever entry has them, as Go's ``modfetch.GoMod`` does)."""

    def __init__(self, ctx: _Context, repo: Repo, gomod_too: bool = False) -> None:
        self.ctx = ctx
        self.repo = repo
        self.gomod_too = gomod_too
        self.listing: VersionList | None = None

    async def go_mod(self, mod: ModuleVersion) -> bytes:
        return (await self.ctx.client.gomod(mod.path, mod.version)).data

    async def versions(self, path: str) -> tuple[str, ...]:
        self.listing = await self.repo.versions()
        return self.listing.versions

    async def stat(self, path: str, rev: str) -> RevInfo:
        if self.gomod_too and semver.is_valid(rev) and semver.canonical_version(rev) == rev:
            self.ctx.gomod_soon(path, rev)
        try:
            return await self.repo.stat(rev)
        except (ProxyUnavailable, AuthRequired, ChecksumMismatch) as exc:
            # Like Go's replacementRepo.Stat, fall back to the replacement on any failure
            # (ModuleView lets these through, so hand it a plain ProxyError).
            if self.ctx.main.replacement(path, rev) is None:
                raise
            raise ProxyError(str(exc)) from exc

    async def latest(self, path: str) -> RevInfo:
        return await self.repo.latest()

    async def zip(self, mod: ModuleVersion) -> bytes:
        return await self.ctx.client.zip(mod.path, mod.version)


async def _listing(ctx: _Context, repo: Repo, path: str) -> VersionList:
    """``lookupRepo(...).Versions("")``, with the main module's replacement versions."""
    view, source = ctx.view(repo)
    versions = await view.repo_versions(path)
    listing = source.listing or VersionList(path, (), repo.spec.redacted)
    return VersionList(path, versions, listing.origin, listing.stale)


async def _query_proxy(
    ctx: _Context,
    repo: Repo,
    path: str,
    query: str,
    current: str,
    allowed: bool | None,
    gomod_too: bool = False,
) -> RevInfo:
    """``queryProxy(path, query, current)`` through :meth:`ModuleView.query`, its errors as
    the proxy raised them (so that ``try_proxies`` can fall through on not-found). A
    disallowed version raises :class:`~analysis.errors.Disallowed`. ``gomod_too``: the
    answer's go.mod is read next (see :meth:`_Context.gomod_soon`)."""
    view, _ = ctx.view(repo, gomod_too)

    retractions = bool(allowed)

    async def check(m: ModuleVersion) -> None:
        # Asked of every listed version: answered without a wait once retractions are known.
        ok = ctx.allowed_now(m.path, m.version, retractions)
        if ok is None:
            ok = await ctx.allowed(m.path, m.version, retractions)
        if not ok:
            raise Disallowed(m, "not allowed")

    def check_now(v: str) -> bool | None:
        return ctx.allowed_now(path, v, retractions)

    try:
        if allowed is None:
            return await view.query(path, query, current, None)
        return await view.query(path, query, current, check, check_now)
    except QueryError as exc:
        if exc.kind == "no-match":
            raise NoMatchingVersion(path, query, current) from None
        if exc.err is not None and str(exc.err) == str(exc):
            raise exc.err from None
        cls = ModuleNotFound if exc.kind == "not-exist" else ProxyError
        raise cls(str(exc)) from None
    except LoadError as exc:
        # Reading the go.mod of the last compatible version (versionHasGoMod).
        raise (exc.err or ProxyError(str(exc))) from None


# -- newer major versions ------------------------------------------------------------------------


def _major_paths(path: str, count: int, start: int = 1) -> list[tuple[int, str]]:
    prefix, path_major, ok = split_path_version(path)
    if not ok:
        return []
    if path_major.startswith("."):
        sep, current = ".v", int(path_major[2:].removesuffix("-unstable") or 0)
    elif path_major.startswith("/"):
        sep, current = "/v", int(path_major[2:])
    else:
        sep, current = "/v", 1
    first = max(current + start, 2)
    return [(n, f"{prefix}{sep}{n}") for n in range(first, first + count)]


async def _newer_majors(ctx: _Context, path: str, limit: int = 12) -> list[ModuleVersion]:
    """Probe ``/vN+1``… (through proxies only, never direct VCS) in batches of three."""
    found: list[ModuleVersion] = []
    start = 1
    while start <= limit:
        batch = _major_paths(path, 3, start)
        if not batch:
            break
        results: dict[str, str] = {}

        async def probe(candidate: str, sink: dict[str, str]) -> None:
            try:
                info = await query_latest(
                    ctx.client, candidate, main=ctx.main, direct=False, _ctx=ctx
                )
            except (ProxyError, ModuleError):
                return
            sink[candidate] = info.version

        async with asyncio.TaskGroup() as group:
            for _, candidate in batch:
                group.create_task(probe(candidate, results))
        found.extend(ModuleVersion(c, results[c]) for _, c in batch if c in results)
        if batch[-1][1] not in results:
            break
        start += 3
    return found


# -- the whole picture ---------------------------------------------------------------------------


async def module_versions(
    client: ProxyClient,
    path: str,
    *,
    main: MainModule = NO_MAIN,
    selected: str = "",
    requested_by: Mapping[str, Iterable[str]] | None = None,
    majors: bool = True,
    context: QueryContext | None = None,
) -> ModuleVersions:
    """Fetch and annotate the versions of ``path``.

    ``selected`` is the build list's version of ``path`` (if any) and ``requested_by`` maps
    a version to the modules whose go.mod requires it (from the module graph). A shared
    ``context`` (made for ``main``) keeps what one answer learnt (retractions, go.mod
    files) for the next.
    """
    ctx = context or _Context(client, main)
    warnings: list[str] = []
    # Offline, or with every proxy unreachable, the client answers from the caches and
    # marks the listing stale.
    listing = await ctx.plain(path)
    if listing is None:
        listing = await client.try_proxies(path, lambda repo: _listing(ctx, repo, path))

    retractions = await ctx.load_retractions(path)
    error = ""
    checked = next((v for v in listing.versions if not main.excluded(path, v)), None)
    if retractions.reason and checked is not None:
        # go list -m -versions fails rather than show possibly retracted versions; the
        # error names the first version it checked (excluded ones are skipped first).
        error = str(retractions_error(ModuleVersion(path, checked), retractions.reason))

    latest = ""
    latest_error = ""
    try:
        latest = (await query_latest(client, path, main=main, _ctx=ctx)).version
    except (ProxyError, ModuleError) as exc:
        latest_error = str(exc)

    newer: list[ModuleVersion] = []
    if majors and not client.offline:
        newer = await _newer_majors(ctx, path)

    asked = {v: tuple(sorted(set(who))) for v, who in (requested_by or {}).items()}
    versions = list(listing.versions)
    extra = [v for v in (selected, *asked) if v and v not in versions and semver.is_valid(v)]
    if extra or semver.is_toolchain_path(path):
        everything = sorted(set(versions) | set(extra), key=lambda v: semver.mod_sort_key(path, v))
    else:
        everything = list(dict.fromkeys(versions))  # listed in Go's order already
    listed = set(versions)
    entries = []
    for v in everything:
        hit, why = retractions.check(path, v)
        entries.append(
            VersionEntry.made(
                version=v,
                listed=v in listed,
                retracted=hit,
                rationale=why,
                excluded=main.excluded(path, v),
                prerelease=semver.mod_is_prerelease(path, v),
                pseudo=semver.is_pseudo_version(v),
                incompatible=semver.build(v) == "+incompatible",
                selected=bool(selected) and v == selected,
                latest=bool(latest) and v == latest,
                requested_by=asked.get(v, ()),
            )
        )
    return ModuleVersions(
        path=path,
        entries=tuple(entries),
        latest=latest,
        latest_error=latest_error,
        retractions_from=retractions.source,
        deprecated=retractions.deprecated,
        newer_majors=tuple(newer),
        selected=selected,
        stale=listing.stale,
        origin=listing.origin,
        warnings=tuple(warnings),
        error=error,
    )
