"""The lean HTTP/1.1 path: how the engine fetches thousands of small files without httpx.

A cold graph load is thousands of small GETs, and the CPU spent per request is what bounds
it. :class:`Pool` is a lean HTTP/1.1 keep-alive client (one :class:`Connection`, a
protocol of its own, per connection; idle connections kept per host; nothing else):
httpcore's pool (1.0)
re-examines every pooled connection, with system calls, each time a request starts or
ends, and its layers cost about a third of a millisecond more per request.

:class:`Router` sends a request down the lean path only when that path does the job
exactly as httpx would; :meth:`Router.lean_get` answers ``None`` otherwise, and the
caller goes through httpx (:func:`analysis.transport.httpx_transport` adapts a router
for ``httpx.AsyncClient``). httpx does the job when:

* a forward proxy from the environment applies to the URL (``HTTPS_PROXY``/``HTTP_PROXY``/
  ``ALL_PROXY`` and ``NO_PROXY``, as Go's ``httpproxy.FromEnvironment`` reads them): httpx
  tunnels through it (``CONNECT`` for https) — the lean path only connects directly;
* the scheme is not ``http``/``https``, the URL carries credentials or a host that is
  not ASCII;
* the answer is a redirect (followed by httpx's client).

Neither httpx nor h11 is imported here until a request fails (its exception is httpx's,
so retries treat both paths alike): importing them costs a cold command about 40 ms,
more than a hundred requests. TLS uses one context for both paths (:func:`tls_context`:
``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` when set — Go honours those too — else certifi's
certificates), with hostname checking and SNI. HTTP/2 is not spoken on the lean path:
HTTP/1.1 with keep-alive is as fast for many small files.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import socket
import ssl
import time
import urllib.parse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, TypeAlias, TypeVar

from analysis.deadlines import Deadlines
from analysis.errors import ProtocolError, SlowBody

if TYPE_CHECKING:
    import httpx

__all__ = [
    "LeanAnswer",
    "Pool",
    "Router",
    "Transport",
    "env_proxy_for",
    "tls_context",
]

Transport: TypeAlias = "httpx.AsyncBaseTransport | Router"
"""What the engine's HTTP clients take: a :class:`Router` (the network, lean where it
can be) or any httpx transport (``httpx.MockTransport`` in tests)."""

_Key = tuple[str, str, int]
_T = TypeVar("_T")


NETWORK_ERRORS: tuple[type[BaseException], ...] = (OSError, EOFError, ProtocolError)
"""Failures after which a request sent on a reused connection is sent once more."""


def tls_context() -> ssl.SSLContext:
    """The TLS context both paths use: ``SSL_CERT_FILE`` or ``SSL_CERT_DIR`` when set
    (as Go reads them on Unix), else certifi's certificates; hostnames checked."""
    cafile = os.environ.get("SSL_CERT_FILE")
    if cafile:
        return ssl.create_default_context(cafile=cafile)
    capath = os.environ.get("SSL_CERT_DIR")
    if capath:
        return ssl.create_default_context(capath=capath)
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


# -- which proxy applies ------------------------------------------------------------------


def _getenv(environ: Mapping[str, str], *names: str) -> str:
    for name in names:
        value = environ.get(name)
        if value:
            return value
    return ""


