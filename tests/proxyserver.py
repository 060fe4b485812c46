"""A real, threaded Go module proxy on 127.0.0.1 for integration tests.

It serves a directory in GOPROXY layout (what :mod:`tests.universe` writes, or a
``$GOMODCACHE/cache/download``) over HTTP/1.1 with keep-alive, and can be told to misbehave:

* ``latency``: a delay before every response (and per-fault delays);
* faults matched by a regular expression on the decoded request path, each applied a given
  number of times (``times=None``: forever) — a status with optional headers and body
  (``429`` with ``Retry-After``, ``500``, ``404``...), a connection reset before any
  response, a body truncated below its announced Content-Length, a truncated body without
  Content-Length (chunked, then the connection is closed), garbage instead of the file, or
  the right file trickled out a byte at a time (``Fault.trickle``) — a server that never
  stalls long enough for a read timeout, yet would take minutes to finish.

>>> with ProxyServer(root) as server:                      # doctest: +SKIP
...     server.add_fault(r"/@v/list$", Fault.status(429, retry_after="1"), times=2)
...     url = server.url                                   # http://127.0.0.1:PORT

A server may also demand HTTP Basic credentials (``auth=(user, password)``: 401 with
``WWW-Authenticate`` otherwise), speak TLS (``tls=(certfile, keyfile)``; see
:func:`self_signed`), or hide paths (``hide``: a regular expression answered 404, as a
public proxy answers for a private module). :func:`dead_url` names a port nothing listens on, :func:`stalled_url` one that
never answers.

Every request is logged in ``server.requests`` (path, status or fault kind, time) once
answered; ``server.received(pattern)`` counts them as they arrive.
"""

from __future__ import annotations

import base64
import contextlib
import datetime
import ipaddress
import re
import socket
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["Fault", "ProxyServer", "RequestRecord", "dead_url", "self_signed", "stalled_url"]


@dataclass(frozen=True)
class Fault:
    """One kind of misbehaviour; build with the class methods."""

    kind: str  # "status" | "reset" | "truncate" | "truncate_chunked" | "garbage" | "delay"
    # | "trickle"
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    delay: float = 0.0
    keep: float = 0.5  # fraction of the body sent by the truncating faults
    interval: float = 0.0  # seconds between the bytes of a trickled body

    @classmethod
    def status_code(
        cls, status: int, body: bytes = b"", retry_after: str | None = None, delay: float = 0.0
    ) -> Fault:
        headers: list[tuple[str, str]] = [("Content-Type", "text/plain; charset=utf-8")]
        if retry_after is not None:
            headers.append(("Retry-After", retry_after))
        return cls("status", status=status, headers=tuple(headers), body=body, delay=delay)

    @classmethod
    def reset(cls) -> Fault:
        """Close the connection (RST) without answering."""
        return cls("reset")

    @classmethod
    def truncate(cls, keep: float = 0.5) -> Fault:
        """Announce the full Content-Length, send only part of the body, close."""
        return cls("truncate", keep=keep)

    @classmethod
    def truncate_chunked(cls, keep: float = 0.5) -> Fault:
        """No Content-Length: send part of the body and close, so only parsing can tell."""
        return cls("truncate_chunked", keep=keep)

    @classmethod
    def garbage(cls, body: bytes = b"\x00\xffnot what you asked for\n") -> Fault:
        """A 200 answer with a well-formed length but the wrong content."""
        return cls("garbage", body=body)

    @classmethod
    def slow(cls, delay: float) -> Fault:
        """Answer correctly, after ``delay`` seconds."""
        return cls("delay", delay=delay)

    @classmethod
    def trickle(cls, interval: float = 1.0) -> Fault:
        """Announce the full Content-Length at once, then send the body one byte every
        ``interval`` seconds (1 byte/s by default)."""
        return cls("trickle", interval=interval)


@dataclass
class _Rule:
    pattern: re.Pattern[str]
    fault: Fault
    remaining: int | None


@dataclass(frozen=True)
class RequestRecord:
    path: str
    outcome: str  # status code as text, or the fault kind
    at: float


