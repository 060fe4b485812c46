"""analysis.loader through ProxySource and ProxyClient, against a real HTTP module proxy.

The loader's graph is checked byte for byte against the go command elsewhere
(``test_loader_differential.py``, straight from the proxy directory); here the same graph
must come out when every go.mod travels over HTTP — through faults, 404 fall-through,
go.sum checks, GOPRIVATE, the caches and offline mode — and nothing corrupt may be cached.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import shutil
import ssl
import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from owncache import own_files
from proxyserver import Fault, ProxyServer, SecureEcho
from test_proxy_server import assert_cache_matches
from universe import Layout, escape, random_universe

from analysis.cache import CacheStack
from analysis.errors import (
    ChecksumMismatch,
    GomodxError,
    ModuleLoadError,
    ModuleNotFound,
    ProxyError,
)
from analysis.goenv import GoEnv
from analysis.goproxy import FetchEvent, RetryPolicy
from analysis.hashes import GoSum
from analysis.loader import (
    DirectorySource,
    LoadedGraph,
    load_module_graph,
    load_module_graph_sync,
)
from analysis.proxy import ProxyClient
from analysis.source import ProxySource
from analysis.transport import KeepAliveTransport as keepalive_transport

FAST = RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.05, retry_after_cap=1.0)


def universe(tmp_path: Path, seed: int = 5, modules: int = 30, versions: int = 4) -> Layout:
    return random_universe(seed, modules, versions, zips=False).write(tmp_path / f"u{seed}")


def expected(layout: Layout) -> str:
    """The graph read straight from the proxy directory (itself checked against go)."""
    return load_module_graph_sync(layout.main_dir, DirectorySource(layout.proxy_dir)).graph.text()


def load(
    layout: Layout, goproxy: str, own: Path, *, jobs: int = 16, **kw: Any
) -> tuple[LoadedGraph, list[FetchEvent]]:
    """Load the graph through a fresh ProxyClient (with the CLI's transport over HTTP)."""
    env: GoEnv = kw.pop("env", None) or GoEnv(goproxy=goproxy)
    kw.setdefault("retry", FAST)
    kw.setdefault("timeout", 5.0)
    events: list[FetchEvent] = []

    async def go() -> LoadedGraph:
        transport = keepalive_transport(jobs)
        client = ProxyClient(
            env,
            caches=CacheStack.for_env("", own),
            concurrency=jobs,
            transport=transport,
            use_go=False,
            **kw,
        )
        client.subscribe(events.append)
        try:
            async with client:
                return await load_module_graph(
                    layout.main_dir, ProxySource(client), concurrency=jobs
                )
        finally:
            await transport.aclose()

    return anyio.run(go), events


def mod_requests(server: ProxyServer) -> list[str]:
    return [r.path for r in server.requests if r.path.endswith(".mod")]


# -- the happy path, and what the caches make of it ---------------------------------------------


def test_graph_over_http_is_the_graph(tmp_path: Path) -> None:
    layout = universe(tmp_path)
    with ProxyServer(layout.proxy_dir, latency=0.002) as server:
        url = server.url
        loaded, events = load(layout, url, tmp_path / "own")
        assert loaded.graph.text() == expected(layout)
        requested = mod_requests(server)
    # Each go.mod at most once, however many requirers asked for it at the same time.
    assert len(requested) == len(set(requested)) == loaded.fetches
    oks = [e for e in events if e.outcome == "ok"]
    assert len(oks) == loaded.fetches
    assert all(e.kind == "mod" and e.status == 200 and e.cache == "miss" for e in oks)
    assert all(e.proxy == url and e.url.startswith(url) for e in oks)
    assert assert_cache_matches(tmp_path / "own", layout.proxy_dir) == loaded.fetches


def test_second_load_comes_from_the_cache_and_offline_too(tmp_path: Path) -> None:
    layout = universe(tmp_path, seed=6)
    want = expected(layout)
    own = tmp_path / "own"
    with ProxyServer(layout.proxy_dir) as server:
        first, _ = load(layout, server.url, own)
        before = len(server.requests)
        again, events = load(layout, server.url, own)
        assert len(server.requests) == before  # not one request more
    assert first.graph.text() == again.graph.text() == want
    assert events and all(e.outcome == "cache_hit" and e.cache == "hit" for e in events)
    # The proxy is gone for good: offline answers are the same.
    offline, _ = load(layout, "http://127.0.0.1:9", own, offline=True)
    assert offline.graph.text() == want


def test_offline_without_a_cache_says_so_like_go(tmp_path: Path) -> None:
    layout = universe(tmp_path, seed=7)
    with pytest.raises(ModuleLoadError) as info:
        load(layout, "http://127.0.0.1:9", tmp_path / "empty", offline=True)
    assert "not in the module cache (offline mode)" in str(info.value)
    assert isinstance(info.value.err, ModuleNotFound)


# -- faults --------------------------------------------------------------------------------------


FAULTS = [
    Fault.status_code(429, retry_after="0"),
    Fault.status_code(429, retry_after="1"),
    Fault.status_code(500, b"try again"),
    Fault.status_code(503),
    Fault.reset(),
    Fault.truncate(),
    Fault.truncate_chunked(),
    Fault.garbage(),
    Fault.garbage(b"module example.com/m0\n\nrequire (\n"),  # cut inside a block
]


def inject_faults(server: ProxyServer, layout: Layout, rng: random.Random, count: int) -> None:
    """Fault ``count`` go.mod files, at most three times each (every request can recover)."""
    files = sorted(p for p in layout.proxy_dir.rglob("*.mod"))
    for f in rng.sample(files, k=min(count, len(files))):
        rel = "/" + f.relative_to(layout.proxy_dir).as_posix()
        fault = rng.choice(FAULTS)
        server.add_fault(rf"^{re.escape(rel)}$", fault, times=rng.randint(1, 3))


def test_faults_are_survived_and_nothing_corrupt_is_cached(tmp_path: Path) -> None:
    layout = universe(tmp_path, seed=8, modules=40)
    want = expected(layout)
    with ProxyServer(layout.proxy_dir) as server:
        inject_faults(server, layout, random.Random(8), count=60)
        loaded, events = load(layout, server.url, tmp_path / "own")
        outcomes = {r.outcome for r in server.requests}
    assert loaded.graph.text() == want
    retried = [e for e in events if e.outcome == "retry"]
    assert retried and max(e.attempt for e in events) >= 2
    assert {"429", "reset", "truncate", "garbage"} <= outcomes
    assert assert_cache_matches(tmp_path / "own", layout.proxy_dir) == loaded.fetches


def test_a_fault_that_never_ends_is_a_go_shaped_error_and_caches_nothing(tmp_path: Path) -> None:
    layout = universe(tmp_path, seed=9)
    with ProxyServer(layout.proxy_dir) as server:
        server.add_fault(r"\.mod$", Fault.status_code(500, b"down for maintenance"), times=None)
        with pytest.raises(ModuleLoadError) as info:
            load(layout, server.url, tmp_path / "own")
    text = str(info.value)
    assert "500 Internal Server Error" in text and "(after 5 attempts)" in text
    assert text.split(":")[0].count("@") == 1  # path@version: …, as go words it
    assert not [n for n in own_files(tmp_path / "own") if n.endswith(".mod")]


def test_not_found_falls_through_to_the_next_proxy(tmp_path: Path) -> None:
    layout = universe(tmp_path, seed=10)
    want = expected(layout)
    half = tmp_path / "half"
    for i, f in enumerate(sorted(layout.proxy_dir.rglob("*.mod"))):
        if i % 2 == 0:
            target = half / f.relative_to(layout.proxy_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(f.read_bytes())
    with ProxyServer(half) as first, ProxyServer(layout.proxy_dir) as second:
        loaded, events = load(layout, f"{first.url},{second.url}", tmp_path / "own")
        assert loaded.graph.text() == want
        through = [e for e in events if e.outcome == "fallthrough"]
        assert through and all(e.proxy == first.url for e in through)
        answered = {e.proxy for e in events if e.outcome == "ok"}
        assert answered == {first.url, second.url}
        # "," falls through on 404 only; "|" on any error.
        first.add_fault(r"\.mod$", Fault.status_code(500), times=None)
        with pytest.raises(ModuleLoadError, match="500 Internal Server Error"):
            load(layout, f"{first.url},{second.url}", tmp_path / "own2")
        loaded, _ = load(layout, f"{first.url}|{second.url}", tmp_path / "own3")
        assert loaded.graph.text() == want


# -- what the user's settings say -----------------------------------------------------------------


def test_go_sum_mismatch_is_refused_and_not_cached(tmp_path: Path) -> None:
    layout = universe(tmp_path, seed=11)
    loaded = load_module_graph_sync(layout.main_dir, DirectorySource(layout.proxy_dir))
    victim = next(m for m in loaded.graph.required(loaded.graph.main) if m.version)
    lie = "h1:" + "A" * 43 + "="
    gosum = GoSum.parse(f"{victim.path} {victim.version}/go.mod {lie}\n".encode())
    with ProxyServer(layout.proxy_dir) as server, pytest.raises(ModuleLoadError) as info:
        load(layout, server.url, tmp_path / "own", gosum=gosum)
    assert isinstance(info.value.err, ChecksumMismatch)
    assert f"verifying {victim}/go.mod: checksum mismatch" in str(info.value)
    cached = f"{escape(victim.path)}/@v/{escape(victim.version)}.mod"
    assert cached not in own_files(tmp_path / "own")


def test_private_modules_never_reach_the_proxy(tmp_path: Path) -> None:
    layout = universe(tmp_path, seed=12)
    loaded = load_module_graph_sync(layout.main_dir, DirectorySource(layout.proxy_dir))
    private = next(m.path for m in loaded.graph.required(loaded.graph.main) if m.version)
    with ProxyServer(layout.proxy_dir) as server:
        env = GoEnv(goproxy=server.url, gonoproxy=private, goprivate=private)
        with pytest.raises(GomodxError) as info:
            load(layout, server.url, tmp_path / "own", env=env)
        assert not any(escape(private) + "/@v/" in p for p in mod_requests(server))
    assert "GOPRIVATE" in str(info.value) or "GONOPROXY" in str(info.value)
    assert isinstance(info.value, ModuleLoadError | ProxyError)


# -- the CLI's transport --------------------------------------------------------------------------


def test_keepalive_transport_reuses_connections_through_faults(tmp_path: Path) -> None:
    layout = universe(tmp_path, seed=17, modules=40)  # 105 go.mod files
    transport: Any = keepalive_transport(16)
    connects = 0
    connect = transport.connect

    async def counting(*args: Any) -> Any:
        nonlocal connects
        connects += 1
        return await connect(*args)

    transport.connect = counting

    async def go() -> LoadedGraph:
        client = ProxyClient(
            GoEnv(goproxy=server.url),
            caches=CacheStack(None, None),
            concurrency=16,
            transport=transport,
            retry=FAST,
        )
        async with client:
            return await load_module_graph(layout.main_dir, ProxySource(client), concurrency=16)

    with ProxyServer(layout.proxy_dir, latency=0.005) as server:
        server.add_fault(r"\.mod$", Fault.reset(), times=3)
        server.add_fault(r"\.mod$", Fault.truncate(), times=3)
        server.add_fault(r"\.mod$", Fault.truncate_chunked(), times=3)
        loaded = anyio.run(go)
        served = len(server.requests)
    assert loaded.graph.text() == expected(layout)
    # Every fault costs its connection; otherwise at most 16 connections carry everything.
    assert served > 100 and connects <= 16 + 9
    assert sum(len(idle) for idle in transport._idle.values()) <= 16


async def _tiny_server(answer: Callable[[asyncio.StreamWriter], Awaitable[None]]) -> Any:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            await reader.readuntil(b"\r\n\r\n")
            await answer(writer)
        writer.close()

    return await asyncio.start_server(handle, "127.0.0.1", 0)


def test_keepalive_transport_edge_cases() -> None:
    async def once_then_close(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        await writer.drain()
        await asyncio.sleep(0.05)  # the client parks the connection, then the server hangs up

    async def truncated(writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf")

    async def silent(writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    async def main() -> None:
        transport: Any = keepalive_transport()
        async with httpx.AsyncClient(transport=transport, timeout=0.5) as http:
            server = await _tiny_server(once_then_close)
            url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
            for _ in range(3):  # each reuse finds a closed connection and starts afresh
                response = await http.get(url)
                assert (response.status_code, response.content) == (200, b"ok")
                await asyncio.sleep(0.1)
            server.close()

            server = await _tiny_server(truncated)
            url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
            with pytest.raises(httpx.RemoteProtocolError):
                await http.get(url)
            server.close()

            server = await _tiny_server(silent)
            url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/x"
            with pytest.raises(httpx.ReadTimeout):
                await http.get(url)
            server.close()

            with pytest.raises(httpx.ConnectError):
                await http.get("http://127.0.0.1:9/x")

    asyncio.run(main())


def test_keepalive_transport_speaks_tls(tmp_path: Path) -> None:
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
    ]
    request += ["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
    request += ["-keyout", str(key), "-out", str(cert)]
    subprocess.run([openssl, *request], check=True, capture_output=True)
    server = SecureEcho(cert, key)

    async def main() -> None:
        url = await server.start() + "/m/@v/list"
        trusted = ssl.create_default_context(cafile=str(cert))
        async with httpx.AsyncClient(transport=keepalive_transport(tls=trusted)) as http:
            for _ in range(3):
                assert (await http.get(url)).content == b"secure"
        # The default context (certifi's CAs) refuses the self-signed certificate.
        async with httpx.AsyncClient(transport=keepalive_transport()) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(url)
        server.close()

    asyncio.run(main())
    assert server.connections == 1  # three requests, one connection (the refused one never got in)
