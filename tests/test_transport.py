"""analysis.transport: which requests take the lean keep-alive path, and both paths on loopback."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

import httpx
import pytest
from proxyserver import Fault, ProxyServer
from universe import random_universe

from analysis.transport import KeepAliveTransport, env_proxy_for, proxy_transport

PROXY = "http://proxy.corp:3128"


@pytest.mark.parametrize(
    ("url", "environ", "expected"),
    [
        ("https://proxy.golang.org/x/@v/list", {}, None),
        ("https://proxy.golang.org/x/@v/list", {"HTTPS_PROXY": PROXY}, PROXY),
        ("https://proxy.golang.org/x/@v/list", {"https_proxy": PROXY}, PROXY),
        ("https://proxy.golang.org/x/@v/list", {"HTTP_PROXY": PROXY}, None),
        ("http://goproxy.corp/x/@v/list", {"HTTP_PROXY": PROXY}, PROXY),
        ("http://goproxy.corp/x/@v/list", {"ALL_PROXY": PROXY}, PROXY),
        ("http://goproxy.corp/x", {"HTTP_PROXY": "proxy.corp:3128"}, PROXY),
        ("http://127.0.0.1:8080/x", {"HTTP_PROXY": PROXY}, None),
        ("http://[::1]:8080/x", {"HTTP_PROXY": PROXY}, None),
        ("http://localhost:8080/x", {"HTTP_PROXY": PROXY}, None),
        ("http://goproxy.corp/x", {"HTTP_PROXY": PROXY, "NO_PROXY": "*"}, None),
        ("http://goproxy.corp/x", {"HTTP_PROXY": PROXY, "NO_PROXY": "corp"}, None),
        ("http://goproxy.corp/x", {"HTTP_PROXY": PROXY, "NO_PROXY": ".corp"}, None),
        ("http://goproxy.corp/x", {"HTTP_PROXY": PROXY, "no_proxy": "a.b, goproxy.corp"}, None),
        ("http://goproxy.corp/x", {"HTTP_PROXY": PROXY, "NO_PROXY": "xcorp"}, PROXY),
        ("http://goproxy.corp/x", {"HTTP_PROXY": PROXY, "NO_PROXY": "goproxy.corp:81"}, PROXY),
        ("http://goproxy.corp:81/x", {"HTTP_PROXY": PROXY, "NO_PROXY": "goproxy.corp:81"}, None),
        ("http://10.1.2.3/x", {"HTTP_PROXY": PROXY, "NO_PROXY": "10.0.0.0/8"}, None),
        ("http://11.1.2.3/x", {"HTTP_PROXY": PROXY, "NO_PROXY": "10.0.0.0/8"}, PROXY),
        ("file:///tmp/proxy/x/@v/list", {"ALL_PROXY": PROXY}, None),
    ],
)
def test_env_proxy_for(url: str, environ: dict[str, str], expected: str | None) -> None:
    assert env_proxy_for(url, environ) == expected


def test_routing_choice() -> None:
    t = proxy_transport(4, environ={"HTTPS_PROXY": PROXY, "NO_PROXY": "direct.corp"})
    assert t.route(httpx.URL("https://proxy.golang.org/x/@v/list")) == PROXY
    assert t.route(httpx.URL("https://direct.corp/x/@v/list")) == "lean"
    assert t.route(httpx.URL("http://proxy.golang.org/x/@v/list")) == "lean"
    assert t.route(httpx.URL("http://127.0.0.1:9/x")) == "lean"
    # The environment is read once, when the transport is made.
    assert proxy_transport(4, environ={}).route(httpx.URL("https://a.b/")) == "lean"


def test_lean_path_serves_a_module_proxy_on_loopback(tmp_path: Path) -> None:
    layout = random_universe(3, 5, 2, zips=False).write(tmp_path / "u")
    listed = sorted(p.parent.parent for p in layout.proxy_dir.rglob("@v/list"))
    assert listed
    tail = listed[0].relative_to(layout.proxy_dir).as_posix() + "/@v/list"

    async def main(url: str) -> list[bytes]:
        transport = proxy_transport(4, environ={"HTTP_PROXY": "http://127.0.0.1:9"})
        async with httpx.AsyncClient(transport=transport) as http:
            bodies = [(await http.get(f"{url}/{tail}")).content for _ in range(5)]
        assert transport._fallback == {}  # loopback is never proxied: all went lean
        return bodies

    with ProxyServer(layout.proxy_dir) as server:
        bodies = asyncio.run(main(server.url))
    assert bodies == [(listed[0] / "@v" / "list").read_bytes()] * 5


def test_fallback_goes_through_the_environment_proxy() -> None:
    seen: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            head = await reader.readuntil(b"\r\n\r\n")
            seen.append(head.split(b"\r\n", 1)[0])
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nproxied")
            await writer.drain()
        writer.close()

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        transport = proxy_transport(4, environ={"HTTP_PROXY": f"http://127.0.0.1:{port}"})
        async with httpx.AsyncClient(transport=transport) as http:
            response = await http.get("http://goproxy.example/m/@v/list")
        assert response.content == b"proxied"
        server.close()

    asyncio.run(main())
    # A forward proxy gets the absolute URL: httpx's transport, not the lean one, sent it.
    assert seen == [b"GET http://goproxy.example/m/@v/list HTTP/1.1"]


def test_lean_transport_rejects_other_schemes() -> None:
    async def main() -> None:
        async with httpx.AsyncClient(transport=KeepAliveTransport()) as http:
            with pytest.raises(httpx.UnsupportedProtocol):
                await http.get("ftp://example.com/x")

    asyncio.run(main())


# -- the lean GET: the same answers and errors as httpx's client ------------------------------

_LEAN_FAULTS = {
    "ok": None,
    "404": Fault.status_code(404, b"not found: no such module\n"),
    "410": Fault.status_code(410),
    "429": Fault.status_code(429, retry_after="0"),
    "500": Fault.status_code(500, b"boom\n"),
    "reset": Fault.reset(),
    "truncate": Fault.truncate(),
    "truncate_chunked": Fault.truncate_chunked(),
    "garbage": Fault.garbage(b"module garbage\n"),
}


def _outcome(lean: bool, url: str, tail: str, server: ProxyServer, fault: Fault | None) -> object:
    from analysis.fetch import HttpGetter
    from analysis.goproxy import ProxySpec, RetryPolicy

    async def main() -> object:
        transport = proxy_transport(4, environ={})
        getter = HttpGetter(
            emit=lambda event: None,
            netrc=[],
            transport=transport,
            retry=RetryPolicy(attempts=2, base_delay=0.0),
            concurrency=4,
            clock=lambda: 0.0,
            timeout=5.0,
        )
        assert getter._lean_get is not None
        if not lean:
            getter._lean_get = None  # through httpx's client to the same transport (h11)
        try:
            # Twice: the second request reuses (or replaces) the first one's connection.
            answers = []
            for _ in range(2):
                server.clear_faults()
                if fault is not None:
                    server.add_fault(r"\.mod$", fault, times=None)
                answers.append(
                    await getter.get(
                        ProxySpec(url),
                        url + tail,
                        kind="mod",
                        path="example.com/x",
                        version="v1.0.0",
                        limit=1 << 20,
                    )
                )
            return answers
        except Exception as exc:  # the outcome compared
            return type(exc).__name__, str(exc)
        finally:
            await getter.aclose()
            await transport.aclose()

    return asyncio.run(main())


@pytest.mark.parametrize("name", sorted(_LEAN_FAULTS))
def test_lean_get_answers_as_httpx_does(tmp_path: Path, name: str) -> None:
    layout = random_universe(3, 5, 2, zips=False).write(tmp_path / "u")
    mod = sorted(layout.proxy_dir.rglob("*.mod"))[0]
    tail = "/" + mod.relative_to(layout.proxy_dir).as_posix()
    with ProxyServer(layout.proxy_dir) as server:
        via_httpx = _outcome(False, server.url, tail, server, _LEAN_FAULTS[name])
        via_lean = _outcome(True, server.url, tail, server, _LEAN_FAULTS[name])
    assert via_lean == via_httpx
    if name == "ok":
        assert via_lean == [mod.read_bytes()] * 2