def env_proxy_for(url: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The forward proxy the environment sets for ``url``, or ``None`` for a direct connection.

    Go's rules (``golang.org/x/net/http/httpproxy``): ``HTTPS_PROXY`` for https URLs,
    ``HTTP_PROXY`` for http (upper case first, then lower case), plus ``ALL_PROXY`` (which
    httpx honours, Go does not: a proxy the user set for everything is not silently
    bypassed); ``NO_PROXY`` entries (``*``, ``host``, ``.domain``/``domain`` suffixes,
    ``host:port``, IP addresses and CIDR blocks) exempt a host; ``localhost`` and loopback
    addresses are never proxied.

    >>> env_proxy_for("https://proxy.golang.org/x/@v/list", {"HTTPS_PROXY": "http://p:3128"})
    'http://p:3128'
    >>> env_proxy_for("http://127.0.0.1:8080/x/@v/list", {"HTTP_PROXY": "http://p:3128"})
    """
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return proxy_for(parts.scheme, parts.hostname or "", port, environ)


def proxy_for(
    scheme: str, host: str, port: int | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """:func:`env_proxy_for` for a URL's scheme, host (without brackets) and port."""
    env = os.environ if environ is None else environ
    scheme = scheme.lower()
    if scheme == "https":
        proxy = _getenv(env, "HTTPS_PROXY", "https_proxy")
    elif scheme == "http":
        proxy = _getenv(env, "HTTP_PROXY", "http_proxy")
    else:
        return None
    proxy = proxy or _getenv(env, "ALL_PROXY", "all_proxy")
    if not proxy:
        return None
    host = host.lower().rstrip(".")
    port = port or (443 if scheme == "https" else 80)
    if not host or host == "localhost":
        return None
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        ip = None
    if ip is not None and ip.is_loopback:
        return None
    if _no_proxy(_getenv(env, "NO_PROXY", "no_proxy"), host, port, ip):
        return None
    if "://" not in proxy:
        proxy = "http://" + proxy  # Go's default scheme for a bare host:port
    return proxy


def _no_proxy(
    value: str,
    host: str,
    port: int,
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None,
) -> bool:
    for raw in value.split(","):
        entry = raw.strip().lower()
        if not entry:
            continue
        if entry == "*":
            return True
        if ip is not None:
            try:
                if ip in ipaddress.ip_network(entry, strict=False):
                    return True
                continue
            except ValueError:
                pass
        name, want_port = entry, 0
        if entry.count(":") == 1:
            name, _, tail = entry.partition(":")
            if tail.isdigit():
                want_port = int(tail)
        if want_port and want_port != port:
            continue
        name = name.rstrip(".")
        if name.startswith("*."):
            name = name[1:]
        if name.startswith("."):
            if host.endswith(name) or host == name[1:]:
                return True
        elif host == name or host.endswith("." + name):
            return True
    return False


# -- the router ---------------------------------------------------------------------------


class _Origin(NamedTuple):
    """Where a lean request goes: the pool's key and the ``Host`` header."""

    key: _Key
    netloc: str


class Router:
    """The engine's network: the lean :class:`Pool` where it does the job, httpx's
    transports elsewhere (see the module docstring). ``concurrency`` bounds kept
    connections per host; ``environ`` (the forward-proxy settings) is read once."""

    def __init__(
        self,
        concurrency: int,
        *,
        environ: Mapping[str, str],
        tls: ssl.SSLContext | None = None,
        http2: bool = True,
    ) -> None:
        self.environ = environ
        self.concurrency = max(1, concurrency)
        self.http2 = http2
        self._tls = tls
        self.lean = Pool(self.concurrency, self.context)
        self.fallback: dict[str | None, Any] = {}
        """httpx's transports by forward proxy (``None``: direct), made by
        :mod:`analysis.transport` when a request needs one."""
        self.adapter: Any = None
        """This router as an httpx transport (:func:`analysis.transport.httpx_transport`
        makes it once; it shares the lean pool)."""
        self._routes: dict[_Key, str] = {}
        self._origins: dict[str, _Origin | None] = {}

    def context(self) -> ssl.SSLContext:
        """One TLS context for both paths, made on first https use."""
        if self._tls is None:
            self._tls = tls_context()
        return self._tls

    def route(self, scheme: str, host: str, port: int | None) -> str:
        """``"lean"`` for the keep-alive path, else the forward proxy's URL (``""``:
        httpx, direct) for requests to ``scheme://host:port``."""
        key = (scheme, host, port or 0)
        known = self._routes.get(key)
        if known is None:
            if scheme not in ("http", "https"):
                known = ""
            else:
                proxy = proxy_for(scheme, host, port, self.environ)
                known = "lean" if proxy is None else proxy
            self._routes[key] = known
        return known

    def _origin(self, where: str) -> _Origin | None:
        """The lean origin of ``scheme://netloc``, or None when the lean path does not
        serve it (worked out once per origin)."""
        if where in self._origins:
            return self._origins[where]
        origin: _Origin | None = None
        parts = urllib.parse.urlsplit(where)
        try:
            port = parts.port
        except ValueError:
            port = None
        host = parts.hostname or ""
        if (
            parts.scheme in ("http", "https")
            and parts.username is None
            and host.isascii()
            and self.route(parts.scheme, host, port) == "lean"
        ):
            netloc = parts.netloc.rpartition("@")[2]
            default = 443 if parts.scheme == "https" else 80
            origin = _Origin((parts.scheme, host, port or default), netloc)
        self._origins[where] = origin
        return origin

    async def lean_get(
        self,
        url: str,
        headers: Mapping[str, str],
        timeout: float | None,
        limit: int,
        pace: tuple[float, int] | None = None,
    ) -> LeanAnswer | None:
        """GET ``url`` on the lean path (see :meth:`Pool.get`), or ``None`` when the URL is
        not for the lean path."""
        start = url.find("://")
        end = url.find("/", start + 3) if start > 0 else -1
        if end < 0 or "#" in url:
            return None
        origin = self._origin(url[:end])
        if origin is None:
            return None
        return await self.lean.get(
            origin.key, origin.netloc, url[end:], headers, timeout, limit, pace
        )

    async def aclose(self) -> None:
        """Close every kept connection, lean and httpx's."""
        await self.lean.aclose()
        fallback = list(self.fallback.values())
        self.fallback.clear()
        for transport in fallback:
            await transport.aclose()


# -- the keep-alive pool ------------------------------------------------------------------


class _Expired(Exception):
    """A lean read's deadline passed (raised where the exchange waits; never escapes it)."""


class Connection(asyncio.Protocol):
    """One kept connection: the socket's bytes kept in a buffer for whoever reads them
    (the lean exchange, or httpx's path through :mod:`analysis.transport`, whose ``h11``
    state machine is kept here too when that path first uses the connection).

    A protocol of its own, not asyncio's streams: its reads take what is buffered
    without a coroutine when it is there (a small answer usually arrives whole), and it
    costs one object per connection instead of three. The reads answer as a
    ``StreamReader``'s do: ``readuntil`` raises ``IncompleteReadError`` at the end of
    the stream and ``LimitOverrunError`` past 64 KiB without the separator, ``read``
    returns ``b""`` at the end, and a connection lost with an error raises that error.
    """

    __slots__ = (
        "_buffer",
        "_draining",
        "_eof",
        "_error",
        "_expired",
        "_loop",
        "_paused_reading",
        "_paused_writing",
        "_waiter",
        "h11",
        "heard",
        "transport",
    )

    LIMIT = 64 * 1024
    """What ``readuntil`` searches at most (asyncio's streams' default limit)."""

    HIGH_WATER = 1024 * 1024
    """Buffered bytes past which the socket is not read until a reader takes some."""

    def __init__(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._eof = False
        self._error: BaseException | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._draining: asyncio.Future[None] | None = None
        self._paused_reading = False
        self._paused_writing = False
        self._expired = False
        self.h11: Any = None
        self.heard = False  # any byte of the current answer

    # -- the protocol ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        if not data:
            return
        self._buffer += data
        if len(self._buffer) > self.HIGH_WATER and not self._paused_reading:
            self._paused_reading = True
            assert self.transport is not None
            self.transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return False  # close the transport: a half-closed connection serves nothing

    def connection_lost(self, exc: Exception | None) -> None:
        # As a stream reader: lost cleanly is the end of the stream; lost with an error,
        # every read from now on raises it (the waiting one too).
        if exc is None:
            self._eof = True
            self._wake()
        else:
            if self._error is None:
                self._error = exc
            waiter, self._waiter = self._waiter, None
            if waiter is not None and not waiter.done():
                waiter.set_exception(exc)
        draining, self._draining = self._draining, None
        if draining is not None and not draining.done():
            draining.set_exception(exc or ConnectionResetError("Connection lost"))
            draining.exception()  # (retrieved: nobody may be waiting any more)

    def pause_writing(self) -> None:
        self._paused_writing = True

    def resume_writing(self) -> None:
        self._paused_writing = False
        draining, self._draining = self._draining, None
        if draining is not None and not draining.done():
            draining.set_result(None)

    def _wake(self) -> None:
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def expire(self) -> None:
        """The read under way (or the next) ran out of time: it raises :class:`_Expired`
        (see :class:`Deadlines`)."""
        self._expired = True
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(_Expired())

    async def _more(self) -> None:
        """Wait until more bytes, the end of the stream or an error arrive (an error
        raises, as a stream reader's waiter does)."""
        if self._expired:
            raise _Expired
        if self._error is not None:
            raise self._error
        if self._eof:
            return
        if self._paused_reading:
            self._paused_reading = False
            assert self.transport is not None
            self.transport.resume_reading()
        waiter = self._waiter = self._loop.create_future()
        try:
            await waiter
        finally:
            self._waiter = None

    def _take(self, n: int) -> bytes:
        data = bytes(self._buffer[:n])
        del self._buffer[:n]
        if self._paused_reading and len(self._buffer) < self.HIGH_WATER // 2:
            self._paused_reading = False
            assert self.transport is not None
            self.transport.resume_reading()
        return data

    # -- reading and writing ------------------------------------------------------------

    def at_eof(self) -> bool:
        """The stream ended and every byte of it was read."""
        return self._eof and not self._buffer

    def take_until(self, separator: bytes) -> bytes | None:
        """What :meth:`readuntil` answers when it would answer without waiting (the
        separator is buffered), else ``None``."""
        i = self._buffer.find(separator)
        if i < 0 or i > self.LIMIT or self._error is not None:
            return None
        return self._take(i + len(separator))

    def take_exactly(self, n: int) -> bytes | None:
        """What :meth:`readexactly` answers when it would answer without waiting (``n``
        bytes are buffered), else ``None``."""
        if len(self._buffer) < n or self._error is not None:
            return None
        return self._take(n)

    async def readuntil(self, separator: bytes) -> bytes:
        """Up to and including ``separator`` (``StreamReader.readuntil``)."""
        if self._error is not None:
            raise self._error
        offset = 0
        while True:
            if len(self._buffer) - offset >= len(separator):
                i = self._buffer.find(separator, offset)
                if i >= 0:
                    if i > self.LIMIT:
                        raise asyncio.LimitOverrunError(
                            "Separator is found, but chunk is longer than limit", i
                        )
                    return self._take(i + len(separator))
                offset = len(self._buffer) + 1 - len(separator)
                if offset > self.LIMIT:
                    raise asyncio.LimitOverrunError(
                        "Separator is not found, and chunk exceed the limit", offset
                    )
            if self._eof:
                raise asyncio.IncompleteReadError(self._take(len(self._buffer)), None)
            await self._more()

    async def read(self, n: int) -> bytes:
        """At most ``n`` bytes, ``b""`` at the end of the stream (``StreamReader.read``)."""
        if self._error is not None:
            raise self._error
        if n == 0:
            return b""
        if not self._buffer and not self._eof:
            await self._more()
        return self._take(n)

    async def readexactly(self, n: int) -> bytes:
        """Exactly ``n`` bytes (``StreamReader.readexactly``)."""
        if self._error is not None:
            raise self._error
        while len(self._buffer) < n:
            if self._eof:
                raise asyncio.IncompleteReadError(self._take(len(self._buffer)), n)
            await self._more()
        return self._take(n)

    def write(self, data: bytes) -> None:
        assert self.transport is not None
        self.transport.write(data)

    async def drain(self) -> None:
        """Wait while the socket's send buffer is full (``StreamWriter.drain``)."""
        if self._error is not None:
            raise self._error
        if self.transport is not None and self.transport.is_closing():
            raise ConnectionResetError("Connection lost")
        if self._paused_writing:
            if self._draining is None:
                self._draining = self._loop.create_future()
            await self._draining

    def reusable(self) -> bool:
        if self.h11 is not None:
            import h11

            if self.h11.our_state is not h11.IDLE:
                return False
        return not self.at_eof() and self._error is None

    def close(self) -> None:
        if self.transport is not None:
            with contextlib.suppress(Exception):
                self.transport.abort()


class Pool:
    """Lean HTTP/1.1 keep-alive over :class:`Connection` objects (see the module docstring).

    The caller bounds how many requests are in flight; at most ``idle_per_host`` idle
    connections are kept per host. Failures surface as httpx's exceptions
    (``ConnectError``, ``ReadError``, ``RemoteProtocolError`` for truncated bodies,
    ``ConnectTimeout``/``ReadTimeout``), so the client's retries work unchanged. As Go's
    net/http does, a request that fails on a reused connection before any byte of the
    answer arrived is sent once more on a new connection (the server may have closed the
    idle connection just then); GETs are idempotent. ``tls`` is the TLS context, or a
    function making it on first use (default: :func:`tls_context`).
    """

    def __init__(
        self,
        idle_per_host: int = 64,
        tls: ssl.SSLContext | Callable[[], ssl.SSLContext] | None = None,
    ) -> None:
        self._idle: dict[_Key, list[Connection]] = {}
        self._idle_max = max(1, idle_per_host)
        self._tls = tls
        self._heads: dict[tuple[object, ...], bytes] = {}
        self.deadlines = Deadlines()
        """The read timeouts of every exchange under way (one timer for all)."""

    def _head(self, netloc: str, headers: Mapping[str, str]) -> bytes:
        """The request's bytes after its target: the same for every request to a host
        with the same headers (kept for the next ones, a few kinds at most)."""
        lines = [" HTTP/1.1", f"Host: {netloc}", *(f"{k}: {v}" for k, v in headers.items())]
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
        if len(self._heads) < 64:
            self._heads[(netloc, *headers.items())] = head
        return head

    def context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = tls_context()
        elif not isinstance(self._tls, ssl.SSLContext):
            self._tls = self._tls()
        return self._tls

    async def get(
        self,
        key: _Key,
        netloc: str,
        target: str,
        headers: Mapping[str, str],
        timeout: float | None,
        limit: int,
        pace: tuple[float, int] | None = None,
    ) -> LeanAnswer:
        """One GET of ``target`` (path and query) from ``key`` (scheme, ASCII host, port),
        the whole answer read into memory: the fast path for many small files.

        No httpx request or response objects, no h11: the request is written in one go
        and the answer is parsed here (status line, headers, ``Content-Length``, chunked
        or read-to-close bodies). ``netloc`` is the ``Host`` header; ``headers`` are sent
        as given after it; no ``Accept-Encoding`` is sent, so the body is the file
        itself. A body longer than ``limit`` is not read further (``too_large``; the
        connection is dropped). Redirects are returned, not followed. With ``pace``
        ``(window, need)``, a body that does not grow by ``need`` bytes in each ``window``
        seconds is abandoned (:class:`SlowBody`).
        """
        head = self._heads.get((netloc, *headers.items()))
        if head is None:
            head = self._head(netloc, headers)
        request = b"GET " + (target or "/").encode("ascii") + head
        while True:
            conn = self.checkout(key)
            reused = conn is not None
            if conn is None:
                conn = await self.connect(key, timeout)
            try:
                answer, keep = await _exchange(
                    conn, request, timeout, limit, _Pace(*pace) if pace else None, self.deadlines
                )
            except BaseException as exc:
                conn.close()
                if reused and isinstance(exc, NETWORK_ERRORS) and not conn.heard:
                    continue  # closed by the server while idle: once more, afresh
                reraise(exc, read=True)
            if keep:
                self.checkin(key, conn)
            else:
                conn.close()
            return answer

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()

    def checkout(self, key: _Key) -> Connection | None:
        """An idle connection to ``key`` that may be used again, or None."""
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.reusable():
                return conn
            conn.close()
        return None

    def checkin(self, key: _Key, conn: Connection) -> None:
        """Keep ``conn`` for the next request to ``key`` (or close it: enough are kept)."""
        idle = self._idle.setdefault(key, [])
        if len(idle) < self._idle_max:
            idle.append(conn)
        else:
            conn.close()

    async def connect(self, key: _Key, timeout: float | None) -> Connection:
        """A new connection to ``key`` (TLS for https)."""
        scheme, host, port = key
        tls = self.context() if scheme == "https" else None
        try:
            async with asyncio.timeout(timeout):
                return await _open_connection(host.strip("[]"), port, tls)
        except BaseException as exc:
            reraise(exc, read=False)


async def _open_connection(host: str, port: int, tls: ssl.SSLContext | None) -> Connection:
    """A :class:`Connection` to ``host`` and ``port``, a name resolved by the loop's
    ``getaddrinfo`` first (in its default executor on every loop gomodx makes, uvloop's
    too: see :mod:`analysis.eventloop`), then each address tried in turn, failing as
    asyncio's ``create_connection`` does when none answers."""
    name = host if tls else None
    loop = asyncio.get_running_loop()
    if _is_ip_literal(host):
        _, conn = await loop.create_connection(
            Connection, host, port, ssl=tls, server_hostname=name
        )
        return conn
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    if not infos:
        raise OSError("getaddrinfo() returned empty list")
    errors: list[OSError] = []
    for family, _, proto, _, address in infos:
        try:
            _, conn = await loop.create_connection(
                Connection,
                str(address[0]),
                port,
                family=family,
                proto=proto,
                ssl=tls,
                server_hostname=name,
            )
            return conn
        except OSError as exc:
            errors.append(exc)
    if len({str(exc) for exc in errors}) == 1:
        raise errors[0]
    raise OSError("Multiple exceptions: " + ", ".join(str(exc) for exc in errors))


def _is_ip_literal(host: str) -> bool:
    """Whether ``host`` is an IPv4 or IPv6 address (nothing to look up)."""
    for family in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(family, host)
        except OSError:
            continue
        return True
    return False


class LeanAnswer(NamedTuple):
    """An answer read by :meth:`Pool.get`."""

    status: int
    reason: str
    headers: list[tuple[bytes, bytes]]
    body: bytes
    too_large: bool = False

    def header(self, name: bytes) -> str | None:
        """The first value of header ``name`` (lower case), or None."""
        for k, v in self.headers:
            if k == name:
                return v.decode("latin-1")
        return None


_MAX_HEAD = 64 * 1024


class _Reads:
    """The deadline of the read under way in one exchange: ``timeout`` from its start,
    and for a paced read no later than the end of the pace's window. The deadline is
    the connection's in :class:`Deadlines`, moved from read to read; when it passes,
    the read waiting (or the next) raises :class:`_Expired`."""

    __slots__ = ("conn", "deadlines", "loop", "pace", "paced", "timeout", "total")

    def __init__(
        self,
        conn: Connection,
        deadlines: Deadlines,
        timeout: float | None,
        pace: _Pace | None,
    ) -> None:
        self.conn = conn
        self.deadlines = deadlines
        self.timeout = timeout
        self.pace = pace
        self.paced = False
        self.total = 0
        self.loop = asyncio.get_running_loop()

    def next(self, total: int | None = None) -> None:
        """A read starts (a paced one with ``total``: the body's bytes so far)."""
        limit = self.timeout
        pace = self.pace
        self.paced = False  # whether the pace's window, not the read timeout, sets the deadline
        if pace is not None and total is not None:
            left = max(pace.left(), 0.001)
            if limit is None or left <= limit:
                limit, self.paced = left, True
            self.total = total
        if limit is None:
            self.deadlines.clear(self.conn)
        else:
            self.deadlines.set(self.conn, self.loop.time() + limit)

    def grew(self, total: int) -> None:
        """A paced read brought the body to ``total`` bytes."""
        if self.pace is not None:
            self.pace.grew(total)

    def timed_out(self) -> BaseException:
        """What the read under way when the deadline passed failed with: decided by which
        limit set the deadline, never by reading a clock again (the loop's clock and the
        pace's need not agree to the millisecond: uvloop's ticks in milliseconds, and a
        too-slow body taken for a read timeout would be retried)."""
        pace = self.pace
        if self.paced and pace is not None:
            return SlowBody(self.total - pace.mark_len, pace.window)
        return TimeoutError()


async def _exchange(
    conn: Connection,
    request: bytes,
    timeout: float | None,
    limit: int,
    pace: _Pace | None,
    deadlines: Deadlines,
) -> tuple[LeanAnswer, bool]:
    """Send ``request`` and read the whole answer; returns it and whether the connection
    may be used again. Malformed answers raise :class:`ProtocolError`, a connection
    closed early ``EOFError``, a read that outlives its deadline ``TimeoutError`` (or
    :class:`SlowBody`, when the pace ran out)."""
    reads = _Reads(conn, deadlines, timeout, pace)
    try:
        return await _answer(conn, request, limit, reads)
    except _Expired:
        raise reads.timed_out() from None
    finally:
        deadlines.clear(conn)
        conn._expired = False  # (its deadline is cleared: nothing expires it any more)


async def _answer(
    conn: Connection, request: bytes, limit: int, reads: _Reads
) -> tuple[LeanAnswer, bool]:
    conn.heard = False
    conn.write(request)
    await conn.drain()
    while True:
        head = await _read_head(conn, reads)
        status, reason, headers, version = _parse_head(head)
        if status >= 200:
            break
        if status == 101:
            raise ProtocolError("unexpected 101 Switching Protocols")
    keep = version == b"HTTP/1.1"
    length: int | None = None
    chunked = False
    for k, v in headers:
        if k == b"content-length":
            if not v.isdigit() or (length is not None and int(v) != length):
                raise ProtocolError("bad Content-Length")
            length = int(v)
        elif k == b"transfer-encoding":
            if v.strip().lower() != b"chunked":
                raise ProtocolError(f"unsupported Transfer-Encoding {v!r}")
            chunked = True
        elif k == b"connection" and b"close" in v.lower():
            keep = False
    if status in (204, 304):
        return LeanAnswer(status, reason, headers, b""), keep
    body = bytearray()
    if chunked:
        try:
            answer = await _read_chunked(conn, status, reason, headers, limit, reads)
        except asyncio.IncompleteReadError:
            raise ProtocolError(
                "peer closed connection without sending complete message body"
                " (incomplete chunked read)"
            ) from None
        return answer, keep and not answer.too_large
    if length is not None:
        if length > limit:
            return LeanAnswer(status, reason, headers, b"", True), False
        whole = conn.take_exactly(length)  # (a small answer arrives whole)
        if whole is not None:
            return LeanAnswer(status, reason, headers, whole), keep and not conn.at_eof()
        while len(body) < length:
            reads.next(len(body))
            data = await conn.read(length - len(body))
            if not data:
                raise ProtocolError(
                    "peer closed connection without sending complete message body"
                    f" (received {len(body)} bytes, expected {length})"
                )
            body += data
            reads.grew(len(body))
    else:
        keep = False
        while True:
            reads.next(len(body))
            data = await conn.read(65536)
            if not data:
                break
            body += data
            reads.grew(len(body))
            if len(body) > limit:
                return LeanAnswer(status, reason, headers, bytes(body), True), False
    return LeanAnswer(status, reason, headers, bytes(body)), keep and not conn.at_eof()


async def _read_chunked(
    conn: Connection,
    status: int,
    reason: str,
    headers: list[tuple[bytes, bytes]],
    limit: int,
    reads: _Reads,
) -> LeanAnswer:
    body = bytearray()
    while True:
        reads.next()
        line = await conn.readuntil(b"\r\n")
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise ProtocolError("bad chunk size") from None
        if size == 0:
            reads.next()
            while await conn.readuntil(b"\r\n") != b"\r\n":
                reads.next()  # trailers
            break
        if len(body) + size > limit:
            return LeanAnswer(status, reason, headers, bytes(body), True)
        reads.next(len(body))
        body += await conn.readexactly(size)
        reads.grew(len(body))
        reads.next()
        if await conn.readexactly(2) != b"\r\n":
            raise ProtocolError("bad chunk end")
    return LeanAnswer(status, reason, headers, bytes(body))


async def _read_head(conn: Connection, reads: _Reads) -> bytes:
    head = conn.take_until(b"\r\n\r\n")  # (usually there already, the answer whole)
    if head is not None:
        conn.heard = True
        return head
    reads.next()
    try:
        head = await conn.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        conn.heard = conn.heard or bool(exc.partial)
        if not exc.partial:
            raise EOFError("server closed the connection without answering") from None
        raise ProtocolError("server closed the connection mid-answer") from None
    except asyncio.LimitOverrunError:
        raise ProtocolError("answer head too long") from None
    conn.heard = True
    if len(head) > _MAX_HEAD:
        raise ProtocolError("answer head too long")
    return head


def _parse_head(head: bytes) -> tuple[int, str, list[tuple[bytes, bytes]], bytes]:
    lines = head[:-4].split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    code, _, reason = rest.partition(b" ")
    if version not in (b"HTTP/1.1", b"HTTP/1.0") or len(code) != 3 or not code.isdigit():
        raise ProtocolError(f"bad status line {lines[0][:80]!r}")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip() or line[:1] in (b" ", b"\t"):
            raise ProtocolError(f"bad header line {line[:80]!r}")
        headers.append((name.lower(), value.strip(b" \t")))
    return int(code), reason.decode("latin-1"), headers, version


class _Pace:
    """The least a body must grow: ``need`` bytes in every ``window`` seconds."""

    def __init__(self, window: float, need: int) -> None:
        self.window = window
        self.need = need
        self.mark_at = time.monotonic()
        self.mark_len = 0

    def left(self) -> float:
        return self.window - (time.monotonic() - self.mark_at)

    def grew(self, total: int) -> None:
        if total - self.mark_len >= self.need:
            self.mark_len, self.mark_at = total, time.monotonic()
        elif self.left() <= 0:
            raise SlowBody(total - self.mark_len, self.window)


# -- failures -----------------------------------------------------------------------------


def reraise(exc: BaseException, *, read: bool) -> NoReturn:
    """Raise httpx's exception for a low-level failure; anything else (cancellation,
    GeneratorExit, httpx's own errors) unchanged."""
    translated = translate(exc, read=read)
    if translated is exc:
        raise exc
    raise translated from exc


def translate(exc: BaseException, *, read: bool) -> BaseException:
    """httpx's exception for a low-level failure (others pass through unchanged)."""
    if not isinstance(exc, Exception) or isinstance(exc, SlowBody):
        return exc  # cancellations; a slow body is the client's to report
    import h11
    import httpx

    if isinstance(exc, httpx.HTTPError):
        return exc
    if isinstance(exc, TimeoutError):
        text = str(exc) or "timed out"
        return httpx.ReadTimeout(text) if read else httpx.ConnectTimeout(text)
    if isinstance(exc, ProtocolError | h11.RemoteProtocolError | EOFError):
        return httpx.RemoteProtocolError(str(exc))
    if isinstance(exc, OSError):
        text = exc.strerror or str(exc) or type(exc).__name__
        return httpx.ReadError(text) if read else httpx.ConnectError(text)
    return exc
