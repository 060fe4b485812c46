"""The engine's network as httpx sees it: the transports ``httpx.AsyncClient`` takes.

The engine fetches through :class:`analysis.lean.Router`, whose lean path needs no httpx
(see :mod:`analysis.lean`). What the lean path does not do goes through httpx's client
with :class:`RoutingTransport`, the same router as an httpx transport:

* requests to the lean path's origins go over the router's own kept connections, spoken
  with an ``h11`` state machine (:class:`KeepAliveTransport` is such a pool on its own);
* the others go to an ``httpx.AsyncHTTPTransport``, through the environment's forward
  proxy when one applies (``CONNECT`` for https).

What the lean path shares with httpx, so nothing differs: redirects, cookies, headers and
``Content-Encoding`` decoding live in ``httpx.AsyncClient``/``httpx.Response`` above any
transport; TLS uses one context for both paths (:func:`analysis.lean.tls_context`).
"""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncIterator, Callable, Mapping

import h11
import httpx

from analysis import lean
from analysis.lean import NETWORK_ERRORS, Connection, LeanAnswer, Pool, Router, Transport, reraise

__all__ = [
    "KeepAliveTransport",
    "LeanAnswer",
    "RoutingTransport",
    "env_proxy_for",
    "httpx_transport",
    "proxy_transport",
]

_Key = tuple[str, str, int]
_H11_ERRORS = (*NETWORK_ERRORS, h11.RemoteProtocolError)


def env_proxy_for(url: str | httpx.URL, environ: Mapping[str, str] | None = None) -> str | None:
    """:func:`analysis.lean.env_proxy_for`, for an httpx URL too."""
    if isinstance(url, httpx.URL):
        return lean.proxy_for(url.scheme, url.raw_host.decode("ascii"), url.port, environ)
    return lean.env_proxy_for(url, environ)


def proxy_transport(
    concurrency: int,
    *,
    environ: Mapping[str, str] | None = None,
    tls: ssl.SSLContext | None = None,
    http2: bool = True,
) -> RoutingTransport:
    """A new :class:`~analysis.lean.Router` as an httpx transport. ``concurrency``
    bounds kept connections per host; ``environ`` (default: ``os.environ``) is read
    once, now."""
    router = Router(
        concurrency,
        environ=dict(os.environ if environ is None else environ),
        tls=tls,
        http2=http2,
    )
    transport = RoutingTransport(router)
    router.adapter = transport
    return transport


def httpx_transport(transport: Transport) -> httpx.AsyncBaseTransport:
    """``transport`` as httpx's clients take it: a router's :class:`RoutingTransport`
    (made once per router)."""
    if not isinstance(transport, Router):
        return transport
    adapter = transport.adapter
    if not isinstance(adapter, RoutingTransport):
        adapter = transport.adapter = RoutingTransport(transport)
    return adapter


class RoutingTransport(httpx.AsyncBaseTransport):
    """A :class:`~analysis.lean.Router` as an httpx transport: per request, its lean
    pool (spoken with h11) or an ``httpx.AsyncHTTPTransport`` (through the environment's
    forward proxy, if one applies)."""

    def __init__(self, router: Router) -> None:
        self.router = router

    @property
    def _fallback(self) -> dict[str | None, httpx.AsyncHTTPTransport]:
        return self.router.fallback

    def route(self, url: httpx.URL) -> str:
        """``"lean"`` for the keep-alive path, else the proxy URL (``""``: httpx, direct)."""
        return self.router.route(url.scheme, url.raw_host.decode("ascii"), url.port)

    def _httpx(self, proxy: str) -> httpx.AsyncHTTPTransport:
        key = proxy or None
        router = self.router
        transport: httpx.AsyncHTTPTransport | None = router.fallback.get(key)
        if transport is None:
            http2 = router.http2
            if http2:
                try:
                    import h2  # noqa: F401
                except ImportError:
                    http2 = False
            transport = httpx.AsyncHTTPTransport(
                verify=router.context(),
                http2=http2,
                limits=httpx.Limits(
                    max_connections=router.concurrency,
                    max_keepalive_connections=router.concurrency,
                    keepalive_expiry=30.0,
                ),
                proxy=key,
                trust_env=False,
            )
            router.fallback[key] = transport
        return transport

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        route = self.route(request.url)
        if route == "lean":
            return await _request(self.router.lean, request)
        return await self._httpx(route).handle_async_request(request)

    async def aclose(self) -> None:
        await self.router.aclose()


