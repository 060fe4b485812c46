"""ProxyClient on httpx.MockTransport: GOPROXY semantics, retries, credentials, validation."""

from __future__ import annotations

import asyncio
import email.utils
import errno
import json
import socket
import ssl
import stat
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from owncache import own_files

from analysis import repos as repos_module
from analysis.cache import CacheStack
from analysis.errors import (
    AuthRequired,
    ChecksumMismatch,
    ModuleNotFound,
    ProxyError,
    ProxyTooSlow,
    ProxyUnavailable,
    ProxyUnreachable,
)
from analysis.goenv import GoEnv
from analysis.goproxy import (
    FetchEvent,
    NetLimits,
    RetryPolicy,
    RevInfo,
    parse_goproxy,
    parse_netrc,
    redact_url,
)
from analysis.hashes import GoSum, gomod_hash
from analysis.module import ModuleVersion
from analysis.proxy import ProxyClient
from analysis.repos import CheckedCaches

Handler = Callable[[httpx.Request], Awaitable[httpx.Response] | httpx.Response]

MOD_A = b"module example.com/a\n\ngo 1.17\n"


class Recorder:
    """A scripted proxy: (host, path) -> list of answers (the last one repeats)."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Any]] = {}
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def on(self, host: str, path: str, *answers: Any) -> None:
        self.routes[(host, path)] = list(answers)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        key = (request.url.host, request.url.raw_path.decode())
        answers = self.routes.get(key)
        if not answers:
            return httpx.Response(404, text="not found\n")
        answer = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, int):
            return httpx.Response(answer, text=f"status {answer}\n")
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, content=answer)

    def hits(self, host: str = "", path: str = "") -> int:
        return sum(
            1
            for r in self.requests
            if (not host or r.url.host == host) and (not path or r.url.raw_path.decode() == path)
        )

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


class HeldProxy(Recorder):
    """A recorder that answers ``hold`` only once ``first`` has been asked for: a test
    that gets both answers proves the two were asked at once (waiting for ``hold`` before
    asking ``first`` would deadlock, and a guard fails the request instead)."""

    def __init__(self, hold: str, first: str) -> None:
        super().__init__()
        self.hold, self.first = hold, first
        self._first_asked = asyncio.Event()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == self.first:
            self._first_asked.set()
        elif request.url.path == self.hold:
            await asyncio.wait_for(self._first_asked.wait(), 2)  # (the deadlock guard)
        return await super().handle(request)


def make_client(
    rec: Recorder,
    goproxy: str,
    tmp: Path | None = None,
    *,
    env: GoEnv | None = None,
    **kw: Any,
) -> tuple[ProxyClient, list[FetchEvent]]:
    env = env or GoEnv(goproxy=goproxy, gomodcache="")
    kw.setdefault("retry", RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05))
    caches = CacheStack.for_env("", tmp / "own") if tmp else CacheStack()
    client = ProxyClient(
        env,
        transport=httpx.MockTransport(rec.handle),
        caches=caches,
        sleep=rec.sleep,
        **kw,
    )
    events: list[FetchEvent] = []
    client.subscribe(events.append)
    return client, events


def run(coro: Callable[[], Awaitable[Any]]) -> Any:
    return anyio.run(coro)


# -- GOPROXY parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goproxy", "urls"),
    [
        ("https://proxy.golang.org,direct", ["https://proxy.golang.org", "direct"]),
        ("proxy.example", ["https://proxy.example"]),
        ("localhost:8080|direct", ["https://localhost:8080", "direct"]),
        ("file:///srv/p , off, https://ignored", ["file:///srv/p", "off"]),
        ("direct,https://ignored", ["direct"]),
        (",,https://a.example,,", ["https://a.example"]),
        ("http://127.0.0.1:1/p|https://b", ["http://127.0.0.1:1/p", "https://b"]),
    ],
)
def test_parse_goproxy(goproxy: str, urls: list[str]) -> None:
    assert [s.url for s in parse_goproxy(goproxy)] == urls


def test_parse_goproxy_fallback_flags() -> None:
    specs = parse_goproxy("https://a|https://b,https://c")
    assert [s.fall_back_on_error for s in specs] == [True, False, False]
    assert [s.url for s in parse_goproxy("https://a", "corp.example")] == ["noproxy", "https://a"]
    assert [s.url for s in parse_goproxy("direct", "corp.example")] == ["direct"]


@pytest.mark.parametrize(
    ("goproxy", "message"),
    [
        (",", "GOPROXY list is not the empty string, but contains no entries"),
        (" ", "GOPROXY list is not the empty string, but contains no entries"),
        ("foo", "invalid proxy URL missing scheme: foo"),
        ("/srv/gotest/proxy", "invalid proxy URL missing scheme: /srv/gotest/proxy"),
        ("file://host/tmp", "invalid file:// proxy URL with non-path elements: file://host/tmp"),
        ("file:///tmp?x=1", "invalid file:// proxy URL with non-path elements: file:///tmp?x=1"),
        ("ftp://x", "invalid proxy URL scheme (must be https, http, file): ftp://x"),
        ("https://[::1", "parse \"https://[::1\": missing ']' in host"),
    ],
)
def test_parse_goproxy_errors(goproxy: str, message: str) -> None:
    with pytest.raises(ProxyError) as info:
        parse_goproxy(goproxy)
    assert str(info.value) == message


def test_goproxy_error_raised_on_use() -> None:
    client, _ = make_client(Recorder(), "ftp://x")

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyError, match="must be https, http, file"):
                await client.versions("example.com/a")

    run(main)


# -- fallthrough matrix ----------------------------------------------------------------------

LIST = "/example.com/a/@v/list"


@pytest.mark.parametrize(
    ("sep", "first", "reaches_second"),
    [
        (",", 404, True),
        (",", 410, True),
        (",", 500, False),
        (",", 403, False),
        (",", 401, False),
        (",", 400, False),
        (",", httpx.ConnectError("refused"), False),
        ("|", 404, True),
        ("|", 500, True),
        ("|", 403, True),
        ("|", 400, True),
        ("|", httpx.ConnectError("refused"), True),
        ("|", httpx.ReadTimeout("slow"), True),
    ],
)
def test_fallthrough_matrix(sep: str, first: Any, reaches_second: bool) -> None:
    rec = Recorder()
    rec.on("a.example", LIST, first)
    rec.on("b.example", LIST, b"v1.0.0\n")
    client, events = make_client(rec, f"https://a.example{sep}https://b.example")

    async def main() -> None:
        async with client:
            if reaches_second:
                got = await client.versions("example.com/a")
                assert got.versions == ("v1.0.0",)
                assert got.origin == "https://b.example"
            else:
                with pytest.raises(ProxyError) as info:
                    await client.versions("example.com/a")
                assert not isinstance(info.value, ModuleNotFound)
                assert rec.hits("b.example") == 0

    run(main)
    fell = [e for e in events if e.outcome == "fallthrough"]
    assert bool(fell) == reaches_second
    if reaches_second:
        assert fell[0].proxy == "https://a.example" and fell[0].fell_through


def test_not_found_everywhere_reports_last_not_found() -> None:
    rec = Recorder()
    client, _ = make_client(rec, "https://a.example,https://b.example")

    async def main() -> None:
        async with client:
            with pytest.raises(ModuleNotFound) as info:
                await client.versions("example.com/a")
            assert "https://b.example/example.com/a/@v/list: 404 Not Found" in str(info.value)

    run(main)


def test_off_after_not_found_wins() -> None:
    rec = Recorder()
    client, _ = make_client(rec, "https://a.example,off")

    async def main() -> None:
        async with client:
            assert not client.offline
            with pytest.raises(ModuleNotFound) as info:
                await client.versions("example.com/a")
            assert str(info.value) == "module lookup disabled by GOPROXY=off"

    run(main)


def test_proxy_error_beats_later_not_found() -> None:
    rec = Recorder()
    rec.on("a.example", LIST, 500)
    client, _ = make_client(rec, "https://a.example|https://b.example")

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyUnavailable) as info:
                await client.versions("example.com/a")
            assert "500" in str(info.value) and "a.example" in str(info.value)

    run(main)


def test_off_alone_is_offline_and_empty_cache_is_not_found() -> None:
    client, _ = make_client(Recorder(), "off")

    async def main() -> None:
        async with client:
            assert client.offline
            with pytest.raises(ModuleNotFound, match="GOPROXY=off"):
                await client.versions("example.com/a")

    run(main)


# -- retries ---------------------------------------------------------------------------------


def test_retry_5xx_then_success_with_full_jitter() -> None:
    rec = Recorder()
    rec.on("a.example", LIST, 503, 502, b"v1.0.0\n")
    policy = RetryPolicy(attempts=4, base_delay=0.1, max_delay=10)
    client, events = make_client(rec, "https://a.example", retry=policy)

    async def main() -> None:
        async with client:
            assert (await client.versions("example.com/a")).versions == ("v1.0.0",)

    run(main)
    assert rec.hits() == 3
    assert [e.outcome for e in events] == ["retry", "retry", "ok"]
    assert [e.attempt for e in events] == [1, 2, 3]
    assert events[0].retried and not events[2].retried
    assert 0 <= rec.sleeps[0] <= 0.1 and 0 <= rec.sleeps[1] <= 0.2


def test_attempts_are_bounded() -> None:
    rec = Recorder()
    rec.on("a.example", LIST, 500)
    client, events = make_client(rec, "https://a.example", retry=RetryPolicy(attempts=3))

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyUnavailable, match="after 3 attempts"):
                await client.versions("example.com/a")

    run(main)
    assert rec.hits() == 3
    assert [e.outcome for e in events] == ["retry", "retry", "error"]


def test_backoff_is_capped() -> None:
    import random

    policy = RetryPolicy(base_delay=1, max_delay=2)
    rng = random.Random(1)
    assert all(0 <= policy.backoff(n, rng) <= 2 for n in range(1, 20))


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 410, 451])
def test_no_retry_on_client_errors(status: int) -> None:
    rec = Recorder()
    rec.on("a.example", LIST, status)
    client, _ = make_client(rec, "https://a.example")

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyError):
                await client.versions("example.com/a")

    run(main)
    assert rec.hits() == 1 and rec.sleeps == []


def test_retry_after_seconds_and_date() -> None:
    rec = Recorder()
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    rec.on(
        "a.example",
        LIST,
        httpx.Response(429, headers={"Retry-After": "7"}),
        httpx.Response(503, headers={"Retry-After": when}),
        httpx.Response(429, headers={"Retry-After": "100000"}),
        b"v1.0.0\n",
    )
    policy = RetryPolicy(attempts=5, retry_after_cap=30)
    client, _ = make_client(rec, "https://a.example", retry=policy)

    async def main() -> None:
        async with client:
            await client.versions("example.com/a")

    run(main)
    assert rec.sleeps[0] == 7
    assert 15 <= rec.sleeps[1] <= 20
    assert rec.sleeps[2] == 30  # capped


def test_timeouts_and_connection_errors_are_retried() -> None:
    rec = Recorder()
    rec.on(
        "a.example",
        LIST,
        httpx.ReadTimeout("slow"),
        httpx.ConnectError("refused"),
        httpx.RemoteProtocolError("peer closed connection without sending complete body"),
        b"v1.0.0\n",
    )
    client, events = make_client(rec, "https://a.example", retry=RetryPolicy(attempts=4))

    async def main() -> None:
        async with client:
            await client.versions("example.com/a")

    run(main)
    assert [e.outcome for e in events] == ["retry", "retry", "retry", "ok"]


# -- failures that no retry cures, deadlines, slow bodies -------------------------------------


def connect_error(cause: BaseException) -> httpx.ConnectError:
    """httpx's ConnectError raised from ``cause``, as both transports raise it."""
    try:
        raise httpx.ConnectError(str(cause)) from cause
    except httpx.ConnectError as exc:
        return exc


