"""How :class:`~analysis.proxy.ProxyClient` speaks HTTP: one choice for the app and the CLI.

A cold graph load is thousands of small GETs, and the CPU spent per request is what bounds
it. :class:`KeepAliveTransport` is a lean HTTP/1.1 keep-alive transport (one asyncio stream
and one ``h11`` state machine per connection, idle connections kept per host, nothing
else). httpcore's pool (1.0) re-examines every pooled connection, with system calls, each
time a request starts or ends; even with small pools its layers cost about a third of a
millisecond more per request.

The lean transport does not do everything httpx does, so :func:`proxy_transport` builds a
:class:`RoutingTransport` that sends each request down the lean path only when that path
does the job exactly as httpx would, and to httpx's own transport otherwise:

* a forward proxy from the environment applies to the URL (``HTTPS_PROXY``/``HTTP_PROXY``/
  ``ALL_PROXY`` and ``NO_PROXY``, as Go's ``httpproxy.FromEnvironment`` reads them): httpx
  tunnels through it (``CONNECT`` for https) — the lean transport only connects directly;
* a scheme other than ``http``/``https``.

What the lean path shares with httpx, so nothing differs: redirects, cookies, headers and
``Content-Encoding`` decoding live in ``httpx.AsyncClient``/``httpx.Response`` above any
transport; TLS uses one context for both paths (httpx's ``create_ssl_context``: certifi's
certificates, or ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set — Go honours those too),
with hostname checking and SNI on the IDNA-encoded host. HTTP/2 is not spoken on the lean
path: HTTP/1.1 with keep-alive is as fast for many small files.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import ssl
import time
import urllib.parse
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import NamedTuple, NoReturn, TypeVar

import h11
import httpx

from analysis.errors import SlowBody

__all__ = [
    "KeepAliveTransport",
    "LeanAnswer",
    "RoutingTransport",
    "env_proxy_for",
    "proxy_transport",
]

_Key = tuple[str, str, int]
_T = TypeVar("_T")
_NETWORK_ERRORS = (OSError, EOFError, h11.RemoteProtocolError)


# -- which proxy applies ------------------------------------------------------------------


def _getenv(environ: Mapping[str, str], *names: str) -> str:
    for name in names:
        value = environ.get(name)
        if value:
            return value
    return ""


def env_proxy_for(url: str | httpx.URL, environ: Mapping[str, str] | None = None) -> str | None:
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
    env = os.environ if environ is None else environ
    u = httpx.URL(url) if isinstance(url, str) else url
    if u.scheme == "https":
        proxy = _getenv(env, "HTTPS_PROXY", "https_proxy")
    elif u.scheme == "http":
        proxy = _getenv(env, "HTTP_PROXY", "http_proxy")
    else:
        return None
    proxy = proxy or _getenv(env, "ALL_PROXY", "all_proxy")
    if not proxy:
        return None
    host = u.host.lower().rstrip(".")
    port = u.port or (443 if u.scheme == "https" else 80)
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


# -- the routing transport ----------------------------------------------------------------


def proxy_transport(
    concurrency: int,
    *,
    environ: Mapping[str, str] | None = None,
    tls: ssl.SSLContext | None = None,
    http2: bool = True,
) -> RoutingTransport:
    """The transport a :class:`~analysis.proxy.ProxyClient` should use: lean keep-alive
    HTTP/1.1 where it does the job exactly, httpx's own transport elsewhere (see the module
    docstring). ``concurrency`` bounds kept connections per host; ``environ`` (default:
    ``os.environ``) is read once, now."""
    return RoutingTransport(
        concurrency,
        environ=dict(os.environ if environ is None else environ),
        tls=tls,
        http2=http2,
    )


class RoutingTransport(httpx.AsyncBaseTransport):
    """Per request, the lean :class:`KeepAliveTransport` or an ``httpx.AsyncHTTPTransport``
    (through the environment's forward proxy, if one applies)."""

    def __init__(
        self,
        concurrency: int,
        *,
        environ: Mapping[str, str],
        tls: ssl.SSLContext | None = None,
        http2: bool = True,
    ) -> None:
        self._environ = environ
        self._concurrency = max(1, concurrency)
        self._tls = tls
        self._http2 = http2
        self.lean = KeepAliveTransport(self._concurrency, self._context)
        self._fallback: dict[str | None, httpx.AsyncHTTPTransport] = {}
        self._routes: dict[tuple[bytes, bytes, int | None], str] = {}
        self._lean_routes: dict[str, bool] = {}

    def _context(self) -> ssl.SSLContext:
        """One TLS context for both paths, made on first https use."""
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        return self._tls

    def route(self, url: httpx.URL) -> str:
        """``"lean"`` for the keep-alive path, else the proxy URL (``""``: httpx, direct)."""
        key = (url.raw_scheme, url.raw_host, url.port)
        if key not in self._routes:
            if url.scheme not in ("http", "https"):
                self._routes[key] = ""
            else:
                proxy = env_proxy_for(url, self._environ)
                self._routes[key] = "lean" if proxy is None else proxy
        return self._routes[key]

    def _httpx(self, proxy: str) -> httpx.AsyncHTTPTransport:
        key = proxy or None
        transport = self._fallback.get(key)
        if transport is None:
            http2 = self._http2
            if http2:
                try:
                    import h2  # noqa: F401
                except ImportError:
                    http2 = False
            transport = httpx.AsyncHTTPTransport(
                verify=self._context(),
                http2=http2,
                limits=httpx.Limits(
                    max_connections=self._concurrency,
                    max_keepalive_connections=self._concurrency,
                    keepalive_expiry=30.0,
                ),
                proxy=key,
                trust_env=False,
            )
            self._fallback[key] = transport
        return transport

    async def lean_get(
        self,
        url: str,
        headers: Mapping[str, str],
        timeout: float | None,
        limit: int,
        pace: tuple[float, int] | None = None,
    ) -> LeanAnswer | None:
        """GET ``url`` on the lean path without httpx's client layers (see
        :meth:`KeepAliveTransport.get`), or ``None`` when the URL is not for the lean path."""
        parts = urllib.parse.urlsplit(url)
        where = parts.scheme + "://" + parts.netloc
        lean = self._lean_routes.get(where)
        if lean is None:
            lean = (
                parts.scheme in ("http", "https")
                and parts.username is None
                and (parts.hostname or "").isascii()
                and self.route(httpx.URL(url)) == "lean"
            )
            self._lean_routes[where] = lean
        if not lean:
            return None
        return await self.lean.get(parts, headers, timeout, limit, pace)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        route = self.route(request.url)
        if route == "lean":
            return await self.lean.handle_async_request(request)
        return await self._httpx(route).handle_async_request(request)

    async def aclose(self) -> None:
        await self.lean.aclose()
        for transport in self._fallback.values():
            await transport.aclose()
        self._fallback.clear()


# -- the lean keep-alive transport --------------------------------------------------------


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT)
        self.heard = False  # any byte of the current answer

    def reusable(self) -> bool:
        return self.h11.our_state is h11.IDLE and not self.reader.at_eof()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.transport.abort()

    async def next_event(self, timeout: float | None) -> object:
        while True:
            event = self.h11.next_event()
            if event is not h11.NEED_DATA:
                return event
            async with asyncio.timeout(timeout):
                data = await self.reader.read(65536)
            self.heard = self.heard or bool(data)
            self.h11.receive_data(data)


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """Lean HTTP/1.1 keep-alive over asyncio streams (see the module docstring).

    The caller (ProxyClient) bounds how many requests are in flight; at most
    ``idle_per_host`` idle connections are kept per host. Failures surface as httpx's
    exceptions (``ConnectError``, ``ReadError``, ``RemoteProtocolError`` for truncated
    bodies, ``ConnectTimeout``/``ReadTimeout``), so the client's retries work unchanged. As
    Go's net/http does, a request that fails on a reused connection before any byte of the
    answer arrived is sent once more on a new connection (the server may have closed the
    idle connection just then); GETs are idempotent. ``tls`` is the TLS context, or a
    function making it on first use (default: httpx's, certifi's CA certificates).
    """

    def __init__(
        self,
        idle_per_host: int = 64,
        tls: ssl.SSLContext | Callable[[], ssl.SSLContext] | None = None,
    ) -> None:
        self._idle: dict[_Key, list[_Connection]] = {}
        self._idle_max = max(1, idle_per_host)
        self._tls = tls

    def _context(self) -> ssl.SSLContext:
        if self._tls is None:
            self._tls = httpx.create_ssl_context()
        elif not isinstance(self._tls, ssl.SSLContext):
            self._tls = self._tls()
        return self._tls

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
        # The ASCII (IDNA) host: what DNS, SNI and certificate checks need.
        host = url.raw_host.decode("ascii")
        key: _Key = (url.scheme, host, url.port or (443 if url.scheme == "https" else 80))
        timeouts = request.extensions.get("timeout", {})
        body = await request.aread()
        while True:
            conn = self._checkout(key)
            reused = conn is not None
            if conn is None:
                conn = await self._connect(key, timeouts.get("connect"))
            try:
                return await self._send(key, conn, request, body, timeouts.get("read"))
            except BaseException as exc:
                conn.close()
                if reused and isinstance(exc, _NETWORK_ERRORS) and not conn.heard:
                    continue  # closed by the server while idle: once more, afresh
                _reraise(exc, read=True)

    async def get(
        self,
        url: urllib.parse.SplitResult,
        headers: Mapping[str, str],
        timeout: float | None,
        limit: int,
        pace: tuple[float, int] | None = None,
    ) -> LeanAnswer:
        """One GET, the whole answer read into memory: the fast path for many small files.

        No httpx request or response objects, no h11: the request is written in one go
        and the answer is parsed here (status line, headers, ``Content-Length``, chunked
        or read-to-close bodies). ``headers`` are sent as given, after ``Host``; no
        ``Accept-Encoding`` is sent, so the body is the file itself. A body longer than
        ``limit`` is not read further (``too_large``; the connection is dropped).
        Failures are httpx's exceptions, with the same retry of a request that failed on
        a reused connection before any byte of the answer, as in
        :meth:`handle_async_request`; redirects are returned, not followed. With ``pace``
        ``(window, need)``, a body that does not grow by ``need`` bytes in each ``window``
        seconds is abandoned (:class:`SlowBody`).
        """
        host = url.hostname or ""
        scheme = url.scheme
        port = url.port or (443 if scheme == "https" else 80)
        key: _Key = (scheme, host, port)
        netloc = url.netloc.rpartition("@")[2]
        target = (url.path or "/") + ("?" + url.query if url.query else "")
        lines = [f"GET {target} HTTP/1.1", f"Host: {netloc}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
        while True:
            conn = self._checkout(key)
            reused = conn is not None
            if conn is None:
                conn = await self._connect(key, timeout)
            try:
                answer, keep = await _exchange(
                    conn, request, timeout, limit, _Pace(*pace) if pace else None
                )
            except BaseException as exc:
                conn.close()
                if reused and isinstance(exc, _NETWORK_ERRORS) and not conn.heard:
                    continue  # closed by the server while idle: once more, afresh
                _reraise(exc, read=True)
            if keep:
                self._checkin(key, conn)
            else:
                conn.close()
            return answer

    async def aclose(self) -> None:
        for idle in self._idle.values():
            for conn in idle:
                conn.close()
        self._idle.clear()

    def _checkout(self, key: _Key) -> _Connection | None:
        idle = self._idle.get(key)
        while idle:
            conn = idle.pop()
            if conn.reusable():
                return conn
            conn.close()
        return None

    def _checkin(self, key: _Key, conn: _Connection) -> None:
        idle = self._idle.setdefault(key, [])
        if len(idle) < self._idle_max:
            idle.append(conn)
        else:
            conn.close()

    async def _connect(self, key: _Key, timeout: float | None) -> _Connection:
        scheme, host, port = key
        tls = self._context() if scheme == "https" else None
        try:
            async with asyncio.timeout(timeout):
                reader, writer = await asyncio.open_connection(
                    host.strip("[]"),
                    port,
                    ssl=tls,
                    server_hostname=host.strip("[]") if tls else None,
                )
        except BaseException as exc:
            _reraise(exc, read=False)
        return _Connection(reader, writer)

    async def _send(
        self,
        key: _Key,
        conn: _Connection,
        request: httpx.Request,
        body: bytes,
        timeout: float | None,
    ) -> httpx.Response:
        conn.heard = False
        headers = list(request.headers.raw)
        if body and not any(k.lower() == b"content-length" for k, _ in headers):
            headers.append((b"Content-Length", str(len(body)).encode()))
        h = conn.h11
        data = h.send(
            h11.Request(method=request.method, target=request.url.raw_path, headers=headers)
        )
        if body:
            data = (data or b"") + (h.send(h11.Data(data=body)) or b"")
        data = (data or b"") + (h.send(h11.EndOfMessage()) or b"")
        conn.writer.write(data)
        await conn.writer.drain()
        while True:
            event = await conn.next_event(timeout)
            if isinstance(event, h11.Response):
                break
            if isinstance(event, h11.InformationalResponse):
                continue
            if isinstance(event, h11.ConnectionClosed):
                raise EOFError("server closed the connection without answering")
            raise h11.RemoteProtocolError(f"unexpected {type(event).__name__}")
        return httpx.Response(
            event.status_code,
            headers=event.headers.raw_items(),
            stream=_Body(self, key, conn, timeout),
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": event.reason},
        )


class LeanAnswer(NamedTuple):
    """An answer read by :meth:`KeepAliveTransport.get`."""

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


async def _exchange(
    conn: _Connection,
    request: bytes,
    timeout: float | None,
    limit: int,
    pace: _Pace | None = None,
) -> tuple[LeanAnswer, bool]:
    """Send ``request`` and read the whole answer; returns it and whether the connection
    may be used again. Malformed answers raise ``h11.RemoteProtocolError`` (as the h11
    path does), a connection closed early ``EOFError``."""
    conn.heard = False
    reader = conn.reader
    conn.writer.write(request)
    await conn.writer.drain()
    while True:
        head = await _read_head(conn, timeout)
        status, reason, headers, version = _parse_head(head)
        if status >= 200:
            break
        if status == 101:
            raise h11.RemoteProtocolError("unexpected 101 Switching Protocols")
    keep = version == b"HTTP/1.1"
    length: int | None = None
    chunked = False
    for k, v in headers:
        if k == b"content-length":
            if not v.isdigit() or (length is not None and int(v) != length):
                raise h11.RemoteProtocolError("bad Content-Length")
            length = int(v)
        elif k == b"transfer-encoding":
            if v.strip().lower() != b"chunked":
                raise h11.RemoteProtocolError(f"unsupported Transfer-Encoding {v!r}")
            chunked = True
        elif k == b"connection" and b"close" in v.lower():
            keep = False
    if status in (204, 304):
        return LeanAnswer(status, reason, headers, b""), keep
    body = bytearray()
    if chunked:
        try:
            answer = await _read_chunked(conn, status, reason, headers, timeout, limit, pace)
        except asyncio.IncompleteReadError:
            raise h11.RemoteProtocolError(
                "peer closed connection without sending complete message body"
                " (incomplete chunked read)"
            ) from None
        return answer, keep and not answer.too_large
    if length is not None:
        if length > limit:
            return LeanAnswer(status, reason, headers, b"", True), False
        while len(body) < length:
            data = await _paced(reader.read(length - len(body)), timeout, pace, len(body))
            if not data:
                raise h11.RemoteProtocolError(
                    "peer closed connection without sending complete message body"
                    f" (received {len(body)} bytes, expected {length})"
                )
            body += data
    else:
        keep = False
        while True:
            data = await _paced(reader.read(65536), timeout, pace, len(body))
            if not data:
                break
            body += data
            if len(body) > limit:
                return LeanAnswer(status, reason, headers, bytes(body), True), False
    return LeanAnswer(status, reason, headers, bytes(body)), keep and not reader.at_eof()


async def _read_chunked(
    conn: _Connection,
    status: int,
    reason: str,
    headers: list[tuple[bytes, bytes]],
    timeout: float | None,
    limit: int,
    pace: _Pace | None = None,
) -> LeanAnswer:
    reader = conn.reader
    body = bytearray()
    while True:
        line = await _timed(reader.readuntil(b"\r\n"), timeout)
        size_text = line.split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise h11.RemoteProtocolError("bad chunk size") from None
        if size == 0:
            while await _timed(reader.readuntil(b"\r\n"), timeout) != b"\r\n":
                pass  # trailers
            break
        if len(body) + size > limit:
            return LeanAnswer(status, reason, headers, bytes(body), True)
        body += await _paced(reader.readexactly(size), timeout, pace, len(body))
        if await _timed(reader.readexactly(2), timeout) != b"\r\n":
            raise h11.RemoteProtocolError("bad chunk end")
    return LeanAnswer(status, reason, headers, bytes(body))


async def _read_head(conn: _Connection, timeout: float | None) -> bytes:
    try:
        head = await _timed(conn.reader.readuntil(b"\r\n\r\n"), timeout)
    except asyncio.IncompleteReadError as exc:
        conn.heard = conn.heard or bool(exc.partial)
        if not exc.partial:
            raise EOFError("server closed the connection without answering") from None
        raise h11.RemoteProtocolError("server closed the connection mid-answer") from None
    except asyncio.LimitOverrunError:
        raise h11.RemoteProtocolError("answer head too long") from None
    conn.heard = True
    if len(head) > _MAX_HEAD:
        raise h11.RemoteProtocolError("answer head too long")
    return head


def _parse_head(head: bytes) -> tuple[int, str, list[tuple[bytes, bytes]], bytes]:
    lines = head[:-4].split(b"\r\n")
    version, _, rest = lines[0].partition(b" ")
    code, _, reason = rest.partition(b" ")
    if version not in (b"HTTP/1.1", b"HTTP/1.0") or len(code) != 3 or not code.isdigit():
        raise h11.RemoteProtocolError(f"bad status line {lines[0][:80]!r}")
    headers: list[tuple[bytes, bytes]] = []
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or not name or name != name.strip() or line[:1] in (b" ", b"\t"):
            raise h11.RemoteProtocolError(f"bad header line {line[:80]!r}")
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


async def _paced(aw: Awaitable[_T], timeout: float | None, pace: _Pace | None, total: int) -> _T:
    """:func:`_timed`, and with ``pace`` no longer than what is left of its window."""
    if pace is None:
        return await _timed(aw, timeout)
    left = max(pace.left(), 0.001)
    try:
        data = await _timed(aw, left if timeout is None else min(timeout, left))
    except TimeoutError:
        if pace.left() <= 0:
            raise SlowBody(total - pace.mark_len, pace.window) from None
        raise
    if isinstance(data, bytes | bytearray):
        pace.grew(total + len(data))
    return data


async def _timed(aw: Awaitable[_T], timeout: float | None) -> _T:
    if timeout is None:
        return await aw
    async with asyncio.timeout(timeout):
        return await aw


class _Body(httpx.AsyncByteStream):
    """The answer's bytes; the connection goes back to the idle list once all were read."""

    def __init__(
        self, owner: KeepAliveTransport, key: _Key, conn: _Connection, timeout: float | None
    ) -> None:
        self._owner = owner
        self._key = key
        self._conn: _Connection | None = conn
        self._timeout = timeout
        self._complete = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        try:
            while True:
                event = await conn.next_event(self._timeout)
                if isinstance(event, h11.Data):
                    yield bytes(event.data)
                elif isinstance(event, h11.EndOfMessage):
                    self._complete = True
                    return
                else:
                    raise h11.RemoteProtocolError(f"unexpected {type(event).__name__}")
        except BaseException as exc:
            self._conn = None
            conn.close()
            _reraise(exc, read=True)

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        h = conn.h11
        if self._complete and h.our_state is h11.DONE and h.their_state is h11.DONE:
            h.start_next_cycle()
            self._owner._checkin(self._key, conn)
            return
        conn.close()


def _reraise(exc: BaseException, *, read: bool) -> NoReturn:
    """Raise httpx's exception for a low-level failure; anything else (cancellation,
    GeneratorExit, httpx's own errors) unchanged."""
    translated = _translate(exc, read=read)
    if translated is exc:
        raise exc
    raise translated from exc


def _translate(exc: BaseException, *, read: bool) -> BaseException:
    """httpx's exception for a low-level failure (others pass through unchanged)."""
    if isinstance(exc, httpx.HTTPError):
        return exc
    if isinstance(exc, TimeoutError):
        text = str(exc) or "timed out"
        return httpx.ReadTimeout(text) if read else httpx.ConnectTimeout(text)
    if isinstance(exc, h11.RemoteProtocolError | EOFError):
        return httpx.RemoteProtocolError(str(exc))
    if isinstance(exc, OSError):
        text = exc.strerror or str(exc) or type(exc).__name__
        return httpx.ReadError(text) if read else httpx.ConnectError(text)
    return exc
