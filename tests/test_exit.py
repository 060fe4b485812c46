"""How the ``gomodx`` process ends (tui/replay.py's :func:`exit_now`): at once, without
the interpreter's teardown, but only once everything an exit must do is done; and the
normal way whenever something is still running."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(script: str, tmp_path: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "MARK": str(tmp_path / "mark")},
        check=False,
    )


def test_exit_now_keeps_buffered_output_and_runs_exit_functions(tmp_path: Path) -> None:
    done = _run(
        """
        import atexit, os, sys
        from tui.replay import exit_now
        atexit.register(lambda: open(os.environ["MARK"], "w").write("ran"))
        atexit.register(lambda: print("from an exit function"))
        sys.stdout.write("x" * 100_000)  # more than a buffer: some of it still buffered
        sys.stdout.write("\\n")
        sys.stderr.write("warning\\n")
        exit_now(3)
        raise SystemExit("not reached")
        """,
        tmp_path,
    )
    assert done.returncode == 3, done.stderr
    assert done.stdout == b"x" * 100_000 + b"\nfrom an exit function\n"
    assert done.stderr == b"warning\n"
    assert (tmp_path / "mark").read_text() == "ran"


def test_exit_now_leaves_a_running_thread_to_the_normal_exit(tmp_path: Path) -> None:
    # A thread that is not a daemon would be waited for by the interpreter: exit_now
    # returns, and the thread finishes its work before the process ends.
    done = _run(
        """
        import os, sys, threading
        from tui.replay import exit_now
        go = threading.Event()
        def work():
            go.wait()
            open(os.environ["MARK"], "w").write("thread finished")
        threading.Thread(target=work).start()
        exit_now(3)
        print("returned")
        go.set()
        sys.exit(4)
        """,
        tmp_path,
    )
    assert done.returncode == 4, done.stderr
    assert done.stdout == b"returned\n"
    assert (tmp_path / "mark").read_text() == "thread finished"


def test_exit_now_leaves_a_closed_pipe_to_the_normal_exit(tmp_path: Path) -> None:
    # stdout's reader is gone before the child flushes: the flush fails, exit_now
    # returns, and the normal exit decides (as it did before exit_now existed).
    script = textwrap.dedent(
        """
        import sys
        from tui.replay import exit_now
        sys.stdout.write("x" * 10)  # buffered: stdout is a pipe
        sys.stdin.read(1)  # until the parent has closed its end of stdout
        exit_now(3)
        print("returned", file=sys.stderr)
        sys.exit(5)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    proc.stdin.write(b"g")
    proc.stdin.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=120) in (5, 120)  # 120: the normal exit's flush failed too
    assert b"returned" in err


def test_the_gomodx_command_ends_through_exit_now(tmp_path: Path) -> None:
    # `gomodx` (tui.replay.main) leaves through exit_now with the command's status, after
    # the exit functions ran.
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import atexit, os, sys
                import tui.replay
                calls = []
                atexit.register(lambda: open(os.environ["MARK"], "w").write(repr(calls)))
                real = tui.replay.exit_now
                tui.replay.exit_now = lambda code: (calls.append(code), real(code))
                sys.argv = ["gomodx", "graph"]
                tui.replay.main()
                print("exit_now returned")
                """
            ),
        ],
        cwd=tmp_path,  # no go.mod here: the command fails with status 2, as go does
        capture_output=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "HOME": str(tmp_path),
            "PYTHONPATH": str(ROOT),
            "MARK": str(tmp_path / "mark"),
            "GOMODX_NO_REPLAY": "1",
        },
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert b"go.mod file not found" in done.stderr
    assert done.stdout == b""
    assert (tmp_path / "mark").read_text() == "[2]"