MULTIPLE = (
    "Multiple exceptions: [Errno 111] Connect call failed ('::1', 9, 0, 0),"
    " [Errno 111] Connect call failed ('127.0.0.1', 9)"
)

UNREACHABLE = [
    (
        "refused",
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed"),
        "dial tcp a.example: connect: connection refused",
    ),
    (
        "refused-group",
        OSError("All connection attempts failed").with_traceback(None),
        "",  # filled below: anyio's OSError raised from the group of refusals
    ),
    ("refused-ipv4-and-6", OSError(MULTIPLE), "connect: connection refused"),
    (
        "no-such-host",
        socket.gaierror(socket.EAI_NONAME, "Name or service not known"),
        "dial tcp: lookup a.example: no such host",
    ),
    (
        "no-network",
        socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
        "dial tcp: lookup a.example: Temporary failure in name resolution",
    ),
    (
        "unreachable",
        OSError(errno.ENETUNREACH, "Network is unreachable"),
        "connect: network is unreachable",
    ),
    (
        "tls",
        ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed certificate"),
        "tls: failed to verify certificate",
    ),
]


def _anyio_refusal() -> OSError:
    try:
        try:
            raise ExceptionGroup(
                "multiple connection attempts failed",
                [ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed")] * 2,
            )
        except ExceptionGroup as group:
            raise OSError("All connection attempts failed") from group
    except OSError as exc:
        return exc


@pytest.mark.parametrize(("name", "cause", "words"), UNREACHABLE, ids=[u[0] for u in UNREACHABLE])
def test_unreachable_host_fails_at_once(name: str, cause: OSError, words: str) -> None:
    # Go does not retry at all; gomodx retries what may pass, never what cannot.
    if name == "refused-group":
        cause, words = _anyio_refusal(), "connect: connection refused"
    rec = Recorder()
    rec.on("a.example", LIST, connect_error(cause))
    client, events = make_client(rec, "https://a.example", retry=RetryPolicy(attempts=4))

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyUnreachable) as info:
                await client.versions("example.com/a")
        err = info.value
        assert words in str(err)
        assert str(err).startswith('module example.com/a: Get "https://a.example/')
        assert err.proxy == "a.example"
        assert "--offline" in err.hint

    run(main)
    assert rec.hits() == 1 and rec.sleeps == []
    assert [e.outcome for e in events] == ["error"]


