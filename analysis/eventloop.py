"""The event loop a synchronous caller runs the engine in (:func:`analysis.session.run_sync`).

asyncio resolves host names in the loop's default executor, and ``getaddrinfo`` cannot be
interrupted. With the standard executor, closing the loop after Ctrl+C waits for every
lookup still asking a resolver that does not answer (up to its 5 s timeout), and so does
the interpreter's exit. :func:`new_event_loop` gives the loop a :class:`DaemonExecutor`
instead: a lookup nobody awaits any more is abandoned, and Ctrl+C ends a command at once.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

__all__ = ["DaemonExecutor", "in_thread", "new_event_loop"]

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
    """A new asyncio loop whose default executor is a :class:`DaemonExecutor`."""
    loop = asyncio.new_event_loop()
    loop.set_default_executor(DaemonExecutor())
    return loop


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
