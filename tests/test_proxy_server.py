"""ProxyClient against a real HTTP module proxy on 127.0.0.1 with latency and faults.

Whatever the server does — 429 with Retry-After, 500s, connection resets, truncated or
garbage bodies, 404s — the client either gets the right bytes or fails loudly, and nothing
corrupt ever lands in its cache.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import anyio
import pytest
from owncache import own_files
from proxyserver import Fault, ProxyServer
from universe import Universe, escape

from analysis.cache import CacheStack
from analysis.errors import ChecksumMismatch, ProxyError
from analysis.goenv import GoEnv
from analysis.goproxy import FetchEvent, RetryPolicy
from analysis.hashes import GoSum, gomod_hash
from analysis.module import ModuleVersion
from analysis.proxy import ProxyClient

FAST = RetryPolicy(attempts=5, base_delay=0.01, max_delay=0.05, retry_after_cap=2.0)


def small_universe(root: Path) -> Path:
    u = Universe()
    u.add("example.com/a", "v1.0.0")
    u.add("example.com/a", "v1.1.0", requires=[("example.com/Big", "v1.0.0")])
    u.add("example.com/Big", "v1.0.0", requires=[("example.com/a", "v1.0.0")])
    u.add("example.com/Big", "v1.0.0-RC1")
    for i in range(60):
        u.add(f"example.com/many/m{i}", "v1.0.0")
    return u.write(root).proxy_dir


def make_client(url: str, own: Path, **kw: Any) -> tuple[ProxyClient, list[FetchEvent]]:
    kw.setdefault("retry", FAST)
    kw.setdefault("timeout", 5.0)
    client = ProxyClient(GoEnv(goproxy=url), caches=CacheStack.for_env("", own), **kw)
    events: list[FetchEvent] = []
    client.subscribe(events.append)
    return client, events


def assert_cache_matches(own: Path, proxy_dir: Path) -> int:
    """Every cached .mod is byte-identical to the proxy's; every .info names its version."""
    checked = 0
    for name, data in own_files(own).items():
        assert not name.endswith(".tmp"), f"leftover temp file {name}"
        if name.endswith(".mod"):
            assert data == (proxy_dir / name).read_bytes(), name
            checked += 1
        elif name.endswith(".info"):
            ours = json.loads(data)
            theirs = json.loads((proxy_dir / name).read_bytes())
            assert ours["Version"] == theirs["Version"] and ours["Time"] == theirs["Time"]
            checked += 1
        elif name.endswith("/list"):
            served = (proxy_dir / name).read_text().split()
            assert sorted(data.decode().split()) == sorted(served)
    return checked


# -- the server itself --------------------------------------------------------------------------


def test_server_serves_layout_and_faults(tmp_path: Path) -> None:
    proxy = small_universe(tmp_path / "u")
    with ProxyServer(proxy) as server:
        url = server.url + "/example.com/%21big/@v/v1.0.0-%21r%21c1.mod"
        with urllib.request.urlopen(url) as resp:
            assert resp.read() == b"module example.com/Big\n\ngo 1.17\n"
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(server.url + "/example.com/nope/@v/list")
        assert info.value.code == 404
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(server.url + "/../../etc/passwd")
        server.add_fault(r"/@v/list$", Fault.status_code(429, retry_after="3"), times=1)
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(server.url + "/example.com/a/@v/list")
        assert info.value.code == 429 and info.value.headers["Retry-After"] == "3"
        with urllib.request.urlopen(server.url + "/example.com/a/@v/list") as resp:
            assert resp.read() == b"v1.0.0\nv1.1.0\n"
        assert server.count("/example.com/a/") == 2


# -- faults, one at a time ----------------------------------------------------------------------

FAULTS = [
    ("429", r"\.mod$", Fault.status_code(429, retry_after="0")),
    ("500", r"/@v/list$", Fault.status_code(500, b"internal error\n")),
    ("503", r"\.info$", Fault.status_code(503)),
    ("reset", r"\.mod$", Fault.reset()),
    ("truncate", r"\.mod$", Fault.truncate(0.5)),
    ("truncate-chunked", r"\.mod$", Fault.truncate_chunked(0.6)),
    ("truncate-list", r"/@v/list$", Fault.truncate_chunked(0.5)),
    ("garbage-mod", r"\.mod$", Fault.garbage()),
    ("garbage-info", r"\.info$", Fault.garbage(b"<html>oops</html>")),
    ("garbage-list", r"/@v/list$", Fault.garbage(b"<!DOCTYPE html><p>captive portal</p>\n")),
    ("slow", r"\.mod$", Fault.slow(0.2)),
]


@pytest.mark.parametrize(("name", "pattern", "fault"), FAULTS, ids=[f[0] for f in FAULTS])
def test_recovers_from_transient_fault(
    tmp_path: Path, name: str, pattern: str, fault: Fault
) -> None:
    proxy = small_universe(tmp_path / "u")
    own = tmp_path / "own"
    with ProxyServer(proxy) as server:
        server.add_fault(pattern, fault, times=2)
        client, events = make_client(server.url, own)

        async def main() -> None:
            async with client:
                listed = await client.versions("example.com/Big")
                assert listed.versions == ("v1.0.0-RC1", "v1.0.0")
                info = await client.stat("example.com/Big", "v1.0.0")
                assert info.version == "v1.0.0"
                for v in ("v1.0.0", "v1.0.0-RC1"):
                    mod = await client.gomod("example.com/Big", v)
                    assert (
                        mod.data
                        == (proxy / "example.com/!big/@v" / f"{escape(v)}.mod").read_bytes()
                    )

        anyio.run(main)
    if name != "slow":
        assert any(e.outcome == "retry" for e in events), name
    assert assert_cache_matches(own, proxy) >= 3