def test_connect_error_of_unknown_cause_is_still_retried() -> None:
    rec = Recorder()
    rec.on("a.example", LIST, connect_error(OSError(errno.ECONNRESET, "reset")), b"v1.0.0\n")
    client, events = make_client(rec, "https://a.example")

    async def main() -> None:
        async with client:
            assert (await client.versions("example.com/a")).versions == ("v1.0.0",)

    run(main)
    assert [e.outcome for e in events] == ["retry", "ok"]


def test_unreachable_host_stops_every_request_to_it_for_a_while() -> None:
    now = [100.0]
    rec = Recorder()
    refused = connect_error(ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    rec.on("a.example", LIST, refused)
    rec.on("a.example", "/example.com/b/@v/list", refused, b"v1.0.0\n")
    limits = NetLimits(down_for=5.0)
    client, _ = make_client(rec, "https://a.example", limits=limits, clock=lambda: now[0])

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyUnreachable):
                await client.versions("example.com/a")
            # Another module, same host: no request, the same reason.
            with pytest.raises(ProxyUnreachable, match="connection refused") as info:
                await client.versions("example.com/b")
            assert "example.com/b" in str(info.value)
            assert rec.hits() == 1
            now[0] += 5.0  # the host may be back: ask again
            with pytest.raises(ProxyUnreachable):
                await client.versions("example.com/b")
            assert rec.hits() == 2
            now[0] += 5.0
            assert (await client.versions("example.com/b")).versions == ("v1.0.0",)

    run(main)


def test_unreachable_host_cancels_the_requests_in_flight() -> None:
    b_started = anyio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        if "/example.com/b/" in request.url.path:
            b_started.set()
            await anyio.sleep_forever()  # a request that would wait for ever
        await b_started.wait()
        raise connect_error(socket.gaierror(socket.EAI_NONAME, "Name or service not known"))

    client = ProxyClient(
        GoEnv(goproxy="https://a.example", gomodcache=""),
        transport=httpx.MockTransport(handle),
        caches=CacheStack(),
    )
    failures: dict[str, BaseException] = {}

    async def one(path: str) -> None:
        try:
            await client.versions(path)
        except ProxyError as exc:
            failures[path] = exc

    async def main() -> None:
        async with client, anyio.create_task_group() as tg:
            tg.start_soon(one, "example.com/b")
            tg.start_soon(one, "example.com/a")

    run(main)
    assert sorted(failures) == ["example.com/a", "example.com/b"]
    assert all(isinstance(e, ProxyUnreachable) for e in failures.values())
    assert "lookup a.example: no such host" in str(failures["example.com/b"])


