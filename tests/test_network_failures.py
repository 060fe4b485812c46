"""Real projects, real users: the network is down, the proxy is dead, the proxy crawls,
the user presses Ctrl+C.

Each failure must be a clear error that says which host failed, reached without retrying
what no retry can cure, within bounds the session sets; Ctrl+C must end a command at
once and leave the caches whole. Every test asserts what happened (which requests were
made, which error, what the cache holds, what finished first) and never how long it took;
the time is printed (run with ``-s``) for the record.
"""

from __future__ import annotations

import contextlib
import io
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import anyio
import pytest
from gotool import environ, go_env
from owncache import own_files
from proxyserver import Fault, ProxyServer
from test_proxy_server import assert_cache_matches
from universe import Layout, Universe

from analysis.errors import (
    GomodxError,
    ProxyTooSlow,
    ProxyUnreachable,
    causes,
)
from analysis.goproxy import NetLimits, RetryPolicy
from analysis.session import Session, SessionOptions, run_sync
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
ROOTS = 20


def universe(root: Path) -> Layout:
    """A main module requiring twenty modules, which all require one leaf (go 1.16: the
    graph is not pruned, so the leaf's go.mod is read after theirs)."""
    u = Universe(main_go="1.16")
    u.add("example.com/leaf", "v1.0.0", go="1.16")
    for i in range(ROOTS):
        u.add(f"example.com/m{i}", "v1.0.0", requires=[("example.com/leaf", "v1.0.0")], go="1.16")
        u.require(f"example.com/m{i}", "v1.0.0")
    return u.write(root)


def environment(root: Path, goproxy: str) -> dict[str, str]:
    env = go_env(root / "go", proxy=goproxy)
    env["GOMODX_CACHE"] = str(root / "own")
    return env


def open_session(layout: Layout, goproxy: str, **options: object) -> Session:
    return Session.open(
        layout.main_dir,
        SessionOptions(source="proxy", use_go=False, cache_dir=layout.root / "own", **options),  # type: ignore[arg-type]
        environ=environment(layout.root, goproxy),
    )


def dead_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound once, then closed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def failed_load(session: Session) -> tuple[GomodxError, float]:
    start = time.monotonic()
    with pytest.raises(GomodxError) as info:
        run_sync(session, session.load)
    return info.value, time.monotonic() - start


def outcomes(session: Session) -> list[str]:
    return [e.outcome for e in session.requests.events]


# -- a dead proxy, no network -----------------------------------------------------------------


def test_dead_proxy_is_one_clear_error_without_retries(tmp_path: Path) -> None:
    layout = universe(tmp_path)
    port = dead_port()
    session = open_session(layout, f"http://127.0.0.1:{port}")
    err, took = failed_load(session)
    print(f"\ndead proxy: Session.load() failed in {took:.2f}s: {err}")
    unreachable = [e for e in causes(err) if isinstance(e, ProxyUnreachable)]
    assert unreachable and unreachable[0].proxy == f"127.0.0.1:{port}"
    assert f"dial tcp 127.0.0.1:{port}: connect: connection refused" in str(err)
    assert "--offline" in err.hint
    # Nothing was retried, and no module was asked for twice.
    assert "retry" not in outcomes(session)
    assert len(session.requests.events) <= ROOTS


