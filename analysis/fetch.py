"""One GET from a GOPROXY entry (``http``, ``https`` or ``file``), as the go command makes it.

:class:`HttpGetter` is shared by every repository of one client: one connection pool,
at most ``concurrency`` requests at a time. Credentials come from the URL or .netrc
(https only). Every attempt is reported as a :class:`~analysis.goproxy.FetchEvent`, its
URL redacted.

Failures are classified before anything is retried::

    transient     5xx, 429 (Retry-After honoured), resets, timeouts, truncated or corrupt
                  bodies ─► retried with backoff and full jitter (RetryPolicy)
    unreachable   DNS failure, connection refused, network unreachable, TLS failure while
                  connecting ─► ProxyUnreachable at once, and every other request to that
                  host fails with it too (in flight or for NetLimits.down_for seconds)
    too slow      the request's deadline (all attempts), a body slower than
                  NetLimits.slow_bytes per slow_window, or the client's budget
                  ─► ProxyTooSlow, naming the host
    answers       404/410 and missing files ─► ModuleNotFound (with a GOPRIVATE hint when
                  the path looks private); 401/403 ─► AuthRequired; other 4xx ─► ProxyError

Which of these fall through to the next GOPROXY entry is the client's business (Go's
``TryProxies``: ``,`` only on not-found, ``|`` on any error). Transient failures that
outlive the retries are :class:`~analysis.errors.ProxyUnavailable`. A body that fails the
caller's ``validate`` (:class:`~analysis.errors.CorruptAnswer`, or a go.sum mismatch) is
retried and never returned.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import errno
import http
import os
import random
import re
import socket
import ssl
import sys
import urllib.parse
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from analysis.deadlines import Deadlines, Scope
from analysis.errors import (
    AuthRequired,
    ChecksumMismatch,
    CorruptAnswer,
    InvalidResponse,
    ModuleNotFound,
    ProxyError,
    ProxyTooSlow,
    ProxyUnavailable,
    ProxyUnreachable,
    SlowBody,
)
from analysis.goproxy import FetchEvent, NetLimits, NetrcLine, ProxySpec, RetryPolicy, redact_url
from analysis.lean import LeanAnswer, Router, Transport
from analysis.window import Window

if TYPE_CHECKING:
    import httpx

__all__ = ["HttpGetter", "unreachable_reason"]

_OVERLOADED = frozenset({429, 503})
"""Answers that say the proxy gets more requests than it can serve (see :class:`Window`)."""


class _Request(NamedTuple):
    """One GET on behalf of a fetch: what every :class:`FetchEvent` about it repeats."""

    kind: str
    path: str
    version: str
    shown: str
    proxy: str
    cache: str | None


class _Retryable(Exception):
    def __init__(self, message: str, status: int | None, delay: float | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.delay = delay


class _Unreachable(Exception):
    """The host cannot be reached at all; the message is go's wording of why."""


class _TooSlow(Exception):
    """The body gained ``size`` bytes in the last ``seconds`` and is not complete."""

    def __init__(self, size: int, seconds: float) -> None:
        super().__init__(f"{_count(size, 'byte')} in {seconds:.1f}s")
        self.size = size
        self.seconds = seconds


class _OutOfTime(Exception):
    """The request's deadline (or the client's budget) passed."""

    def __init__(self, budget: bool) -> None:
        super().__init__("budget" if budget else "deadline")
        self.budget = budget


