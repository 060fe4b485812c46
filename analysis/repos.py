"""Go's ``Repo``: what one GOPROXY entry can tell about one module path.

::

    ProxyClient.try_proxies(path, op) ── one repository per GOPROXY entry, in order
        ├── HttpRepo    an http(s):// or file:// proxy, through the shared HttpGetter
        ├── GoRepo      ``direct`` and GOPRIVATE/GONOPROXY modules, through the go command
        ├── CacheRepo   offline answers from the module caches (marked ``stale``)
        └── ErrRepo     an entry that cannot serve the path (off, GOPRIVATE, -mod=vendor)

Every repository runs on a :class:`Backend` and on nothing else of the client that made
it: the shared GET (:class:`~analysis.fetch.HttpGetter`), the go command
(:class:`GoCommand`), the module caches as checked answers (:class:`CheckedCaches`),
go.sum and grammar checks (:class:`Verifier`) and one single-flight
:class:`~analysis.memo.Memo`, so that concurrent callers share one request per file.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import tempfile
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from analysis import semver
from analysis.cache import CacheStack
from analysis.errors import (
    AuthRequired,
    ChecksumMismatch,
    CorruptAnswer,
    GomodxError,
    ModuleError,
    ModuleNotFound,
    NotInCache,
    ProxyError,
)
from analysis.eventloop import in_thread
from analysis.fetch import HttpGetter
from analysis.goproxy import (
    MAX_GOMOD,
    MAX_META,
    MAX_ZIP,
    FetchEvent,
    GoModFile,
    ProxySpec,
    RevInfo,
    VersionList,
    check_canonical,
    parse_list,
    parse_time,
)
from analysis.hashes import GoSum, gomod_hash, zip_hash
from analysis.memo import Memo
from analysis.modfile import ModFile, parse_lax
from analysis.modpath import check, escape_path, escape_version
from analysis.summary import Summary, simple_summary

__all__ = [
    "Backend",
    "CacheRepo",
    "CheckedCaches",
    "ErrRepo",
    "GoCommand",
    "GoRepo",
    "HttpRepo",
    "Repo",
    "Verifier",
]

Emit = Callable[[FetchEvent], None]


# -- what repositories run on ----------------------------------------------------------------


class Verifier:
    """Whether served bytes may be trusted: go.sum when it has a line, else the grammar."""

    def __init__(self, gosum: GoSum) -> None:
        self.gosum = gosum

    def check_gomod(self, path: str, version: str, data: bytes, source: str) -> _Checked:
        """go.sum first (raises SumMismatch); else the bytes must parse as a go.mod with a
        module line (raises CorruptAnswer). Returns whether go.sum vouched for the bytes,
        the lax parse or the parser-free summary when one was made (kept with the file, so
        nobody parses it again), and the bytes' hash. A file :func:`simple_summary` reads
        has a module line and parses, so it needs no parser here."""
        simple = simple_summary(data)
        h = gomod_hash(data)
        if self.gosum.verify(path, version, h, source=source, gomod=True):
            return _Checked(True, None, simple, h)
        if simple is not None:
            return _Checked(False, None, simple, h)
        return _Checked(False, _check_gomod_syntax(path, version, data), None, h)

    def check_zip(self, path: str, version: str, data: bytes, source: str) -> bool:
        """go.sum first (raises SumMismatch); else the bytes must be a readable zip."""
        try:
            h = zip_hash(data)
        except GomodxError as exc:
            raise CorruptAnswer(f"{path}@{version}: invalid zip: {exc}") from exc
        return self.gosum.verify(path, version, h, source=source)


class _Checked(NamedTuple):
    """What :meth:`Verifier.check_gomod` found."""

    verified: bool
    parsed: ModFile | None
    simple: Summary | None
    hash: str

    def file(self, path: str, version: str, data: bytes, origin: str) -> GoModFile:
        """The checked bytes as a :class:`GoModFile` (its hash known already)."""
        return GoModFile(
            path,
            version,
            data,
            origin,
            verified=self.verified,
            parsed=self.parsed,
            simple=self.simple,
            known_hash=self.hash,
        )


@dataclass(frozen=True)
class _NoHit:
    data: bytes = b""


_NO_HIT = _NoHit()


class CheckedCaches:
    """The module caches as answers: a cached file counts only when it passes the checks a
    download would (a damaged one is a miss, never an answer). Hits on ``.info`` files
    and version lists are reported here; downloads are stored in gomodx's own cache.

    ``offline_reason`` ends the error for a module no cache knows (``GOPROXY=off``).
    """

    def __init__(
        self,
        caches: CacheStack,
        verifier: Verifier,
        emit: Emit,
        offline_reason: str,
        listening: Callable[[], bool] | None = None,
    ) -> None:
        self.stack = caches
        self.verifier = verifier
        self.offline_reason = offline_reason
        self._emit = emit
        self._listening = listening
        self.keep: Callable[[str, str, bytes], object] | None = None
        """Also called with every zip fetched from the network (path, version, bytes):
        the session keeps a preview's zips in Go's module cache this way."""

    def versions(self, path: str, cause: ProxyError | None = None) -> VersionList:
        """The version list from the caches, marked ``stale``; raises ``cause`` (or
        ModuleNotFound) when no cache knows the module."""
        hit = self.stack.read_list(path)
        if hit is not None and hit.cache is self.stack.own:
            versions = parse_list(hit.data, "")
            source = hit.cache.name
        else:
            versions = tuple(
                v for v in self.stack.cached_versions(path) if not semver.is_pseudo_version(v)
            )
            source = "GOMODCACHE"
            if not versions:
                if cause is not None:
                    raise cause
                raise ModuleNotFound(
                    f"module {path}: no cached version list (offline: {self.offline_reason})"
                )
        self._emit(
            FetchEvent(
                kind="list",
                module=path,
                version="",
                url="",
                proxy=source,
                outcome="cache_hit",
                cache="hit",
                stale=True,
                bytes=0,
            )
        )
        return VersionList(path, versions, source, stale=True)

    def info(self, path: str, rev: str) -> RevInfo | None:
        """The ``.info`` of canonical version ``rev`` from the first cache that has it."""
        if not semver.is_valid(rev) or semver.canonical_version(rev) != rev:
            return None
        for cache in self.stack.layers:
            info = cache.read_info(path, rev)
            if info is None:
                continue
            self.hit("info", path, rev, cache.name)
            return RevInfo(rev, parse_time(info.get("Time")), cache.name)
        return None

    def knows(self, path: str, version: str) -> bool:
        """Whether a cached version list names ``version`` (or its go.mod is cached)."""
        return version in self.stack.cached_versions(path) or version in parse_list(
            (self.stack.read_list(path) or _NO_HIT).data, ""
        )

    def gomod(self, path: str, version: str) -> GoModFile | None:
        """The go.mod from the first cache layer that has a sound copy, or None."""
        for cache in self.stack.layers:
            data = cache.read(path, version, "mod")
            if data is None:
                continue
            try:
                checked = self.verifier.check_gomod(path, version, data, cache.name)
            except (CorruptAnswer, ChecksumMismatch):
                continue  # a corrupt cache entry is a miss, never an answer
            return checked.file(path, version, data, cache.name)
        return None

    def extracted(self, path: str, version: str) -> tuple[Path, str] | None:
        """Go's extracted tree of ``path@version`` and its zip hash, when go extracted it
        completely (cmd/go's ``DownloadDir``: the directory exists, no ``.partial`` marker,
        a valid ``.ziphash``), or None. go trusts such a tree without rehashing it, and so
        do we; the recorded hash must still agree with go.sum (``SumMismatch`` otherwise)."""
        go = self.stack.go
        if go is None:
            return None
        try:
            hash_file = go.file(path, version, "ziphash")
        except ModuleError:
            return None
        tree = go.root.parent.parent / f"{escape_path(path)}@{escape_version(version)}"
        partial = hash_file.with_name(hash_file.name.removesuffix("ziphash") + "partial")
        if not tree.is_dir() or partial.exists():
            return None
        h = go.read_ziphash(path, version)
        if h is None:
            return None
        self.verifier.gosum.verify(path, version, h, source=go.name)
        self.hit("zip", path, version, go.name)
        return tree, h

    def zip(self, path: str, version: str) -> tuple[bytes, str] | None:
        """The zip (and the cache layer's name) from the first layer with a sound copy."""
        for cache in self.stack.layers:
            data = cache.read(path, version, "zip")
            if data is None:
                continue
            try:
                self.verifier.check_zip(path, version, data, cache.name)
            except (CorruptAnswer, ChecksumMismatch):
                continue
            return data, cache.name
        return None

    def hit(self, kind: str, path: str, version: str, source: str, size: int = 0) -> None:
        """Report a cache hit (the callers that read a cached go.mod or zip decide)."""
        if self._listening is not None and not self._listening():
            return
        self._emit(
            FetchEvent(
                kind=kind,
                module=path,
                version=version,
                url="",
                proxy=source,
                outcome="cache_hit",
                cache="hit",
                bytes=size,
            )
        )

    async def store(self, path: str, version: str, kind: str, data: bytes) -> None:
        """Keep a downloaded file (``info``, ``mod``, ``zip``) in gomodx's own cache."""
        if kind in ("mod", "info"):
            # Small and checked when read: buffered, and written in one transaction by
            # flush() (analysis.pack), so thousands of them cost the loop nothing.
            with contextlib.suppress(OSError, GomodxError):
                self.stack.store(path, version, kind, data)
            return
        await self._store(self.stack.store, path, version, kind, data)
        keeper = self.keep
        if keeper is not None and kind == "zip":
            with contextlib.suppress(OSError, GomodxError):
                await in_thread(lambda: keeper(path, version, data))

    async def store_list(self, path: str, text: bytes) -> None:
        """Keep a downloaded version list in gomodx's own cache (buffered like go.mod
        files: see :meth:`store`)."""
        with contextlib.suppress(OSError, GomodxError):
            self.stack.store_list(path, text)

    async def _store(self, fn: Callable[..., object], *args: Any) -> None:
        """Write to gomodx's cache in a worker thread (fsync is slow; the loop must not wait
        on it). A failed write costs a future cache miss, never an answer."""
        if self.stack.own is None:
            return
        with contextlib.suppress(OSError, GomodxError):
            await in_thread(lambda: fn(*args))


class GoCommand:
    """The go command, for ``direct`` and private modules: gomodx does no version control.

    ``go`` is the command to run (``None`` or ``""``: find ``go`` on PATH);
    ``enabled=False`` never runs it. It runs in a scratch directory with ``-mod=mod`` and ``GOWORK=off``.
    """

    def __init__(
        self,
        go: str | None,
        *,
        enabled: bool,
        environ: Mapping[str, str] | None,
        clock: Callable[[], float],
        emit: Emit,
    ) -> None:
        self.go = go
        self.enabled = enabled
        self._environ = dict(environ) if environ is not None else None
        self._clock = clock
        self._emit = emit

    async def run(self, args: list[str], path: str, version: str, reason: str) -> bytes:
        """Run the go command for a direct/private module; returns stdout."""
        go = self.go or (shutil.which("go") if self.enabled else None)
        if not self.enabled or not go:
            where = f"{path}@{version}" if version else f"module {path}"
            raise ModuleNotFound(
                f"{where}: {reason} sends this module to direct (version control) access, "
                "which gomodx leaves to the go command, and the go command is not installed"
            )
        environ = dict(self._environ if self._environ is not None else os.environ)
        flags = environ.get("GOFLAGS", "")
        environ["GOFLAGS"] = (flags + " -mod=mod").strip()
        environ["GOWORK"] = "off"
        start = self._clock()
        import anyio

        with tempfile.TemporaryDirectory(prefix="gomodx-go-") as scratch:
            result = await anyio.run_process([go, *args], cwd=scratch, env=environ, check=False)
        out = result.stdout
        err_text = result.stderr.decode("utf-8", "replace").strip()
        shown = "go " + " ".join(args)
        kind = "go"
        if result.returncode != 0:
            message = self._error(out, err_text) or f"{shown} failed"
            cls: type[ProxyError] = ProxyError
            if "not found" in message or "no matching versions" in message or "404" in message:
                cls = ModuleNotFound
            elif "401" in message or "403" in message or "terminal prompts disabled" in message:
                cls = AuthRequired
            error = cls(message)
            self._emit(
                FetchEvent(
                    kind,
                    path,
                    version,
                    shown,
                    "direct",
                    "error",
                    latency=self._clock() - start,
                    error=str(error),
                )
            )
            raise error
        self._emit(
            FetchEvent(
                kind,
                path,
                version,
                shown,
                "direct",
                "ok",
                bytes=len(out),
                latency=self._clock() - start,
            )
        )
        return out

    @staticmethod
    def _error(stdout: bytes, stderr: str) -> str:
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            data = json.loads(stdout)
            if isinstance(data, dict):
                err = data.get("Error")
                if isinstance(err, dict):
                    err = err.get("Err")
                if isinstance(err, str) and err:
                    return err
        return stderr.removeprefix("go: ")


@dataclass(frozen=True)
class Backend:
    """Everything a repository may use: one of each per client, shared by its repositories."""

    http: HttpGetter
    go: GoCommand
    caches: CheckedCaches
    verifier: Verifier
    memo: Memo
    """Single flight per request key; not-found answers are remembered."""


# -- repositories (one GOPROXY entry × one module path) --------------------------------------


class Repo:
    """Go's ``Repo`` for one GOPROXY entry and one module path."""

    def __init__(self, backend: Backend, spec: ProxySpec, path: str) -> None:
        self.backend = backend
        self.spec = spec
        self.path = path

    async def versions(self) -> VersionList:
        raise NotImplementedError

    async def stat(self, rev: str) -> RevInfo:
        raise NotImplementedError

    async def latest(self) -> RevInfo:
        raise NotImplementedError

    async def gomod(self, version: str) -> GoModFile:
        raise NotImplementedError

    async def zip(self, version: str) -> bytes:
        raise NotImplementedError


class ErrRepo(Repo):
    """An entry that cannot serve this path (off, GOPRIVATE, noproxy, -mod=vendor)."""

    def __init__(self, backend: Backend, spec: ProxySpec, path: str, err: ProxyError) -> None:
        super().__init__(backend, spec, path)
        self.err = err

    async def versions(self) -> VersionList:
        raise self.err

    async def stat(self, rev: str) -> RevInfo:
        raise self.err

    async def latest(self) -> RevInfo:
        raise self.err

    async def gomod(self, version: str) -> GoModFile:
        raise self.err

    async def zip(self, version: str) -> bytes:
        raise self.err


class CacheRepo(Repo):
    """Answers from the module caches only (offline mode, or every proxy unreachable)."""

    async def versions(self) -> VersionList:
        return self.backend.caches.versions(self.path)

    async def stat(self, rev: str) -> RevInfo:
        cached = self.backend.caches.info(self.path, rev)
        if cached is not None:
            return cached
        # No .info, but a version the cached list names (or whose go.mod is cached) is
        # known to exist; only its time is unknown.
        canonical = semver.is_valid(rev) and semver.canonical_version(rev) == rev
        if canonical and self.backend.caches.knows(self.path, rev):
            return RevInfo(rev, None, "cache", stale=True)
        raise NotInCache(f"{self.path}@{rev}: not in the module cache")

    async def latest(self) -> RevInfo:
        raise NotInCache(f"module {self.path}: @latest is not cached")

    async def gomod(self, version: str) -> GoModFile:
        hit = self.backend.caches.gomod(self.path, version)
        if hit is None:
            raise NotInCache(f"{self.path}@{version}: go.mod not in the module cache")
        return hit

    async def zip(self, version: str) -> bytes:
        hit = self.backend.caches.zip(self.path, version)
        if hit is None:
            raise NotInCache(f"{self.path}@{version}: zip not in the module cache")
        return hit[0]


class HttpRepo(Repo):
    """A proxy URL (http, https or file)."""

    def __init__(self, backend: Backend, spec: ProxySpec, path: str) -> None:
        super().__init__(backend, spec, path)
        base = spec.url.rstrip("/")
        self.base = base + "/" + _path_escape(escape_path(path))
        self._parsed: tuple[bytes, tuple[str, ...]] | None = None  # the list, as fetched

    def _url(self, tail: str) -> str:
        return self.base + "/" + _path_escape(tail)

    def _key(self, *parts: str) -> tuple[str, ...]:
        return (self.spec.url, self.path, *parts)

    async def _fetch(
        self,
        kind: str,
        tail: str,
        version: str,
        limit: int,
        validate: Callable[[bytes], None] | None = None,
        cache: str | None = None,
    ) -> bytes:
        return await self.backend.http.get(
            self.spec,
            self._url(tail),
            kind=kind,
            path=self.path,
            version=version,
            limit=limit,
            validate=validate,
            cache=cache,
        )

    async def _list_bytes(self) -> bytes:
        return await self.backend.memo.get(self._key("list"), self._fetch_list)

    async def _fetch_list(self) -> bytes:
        data = await self._fetch("list", "@v/list", "", MAX_META, _check_list_text)
        listed = parse_list(data, "")
        self._parsed = (data, listed)  # for _versions: parsed (and sorted) once
        text = "".join(v + "\n" for v in listed).encode()
        await self.backend.caches.store_list(self.path, text)
        return data

    async def versions(self) -> VersionList:
        # Parsed once, however many queries ask (a module's listing serves several).
        return await self.backend.memo.get(self._key("versions"), self._versions)

    async def _versions(self) -> VersionList:
        data = await self._list_bytes()
        parsed = self._parsed
        listed = parsed[1] if parsed is not None and parsed[0] is data else parse_list(data, "")
        return VersionList(self.path, listed, self.spec.redacted)

    async def stat(self, rev: str) -> RevInfo:
        # The caches are asked once per revision, inside the single flight: several
        # queries stat the same version, and a miss costs a lookup in every cache.
        return await self.backend.memo.get(self._key("info", rev), lambda: self._stat(rev))

    async def _stat(self, rev: str) -> RevInfo:
        cached = self.backend.caches.info(self.path, rev)
        if cached is not None:
            return cached
        try:
            escaped = escape_version(rev)
        except ModuleError as exc:
            raise ProxyError(f"{self.path}@{rev}: {exc}") from exc
        parsed: list[RevInfo] = []

        def validate(body: bytes) -> None:
            parsed.clear()
            parsed.append(self._parse_info(body, rev))

        await self._fetch("info", f"@v/{escaped}.info", rev, MAX_META, validate, "miss")
        info = parsed[0]
        if semver.is_valid(info.version) and semver.canonical_version(info.version) == info.version:
            text = (json.dumps(info.to_json()) + "\n").encode()
            await self.backend.caches.store(self.path, info.version, "info", text)
        return info

    def _parse_info(self, body: bytes, rev: str) -> RevInfo:
        """The served ``.info`` (or ``@latest``) checked, as from this proxy."""
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise CorruptAnswer(str(exc)) from exc
        if not isinstance(data, dict):
            raise CorruptAnswer("info is not a JSON object")
        version = data.get("Version")
        if not isinstance(version, str) or not version:
            raise CorruptAnswer("info has no Version")
        when = parse_time(data.get("Time"))
        if rev and version != rev and semver.canonical_version(rev) == rev:
            try:
                check(self.path, rev)
            except ModuleError:
                pass
            else:
                raise CorruptAnswer(
                    f"proxy returned info for version {version} instead of requested version"
                )
        return RevInfo(version, when, self.spec.redacted)

    async def latest(self) -> RevInfo:
        return await self.backend.memo.get(self._key("latest"), self._latest)

    async def _latest(self) -> RevInfo:
        parsed: list[RevInfo] = []

        def validate(body: bytes) -> None:
            parsed.clear()
            parsed.append(self._parse_info(body, ""))

        try:
            await self._fetch("latest", "@latest", "", MAX_META, validate)
        except ModuleNotFound:
            return await self._latest_from_list()
        return parsed[0]

    async def _latest_from_list(self) -> RevInfo:
        data = await self._list_bytes()
        best: tuple[datetime, str, bool] | None = None
        for line in data.decode("utf-8", "replace").split("\n"):
            fields = line.split()
            if not fields or not semver.is_valid(fields[0]):
                continue
            from_pseudo = False
            if len(fields) >= 2:
                when = parse_time(fields[1])
                if when is None:
                    when = datetime.min.replace(tzinfo=UTC)
            elif semver.is_pseudo_version(fields[0]):
                try:
                    when = semver.pseudo_version_time(fields[0])
                except ModuleError:
                    when = datetime.min.replace(tzinfo=UTC)
                from_pseudo = True
            else:
                continue
            if best is None or best[0] < when:
                best = (when, fields[0], from_pseudo)
        if best is None or best[0] == datetime.min.replace(tzinfo=UTC):
            raise ModuleNotFound(f"module {self.path}: no commits")
        if best[2]:
            return await self.stat(best[1])
        return RevInfo(best[1], best[0], self.spec.redacted)

    async def gomod(self, version: str) -> GoModFile:
        return await self.backend.memo.get(self._key("mod", version), lambda: self._gomod(version))

    async def _gomod(self, version: str) -> GoModFile:
        check_canonical(self.path, version)
        checked: list[_Checked] = []
        source = self.spec.redacted

        def validate(body: bytes) -> None:
            checked.clear()
            checked.append(self.backend.verifier.check_gomod(self.path, version, body, source))

        data = await self._fetch(
            "mod", f"@v/{escape_version(version)}.mod", version, MAX_GOMOD, validate, "miss"
        )
        await self.backend.caches.store(self.path, version, "mod", data)
        if not checked:  # pragma: no cover - the fetch validates what it returns
            return GoModFile(self.path, version, data, source)
        return checked[0].file(self.path, version, data, source)

    async def zip(self, version: str) -> bytes:
        check_canonical(self.path, version)
        source = self.spec.redacted

        def validate(body: bytes) -> None:
            self.backend.verifier.check_zip(self.path, version, body, source)

        data = await self._fetch(
            "zip", f"@v/{escape_version(version)}.zip", version, MAX_ZIP, validate, "miss"
        )
        await self.backend.caches.store(self.path, version, "zip", data)
        return data


class GoRepo(Repo):
    """``direct`` and private modules, through the go command."""

    def __init__(self, backend: Backend, spec: ProxySpec, path: str, reason: str) -> None:
        super().__init__(backend, spec, path)
        self.reason = reason

    async def _json(self, args: list[str], version: str) -> dict[str, Any]:
        out = await self.backend.go.run(args, self.path, version, self.reason)
        try:
            data = json.loads(out)
        except ValueError as exc:
            raise ProxyError(f"go {' '.join(args)}: invalid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ProxyError(f"go {' '.join(args)}: unexpected output")
        return data

    async def versions(self) -> VersionList:
        data = await self.backend.memo.get(
            ("go", "list", self.path),
            lambda: self._json(["list", "-m", "-retracted", "-versions", "-json", self.path], ""),
        )
        found = data.get("Versions") or []
        versions = tuple(v for v in found if isinstance(v, str))
        return VersionList(self.path, tuple(semver.sort_versions(versions)), "direct")

    async def _download(self, rev: str) -> dict[str, Any]:
        return await self.backend.memo.get(
            ("go", "download", self.path, rev),
            lambda: self._json(["mod", "download", "-json", f"{self.path}@{rev}"], rev),
        )

    async def stat(self, rev: str) -> RevInfo:
        data = await self._download(rev)
        version = data.get("Version")
        if not isinstance(version, str):
            raise ProxyError(f"{self.path}@{rev}: go mod download printed no Version")
        when = None
        info_file = data.get("Info")
        if isinstance(info_file, str):
            with contextlib.suppress(OSError, ValueError):
                when = parse_time(json.loads(Path(info_file).read_bytes()).get("Time"))
        return RevInfo(version, when, "direct")

    async def latest(self) -> RevInfo:
        data = await self.backend.memo.get(
            ("go", "latest", self.path),
            lambda: self._json(["list", "-m", "-json", f"{self.path}@latest"], "latest"),
        )
        version = data.get("Version")
        if not isinstance(version, str):
            raise ModuleNotFound(f"module {self.path}: no latest version")
        return RevInfo(version, parse_time(data.get("Time")), "direct")

    async def gomod(self, version: str) -> GoModFile:
        data = await self._download(version)
        mod_file = data.get("GoMod")
        if not isinstance(mod_file, str):
            raise ProxyError(f"{self.path}@{version}: go mod download printed no GoMod")
        content = Path(mod_file).read_bytes()
        checked = self.backend.verifier.check_gomod(self.path, version, content, "direct")
        verified, parsed, simple = checked.verified, checked.parsed, checked.simple
        return GoModFile(
            self.path,
            version,
            content,
            "direct",
            verified=verified,
            parsed=parsed,
            simple=simple,
        )

    async def zip(self, version: str) -> bytes:
        data = await self._download(version)
        zip_file = data.get("Zip")
        if not isinstance(zip_file, str):
            raise ProxyError(f"{self.path}@{version}: go mod download printed no Zip")
        content = Path(zip_file).read_bytes()
        self.backend.verifier.check_zip(self.path, version, content, "direct")
        return content


# -- helpers -----------------------------------------------------------------------------------


def _check_gomod_syntax(path: str, version: str, data: bytes) -> ModFile:
    """A served go.mod must parse and declare a module (catches truncation and garbage);
    returns the lax parse."""
    try:
        parsed = parse_lax("go.mod", data)
    except GomodxError as exc:
        raise CorruptAnswer(f"{path}@{version}: go.mod does not parse: {exc}") from exc
    module = getattr(parsed, "module", None)
    mod = getattr(module, "mod", None)
    if module is None or not getattr(mod, "path", ""):
        raise CorruptAnswer(f"{path}@{version}: go.mod has no module line")
    return parsed


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
"""Control characters other than tab, line feed and carriage return."""


def _check_list_text(data: bytes) -> None:
    """A version list is plain text: binary bytes or an HTML page mean a broken answer.

    (Go would silently read such a body as "no versions"; retrying is the better cure.)
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CorruptAnswer("version list is not UTF-8 text") from exc
    if _CONTROL.search(text):
        raise CorruptAnswer("version list contains control characters")
    head = text.lstrip()[:15].lower()
    if head.startswith(("<!doctype", "<html", "<?xml")):
        raise CorruptAnswer("version list is an HTML/XML document")


@functools.lru_cache(maxsize=16384)
def _path_escape(text: str) -> str:
    """Go's ``pathEscape``: ``url.PathEscape`` with ``/`` kept."""
    return urllib.parse.quote(text, safe="/-_.~$&+:=@")