@dataclass
class _State:
    root: Path
    latency: float = 0.0
    auth: str | None = None  # the expected Authorization header
    hide: re.Pattern[str] | None = None
    rules: list[_Rule] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)
    arrived: list[str] = field(default_factory=list)  # paths, as requests come in
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    sumdb: tuple[str, str] | None = None  # (name, the database's URL) it also serves
    holds: list[tuple[re.Pattern[str], re.Pattern[str], threading.Event]] = field(
        default_factory=list
    )

    def hold(self, path: str) -> None:
        """Release the holds ``path`` satisfies, then wait while a hold covers ``path``."""
        with self.lock:
            for _, until, released in self.holds:
                if until.search(path):
                    released.set()
            waiting = [ev for rx, _, ev in self.holds if rx.search(path) and not ev.is_set()]
        for released in waiting:
            while not released.wait(0.05):
                if self.stopping.is_set():
                    return

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for rule in self.rules:
                if rule.remaining == 0 or not rule.pattern.search(path):
                    continue
                if rule.remaining is not None:
                    rule.remaining -= 1
                return rule.fault
        return None

    def log(self, path: str, outcome: str) -> None:
        with self.lock:
            self.requests.append(RequestRecord(path, outcome, time.monotonic()))

    def arrive(self, path: str) -> None:
        with self.lock:
            self.arrived.append(path)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def do_GET(self) -> None:
        state = self.server.state
        raw_path = urllib.parse.urlsplit(self.path).path
        path = urllib.parse.unquote(raw_path)
        state.arrive(path)
        state.hold(path)
        if state.latency:
            time.sleep(state.latency)
        if state.auth is not None and self.headers.get("Authorization") != state.auth:
            state.log(path, "401")
            headers = (*_TEXT, ("WWW-Authenticate", 'Basic realm="proxy"'))
            self._send(401, b"401 Unauthorized\n", headers)
            return
        if state.hide is not None and state.hide.search(path):
            state.log(path, "404")
            self._send(404, b"not found: " + path.encode() + b"\n", _TEXT)
            return
        fault = state.take_fault(path)
        if fault is not None and fault.delay:
            time.sleep(fault.delay)
        if fault is not None and fault.kind == "reset":
            state.log(path, "reset")
            self._reset()
            return
        if fault is not None and fault.kind == "status":
            state.log(path, str(fault.status))
            self._send(fault.status, fault.body, fault.headers)
            return
        sumdb = state.sumdb
        if sumdb is not None and path.startswith(f"/sumdb/{sumdb[0]}/"):
            data = self._sumdb(path, raw_path)
        else:
            data = self._read(path)
        if data is None:
            state.log(path, "404")
            self._send(404, b"not found: " + path.encode() + b"\n", _TEXT)
            return
        if fault is not None and fault.kind == "garbage":
            state.log(path, "garbage")
            self._send(200, fault.body, ())
            return
        if fault is not None and fault.kind == "truncate":
            state.log(path, "truncate")
            cut = data[: int(len(data) * fault.keep)]
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(cut)
            self.wfile.flush()
            self.close_connection = True
            return
        if fault is not None and fault.kind == "trickle":
            state.log(path, "trickle")
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.flush()
            for i in range(len(data)):
                if state.stopping.wait(fault.interval):
                    break  # the server is shutting down: leave the answer unfinished
                try:
                    self.wfile.write(data[i : i + 1])
                    self.wfile.flush()
                except OSError:
                    break  # the client gave up
            self.close_connection = True
            return
        if fault is not None and fault.kind == "truncate_chunked":
            state.log(path, "truncate_chunked")
            cut = data[: int(len(data) * fault.keep)]
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            if cut:
                self.wfile.write(f"{len(cut):x}\r\n".encode() + cut + b"\r\n")
            self.wfile.flush()
            self.close_connection = True
            self._reset()
            return
        state.log(path, "200")
        self._send(200, data, ())

    def _sumdb(self, path: str, raw_path: str) -> bytes | None:
        """A checksum database served through the proxy (``<proxy>/sumdb/<name>/...``,
        as proxy.golang.org serves sum.golang.org): ``supported`` answers 200, the rest
        is forwarded to the database's own URL."""
        name, upstream = self.server.state.sumdb or ("", "")
        prefix = f"/sumdb/{name}/"
        if path == prefix + "supported":
            return b""
        rest = raw_path[len("/sumdb/") + len(urllib.parse.quote(name)) :]
        try:
            with urllib.request.urlopen(upstream.rstrip("/") + rest, timeout=30) as answer:
                data: bytes = answer.read()
                return data
        except urllib.error.HTTPError:
            return None

    def _read(self, path: str) -> bytes | None:
        root = self.server.state.root.resolve()
        target = (root / path.lstrip("/")).resolve()
        if root != target and root not in target.parents:
            return None
        try:
            return target.read_bytes() if target.is_file() else None
        except OSError:
            return None

    def _send(self, status: int, body: bytes, headers: tuple[tuple[str, str], ...]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _reset(self) -> None:
        # SO_LINGER 0 turns close() into a TCP RST: the client sees a reset, not an EOF.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
            )
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.close()