class HttpGetter:
    """GET with retries, limits and events, for every HTTP repository of one client.

    ``transport`` replaces the network (``httpx.MockTransport`` in tests); ``emit``
    receives every :class:`FetchEvent` (none is made while ``listening()`` says nobody
    listens); ``sleep``, ``clock`` and ``rng`` make retries
    testable without waiting; ``limits`` bounds every wait (``timeout``, when given, is
    its ``read``).
    """

    def __init__(
        self,
        *,
        emit: Callable[[FetchEvent], None],
        listening: Callable[[], bool] | None = None,
        netrc: list[NetrcLine],
        transport: Transport | None = None,
        timeout: float | None = None,
        limits: NetLimits | None = None,
        retry: RetryPolicy | None = None,
        concurrency: int,
        http2: bool = True,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        clock: Callable[[], float],
        rng: random.Random | None = None,
    ) -> None:
        self.retry = retry or RetryPolicy()
        limits = limits or NetLimits()
        self.limits = limits if timeout is None else replace(limits, read=timeout)
        self._emit = emit
        self._listening = listening
        self._netrc = netrc
        self._transport = transport
        self._http2 = http2
        self._concurrency = concurrency
        # At most ``concurrency`` requests at once, fewer while a proxy says it is
        # overloaded (analysis.window; asyncio-based, as the engine runs on asyncio).
        self.window = Window(concurrency)
        self._sleep = sleep or asyncio.sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._client: httpx.AsyncClient | None = None
        self._budget_end: float | None = None
        # host -> (go's words for why it cannot be reached, until when that holds)
        self._down: dict[str, tuple[str, float]] = {}
        self._auth_prefixes: dict[str, tuple[str, dict[str, str], str]] = {}
        self._in_flight: dict[str, set[Scope]] = {}
        self._deadlines = Deadlines()
        # Plain GETs skip httpx's client layers (a third of the CPU per request) where
        # the routing transport takes them directly; redirects still go through httpx.
        router = transport if isinstance(transport, Router) else getattr(transport, "router", None)
        self._lean_get = router.lean_get if isinstance(router, Router) else None

    @property
    def timeout(self) -> float:
        """The read timeout (:attr:`NetLimits.read`)."""
        return self.limits.read

    async def aclose(self) -> None:
        """Close the connection pool (a later GET opens a new one, with a new budget)."""
        self._budget_end = None
        self._down.clear()
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            import httpx

            from analysis.transport import httpx_transport

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
                transport=None if self._transport is None else httpx_transport(self._transport),
                timeout=httpx.Timeout(self.limits.read, connect=self.limits.connect),
                limits=limits,
                http2=http2 if self._transport is None else False,
                follow_redirects=True,
                max_redirects=10,
                trust_env=False,
                headers={"User-Agent": "gomodx (Go module proxy client)"},
            )
        return self._client

    def _auth_for(self, url: str) -> tuple[str, dict[str, str], str]:
        """The URL without userinfo, the Authorization header go would send, and the
        host the request goes to.

        All three depend only on the URL's ``scheme://userinfo@host`` part: worked out
        once per such prefix (every request of a load asks)."""
        start = url.find("://")
        end = url.find("/", start + 3) if start >= 0 else -1
        prefix = url[:end] if end >= 0 else ""
        if not prefix or "?" in prefix or "#" in prefix:
            target, headers = self._auth_of(url)
            return target, headers, urllib.parse.urlsplit(target).netloc
        known = self._auth_prefixes.get(prefix)
        if known is None:
            try:
                clean, headers = self._auth_of(prefix)
            except ProxyError:
                target, headers = self._auth_of(url)  # the refusal names the whole URL
                return target, headers, urllib.parse.urlsplit(target).netloc
            known = self._auth_prefixes[prefix] = (
                clean,
                headers,
                urllib.parse.urlsplit(clean).netloc,
            )
        clean, headers, host = known
        return clean + url[end:], dict(headers), host

    def _auth_of(self, url: str) -> tuple[str, dict[str, str]]:
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

    async def get(
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
            target, headers, host = self._auth_for(url)
        except ProxyError as exc:
            raise _module_error(ProxyError, path, version, str(exc)) from None
        policy = self.retry
        limits = self.limits
        if self._budget_end is None and limits.budget is not None:
            self._budget_end = _now() + limits.budget
        end: float | None = None  # the request's deadline, from its first attempt
        last: BaseException | None = None
        attempt = 0
        while attempt < max(1, policy.attempts):
            attempt += 1
            start = self._clock()
            status: int | None = None
            size = 0
            ticket = 0
            try:
                ticket = await self.window.acquire(first=kind != "list")
                try:
                    # Waiting for a free slot is not the proxy's fault: the request's
                    # clock starts when its first attempt does.
                    if end is None:
                        end = _now() + limits.request_deadline(kind)
                    status, body = await self._attempt(host, end, target, headers, limit, req)
                finally:
                    self.window.release()
                size = len(body)
                if status == 200:
                    self.window.succeeded()
                    if validate is not None:
                        validate(body)
                    self._emit_request(req, "ok", start, status, size, attempt)
                    return body
                err = self._status_error(status, body, shown, path, version)
                raise err
            except (ModuleNotFound, AuthRequired) as exc:
                outcome = "not_found" if isinstance(exc, ModuleNotFound) else "error"
                self._emit_request(req, outcome, start, status, size, attempt, str(exc))
                raise
            except _Unreachable as exc:
                err = _module_error(
                    ProxyUnreachable, path, version, f'Get "{shown}": {exc}', host=host
                )
                err.hint = f"proxy {host} cannot be reached: {_OFFLINE_HINT}"
                self._emit_request(req, "error", start, status, size, attempt, str(err))
                raise err from None
            except _TooSlow as exc:
                err = _module_error(
                    ProxyTooSlow,
                    path,
                    version,
                    f"proxy {host} is sending too slowly: {exc} for {_tail(shown, spec)}",
                    host=host,
                )
                self._emit_request(req, "error", start, status, size, attempt, str(err))
                raise err from None
            except _OutOfTime as exc:
                err = self._out_of_time(exc, host, shown, spec, req, attempt, last)
                self._emit_request(req, "error", start, status, size, attempt, str(err))
                raise err from None
            except ChecksumMismatch as exc:
                last = exc
                retry, delay = True, None
            except CorruptAnswer as exc:
                last = InvalidResponse(f"invalid response from proxy {spec.redacted!r}: {exc}")
                retry, delay = True, None
            except _Retryable as exc:
                if exc.status in _OVERLOADED:
                    self.window.overloaded(ticket)  # fewer at once from now on
                last = exc
                status = exc.status
                retry, delay = True, exc.delay
            except ProxyError as exc:
                self._emit_request(req, "error", start, status, size, attempt, str(exc))
                raise
            except Exception as exc:
                failure = _network_failure(exc)
                if failure is None:
                    raise
                if failure == "timeout":
                    last = _Retryable(f'Get "{shown}": timeout ({type(exc).__name__})', None)
                    retry, delay = True, None
                elif failure == "transport":
                    last = _Retryable(f'Get "{shown}": {_describe(exc)}', None)
                    retry, delay = True, None
                else:
                    last = _module_error(
                        ProxyError, path, version, f'Get "{shown}": {_describe(exc)}'
                    )
                    retry, delay = False, None
            wait = 0.0
            if retry and attempt < policy.attempts:
                wait = policy.backoff(attempt, self._rng) if delay is None else delay
                # A retry that could not start before the deadline is not worth waiting for.
                stop = self._stop(end)
                retry = stop is None or _now() + wait < stop
            will_retry = retry and attempt < policy.attempts
            outcome = "retry" if will_retry else "error"
            self._emit_request(req, outcome, start, status, size, attempt, str(last), will_retry)
            if not will_retry:
                break
            await self._sleep(wait)
        assert last is not None
        if isinstance(last, ChecksumMismatch | ProxyError):
            raise last
        note = f" (after {_count(attempt, 'attempt')})"
        raise _module_error(ProxyUnavailable, path, version, f"{last}{note}", host=host)

    def _stop(self, end: float | None) -> float | None:
        """When the current request must be over: its deadline or the budget's end."""
        budget_end = self._budget_end
        if budget_end is None or (end is not None and end <= budget_end):
            return end
        return budget_end

    async def _attempt(
        self,
        host: str,
        end: float,
        url: str,
        headers: dict[str, str],
        limit: int,
        req: _Request,
    ) -> tuple[int, bytes]:
        """One GET of ``url`` on ``host``, cancelled when the host is found to be down
        (by this request or another) or when the deadline passes."""
        self._check_down(host)
        stop = self._stop(end)
        assert stop is not None
        if _now() >= stop:
            raise _OutOfTime(budget=stop != end)
        scopes = self._in_flight.setdefault(host, set())
        scope = Scope()  # its deadline is kept in self._deadlines
        scopes.add(scope)
        self._deadlines.set(scope, stop)
        try:
            return await self._http_once(url, headers, limit, req.path, req.version)
        except asyncio.CancelledError as exc:
            if not scope.leave(exc):
                raise
        except Exception as exc:
            reason = _unreachable(exc, host) if _is_connect_error(exc) else None
            if reason is not None:
                scopes.discard(scope)  # the others to the host are stopped, not this
                self._mark_down(host, reason)
                raise _Unreachable(reason) from None
            if not (isinstance(exc, TimeoutError) and scope.expired()):
                raise  # a timeout of the request itself (the read timeout) is retried
            # (a read timeout just as the scope ran out counts as the scope's, below)
        finally:
            scope.leave(None)
            scopes.discard(scope)
            self._deadlines.clear(scope)
        # The scope ran out: another request found the host down, or time ran out.
        self._check_down(host)
        raise _OutOfTime(budget=stop != end)

    def _check_down(self, host: str) -> None:
        down = self._down.get(host)
        if down is None:
            return
        reason, until = down
        if self._clock() < until:
            raise _Unreachable(reason)
        del self._down[host]

    def _mark_down(self, host: str, reason: str) -> None:
        """Remember that ``host`` cannot be reached, and stop every request to it."""
        self._down[host] = (reason, self._clock() + self.limits.down_for)
        for scope in self._in_flight.get(host, ()):
            scope.expire()  # ends at the loop's next turn

    def _out_of_time(
        self,
        exc: _OutOfTime,
        host: str,
        shown: str,
        spec: ProxySpec,
        req: _Request,
        attempts: int,
        last: BaseException | None,
    ) -> ProxyTooSlow:
        what = _tail(shown, spec)
        tries = _count(attempts, "attempt")
        if last is not None:
            tries += f"; last: {str(last).splitlines()[0]}"
        if exc.budget:
            budget = self.limits.budget or 0.0
            message = (
                f"gave up on {what} from proxy {host}: the network time budget of"
                f" {budget:.1f}s is spent ({tries})"
            )
        else:
            limit = self.limits.request_deadline(req.kind)
            message = f"proxy {host} did not deliver {what} within {limit:.1f}s ({tries})"
        return _module_error(ProxyTooSlow, req.path, req.version, message, host=host)

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
        if self._listening is not None and not self._listening():
            return  # (a command line without -v: a thousand events nobody reads)
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
        if self._lean_get is not None:
            pace = (self.limits.slow_window, self.limits.slow_bytes)
            try:
                answer = await self._lean_get(
                    url, {**headers, **_LEAN_HEADERS}, self.timeout, limit, pace
                )
            except SlowBody as exc:
                raise _TooSlow(exc.received, exc.window) from None
            if answer is not None and answer.status not in _REDIRECTS:
                return self._lean_answer(url, answer, limit, path, version)
        client = self._http()
        async with client.stream("GET", url, headers=headers) as resp:
            status = resp.status_code
            if status != 200:
                detail = b""
                async for chunk in resp.aiter_bytes():
                    detail += chunk
                    if len(detail) > 8192:
                        break
                return self._not_ok(
                    str(resp.request.url), status, resp.reason_phrase, resp.headers.get, detail
                )
            declared = resp.headers.get("Content-Length")
            if declared is not None and declared.isdigit() and int(declared) > limit:
                raise ProxyError(_too_large(path, version, limit))
            return status, await self._read_body(resp, limit, path, version)

    async def _read_body(self, resp: httpx.Response, limit: int, path: str, version: str) -> bytes:
        """The whole body, abandoned (:class:`_TooSlow`) when a ``slow_window`` passes that
        neither completes it nor brings ``slow_bytes``: a server that trickles bytes never
        trips the per-read timeout, yet would hold the request for minutes."""
        window, enough = self.limits.slow_window, self.limits.slow_bytes
        body = bytearray()
        mark = 0  # the body's size when the current window began
        scope = asyncio.timeout_at(_now() + window)
        try:
            async with scope:
                async for chunk in resp.aiter_bytes():
                    body += chunk
                    if len(body) > limit:
                        raise ProxyError(_too_large(path, version, limit))
                    if len(body) - mark >= enough:
                        mark = len(body)
                        scope.reschedule(_now() + window)
                return bytes(body)
        except TimeoutError:
            if not scope.expired():
                raise
        raise _TooSlow(len(body) - mark, window)

    def _not_ok(
        self,
        url: str,
        status: int,
        reason: str,
        header: Callable[[str], str | None],
        detail: bytes,
    ) -> tuple[int, bytes]:
        """A non-200 answer (``reason`` is the server's; ``header`` looks a header up by
        its lower-case name): raises for the retryable ones (429, 5xx)."""
        if status == 429 or 500 <= status <= 599:
            delay = _retry_after(header("retry-after"), self.retry)
            text = f"reading {redact_url(url)}: {status} {reason}"
            media = (header("content-type") or "").split(";")[0].strip().lower()
            plain = _plain_detail(detail) if media == "text/plain" else ""
            raise _Retryable(f"{text}{plain}", status, delay)
        return status, detail

    def _lean_answer(
        self, url: str, answer: LeanAnswer, limit: int, path: str, version: str
    ) -> tuple[int, bytes]:
        """:meth:`_http_once` for an answer read by the lean transport: the same checks."""
        if answer.status == 200:
            if answer.too_large:
                raise ProxyError(_too_large(path, version, limit))
            return 200, answer.body
        return self._not_ok(
            url,
            answer.status,
            # As httpx shows the reason the server gave: its ASCII characters.
            answer.reason.encode("latin-1").decode("ascii", "ignore"),
            lambda name: answer.header(name.encode("latin-1")),
            answer.body[:8193],
        )

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
            err: ProxyError = _module_error(ModuleNotFound, path, version, message)
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
        except CorruptAnswer as exc:
            err = InvalidResponse(f"invalid response from proxy {spec.redacted!r}: {exc}")
            self._emit_request(req, "error", start, 200, len(data), error=str(err))
            raise err from None
        except ChecksumMismatch as exc:
            self._emit_request(req, "error", start, 200, len(data), error=str(exc))
            raise
        self._emit_request(req, "ok", start, 200, len(data))
        return data


# -- helpers ---------------------------------------------------------------------------------


_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_LEAN_HEADERS = {"User-Agent": "gomodx (Go module proxy client)", "Accept": "*/*"}


_E = TypeVar("_E", bound=ProxyError)

_OFFLINE_HINT = "check the network and GOPROXY, or answer from the module caches with --offline"


def _module_error(cls: type[_E], path: str, version: str, message: str, host: str = "") -> _E:
    prefix = f"{path}@{version}" if version else f"module {path}"
    err = cls(f"{prefix}: {message}")
    if isinstance(err, ProxyUnavailable):
        err.proxy = host
    return err


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _tail(shown: str, spec: ProxySpec) -> str:
    """What was asked of the proxy: the URL after its base (``m/@v/v1.0.0.mod``)."""
    base = spec.redacted.rstrip("/") + "/"
    return shown[len(base) :] if shown.startswith(base) else shown


# -- which failures mean the host cannot be reached -------------------------------------------

_UNREACHABLE_ERRNOS = {
    errno.ECONNREFUSED: "connection refused",
    errno.ENETUNREACH: "network is unreachable",
    errno.EHOSTUNREACH: "no route to host",
    errno.EADDRNOTAVAIL: "cannot assign requested address",
}
# asyncio joins the failures of a host's several addresses into one OSError without an
# errno ("Multiple exceptions: [Errno 111] Connect call failed ..., [Errno 99] ..."): read
# the numbers back from its text (CPython's format; Python 3.12 can group them instead).
_ERRNO_IN_TEXT = re.compile(r"\[Errno (\d+)\]")


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and everything it was raised from (causes, contexts, group members)."""
    seen: list[BaseException] = []
    todo = [exc]
    while todo:
        e = todo.pop(0)
        if any(e is s for s in seen):
            continue
        seen.append(e)
        if isinstance(e, BaseExceptionGroup):
            todo.extend(e.exceptions)
        for nxt in (e.__cause__, e.__context__):
            if nxt is not None:
                todo.append(nxt)
    return seen


def _now() -> float:
    """The event loop's clock (deadlines are on it)."""
    return asyncio.get_running_loop().time()


def _is_connect_error(exc: BaseException) -> bool:
    """Whether ``exc`` is httpx's ``ConnectError`` (httpx is imported only when a request
    failed: see :mod:`analysis.lean`)."""
    httpx = sys.modules.get("httpx")
    return httpx is not None and isinstance(exc, httpx.ConnectError)


def _network_failure(exc: Exception) -> str | None:
    """``"timeout"`` or ``"transport"`` for a failure a retry may cure, ``"request"`` for
    one it cannot (a bad URL), ``None`` for anything else (a bug: raised as it is)."""
    if isinstance(exc, TimeoutError):
        return "timeout"
    if isinstance(exc, OSError):
        return "transport"
    httpx = sys.modules.get("httpx")  # not imported: no httpx exception was raised
    if httpx is None:
        return None
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    if isinstance(exc, httpx.TransportError | httpx.DecodingError):
        return "transport"
    if isinstance(exc, httpx.RequestError):
        return "request"
    return None


def _unreachable(exc: BaseException, host: str) -> str | None:
    """Go's words for why ``host`` cannot be reached (``dial tcp: lookup proxy.invalid:
    no such host``), when the failed connection means it cannot be reached at all: a
    name that does not resolve, a refused connection, no route, a TLS failure. ``None``
    for anything a retry might cure."""
    name, _, port = host.rpartition(":") if host.rpartition(":")[2].isdigit() else (host, "", "")
    name = name.strip("[]")
    for e in _chain(exc):
        if isinstance(e, socket.gaierror):
            if e.errno in (socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)):
                return f"dial tcp: lookup {name}: no such host"
            return f"dial tcp: lookup {name}: {e.strerror or e}"
        if isinstance(e, ssl.SSLCertVerificationError):
            why = getattr(e, "verify_message", "") or getattr(e, "reason", "") or e
            return f"tls: failed to verify certificate: {why}"
        if isinstance(e, ssl.SSLError):
            return f"tls: {getattr(e, 'reason', '') or e}"
        if isinstance(e, OSError):
            numbers = [e.errno] if e.errno is not None else []
            if not numbers and str(e).startswith("Multiple exceptions:"):
                numbers = [int(n) for n in _ERRNO_IN_TEXT.findall(str(e))]
            if numbers and all(n in _UNREACHABLE_ERRNOS for n in numbers):
                where = f"{name}:{port}" if port else name
                return f"dial tcp {where}: connect: {_UNREACHABLE_ERRNOS[numbers[0]]}"
    return None


unreachable_reason = _unreachable
"""Go's words for a host that cannot be reached (for diagnostics: ``gomodx doctor``)."""


def _basic_auth(user: str, password: str) -> str:
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return "Basic " + token


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
        import email.utils

        with contextlib.suppress(TypeError, ValueError, IndexError):
            when = email.utils.parsedate_to_datetime(value)
            if when.tzinfo is None:
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds is None:
        return None
    return max(0.0, min(seconds, policy.retry_after_cap))


def _reason_phrase(status: int) -> str:
    """The status's standard text, as Go's ``http.StatusText`` has it."""
    if status == 418:
        return "I'm a teapot"
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "status"


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