@pytest.mark.parametrize(
    ("sep", "reaches_second"),
    [(",", False), ("|", True)],
)
def test_unreachable_falls_through_only_on_pipe(sep: str, reaches_second: bool) -> None:
    # Go's TryProxies: "," falls through on 404/410 only, "|" on any error.
    rec = Recorder()
    rec.on("a.example", LIST, connect_error(socket.gaierror(socket.EAI_NONAME, "unknown")))
    rec.on("b.example", LIST, b"v1.0.0\n")
    client, _ = make_client(rec, f"https://a.example{sep}https://b.example")

    async def main() -> None:
        async with client:
            if reaches_second:
                assert (await client.versions("example.com/a")).origin == "https://b.example"
            else:
                with pytest.raises(ProxyUnreachable):
                    await client.versions("example.com/a")

    run(main)
    assert rec.hits("a.example") == 1
    assert rec.hits("b.example") == int(reaches_second)


def test_a_request_has_one_deadline_across_its_attempts() -> None:
    async def handle(request: httpx.Request) -> httpx.Response:
        await anyio.sleep_forever()  # headers never come (and the read timeout is long)
        raise AssertionError

    client = ProxyClient(
        GoEnv(goproxy="https://a.example", gomodcache=""),
        transport=httpx.MockTransport(handle),
        caches=CacheStack(),
        limits=NetLimits(request=0.2, read=60.0),
    )

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyTooSlow) as info:
                await client.versions("example.com/a")
        assert str(info.value) == (
            "module example.com/a: proxy a.example did not deliver example.com/a/@v/list"
            " within 0.2s (1 attempt)"
        )
        assert info.value.proxy == "a.example"

    run(main)


def test_no_retry_is_scheduled_past_the_deadline() -> None:
    rec = Recorder()
    rec.on("a.example", LIST, httpx.Response(503, headers={"Retry-After": "100"}))
    policy = RetryPolicy(attempts=4, retry_after_cap=1000)
    client, events = make_client(
        rec, "https://a.example", retry=policy, limits=NetLimits(request=5.0)
    )

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyUnavailable, match=r"503.*\(after 1 attempt\)"):
                await client.versions("example.com/a")

    run(main)
    assert rec.sleeps == [] and rec.hits() == 1
    assert [e.outcome for e in events] == ["error"]


def test_the_budget_bounds_every_request_of_the_client() -> None:
    calls: list[str] = []

    async def handle(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        await anyio.sleep_forever()
        raise AssertionError

    client = ProxyClient(
        GoEnv(goproxy="https://a.example", gomodcache=""),
        transport=httpx.MockTransport(handle),
        caches=CacheStack(),
        limits=NetLimits(budget=0.2, request=60.0, read=60.0),
    )

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyTooSlow, match=r"network time budget of 0\.2s is spent"):
                await client.versions("example.com/a")
            # Spent is spent: the next request fails without being sent.
            with pytest.raises(ProxyTooSlow, match="budget"):
                await client.versions("example.com/b")

    run(main)
    assert calls == ["/example.com/a/@v/list"]


def test_a_trickling_body_is_abandoned_and_the_host_named() -> None:
    async def trickle() -> AsyncIterator[bytes]:
        yield b"v1."
        await anyio.sleep_forever()

    async def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=trickle())

    client = ProxyClient(
        GoEnv(goproxy="http://127.0.0.1:8123", gomodcache=""),
        transport=httpx.MockTransport(handle),
        caches=CacheStack(),
        limits=NetLimits(slow_window=0.2, slow_bytes=100),
    )

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyTooSlow) as info:
                await client.versions("example.com/a")
        assert str(info.value) == (
            "module example.com/a: proxy 127.0.0.1:8123 is sending too slowly: 3 bytes"
            " in 0.2s for example.com/a/@v/list"
        )

    run(main)


# -- status mapping and hints ----------------------------------------------------------------


def test_auth_and_not_found_errors() -> None:
    rec = Recorder()
    rec.on("a.example", "/example.com/a/@v/list", 401)
    rec.on("a.example", "/example.com/b/@v/list", 403)
    client, _ = make_client(rec, "https://a.example")

    async def main() -> None:
        async with client:
            with pytest.raises(AuthRequired, match="401 Unauthorized"):
                await client.versions("example.com/a")
            with pytest.raises(AuthRequired, match="403 Forbidden"):
                await client.versions("example.com/b")
            with pytest.raises(ModuleNotFound) as info:
                await client.versions("git.corp.example/team/lib")
            assert "GOPRIVATE=git.corp.example" in str(info.value)
            with pytest.raises(ModuleNotFound) as info:
                await client.versions("example.com/c")
            assert "GOPRIVATE" not in str(info.value)
            assert "server response:\n\tnot found" in str(info.value)

    run(main)


def test_vendor_mode_disables_lookups() -> None:
    client, _ = make_client(Recorder(), "", env=GoEnv(goproxy="https://a", goflags="-mod=vendor"))

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyError, match="disabled by -mod=vendor"):
                await client.versions("example.com/a")

    run(main)


# -- credentials -----------------------------------------------------------------------------

SECRET = "hunter2-s3cret"


def _all_text(events: list[FetchEvent], errors: list[BaseException]) -> str:
    return "\n".join([repr(e) for e in events] + [str(e) for e in errors] + [repr(errors)])


