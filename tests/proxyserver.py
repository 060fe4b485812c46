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

Every request is logged in ``server.requests`` (path, status or fault kind, time) once
answered; ``server.received(pattern)`` counts them as they arrive.
"""

from __future__ import annotations

import contextlib
import re
import socket
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

__all__ = ["Fault", "ProxyServer", "RequestRecord"]


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

    def __init__(self, state: _State) -> None:
        self.state = state
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that give up (timeouts, retries) close their end: not worth a traceback.
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]


class ProxyServer:
    """Serve ``root`` (GOPROXY layout) on ``http://127.0.0.1:PORT`` in a background thread."""

    def __init__(
        self, root: Path, latency: float = 0.0, *, sumdb: tuple[str, str] | None = None
    ) -> None:
        """``sumdb``: ``(name, url)`` of a checksum database to serve under
        ``/sumdb/<name>/`` (``supported``, then every request forwarded to ``url``)."""
        self._state = _State(Path(root), latency, sumdb=sumdb)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> ProxyServer:
        self._state.stopping.clear()
        self._server = _Server(self._state)
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
        return f"http://{host!s}:{port}"

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
