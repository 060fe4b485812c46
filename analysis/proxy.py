"""A resilient, concurrent GOPROXY client that answers as the go command would.

::

    GOPROXY list ──► ProxySpec(url | off | direct | noproxy, fall_back_on_error)
        │
        ▼
    ProxyClient.try_proxies(path, op) ── Go's TryProxies: ``,`` falls through only on
        │                                 not-found (404/410, lookup disabled), ``|`` on any
        │                                 error; ``off`` and ``direct`` end the list
        ├── HttpRepo    http(s):// and file:// proxies; retries with backoff + full jitter
        │               on timeouts, resets, 429 (Retry-After) and 5xx; an unreachable
        │               host (DNS, refused, TLS) fails at once; every request has a deadline
        ├── GoRepo      ``direct`` and GOPRIVATE/GONOPROXY modules, through the go command
        └── CacheRepo   offline answers from the module caches (marked ``stale``)

The repositories live in :mod:`analysis.repos`, the GET they share in
:mod:`analysis.fetch`, and the protocol's vocabulary (:class:`~analysis.goproxy.ProxySpec`,
:class:`~analysis.goproxy.RevInfo`, :class:`~analysis.goproxy.FetchEvent`, ...) in
:mod:`analysis.goproxy`. The client routes, answers from the caches first, and makes
concurrent callers share one request per file.

Every request and cache hit is reported to subscribers as a frozen
:class:`~analysis.goproxy.FetchEvent` (URL with credentials redacted). Every go.mod is
checked against go.sum when go.sum has a line for it, and against the go.mod grammar
otherwise; nothing that fails a check is cached. Files fetched over the network are
written atomically to gomodx's own cache.

>>> import anyio                                          # doctest: +SKIP
>>> async def main():
...     async with ProxyClient(load_goenv()) as client:
...         print((await client.versions("golang.org/x/mod")).versions)
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from analysis.cache import CacheStack
from analysis.errors import (
    GomodxError,
    ModuleError,
    ModuleNotFound,
    NotInCache,
    ProxyError,
    ProxyUnavailable,
)
from analysis.eventloop import in_thread
from analysis.fetch import HttpGetter
from analysis.goenv import GoEnv
from analysis.goproxy import (
    FetchEvent,
    GoModFile,
    NetLimits,
    ProxySpec,
    RetryPolicy,
    RevInfo,
    VersionList,
    check_canonical,
    parse_goproxy,
    read_netrc,
)
from analysis.hashes import GoSum
from analysis.memo import Memo
from analysis.modpath import check_path, match_prefix_patterns
from analysis.module import ModuleVersion
from analysis.repos import (
    Backend,
    CacheRepo,
    CheckedCaches,
    ErrRepo,
    GoCommand,
    GoRepo,
    HttpRepo,
    Repo,
    Verifier,
)

if TYPE_CHECKING:
    from analysis.lean import Transport

__all__ = [
    "DEFAULT_CONCURRENCY",
    "ProxyClient",
    "Subscriber",
    "lists_asked_early",
]

DEFAULT_CONCURRENCY = 32

_T = TypeVar("_T")

Subscriber = Callable[[FetchEvent], None]


class ProxyClient:
    """Fetch module metadata through GOPROXY as the go command would, only faster.

    Use as an async context manager (or call :meth:`aclose`). ``transport`` replaces the
    network (``httpx.MockTransport`` in tests); ``caches`` defaults to Go's module cache
    plus gomodx's own; ``gosum`` is the go.sum every go.mod and zip is checked against.
    ``offline=True`` (or GOPROXY=off) answers only from the caches. ``limits`` bounds
    every wait (:class:`~analysis.goproxy.NetLimits`; ``timeout`` is its read timeout),
    ``retry`` says how often a transient failure is retried.
    """

    def __init__(
        self,
        env: GoEnv,
        *,
        transport: Transport | None = None,
        caches: CacheStack | None = None,
        gosum: GoSum | None = None,
        offline: bool = False,
        timeout: float | None = None,
        limits: NetLimits | None = None,
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
        self._clock = clock
        self._subscribers: list[Subscriber] = []
        self._netrc = read_netrc(env)
        self._specs: tuple[ProxySpec, ...] | None = None
        self._spec_error: ProxyError | None = None
        try:
            self._specs = parse_goproxy(env.goproxy, env.gonoproxy)
        except ProxyError as exc:
            self._spec_error = exc
        only_off = self._specs is not None and [s.url for s in self._specs] == ["off"]
        self.offline = offline or only_off
        verifier = Verifier(self.gosum)
        self._backend = Backend(
            http=HttpGetter(
                emit=self._emit,
                listening=self._listening,
                netrc=self._netrc,
                transport=transport,
                timeout=timeout,
                limits=limits,
                retry=retry,
                concurrency=concurrency,
                http2=http2,
                sleep=sleep,
                clock=clock,
                rng=rng,
            ),
            go=GoCommand(env.go, enabled=use_go, environ=go_environ, clock=clock, emit=self._emit),
            caches=CheckedCaches(
                self.caches, verifier, self._emit, self._offline_reason(), self._listening
            ),
            verifier=verifier,
            memo=Memo(remember=ModuleNotFound),
        )
        self._cached = self._backend.caches
        # Each path's repositories, one per GOPROXY entry, made once (a versions --all asks
        # thousands of questions of a few hundred paths); only proxy URLs are kept, since
        # the others carry an error or the go command's state of their own.
        self._http_repos: dict[tuple[int, str], HttpRepo] = {}
        # GOPROXY=off for every path GONOPROXY does not send to the go command.
        self._off_unless_private = self._specs is not None and [
            s.url for s in self._specs if s.url != "noproxy"
        ] == ["off"]
        self._checked_paths: set[str] = set()

    # -- lifecycle ---------------------------------------------------------------------

    async def __aenter__(self) -> ProxyClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._backend.http.aclose()
        await self.flush()

    async def flush(self) -> None:
        """Wait until every file fetched so far is written to gomodx's own cache (also
        when the caller is being cancelled: Ctrl+C must not cut a write short)."""
        await in_thread(self._cached.stack.flush)

    # -- events ------------------------------------------------------------------------

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with every :class:`FetchEvent`; returns an unsubscribe function."""
        self._subscribers.append(callback)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._subscribers.remove(callback)

        return unsubscribe

    def _listening(self) -> bool:
        """Whether anyone takes events (the busiest emitters make none otherwise)."""
        return bool(self._subscribers)

    def _emit(self, event: FetchEvent) -> None:
        # Every event is made for this one call: stamped in place, not copied
        # (dataclasses.replace cost more than the rest of a request's bookkeeping).
        object.__setattr__(event, "at", self._clock())
        if event.error:
            object.__setattr__(event, "error", self._scrub(event.error))
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

    def _repo(self, spec: ProxySpec, path: str) -> Repo:
        if self.env.mod == "vendor":
            return ErrRepo(
                self._backend, spec, path, ProxyError("module lookup disabled by -mod=vendor")
            )
        if self.is_private(path):
            if spec.url in ("noproxy", "direct"):
                return GoRepo(self._backend, spec, path, self._private_reason(path))
            return ErrRepo(
                self._backend,
                spec,
                path,
                ModuleNotFound(f"module {path}: disabled by GOPRIVATE/GONOPROXY"),
            )
        if spec.url == "off":
            return ErrRepo(
                self._backend, spec, path, NotInCache("module lookup disabled by GOPROXY=off")
            )
        if spec.url == "direct":
            return GoRepo(self._backend, spec, path, "GOPROXY includes direct")
        if spec.url == "noproxy":
            return ErrRepo(
                self._backend,
                spec,
                path,
                ModuleNotFound(f"module {path}: path does not match GOPRIVATE/GONOPROXY"),
            )
        return HttpRepo(self._backend, spec, path)

    def _repo_at(self, index: int, spec: ProxySpec, path: str) -> Repo:
        """:meth:`_repo` for GOPROXY entry ``index``, a proxy URL's made once per path."""
        repo = self._http_repos.get((index, path))
        if repo is not None:
            return repo
        made = self._repo(spec, path)
        if isinstance(made, HttpRepo):
            self._http_repos[(index, path)] = made
        return made

    def first_proxy(self, path: str) -> HttpRepo | None:
        """``path``'s repository at the first GOPROXY entry when :meth:`try_proxies` asks
        a proxy URL there first (online, the path public and valid, GOPROXY sound);
        ``None`` when the caches, the go command or an error would answer instead."""
        if self.offline or self._off_unless_private or self._spec_error is not None:
            return None
        try:
            self._check_path(path)
        except ModuleError:
            return None
        specs = self.specs
        if not specs:
            return None
        repo = self._repo_at(0, specs[0], path)
        return repo if isinstance(repo, HttpRepo) else None

    def _check_path(self, path: str) -> None:
        """:func:`check_path`, once per path for this client (it raises for a bad one)."""
        if path not in self._checked_paths:
            check_path(path)
            self._checked_paths.add(path)

    def _private_reason(self, path: str) -> str:
        for name, value in (("GONOPROXY", self.env.gonoproxy), ("GOPRIVATE", self.env.goprivate)):
            globs = [g for g in value.split(",") if g and match_prefix_patterns(g, path)]
            if globs and (name == "GOPRIVATE" or value != self.env.goprivate):
                return f"{name}={globs[0]}"
        return f"GONOPROXY={self.env.gonoproxy}"

    async def try_proxies(
        self, path: str, op: Callable[[Repo], Awaitable[_T]], *, direct: bool = True
    ) -> _T:
        """Run ``op`` on each GOPROXY entry in turn, as Go's ``TryProxies`` does.

        Moves to the next entry only when the error is a not-found or the entry was
        followed by ``|``; reports the most useful error (direct/private ones first, then
        other proxy errors, then the last not-found). ``direct=False`` skips the go command
        (for speculative probes). Offline, ``op`` runs once against the caches; when every
        proxy is unreachable, the caches get a last chance (their answers are ``stale``).
        """
        self._check_path(path)
        specs = self.specs
        if self.offline or (self._off_unless_private and not self.is_private(path)):
            # GOPROXY=off (with GOPRIVATE set, for public paths): the caches answer, as in
            # offline mode; private paths still go to the go command, as go sends them.
            return await op(CacheRepo(self._backend, ProxySpec("off"), path))
        best: BaseException | None = None
        best_rank = 0
        for index, spec in enumerate(specs):
            repo = self._repo_at(index, spec, path)
            if isinstance(repo, GoRepo) and not direct:
                repo = ErrRepo(
                    self._backend,
                    spec,
                    path,
                    ModuleNotFound(f"module {path}: direct lookup skipped"),
                )
            try:
                return await op(repo)
            except (ProxyError, ModuleError) as err:
                not_exist = isinstance(err, ModuleNotFound)
                if spec.url in ("direct", "noproxy") and isinstance(repo, GoRepo):
                    best, best_rank = err, 2
                elif best_rank <= 1 and not not_exist:
                    best, best_rank = err, 1
                elif best_rank == 0:
                    best = err
                go_on = index + 1 < len(specs) and (spec.fall_back_on_error or not_exist)
                if isinstance(repo, GoRepo) and spec.url == "noproxy":
                    go_on = False  # later entries would only say "disabled by GOPRIVATE"
                if go_on and not isinstance(repo, ErrRepo):
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
                return await op(CacheRepo(self._backend, ProxySpec("off"), path))
            except (ProxyError, ModuleError):
                pass
        raise best

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
        return self._cached.versions(path, cause)

    def _offline_reason(self) -> str:
        return "GOPROXY=off" if self.env.goproxy.strip() == "off" else "offline mode"

    async def stat(self, path: str, rev: str) -> RevInfo:
        """``path@rev``'s ``.info``: the caches first (immutable), then the proxies."""
        check_path(path)
        cached = self._cached.info(path, rev)
        if cached is not None:
            return cached
        if self.offline:
            raise NotInCache(f"{path}@{rev}: not in the module cache ({self._offline_reason()})")
        return await self.try_proxies(path, lambda repo: repo.stat(rev))

    async def latest(self, path: str) -> RevInfo:
        """The proxy's ``@latest`` (falling back to the newest listed pseudo-version), as
        Go's ``Repo.Latest``. This is not the ``@latest`` *query*; see :mod:`versions`."""
        check_path(path)
        if self.offline:
            raise NotInCache(f"module {path}: no @latest offline ({self._offline_reason()})")
        return await self.try_proxies(path, lambda repo: repo.latest())

    async def gomod(self, path: str, version: str) -> GoModFile:
        """The go.mod of ``path@version``, checked against go.sum.

        Caches first (a cached file that fails go.sum or parsing is ignored), then the
        proxies. Raises :class:`ChecksumMismatch` when the download disagrees with go.sum.
        """
        check_path(path)
        check_canonical(path, version)
        return await self._backend.memo.get(
            ("gomod", path, version), lambda: self._gomod(path, version)
        )

    def gomod_now(self, path: str, version: str) -> GoModFile | None:
        """:meth:`gomod`'s answer when it needs no waiting — already answered, or a
        sound copy in the caches (then kept as :meth:`gomod`'s answer) — else ``None``
        (being fetched, not cached, or a bad path or version: :meth:`gomod` tells)."""
        key = ("gomod", path, version)
        memo = self._backend.memo
        known, value = memo.peek(key)
        if known:
            return value  # type: ignore[return-value]
        try:
            check_path(path)
            check_canonical(path, version)
        except ModuleError:
            return None
        if memo.asked(key):
            return None
        hit = self._cached.gomod(path, version)
        if hit is None:
            return None
        self._cached.hit("mod", path, version, hit.origin, len(hit.data))
        memo.put(key, hit)
        return hit

    async def _gomod(self, path: str, version: str) -> GoModFile:
        hit = self._cached.gomod(path, version)
        if hit is not None:
            self._cached.hit("mod", path, version, hit.origin, len(hit.data))
            return hit
        if self.offline:
            raise NotInCache(
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

        async with asyncio.TaskGroup() as group:
            for mv in dict.fromkeys(mods):
                group.create_task(one(mv))
        return results

    def keep_zips(self, keeper: Callable[[str, str, bytes], object] | None) -> None:
        """Hand every zip fetched from the network from now on to ``keeper`` as well
        (path, version, bytes, already checked) — ``None`` stops it."""
        self._cached.keep = keeper

    def cached_gomod(self, path: str, version: str) -> bytes | None:
        """The go.mod of ``path@version`` from a module cache, if a sound copy is there."""
        hit = self._cached.gomod(path, version)
        return hit.data if hit is not None else None

    def extracted(self, path: str, version: str) -> tuple[Path, str] | None:
        """Go's extracted tree of ``path@version`` in GOMODCACHE and its zip hash, when go
        extracted it completely; raises ``SumMismatch`` when that hash contradicts go.sum."""
        check_path(path)
        check_canonical(path, version)
        return self._cached.extracted(path, version)

    async def zip(self, path: str, version: str) -> bytes:
        """The module zip, checked against go.sum's ``path version h1:`` line if present."""
        check_path(path)
        check_canonical(path, version)
        hit = self._cached.zip(path, version)
        if hit is not None:
            data, source = hit
            self._cached.hit("zip", path, version, source, len(data))
            return data
        if self.offline:
            raise NotInCache(f"{path}@{version}: zip not in the module cache")
        return await self.try_proxies(path, lambda repo: repo.zip(version))


@contextlib.asynccontextmanager
async def lists_asked_early(client: ProxyClient, paths: Iterable[str]) -> AsyncIterator[None]:
    """Ask for the version lists of ``paths`` in the background while the body runs, so
    that the queries it makes find them answered or on their way (the client's single
    flight shares one request). What fails here is forgotten: the query that needs the
    list asks again and reports what it gets. Offline, nothing is asked."""
    if client.offline:
        yield
        return

    async def ask(path: str) -> None:
        with contextlib.suppress(GomodxError, OSError):
            await client.try_proxies(path, lambda repo: repo.versions())

    tasks = [asyncio.ensure_future(ask(p)) for p in dict.fromkeys(paths)]
    try:
        # Let the requests leave before the body does work that does not yield (opening
        # a connection takes a turn or two of the loop).
        for _ in range(3):
            await asyncio.sleep(0)
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
