"""The event loop a synchronous caller runs the engine in (:func:`analysis.session.run_sync`).

**uvloop** where it is installed (a dependency wherever it has wheels: Linux and macOS),
else asyncio's own loop; ``GOMODX_EVENT_LOOP=asyncio`` asks for asyncio's. The engine is
written on asyncio and runs the same on both; uvloop's transports, timers and callbacks
are C code, so the thousands of small requests of a cold graph or ``versions --all`` cost
less CPU on it (about 7% of a whole command, measured by ``benchmarks/bench_proxy.py``).
:func:`loop_name` says which one a command runs on.

Host names are resolved in the loop's default executor, and ``getaddrinfo`` cannot be
interrupted. With the standard executor, closing the loop after Ctrl+C waits for every
lookup still asking a resolver that does not answer (up to its 5 s timeout), and so does
the interpreter's exit. :func:`new_event_loop` gives the loop a :class:`DaemonExecutor`
instead: a lookup nobody awaits any more is abandoned, and Ctrl+C ends a command at once.
uvloop would resolve in libuv's own threads, which the process's exit joins; its
``getaddrinfo`` is sent to the executor too (:class:`analysis.lean.Pool` resolves through
``loop.getaddrinfo`` before it connects, and so do anyio's and httpx's connections).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import os
import queue
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["DaemonExecutor", "in_thread", "loop_name", "new_event_loop"]

_R = TypeVar("_R")


_workers: DaemonExecutor | None = None


async def in_thread(fn: Callable[[], _R]) -> _R:
    """``fn()`` in one of gomodx's worker threads (not the loop's default executor, where
    host-name lookups that never answer may hold every thread).

    The caller waits for the thread's end even when it is cancelled, and only then takes
    the cancellation: the work (a cache write, a go command) is not cut short.
    """
    global _workers
    if _workers is None:
        _workers = DaemonExecutor(16)
    future = asyncio.get_running_loop().run_in_executor(_workers, fn)
    cancelled = False
    while not future.done():
        try:
            await asyncio.wait([future])
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    return future.result()


def new_event_loop() -> asyncio.AbstractEventLoop:
    """A new loop (uvloop's unless it is missing or ``GOMODX_EVENT_LOOP=asyncio``) whose
    default executor is a :class:`DaemonExecutor`, where it resolves host names."""
    factory = _uvloop_factory()
    loop = factory() if factory is not None else asyncio.new_event_loop()
    loop.set_default_executor(DaemonExecutor())
    return loop


def loop_name() -> str:
    """``"uvloop X.Y.Z"`` or ``"asyncio"``: the loop :func:`new_event_loop` makes."""
    if _uvloop_factory() is None:
        return "asyncio"
    from importlib.metadata import version

    return f"uvloop {version('uvloop')}"


@functools.cache
def _uvloop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    if os.environ.get("GOMODX_EVENT_LOOP", "").strip().lower() == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        return None

    class Loop(uvloop.Loop):
        """uvloop's loop, its host-name lookups in the default executor (see above)."""

        async def getaddrinfo(
            self,
            host: bytes | str | None,
            port: bytes | str | int | None,
            *,
            family: int = 0,
            type: int = 0,
            proto: int = 0,
            flags: int = 0,
        ) -> list[Any]:
            lookup = functools.partial(socket.getaddrinfo, host, port, family, type, proto, flags)
            return await self.run_in_executor(None, lookup)

    return Loop


class DaemonExecutor(concurrent.futures.ThreadPoolExecutor):
    """A default executor of at most ``max_workers`` daemon threads whose
    :meth:`shutdown` never waits for them (see the module docstring).

    A ThreadPoolExecutor in name only (asyncio accepts no other kind): it starts its own
    threads, which the interpreter does not join at exit as it joins the pool's.
    """

    def __init__(self, max_workers: int = 8) -> None:
        super().__init__(max_workers)
        self._max = max(1, max_workers)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._daemons: list[threading.Thread] = []
        self._closed = False
        self._lock = threading.Lock()

    def submit(
        self, fn: Callable[..., _R], /, *args: Any, **kwargs: Any
    ) -> concurrent.futures.Future[_R]:
        future: concurrent.futures.Future[_R] = concurrent.futures.Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._jobs.put(_Job(future, lambda: fn(*args, **kwargs)))
            if not self._idle.acquire(blocking=False) and len(self._daemons) < self._max:
                thread = threading.Thread(target=self._work, name="gomodx-executor", daemon=True)
                thread.start()
                self._daemons.append(thread)
        return future

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            job.run()
            self._idle.release()

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop taking jobs; idle threads end, busy ones are abandoned (never joined)."""
        with self._lock:
            self._closed = True
            for _ in self._daemons:
                self._jobs.put(None)


@dataclass(frozen=True)
class _Job:
    future: concurrent.futures.Future[Any]
    call: Callable[[], Any]

    def run(self) -> None:
        if not self.future.set_running_or_notify_cancel():
            return
        try:
            result = self.call()
        except BaseException as exc:  # handed to whoever awaits the future
            self.future.set_exception(exc)
        else:
            self.future.set_result(result)
