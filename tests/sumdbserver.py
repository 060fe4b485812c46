"""Build and run ``tests/sumdbserver/main.go``: a real checksum database on 127.0.0.1.

The server is Go's own ``golang.org/x/mod/sumdb`` server code, from the copy vendored in the
go command's sources (``$GOROOT/src/cmd/vendor/golang.org/x/mod``): the test copies that
tree into a temporary module and builds against it, offline, once per process::

    with SumDBServer(go, proxy_dir, name="sumdb.test") as db:
        env["GOSUMDB"] = f"{db.vkey} {db.url}"
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType

SOURCE = Path(__file__).resolve().parent / "sumdbserver" / "main.go"
_BUILT: dict[str, Path] = {}


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GO")}
    env.update(GOTOOLCHAIN="local", GOFLAGS="", GOWORK="off", CGO_ENABLED="0", GOPROXY="off")
    return env


def build_server(go: str) -> Path:
    """Compile the server with ``go`` against its own vendored x/mod (once per process)."""
    if go in _BUILT:
        return _BUILT[go]
    goroot = subprocess.run(
        [go, "env", "GOROOT"], env=_clean_env(), capture_output=True, text=True, check=True
    ).stdout.strip()
    work = Path(tempfile.mkdtemp(prefix="sumdbserver-"))
    shutil.copytree(
        Path(goroot) / "src" / "cmd" / "vendor" / "golang.org" / "x" / "mod", work / "xmod"
    )
    (work / "xmod" / "go.mod").write_text("module golang.org/x/mod\n\ngo 1.25\n")
    shutil.copy(SOURCE, work / "main.go")
    (work / "go.mod").write_text(
        "module sumdbserver\n\ngo 1.25\n\nrequire golang.org/x/mod v0.0.0\n\n"
        "replace golang.org/x/mod => ./xmod\n"
    )
    env = _clean_env()  # the user's build cache: a second build takes a second
    subprocess.run(
        [go, "build", "-o", "sumdbserver", "."],
        cwd=work,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    _BUILT[go] = work / "sumdbserver"
    return _BUILT[go]


class SumDBServer:
    """The server on 127.0.0.1 with its proxy directory, name and keys.

    ``lie`` names a module whose records claim a different zip hash (``lie_mod``: a
    different go.mod hash); ``bad_tiles``
    corrupts every tile; ``skey``/``vkey`` reuse keys (a second server signing a forked
    tree with the first one's key).
    """

    def __init__(
        self,
        go: str,
        proxy: Path,
        *,
        name: str = "sumdb.test",
        lie: str = "",
        lie_mod: str = "",
        bad_tiles: bool = False,
        skey: str = "",
        vkey: str = "",
    ) -> None:
        self.args = [str(build_server(go)), "-proxy", str(proxy), "-name", name]
        if lie:
            self.args += ["-lie", lie]
        if lie_mod:
            self.args += ["-lie-mod", lie_mod]
        if bad_tiles:
            self.args.append("-bad-tiles")
        if skey:
            self.args += ["-skey", skey, "-vkey", vkey]
        self.name = name
        self.url = self.vkey = self.skey = ""
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> SumDBServer:
        self._proc = subprocess.Popen(
            self.args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()  # written once listening
        if not line:
            err = self._proc.stderr.read() if self._proc.stderr else ""
            raise RuntimeError(f"sumdbserver did not start: {err}")
        info = json.loads(line)
        self.url, self.vkey, self.skey = info["url"], info["vkey"], info["skey"]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.communicate()
            self._proc = None

    @property
    def gosumdb(self) -> str:
        """The GOSUMDB value that names this server directly: ``key url``."""
        return f"{self.vkey} {self.url}"
