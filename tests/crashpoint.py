"""Kill this process at the Nth step that changes a file: "killed at a random moment",
made exhaustive.

::

    crashpoint.install(7, watch=[tmp_path])   # SIGKILL at the 7th change under tmp_path
    apply_plan(plan)                           # dies there (or finishes: fewer steps)

A *step* is one call of ``os.open`` for writing, ``os.write``, ``os.pwrite``, ``os.fsync``,
``os.ftruncate``, ``os.fchown``, ``os.chmod``, ``os.replace``, ``os.rename``,
``os.unlink``, ``os.mkdir`` or ``os.rmdir`` on a path (or a descriptor opened from a path)
under one of the watched directories. At step N the process kills itself with SIGKILL —
no ``finally``, no ``atexit``, as ``kill -9`` or a power cut — just before the call, except
that a write of more than one byte first writes half its bytes, so torn writes are hit
too. Sweeping N = 1, 2, ... until the code finishes visits every window there is.

Used in forked children (``run_killed``) and, with ``python -c``, in a real ``gomodx``
process.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def install(n: int, watch: Iterable[str | os.PathLike[str]], report: str | None = None) -> None:
    """From now on, count steps under ``watch`` and SIGKILL this process at step ``n``.
    With ``report``, a process that lives to exit writes its number of steps there."""
    roots = tuple(os.path.realpath(w) + os.sep for w in watch)
    fds: set[int] = set()
    count = 0
    if report is not None:
        import atexit

        def write_report() -> None:
            with open(report, "w") as f:
                f.write(str(count))

        atexit.register(write_report)

    def watched(path: object) -> bool:
        if isinstance(path, int):
            return path in fds
        try:
            p = os.path.realpath(os.fspath(path))  # type: ignore[arg-type]
        except TypeError:
            return False
        return p.startswith(roots) or (p + os.sep) in roots

    def step(args: tuple[Any, ...], write: Callable[..., object] | None = None) -> None:
        nonlocal count
        count += 1
        if count == n:
            if write is not None and len(args[1]) > 1:
                half = bytes(args[1])[: len(args[1]) // 2]
                write(args[0], half, *args[2:])
            os.kill(os.getpid(), signal.SIGKILL)

    real_open = os.open
    real_close = os.close

    def open_(path: Any, flags: int, *args: Any, **kw: Any) -> int:
        if not watched(path):
            return real_open(path, flags, *args, **kw)
        if flags & _WRITE_FLAGS:
            step((path, flags))
        fd = real_open(path, flags, *args, **kw)
        fds.add(fd)
        return fd

    def close_(fd: int) -> None:
        fds.discard(fd)
        real_close(fd)

    def wrap(name: str, *, by_fd: bool = False, half: bool = False) -> None:
        real = getattr(os, name)

        def call(*args: Any, **kw: Any) -> Any:
            if any(watched(a) for a in (args[:1] if by_fd else args[:2])):
                step(args, real if half else None)
            return real(*args, **kw)

        setattr(os, name, call)

    os.open = open_  # type: ignore[assignment]
    os.close = close_
    for name in ("write", "pwrite"):
        wrap(name, by_fd=True, half=True)
    for name in ("fsync", "ftruncate", "fchown"):
        wrap(name, by_fd=True)
    for name in ("chmod", "replace", "rename", "unlink", "mkdir", "rmdir"):
        wrap(name)


def run_killed(n: int, watch: Iterable[Path], work: Callable[[], object]) -> bool:
    """Run ``work`` in a forked child that dies at step ``n``; whether it was killed
    (``False``: it finished first). Any other ending fails the caller's test."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 0
        try:
            install(n, watch)
            work()
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL, status
        return True
    assert os.WEXITSTATUS(status) == 0, f"the child failed at step {n} (see its stderr)"
    return False
