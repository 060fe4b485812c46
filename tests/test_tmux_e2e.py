"""End to end: the real ``gomodx --demo`` in a real terminal (tmux), driven by keystrokes.

The screen is read back with ``tmux capture-pane``; the test waits for text to appear
(polling, with a deadline) rather than for fixed delays. It checks that the app starts,
answers keys, and exits cleanly (status 0, terminal restored) on ``q``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

DEADLINE = 60.0  # seconds: generous, a busy CI machine starts Python slowly


class Tmux:
    """One tmux server (its own socket) running one window of 120x40."""

    def __init__(self, tmp: Path) -> None:
        self.socket = f"gomodx-e2e-{uuid.uuid4().hex[:8]}"
        self.status = tmp / "status"
        self.tmp = tmp

    def run(self, *args: str) -> str:
        out = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=False
        )
        return out.stdout

    def start(self, command: list[str]) -> None:
        env = {
            "TERM": "xterm-256color",
            "HOME": str(self.tmp),
            "GOMODX_STATE": str(self.tmp / "state"),
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        }
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        shell = (
            f"cd {shlex.quote(str(self.tmp))} && env -i {exports} {shlex.join(command)};"
            f" echo $? > {shlex.quote(str(self.status))}"
        )
        subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", "new-session", "-d",
             "-x", "120", "-y", "40", "-s", "e2e", shell],
            check=True,
        )  # fmt: skip

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)

    def wait_for(self, *texts: str) -> str:
        """Poll the screen until every text is on it (fails with the screen at the deadline)."""
        end = time.monotonic() + DEADLINE
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if all(t in screen for t in texts):
                return screen
            time.sleep(0.1)
        pytest.fail(f"{texts!r} never appeared; the screen was:\n{screen}")

    def wait_for_gone(self, text: str) -> str:
        """Poll until ``text`` has left the screen."""
        end = time.monotonic() + DEADLINE
        screen = ""
        while time.monotonic() < end:
            screen = self.screen()
            if text not in screen:
                return screen
            time.sleep(0.1)
        pytest.fail(f"{text!r} never went away; the screen was:\n{screen}")

    def wait_for_exit(self) -> int:
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if self.status.exists() and self.status.read_text().strip():
                return int(self.status.read_text())
            time.sleep(0.1)
        pytest.fail(f"the app did not exit; the screen was:\n{self.screen()}")

    def kill(self) -> None:
        self.run("kill-server")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    t = Tmux(tmp_path)
    try:
        yield t
    finally:
        t.kill()


def gomodx_command() -> list[str]:
    """The installed ``gomodx`` script beside this Python, else the same entry point."""
    script = Path(sys.executable).with_name("gomodx")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "tui"]


def test_demo_in_a_real_terminal(tmux: Tmux) -> None:
    tmux.start([*gomodx_command(), "--demo"])
    screen = tmux.wait_for("example.com/shop", "24 modules", "11 conflicts")
    assert "Filter" in screen and "Conflicts" in screen  # the footer

    tmux.keys("c")
    screen = tmux.wait_for("conflicts by risk")
    assert "example.org/x/sys" in screen

    # One burst, as a paste without bracketed paste or tmux send-keys delivers it: every
    # key lands where it would have landed typed slowly.
    tmux.keys("/", "p", "r", "i", "c", "Enter", "?")
    tmux.wait_for("Keys", "Undo change")
    assert "filter: pric?" not in tmux.screen()
    # Escape alone: a key right behind it would arrive as alt+key.
    tmux.keys("Escape")
    tmux.wait_for_gone("Undo change")
    tmux.wait_for("filter: pric", "Requested by", "v0.8.0-rc.1")

    # A path with slashes, typed in one burst after clearing the filter (the status bar
    # has room for a short one).
    tmux.keys("Escape")
    tmux.wait_for_gone("filter: pric")
    tmux.run("send-keys", "-t", "e2e", "-l", "/x/sys")
    tmux.wait_for("filter: x/sys")
    tmux.keys("Escape")
    tmux.wait_for_gone("filter: x/sys")

    tmux.keys("q")
    assert tmux.wait_for_exit() == 0