def test_persistent_truncation_with_gosum_is_a_checksum_error(tmp_path: Path) -> None:
    proxy = small_universe(tmp_path / "u")
    own = tmp_path / "own"
    good = (proxy / "example.com/a/@v/v1.1.0.mod").read_bytes()
    sums = GoSum()
    sums.add("example.com/a", "v1.1.0/go.mod", gomod_hash(good))
    with ProxyServer(proxy) as server:
        # Without a Content-Length the cut is invisible to HTTP; only go.sum can tell.
        server.add_fault(r"a/@v/v1\.1\.0\.mod$", Fault.garbage(good[:-9]), times=None)
        client, events = make_client(server.url, own, gosum=sums)

        async def main() -> None:
            async with client:
                with pytest.raises(ChecksumMismatch) as info:
                    await client.gomod("example.com/a", "v1.1.0")
                assert gomod_hash(good) in str(info.value)
                assert gomod_hash(good[:-9]) in str(info.value)
                assert server.url in str(info.value)

        anyio.run(main)
    assert not (own / "example.com/a/@v/v1.1.0.mod").exists()
    assert [e.outcome for e in events][-1] == "error"


def test_persistent_garbage_without_gosum_is_refused(tmp_path: Path) -> None:
    proxy = small_universe(tmp_path / "u")
    own = tmp_path / "own"
    with ProxyServer(proxy) as server:
        server.add_fault(r"\.mod$", Fault.garbage(b"\x00\x01\x02 garbage"), times=None)
        client, _ = make_client(server.url, own)

        async def main() -> None:
            async with client:
                with pytest.raises(ProxyError, match="invalid response"):
                    await client.gomod("example.com/a", "v1.0.0")

        anyio.run(main)
    assert not list(own.rglob("*.mod")) if own.exists() else True


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    proxy = small_universe(tmp_path / "u")
    with ProxyServer(proxy) as server:
        server.add_fault(r"/@v/list$", Fault.status_code(429, retry_after="1"), times=1)
        client, events = make_client(server.url, tmp_path / "own")

        async def main() -> None:
            async with client:
                await client.versions("example.com/a")

        start = time.monotonic()
        anyio.run(main)
        elapsed = time.monotonic() - start
    assert [e.status for e in events] == [429, 200]
    assert elapsed >= 0.9


def test_not_found_falls_through_to_the_next_entry(tmp_path: Path) -> None:
    proxy = small_universe(tmp_path / "u")
    empty = tmp_path / "empty"
    empty.mkdir()
    with ProxyServer(empty) as first, ProxyServer(proxy) as second:
        client, events = make_client(f"{first.url},{second.url}", tmp_path / "own")

        async def main() -> None:
            async with client:
                assert (await client.versions("example.com/a")).origin == second.url
                await client.gomod("example.com/a", "v1.1.0")

        anyio.run(main)
        assert first.count() == 2 and second.count() == 2
    assert [e.outcome for e in events] == ["not_found", "fallthrough", "ok"] * 2


def test_server_error_does_not_fall_through_on_comma(tmp_path: Path) -> None:
    proxy = small_universe(tmp_path / "u")
    with ProxyServer(proxy) as first, ProxyServer(proxy) as second:
        first.add_fault(r".", Fault.status_code(500), times=None)
        client, _ = make_client(f"{first.url},{second.url}", tmp_path / "own")

        async def main() -> None:
            async with client:
                with pytest.raises(ProxyError, match="500"):
                    await client.versions("example.com/a")

        anyio.run(main)
        assert first.count() == FAST.attempts and second.count() == 0


def test_pipe_falls_through_on_server_error(tmp_path: Path) -> None:
    proxy = small_universe(tmp_path / "u")
    with ProxyServer(proxy) as first, ProxyServer(proxy) as second:
        first.add_fault(r".", Fault.reset(), times=None)
        client, _ = make_client(f"{first.url}|{second.url}", tmp_path / "own")

        async def main() -> None:
            async with client:
                assert (await client.versions("example.com/a")).versions == ("v1.0.0", "v1.1.0")

        anyio.run(main)
        assert second.count() == 1


def test_concurrency_beats_latency(tmp_path: Path) -> None:
    """40 go.mod files behind 100 ms of latency: concurrent fetching, keep-alive reuse."""
    proxy = small_universe(tmp_path / "u")
    mods = [ModuleVersion(f"example.com/many/m{i}", "v1.0.0") for i in range(40)]
    with ProxyServer(proxy, latency=0.1) as server:
        client, events = make_client(server.url, tmp_path / "own")

        async def main() -> None:
            async with client:
                results = await client.gomods(mods)
                assert all(not isinstance(r, Exception) for r in results.values())

        start = time.monotonic()
        anyio.run(main)
        elapsed = time.monotonic() - start
    sequential = 40 * 0.1
    print(f"\n40 go.mod at 100 ms latency: {elapsed:.2f}s (sequential would be {sequential:.1f}s)")
    assert len([e for e in events if e.outcome == "ok"]) == 40
    assert elapsed < sequential / 2


def test_per_request_timeout_then_retry(tmp_path: Path) -> None:
    proxy = small_universe(tmp_path / "u")
    with ProxyServer(proxy) as server:
        server.add_fault(r"/@v/list$", Fault.slow(1.5), times=1)
        client, events = make_client(server.url, tmp_path / "own", timeout=0.5)

        async def main() -> None:
            async with client:
                assert (await client.versions("example.com/a")).versions == ("v1.0.0", "v1.1.0")

        anyio.run(main)
    assert [e.outcome for e in events] == ["retry", "ok"]
    assert "timeout" in events[0].error