def test_userinfo_credentials_sent_and_redacted() -> None:
    rec = Recorder()
    rec.on("a.example", LIST, b"v1.0.0\n")
    rec.on("a.example", "/example.com/b/@v/list", 500)
    client, events = make_client(rec, f"https://alice:{SECRET}@a.example")
    errors: list[BaseException] = []

    async def main() -> None:
        async with client:
            await client.versions("example.com/a")
            try:
                await client.versions("example.com/b")
            except ProxyError as exc:
                errors.append(exc)

    run(main)
    import base64

    sent = rec.requests[0].headers["Authorization"]
    assert base64.b64decode(sent.split()[1]).decode() == f"alice:{SECRET}"
    assert "alice" not in str(rec.requests[0].url)
    text = _all_text(events, errors)
    assert SECRET not in text and "alice" not in text
    assert "xxxxx@a.example" in text
    assert SECRET not in repr(client.specs)


def test_netrc_credentials(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(
        f"machine other.example login x password y\n"
        f"machine a.example\n  login bob\n  password {SECRET}\n"
        f"machine a.example login later password ignored\n"
    )
    rec = Recorder()
    rec.on("a.example", LIST, 401)
    env = GoEnv(goproxy="https://a.example", netrc=str(netrc))
    client, events = make_client(rec, "", env=env)
    errors: list[BaseException] = []

    async def main() -> None:
        async with client:
            try:
                await client.versions("example.com/a")
            except AuthRequired as exc:
                errors.append(exc)

    run(main)
    assert rec.requests[0].headers["Authorization"].startswith("Basic ")
    assert errors and SECRET not in _all_text(events, errors)
    # GOAUTH=off: no credentials at all.
    rec2 = Recorder()
    rec2.on("a.example", LIST, b"v1.0.0\n")
    off = GoEnv(goproxy="https://a.example", netrc=str(netrc), goauth="off")
    client2, _ = make_client(rec2, "", env=off)

    async def main2() -> None:
        async with client2:
            await client2.versions("example.com/a")

    run(main2)
    assert "Authorization" not in rec2.requests[0].headers


def test_netrc_not_sent_over_http(tmp_path: Path) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine a.example login bob password {SECRET}\n")
    rec = Recorder()
    rec.on("a.example", LIST, b"v1.0.0\n")
    client, _ = make_client(rec, "", env=GoEnv(goproxy="http://a.example", netrc=str(netrc)))

    async def main() -> None:
        async with client:
            await client.versions("example.com/a")

    run(main)
    assert "Authorization" not in rec.requests[0].headers


def test_refuses_credentials_over_http() -> None:
    rec = Recorder()
    client, _ = make_client(rec, f"http://u:{SECRET}@a.example")

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyError) as info:
                await client.versions("example.com/a")
            assert "refusing to pass credentials to insecure URL" in str(info.value)
            assert SECRET not in str(info.value)

    run(main)
    assert rec.requests == []


def test_parse_netrc_like_go() -> None:
    lines = parse_netrc(
        "machine a login l1 password p1\n"
        "macdef init\nmachine evil login x password y\n\n"
        "machine b login l2\npassword p2\n"
        "default login d password d\n"
        "machine c login l3 password p3\n"
    )
    assert [(n.machine, n.login, n.password) for n in lines] == [
        ("a", "l1", "p1"),
        ("b", "l2", "p2"),
        ("c", "l3", "p3"),  # "default" stops go's parser only as a line's last word
    ]
    assert "p1" not in repr(lines)


def test_redact_url() -> None:
    assert redact_url("https://u:p@h.example/x") == "https://xxxxx@h.example/x"
    assert redact_url("https://h.example/x") == "https://h.example/x"
    assert redact_url("file:///tmp/x") == "file:///tmp/x"


# -- response validation ---------------------------------------------------------------------


def test_list_filtering_and_order() -> None:
    rec = Recorder()
    rec.on(
        "a.example",
        LIST,
        b"v1.10.0\nv1.2.0 2020-01-01T00:00:00Z\n\nnot-a-version\nv1.0.0-20200101000000-abcdefabcdef\n"
        b"  v1.2.0-rc.1  \nv2.0.0+incompatible\nv1.2\nv1.0.0\n",
    )
    client, _ = make_client(rec, "https://a.example")

    async def main() -> None:
        async with client:
            got = await client.versions("example.com/a")
            assert got.versions == (
                "v1.0.0",
                "v1.2.0-rc.1",
                "v1.2",
                "v1.2.0",
                "v1.10.0",
                "v2.0.0+incompatible",
            )

    run(main)


def test_info_validation() -> None:
    rec = Recorder()
    info = "/example.com/a/@v/v1.0.0.info"
    rec.on("a.example", info, b'{"Version":"v1.0.1","Time":"2020-01-01T00:00:00Z"}')
    rec.on("a.example", "/example.com/a/@v/master.info", b'{"Version":"v1.0.1"}')
    rec.on("a.example", "/example.com/a/@v/v1.0.2.info", b"<html>garbage")
    client, _ = make_client(rec, "https://a.example", retry=RetryPolicy(attempts=2))

    async def main() -> None:
        async with client:
            with pytest.raises(ProxyError, match="instead of requested version"):
                await client.stat("example.com/a", "v1.0.0")
            # A branch name may resolve to another version.
            assert (await client.stat("example.com/a", "master")).version == "v1.0.1"
            with pytest.raises(ProxyError, match="invalid response from proxy"):
                await client.stat("example.com/a", "v1.0.2")

    run(main)


