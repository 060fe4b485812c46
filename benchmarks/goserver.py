"""Build and run ``benchmarks/goproxyserver.go``: a module proxy that is not the bottleneck.

The Python proxy of ``tests/proxyserver.py`` is right for fault injection but costs
about a millisecond of CPU per request on this machine's two cores, which the client
being measured has to share. The Go file server serves the same directory with the
same per-request latency and keep-alive at a small fraction of that::

    with GoProxyServer(layout.proxy_dir, latency=0.020) as server:
        ...  # GOPROXY=server.url
        stats = server.take_stats()   # requests and the most in flight since last time

It is built with the go command from the venv into a temporary directory, once per
process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path
from types import TracebackType

__all__ = ["GoProxyServer", "ServerStats", "build_server"]

SOURCE = Path(__file__).resolve().parent / "goproxyserver.go"
_BUILT: dict[str, Path] = {}


class ServerStats(dict[str, int]):
    """``{"requests": N, "max_in_flight": M}`` since the previous :meth:`take_stats`."""


def build_server(go: str) -> Path:
    """Compile the server with ``go`` into a temporary directory (once per process)."""
    if go in _BUILT:
        return _BUILT[go]
    out = Path(tempfile.mkdtemp(prefix="goproxyserver-")) / "goproxyserver"
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(GOTOOLCHAIN="local", GOFLAGS="", GOWORK="off", CGO_ENABLED="0", GOPROXY="off")
    subprocess.run(
        [go, "build", "-o", str(out), str(SOURCE)],
        env=env,
        cwd=out.parent,
        check=True,
        capture_output=True,
        text=True,
    )
    _BUILT[go] = out
    return out


class GoProxyServer:
    """The Go file server on 127.0.0.1, serving ``root`` with ``latency`` per request."""

    def __init__(self, root: Path, latency: float, go: str) -> None:
        self.root = root
        self.latency = latency
        self.binary = build_server(go)
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> GoProxyServer:
        self.proc = subprocess.Popen(
            [
                str(self.binary),
                "-root",
                str(self.root),
                "-latency",
                f"{self.latency * 1000:.3f}ms",
            ],
            stdout=subprocess.PIPE,
            text=True,
            # The server gets a core's worth of threads: enough, and it must not be the
            # bottleneck, but it shares the machine with what is measured.
            env={**os.environ, "GOMAXPROCS": str(os.cpu_count() or 1)},
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        if not self.url.startswith("http://"):
            self.proc.kill()
            raise RuntimeError(f"goproxyserver did not start: {self.url!r}")
        return self

    def take_stats(self) -> ServerStats:
        """Requests served and the most in flight at once since the previous call."""
        with urllib.request.urlopen(self.url + "/_stats", timeout=10) as resp:
            return ServerStats(json.load(resp))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None

    @staticmethod
    def cleanup() -> None:
        """Remove the built binaries."""
        for path in _BUILT.values():
            shutil.rmtree(path.parent, ignore_errors=True)
        _BUILT.clear()