class KeepAliveTransport(Pool, httpx.AsyncBaseTransport):
    """A lean :class:`~analysis.lean.Pool` on its own as an httpx transport (HTTP/1.1
    with h11 over kept connections; direct connections only). ``tls`` is the TLS
    context, or a function making it on first use."""

    def __init__(
        self,
        idle_per_host: int = 64,
        tls: ssl.SSLContext | Callable[[], ssl.SSLContext] | None = None,
    ) -> None:
        Pool.__init__(self, idle_per_host, tls)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await _request(self, request)


async def _request(pool: Pool, request: httpx.Request) -> httpx.Response:
    """``request`` over ``pool``'s connections, spoken with h11. As on the lean path, a
    request that fails on a reused connection before any byte of the answer arrived is
    sent once more on a new connection."""
    url = request.url
    if url.scheme not in ("http", "https"):
        raise httpx.UnsupportedProtocol(f"unsupported URL scheme {url.scheme!r}")
    # The ASCII (IDNA) host: what DNS, SNI and certificate checks need.
    host = url.raw_host.decode("ascii")
    key: _Key = (url.scheme, host, url.port or (443 if url.scheme == "https" else 80))
    timeouts = request.extensions.get("timeout", {})
    body = await request.aread()
    while True:
        conn = pool.checkout(key)
        reused = conn is not None
        if conn is None:
            conn = await pool.connect(key, timeouts.get("connect"))
        try:
            return await _send(pool, key, conn, request, body, timeouts.get("read"))
        except BaseException as exc:
            conn.close()
            if reused and isinstance(exc, _H11_ERRORS) and not conn.heard:
                continue  # closed by the server while idle: once more, afresh
            reraise(exc, read=True)


def _h11(conn: Connection) -> h11.Connection:
    state: h11.Connection | None = conn.h11
    if state is None:
        state = conn.h11 = h11.Connection(h11.CLIENT)
    return state


async def _next_event(conn: Connection, timeout: float | None) -> object:
    import asyncio

    h = _h11(conn)
    while True:
        event = h.next_event()
        if event is not h11.NEED_DATA:
            return event
        async with asyncio.timeout(timeout):
            data = await conn.read(65536)
        conn.heard = conn.heard or bool(data)
        h.receive_data(data)


async def _send(
    pool: Pool,
    key: _Key,
    conn: Connection,
    request: httpx.Request,
    body: bytes,
    timeout: float | None,
) -> httpx.Response:
    conn.heard = False
    headers = list(request.headers.raw)
    if body and not any(k.lower() == b"content-length" for k, _ in headers):
        headers.append((b"Content-Length", str(len(body)).encode()))
    h = _h11(conn)
    data = h.send(h11.Request(method=request.method, target=request.url.raw_path, headers=headers))
    if body:
        data = (data or b"") + (h.send(h11.Data(data=body)) or b"")
    data = (data or b"") + (h.send(h11.EndOfMessage()) or b"")
    conn.write(data)
    await conn.drain()
    while True:
        event = await _next_event(conn, timeout)
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
        stream=_Body(pool, key, conn, timeout),
        extensions={"http_version": b"HTTP/1.1", "reason_phrase": event.reason},
    )


class _Body(httpx.AsyncByteStream):
    """The answer's bytes; the connection goes back to the idle list once all were read."""

    def __init__(self, owner: Pool, key: _Key, conn: Connection, timeout: float | None) -> None:
        self._owner = owner
        self._key = key
        self._conn: Connection | None = conn
        self._timeout = timeout
        self._complete = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        try:
            while True:
                event = await _next_event(conn, self._timeout)
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
            reraise(exc, read=True)

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        h = _h11(conn)
        if self._complete and h.our_state is h11.DONE and h.their_state is h11.DONE:
            h.start_next_cycle()
            self._owner.checkin(self._key, conn)
            return
        conn.close()