def test_a_repository_asks_the_caches_for_a_revision_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several queries stat the same version: the caches are searched once (inside the
    single flight), the proxy asked once, and the list parsed once."""
    rec = Recorder()
    rec.on("a.example", "/example.com/a/@v/v1.0.0.info", b'{"Version":"v1.0.0"}')
    rec.on("a.example", "/example.com/a/@v/list", b"v1.0.0\nv0.9.0\n")
    client, _ = make_client(rec, "https://a.example", tmp_path)
    looked: list[tuple[str, str]] = []
    real_info = CheckedCaches.info

    def info(self: CheckedCaches, path: str, rev: str) -> RevInfo | None:
        looked.append((path, rev))
        return real_info(self, path, rev)

    monkeypatch.setattr(CheckedCaches, "info", info)

    async def main() -> None:
        async with client:

            async def stat() -> str:
                info = await client.try_proxies("example.com/a", lambda r: r.stat("v1.0.0"))
                return info.version

            assert await asyncio.gather(stat(), stat(), stat()) == ["v1.0.0"] * 3
            assert await stat() == "v1.0.0"
            lists = [
                await client.try_proxies("example.com/a", lambda r: r.versions()) for _ in range(2)
            ]
            assert lists[0] is lists[1] and lists[0].versions == ("v0.9.0", "v1.0.0")

    run(main)
    assert looked == [("example.com/a", "v1.0.0")]
    assert [r.url.path for r in rec.requests] == [
        "/example.com/a/@v/v1.0.0.info",
        "/example.com/a/@v/list",
    ]


def test_latest_endpoint_and_list_fallback() -> None:
    rec = Recorder()
    rec.on("a.example", "/example.com/a/@latest", b'{"Version":"v1.3.0"}')
    rec.on(
        "a.example",
        "/example.com/b/@v/list",
        b"v0.0.0-20200101000000-aaaaaaaaaaaa\nv0.0.0-20210101000000-bbbbbbbbbbbb\n",
    )
    rec.on(
        "a.example",
        "/example.com/b/@v/v0.0.0-20210101000000-bbbbbbbbbbbb.info",
        b'{"Version":"v0.0.0-20210101000000-bbbbbbbbbbbb","Time":"2021-01-01T00:00:00Z"}',
    )
    rec.on("a.example", "/example.com/c/@v/list", b"v1.0.0\n")
    client, _ = make_client(rec, "https://a.example")

    async def main() -> None:
        async with client:
            assert (await client.latest("example.com/a")).version == "v1.3.0"
            b = await client.latest("example.com/b")
            assert b.version == "v0.0.0-20210101000000-bbbbbbbbbbbb"
            assert b.time == datetime(2021, 1, 1, tzinfo=UTC)
            with pytest.raises(ModuleNotFound, match="no commits"):
                await client.latest("example.com/c")
            with pytest.raises(ModuleNotFound, match="404"):
                await client.latest("example.com/d")

    run(main)


def test_size_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repos_module, "MAX_GOMOD", 64)
    rec = Recorder()
    rec.on("a.example", "/example.com/a/@v/v1.0.0.mod", b"module example.com/a\n" + b"// x\n" * 50)
    big = httpx.Response(200, headers={"Content-Length": "1000000"}, content=b"x" * 1000000)
    rec.on("a.example", "/example.com/a/@v/v1.1.0.mod", big)
    client, _ = make_client(rec, "https://a.example")

    async def main() -> None:
        async with client:
            for v in ("v1.0.0", "v1.1.0"):
                with pytest.raises(ProxyError, match="too large"):
                    await client.gomod("example.com/a", v)

    run(main)
    assert rec.hits() == 2  # refused, not retried


def test_escaping_in_urls() -> None:
    rec = Recorder()
    path = "/github.com/%21azure/%21go-%21s%21d%21k/@v/v1.0.0-%21r%21c1.mod"
    rec.on("a.example", path, b"module github.com/Azure/Go-SDK\n")
    rec.on("a.example", "/github.com/%21azure/%21go-%21sdk/@v/v2.0.0+incompatible.info", b"{}")
    client, _ = make_client(rec, "https://a.example/base/")

    async def main() -> None:
        async with client:
            with pytest.raises(ModuleNotFound):
                await client.gomod("github.com/Azure/Go-SDK", "v1.0.0-RC1")

    run(main)
    assert rec.requests[0].url.raw_path.decode() == "/base" + path


def test_bad_module_paths_and_versions_are_refused() -> None:
    rec = Recorder()
    client, _ = make_client(rec, "https://a.example")

    async def main() -> None:
        async with client:
            from analysis.errors import ModuleError

            for bad in ("../x", "/abs", "example.com/../x", "noDot/x"):
                with pytest.raises(ModuleError):
                    await client.versions(bad)
            with pytest.raises(ModuleError):
                await client.gomod("example.com/a", "v1.0")
            with pytest.raises(ModuleError):
                await client.gomod("example.com/a", "../../etc/passwd")

    run(main)
    assert rec.requests == []


# -- integrity -------------------------------------------------------------------------------


def test_checksum_mismatch_names_both_hashes_and_caches_nothing(tmp_path: Path) -> None:
    rec = Recorder()
    rec.on("a.example", "/example.com/a/@v/v1.0.0.mod", b"module example.com/a\n\n// evil\n")
    sums = GoSum()
    sums.add("example.com/a", "v1.0.0/go.mod", gomod_hash(MOD_A))
    client, events = make_client(rec, "https://a.example", tmp_path, gosum=sums)

    async def main() -> None:
        async with client:
            with pytest.raises(ChecksumMismatch) as info:
                await client.gomod("example.com/a", "v1.0.0")
            text = str(info.value)
            assert gomod_hash(MOD_A) in text
            assert gomod_hash(b"module example.com/a\n\n// evil\n") in text
            assert "https://a.example" in text

    run(main)
    assert not (tmp_path / "own").exists() or not any((tmp_path / "own").rglob("*.mod"))
    assert events[-1].outcome == "error"


def test_verified_gomod_is_cached(tmp_path: Path) -> None:
    rec = Recorder()
    rec.on("a.example", "/example.com/a/@v/v1.0.0.mod", b"module example.com/a\n\n// evil\n", MOD_A)
    sums = GoSum()
    sums.add("example.com/a", "v1.0.0/go.mod", gomod_hash(MOD_A))
    client, events = make_client(rec, "https://a.example", tmp_path, gosum=sums)

    async def main() -> None:
        async with client:
            mod = await client.gomod("example.com/a", "v1.0.0")
            assert mod.verified and mod.data == MOD_A

    run(main)
    assert own_files(tmp_path / "own")["example.com/a/@v/v1.0.0.mod"] == MOD_A
    assert [e.outcome for e in events] == ["retry", "ok"]


def test_gomod_now_answers_from_the_caches_without_waiting(tmp_path: Path) -> None:
    """gomod_now: None while the go.mod is neither answered nor cached (nothing is
    asked); gomod's own answer once it is; a sound cached copy, checked as gomod checks
    it and kept as gomod's answer (no request); never a copy go.sum refutes."""
    rec = Recorder()
    rec.on("a.example", "/example.com/a/@v/v1.0.0.mod", MOD_A)
    sums = GoSum()
    sums.add("example.com/a", "v1.0.0/go.mod", gomod_hash(MOD_A))
    sums.add("example.com/b", "v1.0.0/go.mod", gomod_hash(b"module example.com/b\n"))
    client, _ = make_client(rec, "https://a.example", tmp_path, gosum=sums)

    async def main() -> None:
        async with client:
            assert client.gomod_now("example.com/a", "v1.0.0") is None
            assert client.gomod_now("example.com/a", "v1.0") is None  # (not canonical)
            assert rec.requests == []
            mod = await client.gomod("example.com/a", "v1.0.0")
            assert client.gomod_now("example.com/a", "v1.0.0") is mod

    run(main)
    # A later client finds it in its caches; a damaged copy is no answer.
    bad = b"module example.com/b\n// tampered\n"
    client2, events2 = make_client(Recorder(), "https://a.example", tmp_path, gosum=sums)
    client2._cached.stack.own.write("example.com/b", "v1.0.0", "mod", bad)  # type: ignore[union-attr]

    async def again() -> None:
        async with client2:
            cached = client2.gomod_now("example.com/a", "v1.0.0")
            assert cached is not None and cached.data == MOD_A and cached.verified
            assert await client2.gomod("example.com/a", "v1.0.0") is cached
            assert client2.gomod_now("example.com/b", "v1.0.0") is None

    run(again)
    assert [e.outcome for e in events2] == ["cache_hit"]


