"""``gomodx download`` on a bad network: a real proxy on 127.0.0.1 that fails about a
quarter of requests (429 with Retry-After, 500/503, connection resets, bodies cut short,
garbage), GOPROXY fallthrough, persistent failures by class, and a download killed with
SIGKILL part-way — after which nothing in the cache may look valid unless it is.
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gotool import go_env, run_go
from proxyserver import Fault, ProxyServer
from test_download import (
    assert_cache_sound,
    download_client,
    make_env,
    run_download,
    write_gosum,
)
from universe import Layout, escape, random_universe

from analysis.hashes import GoSum

ROOT = Path(__file__).resolve().parent.parent

_FAULTS = (
    Fault.status_code(429, retry_after="0"),
    Fault.status_code(500),
    Fault.status_code(503, b"upstream timeout\n"),
    Fault.reset(),
    Fault.truncate(),
    Fault.truncate_chunked(),
    Fault.garbage(),
)


def inject_faults(server: ProxyServer, proxy_dir: Path, rng: random.Random, rate: float) -> int:
    """Make ``rate`` of the files fail once or twice, each with a random fault (a few 429s
    ask to wait a second). Returns how many files were given faults."""
    count = 0
    for f in sorted(proxy_dir.rglob("*")):
        if not f.is_file() or rng.random() >= rate:
            continue
        path = "/" + str(f.relative_to(proxy_dir))
        fault = rng.choice(_FAULTS)
        if rng.random() < 0.03:
            fault = Fault.status_code(429, retry_after="1")
        server.add_fault(re.escape(path) + "$", fault, times=rng.choice((1, 1, 2)))
        count += 1
    return count


def fault_ratio(server: ProxyServer) -> float:
    records = server.requests
    bad = sum(1 for r in records if r.outcome != "200")
    return bad / max(1, len(records))


@pytest.mark.go
def test_quarter_of_requests_fail_and_go_then_works_offline(tmp_path: Path) -> None:
    u = random_universe(seed=6, modules=60, versions=4)
    layout = u.write(tmp_path / "u")
    gosum = write_gosum(u, layout)
    pristine = (layout.main_dir / "go.mod").read_bytes()
    cache = tmp_path / "mc"
    with ProxyServer(layout.proxy_dir) as server:
        inject_faults(server, layout.proxy_dir, random.Random(1), rate=0.3)
        s = run_download(layout.main_dir, make_env(server.url, cache, gosumdb="sum.golang.org"))
        ratio = fault_ratio(server)
    assert s.ok, [r.error for r in s.modules if r.error] + [f.message for f in s.errors]
    assert 0.2 <= ratio <= 0.4, ratio
    assert s.retried > 10 and len(s.modules) > 10
    assert all(r.ok and not r.not_in_gosum for r in (*s.modules, *s.gomods))
    assert sum(r.retries for r in (*s.modules, *s.gomods)) == s.retried
    assert_cache_sound(cache, gosum)

    offline = go_env(tmp_path / "go", proxy="off", GOMODCACHE=str(cache))
    run_go(["mod", "download", "all"], layout.main_dir, offline)
    (layout.main_dir / "go.mod").write_bytes(pristine)
    listed = run_go(["list", "-m", "all"], layout.main_dir, offline).stdout
    assert len(listed.splitlines()) == len(s.modules) + 1 + _directory_replacements(layout)


def _directory_replacements(layout: Layout) -> int:
    text = (layout.main_dir / "go.mod").read_text()
    return len(re.findall(r"=> \./", text))


def test_retry_after_is_honoured(tmp_path: Path) -> None:
    u = random_universe(seed=3, modules=8, versions=2)
    layout = u.write(tmp_path / "u")
    write_gosum(u, layout)
    with ProxyServer(layout.proxy_dir) as server:
        server.add_fault(r"\.zip$", Fault.status_code(429, retry_after="1"), times=1)
        s = run_download(layout.main_dir, make_env(server.url, tmp_path / "mc"))
        zips: dict[str, list[float]] = {}
        for r in server.requests:
            if r.path.endswith(".zip"):
                zips.setdefault(r.path, []).append(r.at)
    assert s.ok and s.retried == 1
    first = next(times for times in zips.values() if len(times) == 2)
    assert first[1] - first[0] >= 0.9


def test_goproxy_fallthrough(tmp_path: Path) -> None:
    u = random_universe(seed=3, modules=8, versions=2)
    layout = u.write(tmp_path / "u")
    write_gosum(u, layout)
    empty = tmp_path / "empty"
    empty.mkdir()
    with ProxyServer(layout.proxy_dir) as good, ProxyServer(empty) as nothing:
        # "," falls through on not-found only.
        s = run_download(layout.main_dir, make_env(f"{nothing.url},{good.url}", tmp_path / "a"))
        assert s.ok and s.fell_through > 0
        # "|" falls through on any error: here a proxy that always answers 500.
        nothing.add_fault(".", Fault.status_code(500), times=None)
        s = run_download(layout.main_dir, make_env(f"{nothing.url}|{good.url}", tmp_path / "b"))
        assert s.ok and s.fell_through > 0 and s.retried > 0
        # "," stops at a proxy that is broken rather than missing the module.
        s = run_download(layout.main_dir, make_env(f"{nothing.url},{good.url}", tmp_path / "c"))
        assert not s.ok and s.failed["network"] >= 1


def test_persistent_failures_by_class(tmp_path: Path) -> None:
    u = random_universe(seed=19, modules=30, versions=4)
    layout = u.write(tmp_path / "u")
    gosum = write_gosum(u, layout)
    cache = tmp_path / "mc"
    with ProxyServer(layout.proxy_dir) as server:
        probe = run_download(layout.main_dir, make_env(server.url, tmp_path / "probe"))
        assert probe.ok and len(probe.modules) >= 3
        net, missing, auth = probe.modules[:3]
        server.add_fault(_url(net.path, net.version, "zip"), Fault.status_code(500), times=None)
        server.add_fault(_url(missing.path, missing.version, "info"), Fault.status_code(404), None)
        server.add_fault(_url(auth.path, auth.version, "zip"), Fault.status_code(403), None)
        s = run_download(layout.main_dir, make_env(server.url, cache))
    assert not s.ok
    assert s.failed == {"network": 1, "not_found": 1, "auth": 1, "checksum": 0, "other": 0}
    by = {r.path: r for r in s.modules}
    assert by[net.path].error_class == "network" and "500" in by[net.path].error
    assert by[missing.path].error_class == "not_found"
    assert by[auth.path].error_class == "auth" and "403" in by[auth.path].error
    for bad in (net, auth):
        vdir = cache / "cache/download" / escape(bad.path) / "@v"
        stem = escape(bad.version)
        # The zip never came, so neither its hash nor the info was written.
        assert not (vdir / f"{stem}.zip").exists() and not (vdir / f"{stem}.info").exists()
    # The zip of the module whose info is missing did arrive and was verified.
    assert by[missing.path].zip and Path(by[missing.path].zip).is_file()
    assert_cache_sound(cache, gosum)


def _url(path: str, version: str, suffix: str) -> str:
    return re.escape(f"/{escape(path)}/@v/{escape(version)}.{suffix}") + "$"


def _valid_files(cache: Path) -> set[str]:
    base = cache / "cache" / "download"
    return {
        "/" + str(p.relative_to(base))
        for p in base.rglob("*")
        if p.is_file() and p.suffix in (".mod", ".zip", ".info")
    }


def test_killed_download_never_leaves_valid_looking_files(tmp_path: Path) -> None:
    u = random_universe(seed=13, modules=40, versions=4)
    layout = u.write(tmp_path / "u")
    gosum: GoSum = write_gosum(u, layout)
    cache = tmp_path / "mc"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path / "home"),
        "PYTHONPATH": str(ROOT),
        "GOENV": "off",
        "GOMODCACHE": str(cache),
        "GOSUMDB": "off",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
    }
    with ProxyServer(layout.proxy_dir, latency=0.02) as server:
        env["GOPROXY"] = server.url
        for threshold in (2, 6):
            proc = subprocess.Popen(
                [sys.executable, "-m", "tui", "download", str(layout.main_dir), "-j", "3"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and proc.poll() is None:
                if len(list((cache / "cache" / "download").rglob("*.zip"))) >= threshold:
                    break
                time.sleep(0.005)
            assert proc.poll() is None, "the download finished before it could be killed"
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            assert_cache_sound(cache, gosum)
        before = _valid_files(cache)
        seen = len(server.requests)
        s = run_download(layout.main_dir, make_env(server.url, cache))
        fetched = {r.path for r in server.requests[seen:]}
    assert s.ok and before and s.present_total >= len(before)
    assert not (before & fetched), "a file that was already valid was fetched again"
    assert_cache_sound(cache, gosum)


def test_cancelled_download_stops_promptly_and_resumes(tmp_path: Path) -> None:
    """The app's "prefetch" worker may be cancelled at any time."""
    import anyio

    from analysis.download import download

    u = random_universe(seed=13, modules=40, versions=4)
    layout = u.write(tmp_path / "u")
    gosum = write_gosum(u, layout)
    cache = tmp_path / "mc"
    with ProxyServer(layout.proxy_dir, latency=0.03) as server:
        env = make_env(server.url, cache)

        async def cancel_part_way() -> float:
            start = time.monotonic()
            client, sums = download_client(layout.main_dir, env, concurrency=4)
            async with client:
                with anyio.move_on_after(0.4):
                    await download(layout.main_dir, env, client=client, gosum=sums, concurrency=4)
                    raise AssertionError("finished before the cancellation")
            return time.monotonic() - start

        assert anyio.run(cancel_part_way) < 2.0
        assert_cache_sound(cache, gosum)
        assert run_download(layout.main_dir, env).ok
    assert_cache_sound(cache, gosum)