def test_no_network_is_one_clear_error_from_the_command_line(tmp_path: Path) -> None:
    # `.invalid` never resolves (RFC 2606): without a network the lookup fails the same way.
    layout = universe(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    args = ["list", "--source", "proxy", "-v", str(layout.main_dir)]
    start = time.monotonic()
    with (
        environ(environment(tmp_path, "https://proxy.invalid")),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        code = main(args)
    took = time.monotonic() - start
    text = err.getvalue()
    print(f"\nno network: `gomodx list --source proxy` exited {code} in {took:.2f}s")
    assert code == 2
    assert out.getvalue() == ""
    assert 'Get "https://proxy.invalid/example.com/m' in text
    assert "dial tcp: lookup proxy.invalid: " in text  # "no such host", or no resolver
    assert "(proxy proxy.invalid cannot be reached: check the network and GOPROXY" in text
    assert "gomodx: retry " not in text


def test_tls_failure_is_one_clear_error_without_retries(tmp_path: Path) -> None:
    # https:// to a server that speaks plain HTTP: the handshake fails, every time.
    layout = universe(tmp_path)
    with ProxyServer(layout.proxy_dir) as server:
        host = server.url.removeprefix("http://")
        session = open_session(layout, f"https://{host}")
        err, took = failed_load(session)
    print(f"\nTLS failure: Session.load() failed in {took:.2f}s: {err}")
    assert any(isinstance(e, ProxyUnreachable) for e in causes(err))
    assert f'Get "https://{host}/example.com/m' in str(err) and ": tls: " in str(err)
    assert "retry" not in outcomes(session)


def test_unreachable_first_proxy_falls_through_on_pipe(tmp_path: Path) -> None:
    layout = universe(tmp_path)
    with ProxyServer(layout.proxy_dir) as server:
        session = open_session(layout, f"https://proxy.invalid|{server.url}")
        loaded = run_sync(session, session.load)
    assert len(loaded.build_list()) == ROOTS + 2
    fell = [e for e in session.requests.events if e.outcome == "fallthrough"]
    assert fell and all(e.proxy == "https://proxy.invalid" for e in fell)
    assert "retry" not in outcomes(session)


# -- a proxy that crawls ---------------------------------------------------------------------


def test_trickling_proxy_is_abandoned_naming_the_host(tmp_path: Path) -> None:
    layout = universe(tmp_path)
    with ProxyServer(layout.proxy_dir) as server:
        server.add_fault(r"/m7/@v/v1\.0\.0\.mod$", Fault.trickle(0.05), times=None)
        limits = NetLimits(slow_window=0.3, slow_bytes=1024)
        session = open_session(layout, server.url, limits=limits)
        err, took = failed_load(session)
        trickled = server.count(r"/m7/@v/v1\.0\.0\.mod$")
        host = server.url.removeprefix("http://")
    print(f"\ntrickle: Session.load() failed in {took:.2f}s: {err}")
    slow = [e for e in causes(err) if isinstance(e, ProxyTooSlow)]
    assert slow and slow[0].proxy == host
    assert f"proxy {host} is sending too slowly: " in str(err)
    assert " in 0.3s for example.com/m7/@v/v1.0.0.mod" in str(err)
    assert trickled == 1  # too slow is not retried
    # Nothing partial was cached: every cached file is the proxy's, m7's go.mod absent.
    assert assert_cache_matches(tmp_path / "own", layout.proxy_dir) > 0
    assert not [n for n in own_files(tmp_path / "own") if n.endswith("m7/@v/v1.0.0.mod")]


def test_one_deadline_bounds_all_attempts_of_a_request(tmp_path: Path) -> None:
    layout = universe(tmp_path)
    with ProxyServer(layout.proxy_dir) as server:
        # Headers arrive after 5 s, past the read timeout, for ever: each attempt times out.
        server.add_fault(r"/m3/@v/v1\.0\.0\.mod$", Fault.slow(5), times=None)
        many = RetryPolicy(attempts=1000, base_delay=0.01, max_delay=0.05)
        limits = NetLimits(read=0.1, request=0.6)
        session = open_session(layout, server.url, limits=limits, retry=many)
        err, took = failed_load(session)
    print(f"\nslow headers: Session.load() failed in {took:.2f}s: {err}")
    assert any(isinstance(e, ProxyTooSlow) for e in causes(err))
    assert "did not deliver example.com/m3/@v/v1.0.0.mod within 0.6s (" in str(err)
    attempts = [e for e in session.requests.events if e.module == "example.com/m3"]
    assert 1 < len(attempts) < 1000  # retried, but only until the deadline


def test_the_session_budget_bounds_the_whole_command(tmp_path: Path) -> None:
    layout = universe(tmp_path)
    with ProxyServer(layout.proxy_dir) as server:
        server.add_fault(r"/leaf/@v/v1\.0\.0\.mod$", Fault.slow(5), times=None)
        limits = NetLimits(budget=0.5, read=60.0, request=60.0)
        session = open_session(layout, server.url, limits=limits)
        err, took = failed_load(session)
    print(f"\nbudget: Session.load() failed in {took:.2f}s: {err}")
    assert any(isinstance(e, ProxyTooSlow) for e in causes(err))
    assert "the network time budget of 0.5s is spent" in str(err)


# -- Ctrl+C ----------------------------------------------------------------------------------


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[bytes]) -> None:
    """Wait for ``condition`` (state, not time); fail if the process ends first."""
    while not condition():
        if proc.poll() is not None:
            _, err = proc.communicate()
            raise AssertionError(f"exited {proc.returncode} first:\n{err.decode()}")
        time.sleep(0.01)


@contextlib.contextmanager
def gomodx_process(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    env = dict(env, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def interrupt(proc: subprocess.Popen[bytes]) -> tuple[int, str, float]:
    start = time.monotonic()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    return proc.returncode, err.decode(), time.monotonic() - start


def test_ctrl_c_ends_a_command_against_a_slow_proxy_leaving_caches_whole(
    tmp_path: Path,
) -> None:
    layout = universe(tmp_path)
    with ProxyServer(layout.proxy_dir) as server:
        # The leaf's go.mod takes 30 s: the command is surely mid-flight when interrupted.
        server.add_fault(r"/leaf/@v/v1\.0\.0\.mod$", Fault.slow(30), times=None)
        env = environment(tmp_path, server.url)
        args = ["-m", "tui", "graph", "--source", "proxy", "-v", str(layout.main_dir)]
        own = tmp_path / "own"
        lines: list[str] = []
        got = re.compile(r"^gomodx: ok mod example\.com/m[0-9]+@v1\.0\.0 ")

        with gomodx_process(args, env) as proc:
            assert proc.stderr is not None
            reader = threading.Thread(target=lambda: lines.extend(map(bytes.decode, proc.stderr)))
            reader.start()
            # Mid-flight: the leaf's go.mod asked for, and the roots' go.mod files received
            # (-v says so once each is checked and kept; go.sum lets the client ask for
            # them all at once, in any order).
            wait_for(lambda: server.received(r"/leaf/@v/v1\.0\.0\.mod$") > 0, proc)
            wait_for(lambda: sum(1 for ln in list(lines) if got.match(ln)) >= ROOTS, proc)
            start = time.monotonic()
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=60)
            took = time.monotonic() - start
            reader.join()
            err = "".join(lines)
    print(f"\nCtrl+C against a slow proxy: exit {code} {took:.3f}s after SIGINT")
    assert code == 130, err
    assert not [p for p in own.rglob("*") if p.name.endswith(".tmp")]
    # What was fetched before Ctrl+C is cached whole, byte for byte.
    assert assert_cache_matches(own, layout.proxy_dir) >= ROOTS


STUCK_RESOLVER = """
import pathlib, socket, sys, time
asked, answered = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
real = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    if host != "stuck.invalid":
        return real(host, *args, **kwargs)
    asked.touch()
    time.sleep(20)  # a resolver that does not answer (getaddrinfo cannot be interrupted)
    answered.touch()
    raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
socket.getaddrinfo = getaddrinfo
from tui.cli import main
raise SystemExit(main(sys.argv[3:]))
"""


@pytest.mark.parametrize("loop", ["default", "asyncio"])
def test_ctrl_c_does_not_wait_for_a_dns_lookup(tmp_path: Path, loop: str) -> None:
    # On uvloop (the default where installed) as on asyncio's loop: analysis/eventloop.py.
    layout = universe(tmp_path)
    asked, answered = tmp_path / "asked", tmp_path / "answered"
    env = environment(tmp_path, "https://stuck.invalid")
    if loop == "asyncio":
        env["GOMODX_EVENT_LOOP"] = "asyncio"
    args = ["-c", STUCK_RESOLVER, str(asked), str(answered)]
    args += ["graph", "--source", "proxy", str(layout.main_dir)]
    with gomodx_process(args, env) as proc:
        wait_for(asked.exists, proc)
        code, err, took = interrupt(proc)
    print(f"\nCtrl+C during a DNS lookup: exit {code} {took:.3f}s after SIGINT")
    assert code == 130, err
    assert not answered.exists()  # the command ended before the lookup did


# -- the engine's loop ------------------------------------------------------------------------


def test_run_sync_abandons_lookups_nobody_awaits(tmp_path: Path) -> None:
    # The same, in process: a job stuck in the loop's default executor (where asyncio
    # resolves names) does not keep run_sync from returning once its caller is cancelled.
    import threading

    release = threading.Event()
    safety = threading.Timer(20, release.set)  # were it waited for, the test still ends
    safety.start()
    demo = ROOT / "tui" / "demo"
    session = Session.with_file_proxy(demo / "project", demo / "proxy")

    async def stuck() -> None:
        import asyncio

        loop = asyncio.get_running_loop()
        loop.run_in_executor(None, release.wait)
        with anyio.move_on_after(0.05):
            await anyio.sleep_forever()

    try:
        run_sync(session, stuck)
        assert not release.is_set()  # returned while the job was still blocked
    finally:
        safety.cancel()
        release.set()
        session.remove_scratch()


# -- the app -----------------------------------------------------------------------------------


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_app_offers_offline_mode_when_the_proxy_is_unreachable(tmp_path: Path) -> None:
    from test_app import SIZE, make, settle, status_text

    layout = universe(tmp_path)
    session = open_session(layout, f"http://127.0.0.1:{dead_port()}")
    app = make(session)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        offer = "proxy unreachable: press o to retry offline from the module caches"
        assert app.graph.error.startswith(offer)
        assert "connection refused" in app.graph.error  # and what failed, for what
        assert offer in status_text(app)
        assert any(offer in str(n.message) for n in app._notifications)
        assert "retry" not in outcomes(session)
        await pilot.press("o")
        await settle(pilot)
        assert app.net.offline and session.offline
        # Offline, the caches answer; what they lack is said, and offline is not offered
        # again.
        assert "go.mod not in the module cache (offline mode)" in app.graph.error
        assert offer not in app.graph.error