def test_unparsable_gomod_without_gosum_is_rejected(tmp_path: Path) -> None:
    rec = Recorder()
    rec.on("a.example", "/example.com/a/@v/v1.0.0.mod", b"module example.com/a\nrequire (\n\tx")
    rec.on("a.example", "/example.com/a/@v/v1.1.0.mod", b"")
    client, _ = make_client(rec, "https://a.example", tmp_path, retry=RetryPolicy(attempts=2))

    async def main() -> None:
        async with client:
            for v in ("v1.0.0", "v1.1.0"):
                with pytest.raises(ProxyError, match="invalid response"):
                    await client.gomod("example.com/a", v)

    run(main)
    assert not any((tmp_path / "own").rglob("*.mod")) if (tmp_path / "own").exists() else True


# -- private modules and the go command -------------------------------------------------------


def test_private_module_without_go_is_a_clear_error() -> None:
    rec = Recorder()
    env = GoEnv(goproxy="https://a.example", goprivate="corp.example", gonoproxy="corp.example")
    client, _ = make_client(rec, "", env=env, use_go=False)

    async def main() -> None:
        async with client:
            with pytest.raises(ModuleNotFound) as info:
                await client.versions("corp.example/lib")
            text = str(info.value)
            assert "corp.example/lib" in text and "GOPRIVATE=corp.example" in text
            assert "go command" in text

    run(main)
    assert rec.requests == []  # never sent to the proxy


def test_gonoproxy_reason_named() -> None:
    env = GoEnv(goproxy="https://a.example", gonoproxy="*.internal")
    client, _ = make_client(Recorder(), "", env=env, use_go=False)

    async def main() -> None:
        async with client:
            with pytest.raises(ModuleNotFound, match=r"GONOPROXY=\*\.internal"):
                await client.gomod("git.internal/x", "v1.0.0")

    run(main)


