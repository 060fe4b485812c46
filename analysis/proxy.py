"""A resilient, concurrent GOPROXY client that answers as the go command would.

::

    GOPROXY list ──► ProxySpec(url | off | direct | noproxy, fall_back_on_error)
        │
        ▼
    ProxyClient.try_proxies(path, op) ── Go's TryProxies: ``,`` falls through only on
        │                                 not-found (404/410, lookup disabled), ``|`` on any
        │                                 error; ``off`` and ``direct`` end the list
        ├── _HttpRepo   http(s):// and file:// proxies; retries with backoff + full jitter
        │               on timeouts, connection errors, 429 (Retry-After) and 5xx
        ├── _GoRepo     ``direct`` and GOPRIVATE/GONOPROXY modules, through the go command
        └── _CacheRepo  offline answers from the module caches (marked ``stale``)

Every request and cache hit is reported to subscribers as a frozen :class:`FetchEvent`
(URL with credentials redacted). Every go.mod is checked against go.sum when go.sum has a
line for it, and against the go.mod grammar otherwise; nothing that fails a check is
cached. Files fetched over the network are written atomically to gomodx's own cache.

>>> import anyio                                          # doctest: +SKIP
>>> async def main():
...     async with ProxyClient(load_goenv()) as client:
...         print((await client.versions("golang.org/x/mod")).versions)
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import json
import os
import random
import shutil
import tempfile
import time
import urllib.parse
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import httpx

from analysis import semver
from analysis.cache import CacheStack
from analysis.errors import (
    AuthRequired,
    ChecksumMismatch,
    GomodxError,
    ModuleError,
    ModuleNotFound,
    ProxyError,
    ProxyUnavailable,
)
from analysis.goenv import GoEnv
from analysis.hashes import GoSum, gomod_hash, zip_hash
from analysis.memo import Memo
from analysis.modpath import (
    check,
    check_path,
    escape_path,
    escape_version,
    match_prefix_patterns,
)
from analysis.module import ModuleVersion
from analysis.summary import simple_summary

if TYPE_CHECKING:
    from analysis.modfile import ModFile
    from analysis.summary import Summary

__all__ = [
    "DEFAULT_CONCURRENCY",
    "MAX_GOMOD",
    "MAX_ZIP",
    "FetchEvent",
    "GoModFile",
    "ProxyClient",
    "ProxySpec",
    "RetryPolicy",
    "RevInfo",
    "VersionList",
    "parse_goproxy",
    "parse_netrc",
    "redact_url",
]

DEFAULT_CONCURRENCY = 32
MAX_GOMOD = 16 << 20
"""Go's ``codehost.MaxGoMod``: larger go.mod answers are refused."""
MAX_ZIP = 500 << 20
"""Go's ``codehost.MaxZipFile``."""
MAX_META = 16 << 20
"""A cap on list/info/latest answers (Go has none; a runaway body must not eat memory)."""

_T = TypeVar("_T")

# -- GOPROXY parsing -----------------------------------------------------------------------


@dataclass(frozen=True)
class ProxySpec:
    """One GOPROXY entry: a URL, ``off``, ``direct``, or the implicit ``noproxy``.

    ``fall_back_on_error`` is true when the entry was followed by ``|``. ``url`` may hold
    credentials; show :attr:`redacted` instead (``repr`` does).
    """

    url: str
    fall_back_on_error: bool = False

    @property
    def is_url(self) -> bool:
        return self.url not in ("off", "direct", "noproxy")

    @property
    def redacted(self) -> str:
        return redact_url(self.url) if self.is_url else self.url

    def __repr__(self) -> str:
        return f"ProxySpec({self.redacted!r}, fall_back_on_error={self.fall_back_on_error})"


def redact_url(url: str) -> str:
    """``url`` with any user information replaced by ``xxxxx``.

    >>> redact_url("https://alice:s3cret@proxy.example/p")
    'https://xxxxx@proxy.example/p'
    """
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return url.split("@")[-1] if "@" in url else url
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc="xxxxx@" + host))


def parse_goproxy(goproxy: str, gonoproxy: str = "") -> tuple[ProxySpec, ...]:
    """Go's ``proxyList``: the entries of GOPROXY in order, validated.

    Raises :class:`ProxyError` with go's messages for an empty list or a bad URL.

    >>> [s.url for s in parse_goproxy("proxy.example|direct,ignored")]
    ['https://proxy.example', 'direct']
    """
    specs: list[ProxySpec] = []
    if gonoproxy and goproxy != "direct":
        specs.append(ProxySpec("noproxy"))
    rest = goproxy
    while rest:
        cut = min((i for i in (rest.find(","), rest.find("|")) if i >= 0), default=-1)
        if cut >= 0:
            url, fall_back, rest = rest[:cut], rest[cut] == "|", rest[cut + 1 :]
        else:
            url, fall_back, rest = rest, False, ""
        url = url.strip()
        if not url:
            continue
        if url in ("off", "direct"):
            # Both end the line: off always fails hard, direct is final for now.
            specs.append(ProxySpec(url))
            break
        if (
            any(c in url for c in ".:/")
            and ":/" not in url
            and not os.path.isabs(url)
            and not url.startswith("/")
        ):
            url = "https://" + url
        _check_proxy_url(url)
        specs.append(ProxySpec(url, fall_back))
    if not specs or (len(specs) == 1 and specs[0].url == "noproxy"):
        raise ProxyError("GOPROXY list is not the empty string, but contains no entries")
    return tuple(specs)


def _go_scheme(url: str) -> str:
    """The scheme as Go's url.Parse finds it ("" when there is none)."""
    for i, c in enumerate(url):
        if c.isascii() and c.isalpha():
            continue
        if i > 0 and ((c.isascii() and c.isdigit()) or c in "+-."):
            continue
        if c == ":" and i > 0:
            return url[:i].lower()
        return ""
    return ""


def _check_proxy_url(url: str) -> None:
    shown = redact_url(url)
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        reason = "missing ']' in host" if "[" in url else "invalid URL"
        raise ProxyError(f'parse "{shown}": {reason}') from None
    scheme = _go_scheme(url)
    if scheme in ("http", "https"):
        return
    if scheme == "file":
        opaque = not parts.netloc and not parts.path.startswith("/")
        if parts.netloc or parts.query or parts.fragment or "?" in url or "#" in url or opaque:
            raise ProxyError(f"invalid file:// proxy URL with non-path elements: {shown}")
        return
    if scheme == "":
        raise ProxyError(f"invalid proxy URL missing scheme: {shown}")
    raise ProxyError(f"invalid proxy URL scheme (must be https, http, file): {shown}")


