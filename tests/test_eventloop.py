"""The engine's event loop (analysis/eventloop.py): uvloop where it is installed, asyncio's
when ``GOMODX_EVENT_LOOP=asyncio`` asks for it; on both, host names are looked up with
``socket.getaddrinfo`` in gomodx's daemon executor (so Ctrl+C never waits for a resolver,
tests/test_network_failures.py), and the lean pool tries each address a name has."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from proxyserver import SecureEcho, self_signed

from analysis import eventloop
from analysis.eventloop import loop_name, new_event_loop
from analysis.fetch import unreachable_reason
from analysis.lean import Router

_T = TypeVar("_T")

LOOPS = ["uvloop", "asyncio"]


@pytest.fixture(params=LOOPS)
def loop_kind(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Each loop in turn, as ``GOMODX_EVENT_LOOP`` chooses it."""
    if request.param == "uvloop":
        pytest.importorskip("uvloop")
        monkeypatch.delenv("GOMODX_EVENT_LOOP", raising=False)
    else:
        monkeypatch.setenv("GOMODX_EVENT_LOOP", "asyncio")
    eventloop._uvloop_factory.cache_clear()
    yield request.param
    eventloop._uvloop_factory.cache_clear()


def run(factory: Callable[[], Awaitable[_T]]) -> _T:
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(factory())  # type: ignore[arg-type]


def test_the_loop_is_the_one_asked_for(loop_kind: str) -> None:
    async def main() -> tuple[str, str]:
        loop = asyncio.get_running_loop()
        worker = await loop.run_in_executor(None, lambda: threading.current_thread().name)
        return type(loop).__module__, worker

    module, worker = run(main)
    assert loop_name().split()[0] == loop_kind
    assert module.startswith("asyncio") == (loop_kind == "asyncio")
    assert worker == "gomodx-executor"  # the default executor is a DaemonExecutor


def test_names_are_looked_up_in_gomodx_executor(
    loop_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # uvloop's own getaddrinfo asks libuv's threads, which the process's exit joins.
    seen: list[tuple[Any, str]] = []
    real = socket.getaddrinfo

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append((host, threading.current_thread().name))
        return real("127.0.0.1", *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)

    async def main() -> Any:
        loop = asyncio.get_running_loop()
        return await loop.getaddrinfo("name.invalid", 80, type=socket.SOCK_STREAM)

    infos = run(main)
    assert seen == [("name.invalid", "gomodx-executor")]
    assert infos[0][4] == ("127.0.0.1", 80)


class _Server:
    """An HTTP/1.1 server on 127.0.0.1 answering every GET with ``hello``."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port: int = self.sock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"
                )

    def close(self) -> None:
        self.sock.close()


def _addresses(monkeypatch: pytest.MonkeyPatch, *hosts: str) -> list[str]:
    """``name.invalid`` resolves to ``hosts``, in that order; returns the names looked up."""
    asked: list[str] = []

    def lookup(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        asked.append(host)
        if host != "name.invalid":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (h, int(port))) for h in hosts]

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    return asked


def _get(url: str) -> Any:
    async def main() -> Any:
        router = Router(4, environ={})
        try:
            return await router.lean_get(url, {}, 10.0, 1 << 20)
        finally:
            await router.aclose()

    return run(main)


def test_the_pool_tries_each_address_of_a_name(
    loop_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _Server()
    try:
        # 127.0.0.2 refuses (the server listens on 127.0.0.1 only); the next one answers.
        asked = _addresses(monkeypatch, "127.0.0.2", "127.0.0.1")
        answer = _get(f"http://name.invalid:{server.port}/x")
    finally:
        server.close()
    assert asked == ["name.invalid"]
    assert (answer.status, answer.body) == (200, b"hello")


def test_a_name_whose_every_address_refuses_fails_as_a_refused_connection(
    loop_kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _Server()
    server.close()  # nothing listens on the port now
    _addresses(monkeypatch, "127.0.0.2", "127.0.0.3")
    with pytest.raises(httpx.ConnectError) as caught:
        _get(f"http://name.invalid:{server.port}/x")
    # Go's words for it come from the errno, the same on both loops (their texts differ:
    # asyncio names each address, uvloop says "Connection refused").
    reason = unreachable_reason(
        caught.value.__cause__ or caught.value, f"name.invalid:{server.port}"
    )
    assert reason == f"dial tcp name.invalid:{server.port}: connect: connection refused"


def test_an_address_is_not_looked_up(loop_kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    server = _Server()
    try:
        asked = _addresses(monkeypatch)
        answer = _get(f"http://127.0.0.1:{server.port}/x")
    finally:
        server.close()
    assert asked == []
    assert answer.body == b"hello"


def test_tls_on_each_loop(loop_kind: str, tmp_path: Path) -> None:
    # uvloop brings its own TLS layer: a trusted certificate is spoken to over keep-alive,
    # an untrusted one fails as go says it does, on both loops.
    server = SecureEcho(*self_signed(tmp_path))
    cert = tmp_path / "cert.pem"

    async def main() -> tuple[list[bytes], BaseException | None]:
        url = await server.start() + "/m/@v/list"
        bodies = []
        trusted = Router(4, environ={}, tls=ssl.create_default_context(cafile=str(cert)))
        try:
            for _ in range(3):
                answer = await trusted.lean_get(url, {}, 10.0, 1 << 20)
                bodies.append(answer.body if answer is not None else b"")
        finally:
            await trusted.aclose()
        refused: BaseException | None = None
        untrusted = Router(4, environ={}, tls=ssl.create_default_context())
        try:
            await untrusted.lean_get(url, {}, 10.0, 1 << 20)
        except httpx.ConnectError as exc:
            refused = exc
        finally:
            await untrusted.aclose()
        server.close()
        return bodies, refused

    bodies, refused = run(main)
    assert bodies == [b"secure"] * 3
    assert (
        server.connections == 1
    )  # three requests, one kept connection (the refused one never got in)
    assert refused is not None
    reason = unreachable_reason(refused.__cause__ or refused, "127.0.0.1:443")
    assert reason is not None and reason.startswith("tls: failed to verify certificate")


def test_version_names_the_event_loop(loop_kind: str, capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    line = capsys.readouterr().err  # (argparse prints the version on stderr)
    assert line.startswith("gomodx ") and f"event loop: {loop_kind}" in line