def test_private_module_uses_the_go_command(tmp_path: Path) -> None:
    """A stand-in go binary shows the plumbing: arguments, environment, JSON parsing."""
    mod = tmp_path / "v1.2.0.mod"
    mod.write_bytes(b"module corp.example/lib\n")
    fake = tmp_path / "go"
    fake.write_text(
        "#!/bin/sh\n"
        'echo "$@" >> "' + str(tmp_path / "args") + '"\n'
        'case "$1 $2" in\n'
        '"list -m") echo \'{"Path":"corp.example/lib","Versions":["v1.2.0","v1.10.0"]}\' ;;\n'
        '"mod download") echo \'{"Path":"corp.example/lib","Version":"v1.2.0","GoMod":"'
        + str(mod)
        + "\"}' ;;\n"
        "esac\n"
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = GoEnv(goproxy="https://a.example", goprivate="corp.example", gonoproxy="corp.example")
    env = GoEnv(**{**env.__dict__, "go": str(fake)})
    rec = Recorder()
    client, events = make_client(rec, "", env=env, go_environ={"PATH": "/usr/bin:/bin"})

    async def main() -> None:
        async with client:
            listed = await client.versions("corp.example/lib")
            assert listed.versions == ("v1.2.0", "v1.10.0")
            got = await client.gomod("corp.example/lib", "v1.2.0")
            assert got.data == b"module corp.example/lib\n"

    run(main)
    assert rec.requests == []
    args = (tmp_path / "args").read_text().splitlines()
    assert args[0] == "list -m -retracted -versions -json corp.example/lib"
    assert args[1] == "mod download -json corp.example/lib@v1.2.0"
    assert {e.kind for e in events} == {"go"}


# -- concurrency -----------------------------------------------------------------------------


def test_concurrency_limit_and_coalescing() -> None:
    in_flight = 0
    peak = 0
    requests: list[str] = []

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        requests.append(request.url.path)
        in_flight += 1
        peak = max(peak, in_flight)
        await anyio.sleep(0.01)
        in_flight -= 1
        name = request.url.path.split("/")[2]
        return httpx.Response(200, content=f"module example.com/{name}\n".encode())

    env = GoEnv(goproxy="https://a.example")
    client = ProxyClient(
        env, transport=httpx.MockTransport(handler), caches=CacheStack(), concurrency=5
    )
    mods = [ModuleVersion(f"example.com/m{i}", "v1.0.0") for i in range(40)]

    async def main() -> None:
        async with client:
            results = await client.gomods(mods + mods)  # duplicates coalesce
            assert all(not isinstance(r, Exception) for r in results.values())
            async with anyio.create_task_group() as group:
                for _ in range(10):
                    group.start_soon(client.gomod, "example.com/same", "v1.0.0")

    run(main)
    assert peak <= 5
    assert len(requests) == 41
    assert requests.count("/example.com/same/@v/v1.0.0.mod") == 1


def test_no_event_is_made_while_nobody_listens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A command line without -v reads no event: the client makes none (a thousand
    # requests' worth of objects), until someone subscribes.
    import analysis.fetch
    import analysis.repos

    made: list[str] = []

    def counting(*args: Any, **kwargs: Any) -> FetchEvent:
        event = FetchEvent(*args, **kwargs)
        made.append(event.outcome)
        return event

    monkeypatch.setattr(analysis.fetch, "FetchEvent", counting)
    monkeypatch.setattr(analysis.repos, "FetchEvent", counting)
    rec = Recorder()
    rec.on("a.example", LIST, b"v1.0.0\n")
    rec.on("a.example", "/example.com/a/@v/v1.0.0.info", b'{"Version":"v1.0.0"}')
    rec.on("a.example", "/example.com/b/@v/list", b"v1.0.0\n")
    client = ProxyClient(
        GoEnv(goproxy="https://a.example", gomodcache=""),
        transport=httpx.MockTransport(rec.handle),
        caches=CacheStack.for_env("", tmp_path / "own"),
    )
    seen: list[FetchEvent] = []

    async def main() -> None:
        async with client:
            await client.versions("example.com/a")
            await client.stat("example.com/a", "v1.0.0")
            client.subscribe(seen.append)
            await client.versions("example.com/b")

    run(main)
    assert rec.hits() == 3
    assert made == ["ok"]  # only the request asked after the subscription
    assert [(e.kind, e.module, e.outcome) for e in seen] == [("list", "example.com/b", "ok")]


def test_events_are_frozen_and_unsubscribe() -> None:
    rec = Recorder()
    rec.on("a.example", LIST, b"v1.0.0\n")
    client, events = make_client(rec, "https://a.example")
    seen: list[FetchEvent] = []
    stop = client.subscribe(seen.append)
    stop()

    async def main() -> None:
        async with client:
            await client.versions("example.com/a")

    run(main)
    assert seen == [] and len(events) == 1
    event = events[0]
    with pytest.raises(AttributeError):
        event.status = 500  # type: ignore[misc]
    assert event.kind == "list" and event.status == 200 and event.bytes == 7
    assert event.proxy == "https://a.example" and "v1.0.0" not in event.url
    assert json.dumps(event.describe())


@pytest.mark.parametrize("skew", [-0.002, 0.0, 0.002])
def test_a_read_ended_by_the_pace_is_a_slow_body_whatever_the_clocks_say(
    skew: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The deadline is set on the loop's clock; the pace keeps time.monotonic(). uvloop's
    # clock ticks in milliseconds, so when the pace's deadline fires the pace may still
    # seem to have a moment left. Which limit set the deadline decides, not the clocks
    # (a slow body taken for a read timeout would be retried: tests/test_network_failures).
    import time as time_module

    from analysis import lean
    from analysis.deadlines import Deadlines
    from analysis.errors import SlowBody

    async def main() -> tuple[BaseException, BaseException]:
        pace = lean._Pace(0.3, 1024)
        paced = lean._Reads(asyncio.timeout(None), Deadlines(), 30.0, pace)
        paced.next(5)  # the pace's window (0.3 s) is sooner than the read timeout
        timed = lean._Reads(asyncio.timeout(None), Deadlines(), 0.1, lean._Pace(0.3, 1024))
        timed.next(5)  # the read timeout (0.1 s) is sooner
        now = pace.mark_at + pace.window + skew  # the moment the deadline fired
        monkeypatch.setattr(time_module, "monotonic", lambda: now)
        return paced.timed_out(), timed.timed_out()

    slow, timeout = asyncio.run(main())
    assert isinstance(slow, SlowBody) and str(slow) == "5 bytes in 0.3s"
    assert type(timeout) is TimeoutError