# -- credentials ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NetrcLine:
    machine: str
    login: str
    password: str = field(repr=False)


def parse_netrc(data: str) -> list[NetrcLine]:
    """The ``machine login password`` triples of a .netrc, read the way go reads them
    (``macdef`` bodies skipped, parsing stops at ``default``)."""
    lines: list[NetrcLine] = []
    machine = login = password = ""
    in_macro = False
    for text in data.split("\n"):
        if in_macro:
            if text == "":
                in_macro = False
            continue
        words = text.split()
        i = 0
        while i < len(words) - 1:
            key, value = words[i], words[i + 1]
            if key == "machine":
                machine, login, password = value, "", ""
            elif key == "login":
                login = value
            elif key == "password":
                password = value
            elif key == "macdef":
                in_macro = True
            if machine and login and password:
                lines.append(NetrcLine(machine, login, password))
                machine = login = password = ""
            i += 2
        if i < len(words) and words[i] == "default":
            break
    return lines


def _read_netrc(env: GoEnv) -> list[NetrcLine]:
    if "off" in [w.strip() for w in env.goauth.split(";")]:
        return []
    if env.goauth and "netrc" not in [w.strip() for w in env.goauth.split(";")]:
        return []
    if not env.netrc:
        return []
    try:
        return parse_netrc(Path(env.netrc).read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return []


# -- results and events --------------------------------------------------------------------


@dataclass(frozen=True)
class FetchEvent:
    """One request (or cache hit) made on behalf of a fetch.

    ``outcome`` is ``ok``, ``retry`` (this attempt failed and will be retried),
    ``not_found``, ``error``, ``cache_hit`` or ``fallthrough`` (the GOPROXY entry failed and
    the next one is tried). URLs never contain credentials.
    """

    kind: str  # list | info | mod | zip | latest | go
    module: str
    version: str
    url: str
    proxy: str
    outcome: str
    status: int | None = None
    bytes: int = 0
    latency: float = 0.0
    attempt: int = 1
    cache: str | None = None  # "hit" | "miss" | None (not a cacheable request)
    retried: bool = False
    fell_through: bool = False
    stale: bool = False
    error: str = ""
    at: float = 0.0

    def describe(self) -> str:
        """A one-line summary for ``-v`` output."""
        status = "" if self.status is None else f" {self.status}"
        what = f"{self.module}@{self.version}" if self.version else self.module
        extra = []
        if self.attempt > 1:
            extra.append(f"attempt {self.attempt}")
        if self.cache:
            extra.append(f"cache {self.cache}")
        if self.stale:
            extra.append("stale")
        if self.error:
            extra.append(self.error.splitlines()[0])
        tail = f" ({'; '.join(extra)})" if extra else ""
        return (
            f"{self.outcome:<11} {self.kind:<6} {what} via {self.proxy}{status}"
            f" {self.bytes}B {self.latency * 1000:.0f}ms {self.url}{tail}"
        )


@dataclass(frozen=True)
class RevInfo:
    """A ``.info`` (or ``@latest``) answer: the version and its commit time."""

    version: str
    time: datetime | None = None
    origin: str = ""
    stale: bool = False

    def to_json(self) -> dict[str, str]:
        out = {"Version": self.version}
        if self.time is not None:
            out["Time"] = _format_time(self.time)
        return out


@dataclass(frozen=True)
class VersionList:
    """The tagged versions a proxy lists (pseudo-versions and invalid lines dropped), in
    Go's ``SortVersions`` order."""

    path: str
    versions: tuple[str, ...]
    origin: str = ""
    stale: bool = False


@dataclass(frozen=True)
class GoModFile:
    """The go.mod of ``path@version`` as served, and how it was checked."""

    path: str
    version: str
    data: bytes
    origin: str = ""
    stale: bool = False
    verified: bool = False
    """True when go.sum had a ``/go.mod`` line and the hash matched."""
    parsed: ModFile | None = field(default=None, compare=False, repr=False)
    """The lax parse of :attr:`data`, when the client already made it (see :meth:`lax`)."""
    simple: Summary | None = field(default=None, compare=False, repr=False)
    """``summarize(lax())`` made without the parser, for the plainest files (see
    :func:`analysis.summary.simple_summary`); then :attr:`parsed` is left to :meth:`lax`."""

    @property
    def hash(self) -> str:
        return gomod_hash(self.data)

    def lax(self) -> ModFile:
        """``modfile.parse_lax("go.mod", data)``, parsed at most once per file: the client's
        syntax check and the loader share it. Raises :class:`ModfileError`."""
        if self.parsed is None:
            from analysis.modfile import parse_lax

            object.__setattr__(self, "parsed", parse_lax("go.mod", self.data))
        assert self.parsed is not None
        return self.parsed


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try one request: attempts, backoff with full jitter, Retry-After cap."""

    attempts: int = 4
    base_delay: float = 0.2
    max_delay: float = 5.0
    retry_after_cap: float = 30.0

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full jitter: uniform in ``[0, min(max_delay, base * 2**(attempt-1))]``."""
        return rng.uniform(0.0, min(self.max_delay, self.base_delay * (2 ** (attempt - 1))))


# -- internal errors -------------------------------------------------------------------------


class _Corrupt(Exception):
    """A 200 answer whose content fails validation (retried, never cached)."""


class _Retryable(Exception):
    def __init__(self, message: str, status: int | None, delay: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.delay = delay


def _not_exist(err: BaseException) -> bool:
    return isinstance(err, ModuleNotFound)


def _module_error(cls: type[ProxyError], path: str, version: str, message: str) -> ProxyError:
    prefix = f"{path}@{version}" if version else f"module {path}"
    return cls(f"{prefix}: {message}")


# -- the client ------------------------------------------------------------------------------

Subscriber = Callable[[FetchEvent], None]


@dataclass(frozen=True)
class _Request:
    """One GET on behalf of a fetch: what every :class:`FetchEvent` about it repeats."""

    kind: str
    path: str
    version: str
    shown: str
    proxy: str
    cache: str | None


class ProxyClient:
    """Fetch module metadata through GOPROXY as the go command would, only faster.

    Use as an async context manager (or call :meth:`aclose`). ``transport`` replaces the
    network (``httpx.MockTransport`` in tests); ``caches`` defaults to Go's module cache
    plus gomodx's own; ``gosum`` is the go.sum every go.mod and zip is checked against.
    ``offline=True`` (or GOPROXY=off) answers only from the caches.
    """

    def __init__(
        self,
        env: GoEnv,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        caches: CacheStack | None = None,
        gosum: GoSum | None = None,
        offline: bool = False,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
        use_go: bool = True,
        go_environ: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        http2: bool = True,
    ) -> None:
        self.env = env
        self.caches = caches if caches is not None else CacheStack.for_env(env.gomodcache)
        self.gosum = gosum if gosum is not None else GoSum()
        self.retry = retry or RetryPolicy()
        self.timeout = timeout
        self.use_go = use_go
        self._go_environ = dict(go_environ) if go_environ is not None else None
        self._sleep = sleep or anyio.sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._subscribers: list[Subscriber] = []
        self._limiter = anyio.Semaphore(concurrency)
        self._memo = Memo(remember=ModuleNotFound)
        self._netrc = _read_netrc(env)
        self._specs: tuple[ProxySpec, ...] | None = None
        self._spec_error: ProxyError | None = None
        try:
            self._specs = parse_goproxy(env.goproxy, env.gonoproxy)
        except ProxyError as exc:
            self._spec_error = exc
        only_off = self._specs is not None and [s.url for s in self._specs] == ["off"]
        self.offline = offline or only_off
        self._transport = transport
        self._http2 = http2
        self._concurrency = concurrency
        self._client: httpx.AsyncClient | None = None

    # -- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> ProxyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            limits = httpx.Limits(
                max_connections=self._concurrency,
                max_keepalive_connections=self._concurrency,
                keepalive_expiry=30.0,
            )
            http2 = self._http2
            if http2:
                try:
                    import h2  # noqa: F401
                except ImportError:
                    http2 = False
            self._client = httpx.AsyncClient(
                transport=self._transport,
                timeout=httpx.Timeout(self.timeout),
                limits=limits,
                http2=http2 if self._transport is None else False,
                follow_redirects=True,
                max_redirects=10,
                trust_env=False,
                headers={"User-Agent": "gomodx (Go module proxy client)"},
            )
        return self._client

    # -- events ------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with every :class:`FetchEvent`; returns an unsubscribe function."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def _emit(self, event: FetchEvent) -> None:
        event = replace(event, at=self._clock(), error=self._scrub(event.error))
        for callback in list(self._subscribers):
            callback(event)

    def _scrub(self, text: str) -> str:
        """Remove every known secret from ``text`` (belt and braces over redaction)."""
        if not text:
            return text
        secrets: set[str] = {n.password for n in self._netrc} | {n.login for n in self._netrc}
        for spec in self._specs or ():
            if spec.is_url:
                user = urllib.parse.urlsplit(spec.url).username
                password = urllib.parse.urlsplit(spec.url).password
                secrets.update(s for s in (user, password) if s)
                secrets.update(urllib.parse.unquote(s) for s in (user, password) if s and "%" in s)
        for secret in sorted(secrets, key=len, reverse=True):
            if len(secret) >= 3:
                text = text.replace(secret, "xxxxx")
        return text

    # -- routing -----------------------------------------------------------------------

    @property
    def specs(self) -> tuple[ProxySpec, ...]:
        """The parsed GOPROXY list (raises the GOPROXY error, as go does, on first use)."""
        if self._spec_error is not None:
            raise self._spec_error
        assert self._specs is not None
        return self._specs

    def is_private(self, path: str) -> bool:
        """Whether GONOPROXY (which defaults to GOPRIVATE) sends ``path`` to direct access."""
        return match_prefix_patterns(self.env.gonoproxy, path)

    def _repo(self, spec: ProxySpec, path: str) -> _Repo:
        if self.env.mod == "vendor":
            return _ErrRepo(self, spec, path, ProxyError("module lookup disabled by -mod=vendor"))
        if self.is_private(path):
            if spec.url in ("noproxy", "direct"):
                return _GoRepo(self, spec, path, self._private_reason(path))
            return _ErrRepo(
                self, spec, path, ModuleNotFound(f"module {path}: disabled by GOPRIVATE/GONOPROXY")
            )
        if spec.url == "off":
            return _ErrRepo(
                self, spec, path, ModuleNotFound("module lookup disabled by GOPROXY=off")
            )
        if spec.url == "direct":
            return _GoRepo(self, spec, path, "GOPROXY includes direct")
        if spec.url == "noproxy":
            return _ErrRepo(
                self,
                spec,
                path,
                ModuleNotFound(f"module {path}: path does not match GOPRIVATE/GONOPROXY"),
            )
        return _HttpRepo(self, spec, path)

    def _private_reason(self, path: str) -> str:
        for name, value in (("GONOPROXY", self.env.gonoproxy), ("GOPRIVATE", self.env.goprivate)):
            globs = [g for g in value.split(",") if g and match_prefix_patterns(g, path)]
            if globs and (name == "GOPRIVATE" or value != self.env.goprivate):
                return f"{name}={globs[0]}"
        return f"GONOPROXY={self.env.gonoproxy}"

    async def try_proxies(
        self, path: str, op: Callable[[_Repo], Awaitable[_T]], *, direct: bool = True
    ) -> _T:
        """Run ``op`` on each GOPROXY entry in turn, as Go's ``TryProxies`` does.

        Moves to the next entry only when the error is a not-found or the entry was
        followed by ``|``; reports the most useful error (direct/private ones first, then
        other proxy errors, then the last not-found). ``direct=False`` skips the go command
        (for speculative probes). Offline, ``op`` runs once against the caches; when every
        proxy is unreachable, the caches get a last chance (their answers are ``stale``).
        """
        check_path(path)
        specs = self.specs
        off_only = [s.url for s in specs if s.url != "noproxy"] == ["off"]
        if self.offline or (off_only and not self.is_private(path)):
            # GOPROXY=off (with GOPRIVATE set, for public paths): the caches answer, as in
            # offline mode; private paths still go to the go command, as go sends them.
            return await op(_CacheRepo(self, ProxySpec("off"), path))
        best: BaseException | None = None
        best_rank = 0
        for index, spec in enumerate(specs):
            repo = self._repo(spec, path)
            if isinstance(repo, _GoRepo) and not direct:
                repo = _ErrRepo(
                    self, spec, path, ModuleNotFound(f"module {path}: direct lookup skipped")
                )
            try:
                return await op(repo)
            except (ProxyError, ModuleError) as err:
                not_exist = _not_exist(err)
                if spec.url in ("direct", "noproxy") and isinstance(repo, _GoRepo):
                    best, best_rank = err, 2
                elif best_rank <= 1 and not not_exist:
                    best, best_rank = err, 1
                elif best_rank == 0:
                    best = err
                go_on = index + 1 < len(specs) and (spec.fall_back_on_error or not_exist)
                if isinstance(repo, _GoRepo) and spec.url == "noproxy":
                    go_on = False  # later entries would only say "disabled by GOPRIVATE"
                if go_on and not isinstance(repo, _ErrRepo):
                    self._emit(
                        FetchEvent(
                            kind="proxy",
                            module=path,
                            version="",
                            url="",
                            proxy=spec.redacted,
                            outcome="fallthrough",
                            fell_through=True,
                            error=str(err),
                        )
                    )
                if not go_on:
                    break
        assert best is not None
        if isinstance(best, ProxyUnavailable):
            try:
                return await op(_CacheRepo(self, ProxySpec("off"), path))
            except (ProxyError, ModuleError):
                pass
        raise best

    # -- memoisation -------------------------------------------------------------------

    async def _once(self, key: tuple[str, ...], factory: Callable[[], Awaitable[_T]]) -> _T:
        """Run ``factory`` once per key; concurrent callers share the result.

        Successes and not-found answers are remembered for the client's lifetime; other
        failures are shared by the callers that were waiting, then forgotten.
        """
        return await self._memo.get(key, factory)

    # -- public API --------------------------------------------------------------------

    async def versions(self, path: str) -> VersionList:
        """The proxy's ``@v/list`` for ``path`` (tagged versions only, Go's order).

        Offline, or when every proxy is unreachable, answers from the caches and marks the
        answer ``stale``.
        """
        return await self.try_proxies(path, lambda repo: repo.versions())

    def cached_versions(self, path: str, cause: ProxyError | None = None) -> VersionList:
        """The version list from the caches, marked ``stale``; raises ``cause`` (or
        ModuleNotFound) when no cache knows the module."""
        hit = self.caches.read_list(path)
        if hit is not None and hit.cache is self.caches.own:
            versions = _parse_list(hit.data, "")
            source = hit.cache.name
        else:
            versions = tuple(
                v for v in self.caches.cached_versions(path) if not semver.is_pseudo_version(v)
            )
            source = "GOMODCACHE"
            if not versions:
                if cause is not None:
                    raise cause
                raise ModuleNotFound(
                    f"module {path}: no cached version list (offline: {self._offline_reason()})"
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

    def _offline_reason(self) -> str:
        return "GOPROXY=off" if self.env.goproxy.strip() == "off" else "offline mode"

    async def stat(self, path: str, rev: str) -> RevInfo:
        """``path@rev``'s ``.info``: the caches first (immutable), then the proxies."""
        check_path(path)
        cached = self._cached_info(path, rev)
        if cached is not None:
            return cached
        if self.offline:
            raise ModuleNotFound(
                f"{path}@{rev}: not in the module cache ({self._offline_reason()})"
            )
        return await self.try_proxies(path, lambda repo: repo.stat(rev))

    def _cached_info(self, path: str, rev: str) -> RevInfo | None:
        if not semver.is_valid(rev) or semver.canonical_version(rev) != rev:
            return None
        for cache in self.caches.layers:
            info = cache.read_info(path, rev)
            if info is None:
                continue
            self._emit_cache_hit("info", path, rev, cache.name)
            return RevInfo(rev, _parse_time(info.get("Time")), cache.name)
        return None

    async def latest(self, path: str) -> RevInfo:
        """The proxy's ``@latest`` (falling back to the newest listed pseudo-version), as
        Go's ``Repo.Latest``. This is not the ``@latest`` *query*; see :mod:`versions`."""
        check_path(path)
        if self.offline:
            raise ModuleNotFound(f"module {path}: no @latest offline ({self._offline_reason()})")
        return await self.try_proxies(path, lambda repo: repo.latest())

    async def gomod(self, path: str, version: str) -> GoModFile:
        """The go.mod of ``path@version``, checked against go.sum.

        Caches first (a cached file that fails go.sum or parsing is ignored), then the
        proxies. Raises :class:`ChecksumMismatch` when the download disagrees with go.sum.
        """
        check_path(path)
        _check_canonical(path, version)
        return await self._once(("gomod", path, version), lambda: self._gomod(path, version))

    async def _gomod(self, path: str, version: str) -> GoModFile:
        hit = self._cached_gomod(path, version)
        if hit is not None:
            self._emit_cache_hit("mod", path, version, hit.origin, len(hit.data))
            return hit
        if self.offline:
            raise ModuleNotFound(
                f"{path}@{version}: go.mod not in the module cache ({self._offline_reason()})"
            )
        return await self.try_proxies(path, lambda repo: repo.gomod(version))

    async def gomods(
        self, mods: Iterable[ModuleVersion]
    ) -> dict[ModuleVersion, GoModFile | ProxyError | ModuleError]:
        """Fetch many go.mod files concurrently (bounded by the client's concurrency).

        Each value is the file or the error for that module version.
        """
        results: dict[ModuleVersion, GoModFile | ProxyError | ModuleError] = {}

        async def one(mv: ModuleVersion) -> None:
            try:
                results[mv] = await self.gomod(mv.path, mv.version)
            except (ProxyError, ModuleError) as exc:
                results[mv] = exc

        async with anyio.create_task_group() as group:
            for mv in dict.fromkeys(mods):
                group.start_soon(one, mv)
        return results

    async def zip(self, path: str, version: str) -> bytes:
        """The module zip, checked against go.sum's ``path version h1:`` line if present."""
        check_path(path)
        _check_canonical(path, version)
        hit = self._cached_zip(path, version)
        if hit is not None:
            data, source = hit
            self._emit_cache_hit("zip", path, version, source, len(data))
            return data
        if self.offline:
            raise ModuleNotFound(f"{path}@{version}: zip not in the module cache")
        return await self.try_proxies(path, lambda repo: repo.zip(version))

    def _cached_gomod(self, path: str, version: str) -> GoModFile | None:
        """The go.mod from the first cache layer that has a sound copy, or None."""
        for cache in self.caches.layers:
            data = cache.read(path, version, "mod")
            if data is None:
                continue
            try:
                verified, parsed, simple = self._check_gomod(path, version, data, cache.name)
            except (_Corrupt, ChecksumMismatch):
                continue  # a corrupt cache entry is a miss, never an answer
            return GoModFile(
                path, version, data, cache.name, verified=verified, parsed=parsed, simple=simple
            )
        return None

    def _cached_zip(self, path: str, version: str) -> tuple[bytes, str] | None:
        """The zip (and the cache layer's name) from the first layer with a sound copy."""
        for cache in self.caches.layers:
            data = cache.read(path, version, "zip")
            if data is None:
                continue
            try:
                self._check_zip(path, version, data, cache.name)
            except (_Corrupt, ChecksumMismatch):
                continue
            return data, cache.name
        return None

    def _emit_cache_hit(
        self, kind: str, path: str, version: str, source: str, size: int = 0
    ) -> None:
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

    async def _store(self, fn: Callable[..., object], *args: Any) -> None:
        """Write to gomodx's cache in a worker thread (fsync is slow; the loop must not wait
        on it). A failed write costs a future cache miss, never an answer."""
        if self.caches.own is None:
            return
        with contextlib.suppress(OSError, GomodxError):
            await anyio.to_thread.run_sync(lambda: fn(*args))

    # -- validation ----------------------------------------------------------------------

    def _check_gomod(
        self, path: str, version: str, data: bytes, source: str
    ) -> tuple[bool, ModFile | None, Summary | None]:
        """go.sum first (raises SumMismatch); else the bytes must parse as a go.mod with a
        module line (raises _Corrupt). Returns whether go.sum vouched for the bytes, and
        the lax parse or the parser-free summary when one was made (kept with the file, so
        nobody parses it again). A file :func:`simple_summary` reads has a module line and
        parses, so it needs no parser here."""
        simple = simple_summary(data)
        if self.gosum.verify_gomod(path, version, data, source=source):
            return True, None, simple
        if simple is not None:
            return False, None, simple
        return False, _check_gomod_syntax(path, version, data), None

    def _check_zip(self, path: str, version: str, data: bytes, source: str) -> bool:
        try:
            h = zip_hash(data)
        except GomodxError as exc:
            raise _Corrupt(f"{path}@{version}: invalid zip: {exc}") from exc
        return self.gosum.verify(path, version, h, source=source)

    # -- HTTP ----------------------------------------------------------------------------

    def _auth_for(self, url: str) -> tuple[str, dict[str, str]]:
        """The URL without userinfo, and the Authorization header go would send."""
        parts = urllib.parse.urlsplit(url)
        headers: dict[str, str] = {}
        if parts.username is not None:
            if parts.scheme != "https":
                raise ProxyError(f"refusing to pass credentials to insecure URL: {redact_url(url)}")
            host = parts.netloc.rpartition("@")[2]
            clean = urllib.parse.urlunsplit(parts._replace(netloc=host))
            user = urllib.parse.unquote(parts.username)
            password = urllib.parse.unquote(parts.password or "")
            headers["Authorization"] = _basic_auth(user, password)
            return clean, headers
        if parts.scheme == "https":
            for line in self._netrc:
                if line.machine == parts.netloc:
                    headers["Authorization"] = _basic_auth(line.login, line.password)
                    break
        return url, headers

    async def _get(
        self,
        spec: ProxySpec,
        url: str,
        *,
        kind: str,
        path: str,
        version: str,
        limit: int,
        validate: Callable[[bytes], None] | None = None,
        cache: str | None = None,
    ) -> bytes:
        """GET ``url`` (http, https or file) with retries; returns the validated body.

        Raises ModuleNotFound (404/410, missing file), AuthRequired (401/403),
        ProxyUnavailable (network and server errors that outlived the retries),
        ChecksumMismatch, or ProxyError (anything else).
        """
        shown = redact_url(url)
        if url.startswith("file:"):
            return self._get_file(spec, url, kind, path, version, limit, validate, cache)
        req = _Request(kind, path, version, shown, spec.redacted, cache)
        try:
            target, headers = self._auth_for(url)
        except ProxyError as exc:
            raise _module_error(ProxyError, path, version, str(exc)) from None
        policy = self.retry
        last: BaseException | None = None
        for attempt in range(1, max(1, policy.attempts) + 1):
            start = self._clock()
            status: int | None = None
            size = 0
            try:
                async with self._limiter:
                    # One deadline for the whole attempt: a server that drips bytes slower
                    # than httpx's per-read timeout still cannot hold a request forever.
                    deadline = self.timeout * (10 if kind == "zip" else 1)
                    with anyio.fail_after(deadline):
                        status, body = await self._http_once(target, headers, limit, path, version)
                size = len(body)
                if status == 200:
                    if validate is not None:
                        validate(body)
                    self._emit_request(req, "ok", start, status, size, attempt)
                    return body
                err = self._status_error(status, body, shown, path, version)
                raise err
            except (ModuleNotFound, AuthRequired) as exc:
                outcome = "not_found" if _not_exist(exc) else "error"
                self._emit_request(req, outcome, start, status, size, attempt, str(exc))
                raise
            except ChecksumMismatch as exc:
                last = exc
                retry, delay = True, None
            except _Corrupt as exc:
                last = ProxyError(f"invalid response from proxy {spec.redacted!r}: {exc}")
                retry, delay = True, None
            except _Retryable as exc:
                last = exc
                status = exc.status
                retry, delay = True, exc.delay
            except (httpx.TimeoutException, TimeoutError) as exc:
                last = _Retryable(f'Get "{shown}": timeout ({type(exc).__name__})', None)
                retry, delay = True, None
            except (httpx.TransportError, httpx.DecodingError, OSError) as exc:
                last = _Retryable(f'Get "{shown}": {_describe(exc)}', None)
                retry, delay = True, None
            except httpx.RequestError as exc:
                last = _module_error(ProxyError, path, version, f'Get "{shown}": {_describe(exc)}')
                retry, delay = False, None
            except ProxyError as exc:
                self._emit_request(req, "error", start, status, size, attempt, str(exc))
                raise
            will_retry = retry and attempt < policy.attempts
            outcome = "retry" if will_retry else "error"
            self._emit_request(req, outcome, start, status, size, attempt, str(last), will_retry)
            if not will_retry:
                break
            wait = policy.backoff(attempt, self._rng) if delay is None else delay
            await self._sleep(wait)
        assert last is not None
        if isinstance(last, ChecksumMismatch | ProxyError):
            raise last
        status_note = f" (after {policy.attempts} attempts)"
        raise _module_error(ProxyUnavailable, path, version, f"{last}{status_note}")

    def _emit_request(
        self,
        req: _Request,
        outcome: str,
        start: float,
        status: int | None,
        size: int,
        attempt: int = 1,
        error: str = "",
        retried: bool = False,
    ) -> None:
        """The event for one attempt at ``req`` that began at ``start``."""
        self._emit(
            FetchEvent(
                req.kind,
                req.path,
                req.version,
                req.shown,
                req.proxy,
                outcome,
                status=status,
                bytes=size,
                latency=self._clock() - start,
                attempt=attempt,
                cache=req.cache,
                retried=retried,
                error=error,
            )
        )

    async def _http_once(
        self, url: str, headers: dict[str, str], limit: int, path: str, version: str
    ) -> tuple[int, bytes]:
        client = self._http()
        async with client.stream("GET", url, headers=headers) as resp:
            status = resp.status_code
            if status != 200:
                detail = b""
                async for chunk in resp.aiter_bytes():
                    detail += chunk
                    if len(detail) > 8192:
                        break
                if status == 429 or 500 <= status <= 599:
                    delay = _retry_after(resp.headers.get("Retry-After"), self.retry)
                    text = _status_text(resp)
                    raise _Retryable(f"{text}{_detail(resp, detail)}", status, delay)
                return status, detail
            declared = resp.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise ProxyError(_too_large(path, version, limit))
            body = bytearray()
            async for chunk in resp.aiter_bytes():
                body += chunk
                if len(body) > limit:
                    raise ProxyError(_too_large(path, version, limit))
            return status, bytes(body)

    def _status_error(
        self, status: int, body: bytes, shown: str, path: str, version: str
    ) -> ProxyError:
        text = f"reading {shown}: {status} {_reason_phrase(status)}"
        detail = _plain_detail(body)
        if status in (404, 410):
            hint = self._private_hint(path, shown, body)
            return _module_error(ModuleNotFound, path, version, text + detail + hint)
        if status in (401, 403):
            hint = (
                "\n\thint: the proxy wants credentials; put them in $NETRC (or ~/.netrc) "
                "or the GOPROXY URL, or set GOPRIVATE if the module is private"
            )
            return _module_error(AuthRequired, path, version, text + detail + hint)
        return _module_error(ProxyError, path, version, text + detail)

    def _private_hint(self, path: str, shown: str, body: bytes) -> str:
        if not _looks_private(path, body):
            return ""
        first = path.split("/")[0]
        proxy = urllib.parse.urlsplit(shown).netloc or shown
        return (
            f"\n\thint: {path} looks like a private module; if it is, set GOPRIVATE={first} "
            f"so that it is fetched directly, not through {proxy}"
        )

    def _get_file(
        self,
        spec: ProxySpec,
        url: str,
        kind: str,
        path: str,
        version: str,
        limit: int,
        validate: Callable[[bytes], None] | None,
        cache: str | None,
    ) -> bytes:
        req = _Request(kind, path, version, redact_url(url), spec.redacted, cache)
        start = self._clock()
        filename = _file_url_path(url)
        try:
            size = os.path.getsize(filename)
            if size > limit:
                raise ProxyError(_too_large(path, version, limit))
            with open(filename, "rb") as handle:
                data = handle.read(limit + 1)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as exc:
            message = f"reading {req.shown}: no such file or directory"
            if isinstance(exc, IsADirectoryError):
                message = f"reading {req.shown}: is a directory"
            err = _module_error(ModuleNotFound, path, version, message)
            self._emit_request(req, "not_found", start, 404, 0, error=str(err))
            raise err from None
        except PermissionError:
            message = f"reading {req.shown}: permission denied"
            err = _module_error(AuthRequired, path, version, message)
            self._emit_request(req, "error", start, 403, 0, error=str(err))
            raise err from None
        except OSError as exc:
            message = f"reading {req.shown}: {exc.strerror}"
            err = _module_error(ProxyUnavailable, path, version, message)
            self._emit_request(req, "error", start, None, 0, error=str(err))
            raise err from None
        try:
            if validate is not None:
                validate(data)
        except _Corrupt as exc:
            err = ProxyError(f"invalid response from proxy {spec.redacted!r}: {exc}")
            self._emit_request(req, "error", start, 200, len(data), error=str(err))
            raise err from None
        except ChecksumMismatch as exc:
            self._emit_request(req, "error", start, 200, len(data), error=str(exc))
            raise
        self._emit_request(req, "ok", start, 200, len(data))
        return data

    # -- the go command ------------------------------------------------------------------

    async def run_go(self, args: list[str], path: str, version: str, reason: str) -> bytes:
        """Run the go command for a direct/private module; returns stdout."""
        go = self.env.go or (shutil.which("go") if self.use_go else None)
        if not self.use_go or not go:
            where = f"{path}@{version}" if version else f"module {path}"
            raise ModuleNotFound(
                f"{where}: {reason} sends this module to direct (version control) access, "
                "which gomodx leaves to the go command, and the go command is not installed"
            )
        environ = dict(self._go_environ if self._go_environ is not None else os.environ)
        flags = environ.get("GOFLAGS", "")
        environ["GOFLAGS"] = (flags + " -mod=mod").strip()
        environ["GOWORK"] = "off"
        start = self._clock()
        with tempfile.TemporaryDirectory(prefix="gomodx-go-") as scratch:
            result = await anyio.run_process([go, *args], cwd=scratch, env=environ, check=False)
        out = result.stdout
        err_text = result.stderr.decode("utf-8", "replace").strip()
        shown = "go " + " ".join(args)
        kind = "go"
        if result.returncode != 0:
            message = self._go_error(out, err_text) or f"{shown} failed"
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
    def _go_error(stdout: bytes, stderr: str) -> str:
        with contextlib.suppress(ValueError, UnicodeDecodeError):
            data = json.loads(stdout)
            if isinstance(data, dict):
                err = data.get("Error")
                if isinstance(err, dict):
                    err = err.get("Err")
                if isinstance(err, str) and err:
                    return err
        return stderr.removeprefix("go: ")


# -- repositories (one GOPROXY entry × one module path) --------------------------------------


class _Repo:
    """Go's ``Repo`` for one GOPROXY entry and one module path."""

    def __init__(self, client: ProxyClient, spec: ProxySpec, path: str) -> None:
        self.client = client
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


class _ErrRepo(_Repo):
    """An entry that cannot serve this path (off, GOPRIVATE, noproxy, -mod=vendor)."""

    def __init__(self, client: ProxyClient, spec: ProxySpec, path: str, err: ProxyError) -> None:
        super().__init__(client, spec, path)
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


@dataclass(frozen=True)
class _NoHit:
    data: bytes = b""


_NO_HIT = _NoHit()


class _CacheRepo(_Repo):
    """Answers from the module caches only (offline mode, or every proxy unreachable)."""

    async def versions(self) -> VersionList:
        return self.client.cached_versions(self.path)

    async def stat(self, rev: str) -> RevInfo:
        cached = self.client._cached_info(self.path, rev)
        if cached is not None:
            return cached
        # No .info, but a version the cached list names (or whose go.mod is cached) is
        # known to exist; only its time is unknown.
        canonical = semver.is_valid(rev) and semver.canonical_version(rev) == rev
        if canonical and (
            rev in self.client.caches.cached_versions(self.path)
            or rev in _parse_list((self.client.caches.read_list(self.path) or _NO_HIT).data, "")
        ):
            return RevInfo(rev, None, "cache", stale=True)
        raise ModuleNotFound(f"{self.path}@{rev}: not in the module cache")

    async def latest(self) -> RevInfo:
        raise ModuleNotFound(f"module {self.path}: @latest is not cached")

    async def gomod(self, version: str) -> GoModFile:
        hit = self.client._cached_gomod(self.path, version)
        if hit is None:
            raise ModuleNotFound(f"{self.path}@{version}: go.mod not in the module cache")
        return hit

    async def zip(self, version: str) -> bytes:
        hit = self.client._cached_zip(self.path, version)
        if hit is None:
            raise ModuleNotFound(f"{self.path}@{version}: zip not in the module cache")
        return hit[0]


class _HttpRepo(_Repo):
    """A proxy URL (http, https or file)."""

    def __init__(self, client: ProxyClient, spec: ProxySpec, path: str) -> None:
        super().__init__(client, spec, path)
        base = spec.url.rstrip("/")
        self.base = base + "/" + _path_escape(escape_path(path))

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
        return await self.client._get(
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
        return await self.client._once(self._key("list"), self._fetch_list)

    async def _fetch_list(self) -> bytes:
        data = await self._fetch("list", "@v/list", "", MAX_META, _check_list_text)
        text = "".join(v + "\n" for v in _parse_list(data, "")).encode()
        await self.client._store(self.client.caches.store_list, self.path, text)
        return data

    async def versions(self) -> VersionList:
        data = await self._list_bytes()
        return VersionList(self.path, _parse_list(data, ""), self.spec.redacted)

    async def stat(self, rev: str) -> RevInfo:
        cached = self.client._cached_info(self.path, rev)
        if cached is not None:
            return cached
        return await self.client._once(self._key("info", rev), lambda: self._stat(rev))

    async def _stat(self, rev: str) -> RevInfo:
        try:
            escaped = escape_version(rev)
        except ModuleError as exc:
            raise ProxyError(f"{self.path}@{rev}: {exc}") from exc
        parsed: list[RevInfo] = []

        def validate(body: bytes) -> None:
            parsed.clear()
            parsed.append(self._parse_info(body, rev))

        await self._fetch("info", f"@v/{escaped}.info", rev, MAX_META, validate, "miss")
        info = replace(parsed[0], origin=self.spec.redacted)
        if semver.is_valid(info.version) and semver.canonical_version(info.version) == info.version:
            text = (json.dumps(info.to_json()) + "\n").encode()
            await self.client._store(
                self.client.caches.store, self.path, info.version, "info", text
            )
        return info

    def _parse_info(self, body: bytes, rev: str) -> RevInfo:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _Corrupt(str(exc)) from exc
        if not isinstance(data, dict):
            raise _Corrupt("info is not a JSON object")
        version = data.get("Version")
        if not isinstance(version, str) or not version:
            raise _Corrupt("info has no Version")
        when = _parse_time(data.get("Time"))
        if rev and version != rev and semver.canonical_version(rev) == rev:
            try:
                check(self.path, rev)
            except ModuleError:
                pass
            else:
                raise _Corrupt(
                    f"proxy returned info for version {version} instead of requested version"
                )
        return RevInfo(version, when)

    async def latest(self) -> RevInfo:
        return await self.client._once(self._key("latest"), self._latest)

    async def _latest(self) -> RevInfo:
        parsed: list[RevInfo] = []

        def validate(body: bytes) -> None:
            parsed.clear()
            parsed.append(self._parse_info(body, ""))

        try:
            await self._fetch("latest", "@latest", "", MAX_META, validate)
        except ModuleNotFound:
            return await self._latest_from_list()
        return replace(parsed[0], origin=self.spec.redacted)

    async def _latest_from_list(self) -> RevInfo:
        data = await self._list_bytes()
        best: tuple[datetime, str, bool] | None = None
        for line in data.decode("utf-8", "replace").split("\n"):
            fields = line.split()
            if not fields or not semver.is_valid(fields[0]):
                continue
            from_pseudo = False
            if len(fields) >= 2:
                when = _parse_time(fields[1])
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
        return await self.client._once(self._key("mod", version), lambda: self._gomod(version))

    async def _gomod(self, version: str) -> GoModFile:
        _check_canonical(self.path, version)
        checked: list[tuple[bool, ModFile | None, Summary | None]] = []
        source = self.spec.redacted

        def validate(body: bytes) -> None:
            checked.clear()
            checked.append(self.client._check_gomod(self.path, version, body, source))

        data = await self._fetch(
            "mod", f"@v/{escape_version(version)}.mod", version, MAX_GOMOD, validate, "miss"
        )
        await self.client._store(self.client.caches.store, self.path, version, "mod", data)
        verified, parsed, simple = checked[0] if checked else (False, None, None)
        return GoModFile(
            self.path, version, data, source, verified=verified, parsed=parsed, simple=simple
        )

    async def zip(self, version: str) -> bytes:
        _check_canonical(self.path, version)
        source = self.spec.redacted

        def validate(body: bytes) -> None:
            self.client._check_zip(self.path, version, body, source)

        data = await self._fetch(
            "zip", f"@v/{escape_version(version)}.zip", version, MAX_ZIP, validate, "miss"
        )
        await self.client._store(self.client.caches.store, self.path, version, "zip", data)
        return data


class _GoRepo(_Repo):
    """``direct`` and private modules, through the go command."""

    def __init__(self, client: ProxyClient, spec: ProxySpec, path: str, reason: str) -> None:
        super().__init__(client, spec, path)
        self.reason = reason

    async def _json(self, args: list[str], version: str) -> dict[str, Any]:
        out = await self.client.run_go(args, self.path, version, self.reason)
        try:
            data = json.loads(out)
        except ValueError as exc:
            raise ProxyError(f"go {' '.join(args)}: invalid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ProxyError(f"go {' '.join(args)}: unexpected output")
        return data

    async def versions(self) -> VersionList:
        data = await self.client._once(
            ("go", "list", self.path),
            lambda: self._json(["list", "-m", "-retracted", "-versions", "-json", self.path], ""),
        )
        found = data.get("Versions") or []
        versions = tuple(v for v in found if isinstance(v, str))
        return VersionList(self.path, tuple(semver.sort_versions(versions)), "direct")

    async def _download(self, rev: str) -> dict[str, Any]:
        return await self.client._once(
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
                when = _parse_time(json.loads(Path(info_file).read_bytes()).get("Time"))
        return RevInfo(version, when, "direct")

    async def latest(self) -> RevInfo:
        data = await self.client._once(
            ("go", "latest", self.path),
            lambda: self._json(["list", "-m", "-json", f"{self.path}@latest"], "latest"),
        )
        version = data.get("Version")
        if not isinstance(version, str):
            raise ModuleNotFound(f"module {self.path}: no latest version")
        return RevInfo(version, _parse_time(data.get("Time")), "direct")

    async def gomod(self, version: str) -> GoModFile:
        data = await self._download(version)
        mod_file = data.get("GoMod")
        if not isinstance(mod_file, str):
            raise ProxyError(f"{self.path}@{version}: go mod download printed no GoMod")
        content = Path(mod_file).read_bytes()
        verified, parsed, simple = self.client._check_gomod(self.path, version, content, "direct")
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
        self.client._check_zip(self.path, version, content, "direct")
        return content


# -- helpers -----------------------------------------------------------------------------------


def _basic_auth(user: str, password: str) -> str:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return "Basic " + token


def _check_canonical(path: str, version: str) -> None:
    if not semver.is_valid(version) or semver.canonical_version(version) != version:
        raise ModuleError(f"{path}@{version}: version is not canonical")


def _check_gomod_syntax(path: str, version: str, data: bytes) -> ModFile:
    """A served go.mod must parse and declare a module (catches truncation and garbage);
    returns the lax parse."""
    from analysis.modfile import parse_lax

    try:
        parsed = parse_lax("go.mod", data)
    except GomodxError as exc:
        raise _Corrupt(f"{path}@{version}: go.mod does not parse: {exc}") from exc
    module = getattr(parsed, "module", None)
    mod = getattr(module, "mod", None)
    if module is None or not getattr(mod, "path", ""):
        raise _Corrupt(f"{path}@{version}: go.mod has no module line")
    return parsed


def _check_list_text(data: bytes) -> None:
    """A version list is plain text: binary bytes or an HTML page mean a broken answer.

    (Go would silently read such a body as "no versions"; retrying is the better cure.)
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Corrupt("version list is not UTF-8 text") from exc
    if any(c < " " and c not in "\n\r\t" for c in text):
        raise _Corrupt("version list contains control characters")
    head = text.lstrip()[:15].lower()
    if head.startswith(("<!doctype", "<html", "<?xml")):
        raise _Corrupt("version list is an HTML/XML document")


def _parse_list(data: bytes, prefix: str) -> tuple[str, ...]:
    """Go's ``proxyRepo.Versions``: first field of each line if it is valid semver, has the
    prefix, and is not a pseudo-version; sorted by semver then string."""
    found = []
    for line in data.decode("utf-8", "replace").split("\n"):
        fields = line.split()
        if (
            fields
            and semver.is_valid(fields[0])
            and fields[0].startswith(prefix)
            and not semver.is_pseudo_version(fields[0])
        ):
            found.append(fields[0])
    return tuple(semver.sort_versions(found))


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    if when.tzinfo is None:
        return None
    return when


def _format_time(when: datetime) -> str:
    when = when.astimezone(UTC) if when.utcoffset() else when
    text = when.isoformat()
    if text.endswith("+00:00"):
        text = text[:-6] + "Z"
    return text


def _path_escape(text: str) -> str:
    """Go's ``pathEscape``: ``url.PathEscape`` with ``/`` kept."""
    return urllib.parse.quote(text, safe="/-_.~$&+:=@")


def _file_url_path(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.unquote(parts.path)


def _retry_after(value: str | None, policy: RetryPolicy) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    seconds: float | None = None
    if value.isdigit():
        seconds = float(value)
    else:
        with contextlib.suppress(TypeError, ValueError, IndexError):
            when = email.utils.parsedate_to_datetime(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds is None:
        return None
    return max(0.0, min(seconds, policy.retry_after_cap))


def _status_text(resp: httpx.Response) -> str:
    return f"reading {redact_url(str(resp.request.url))}: {resp.status_code} {resp.reason_phrase}"


def _reason_phrase(status: int) -> str:
    return httpx.codes.get_reason_phrase(status) or "status"


def _detail(resp: httpx.Response, body: bytes) -> str:
    media = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return _plain_detail(body) if media == "text/plain" else ""


def _plain_detail(body: bytes) -> str:
    """Up to eight lines of a text/plain error body, as go shows ``server response``."""
    text = body[:4096].decode("utf-8", "replace").strip()
    if not text or not all(c.isprintable() or c in "\n\t" for c in text):
        return ""
    lines = text.splitlines()[:8]
    return "\n\tserver response:" + "".join("\n\t" + line for line in lines)


def _too_large(path: str, version: str, limit: int) -> str:
    what = f"{path}@{version}" if version else f"module {path}"
    return f"{what}: downloaded file too large (more than {limit} bytes)"


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0]


_PRIVATE_SUFFIXES = (
    ".internal",
    ".corp",
    ".local",
    ".lan",
    ".intranet",
    ".private",
    ".home.arpa",
    ".localdomain",
)
_PRIVATE_PREFIXES = ("git.", "gitlab.", "scm.", "code.", "source.", "svn.", "hg.", "bitbucket.")
_PUBLIC_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "golang.org", "gopkg.in")


def _looks_private(path: str, body: bytes) -> bool:
    host = path.split("/")[0].lower()
    if host in _PUBLIC_HOSTS or host.endswith(".googlesource.com"):
        text = body.decode("utf-8", "replace").lower()
        return "terminal prompts disabled" in text or "could not read username" in text
    if host.endswith(_PRIVATE_SUFFIXES) or host.startswith(_PRIVATE_PREFIXES):
        return True
    return host.replace(".", "").isdigit()