_TEXT = (("Content-Type", "text/plain; charset=utf-8"),)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, state: _State, tls: ssl.SSLContext | None = None) -> None:
        self.state = state
        self.tls = tls
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, addr = super().get_request()
        if self.tls is not None:
            conn = self.tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False)
        return conn, addr

    def finish_request(self, request: Any, client_address: Any) -> None:
        if isinstance(request, ssl.SSLSocket):
            try:
                request.do_handshake()  # in the handler's thread: a bad client blocks no one
            except (OSError, ssl.SSLError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that give up (timeouts, retries) close their end: not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class ProxyServer:
    """Serve ``root`` (GOPROXY layout) on ``http://127.0.0.1:PORT`` in a background thread."""

    def __init__(
        self,
        root: Path,
        latency: float = 0.0,
        *,
        auth: tuple[str, str] | None = None,
        tls: tuple[Path, Path] | None = None,
        hide: str | None = None,
        sumdb: tuple[str, str] | None = None,
    ) -> None:
        """``sumdb``: ``(name, url)`` of a checksum database to serve under
        ``/sumdb/<name>/`` (``supported``, then every request forwarded to ``url``)."""
        expected = None
        if auth is not None:
            expected = "Basic " + base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        self._state = _State(
            Path(root),
            latency,
            expected,
            re.compile(hide) if hide is not None else None,
            sumdb=sumdb,
        )
        self._tls: ssl.SSLContext | None = None
        if tls is not None:
            self._tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._tls.load_cert_chain(str(tls[0]), str(tls[1]))
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> ProxyServer:
        self._state.stopping.clear()
        self._server = _Server(self._state, self._tls)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._state.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> ProxyServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- configuration ----------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "server not started"
        host, port = self._server.server_address[:2]
        return f"{'https' if self._tls is not None else 'http'}://{host!s}:{port}"

    @property
    def latency(self) -> float:
        return self._state.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._state.latency = seconds

    def add_fault(self, pattern: str, fault: Fault, times: int | None = 1) -> None:
        """Apply ``fault`` to the next ``times`` requests whose decoded path matches."""
        with self._state.lock:
            self._state.rules.append(_Rule(re.compile(pattern), fault, times))

    def hold(self, pattern: str, until: str) -> None:
        """Answer no request whose decoded path matches ``pattern`` before a request
        matching ``until`` has arrived: a way to wait for a client's state (a request it
        makes) instead of for time."""
        with self._state.lock:
            self._state.holds.append((re.compile(pattern), re.compile(until), threading.Event()))

    def clear_faults(self) -> None:
        with self._state.lock:
            self._state.rules.clear()

    @property
    def requests(self) -> list[RequestRecord]:
        with self._state.lock:
            return list(self._state.requests)

    def count(self, pattern: str = "") -> int:
        """How many requests (matching ``pattern``) were received."""
        rx = re.compile(pattern)
        return sum(1 for r in self.requests if rx.search(r.path))

    def received(self, pattern: str = "") -> int:
        """How many requests (matching ``pattern``) have arrived, answered or not
        (``requests`` logs them once answered)."""
        rx = re.compile(pattern)
        with self._state.lock:
            return sum(1 for p in self._state.arrived if rx.search(p))

    def iter_requests(self) -> Iterator[RequestRecord]:
        yield from self.requests


_HELD: list[socket.socket] = []


def dead_url() -> str:
    """``http://127.0.0.1:PORT`` where nothing listens: the port stays bound (never
    listening) for the rest of the process, so no server started later can get it, and
    connecting is refused at once."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    _HELD.append(sock)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def stalled_url() -> str:
    """``http://127.0.0.1:PORT`` that accepts connections and never answers: a network
    that drops packets after the handshake (a firewall, a hung middlebox). The listening
    socket is held for the rest of the process and never accepts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(512)
    _HELD.append(sock)
    return f"http://127.0.0.1:{sock.getsockname()[1]}"


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (its own CA) and its key, as PEM files in ``directory``:
    point ``SSL_CERT_FILE`` at the certificate to trust it (go and gomodx both read it)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


class SecureEcho:
    """An HTTPS/1.1 keep-alive server on 127.0.0.1, run by the caller's event loop, that
    answers every request with ``secure`` and counts the connections that got in (a
    refused handshake never does). ``await start()`` gives its base URL."""

    def __init__(self, cert: Path, key: Path) -> None:
        self.tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.tls.load_cert_chain(cert, key)
        self.connections = 0
        self._server: Any = None

    async def start(self) -> str:
        import asyncio

        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.tls)
        return f"https://127.0.0.1:{self._server.sockets[0].getsockname()[1]}"

    async def _handle(self, reader: Any, writer: Any) -> None:
        self.connections += 1
        with contextlib.suppress(Exception):
            while await reader.readuntil(b"\r\n\r\n"):  # keep-alive: answer until EOF
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nsecure")
                await writer.drain()
        writer.close()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
