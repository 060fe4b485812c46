"""Many deadlines kept by one timer of the event loop.

Every request of a cold graph load waits under a deadline (the request's own, and the
read timeout of each read). ``asyncio.timeout`` gives each its own timer: a handle pushed
onto the loop's heap, compared there in Python, and cancelled — most deadlines never
pass — to linger in the heap until the loop sweeps it. With thousands of requests that
costs more than the request's parsing. Here a scope is ``asyncio.timeout(None)`` (no
timer of its own) whose deadline is a number in :class:`Deadlines`; one timer, armed
for the earliest deadline, ends the scopes whose time has come. Moving a deadline later
(the next read) is a dictionary store.

>>> import asyncio
>>> async def demo() -> str:
...     deadlines = Deadlines()
...     scope = asyncio.timeout(None)
...     try:
...         async with scope:
...             deadlines.set(scope, asyncio.get_running_loop().time() + 0.01)
...             await asyncio.sleep(10)
...     except TimeoutError:
...         return "timed out" if scope.expired() else "?"
...     finally:
...         deadlines.clear(scope)
...     return "finished"
>>> asyncio.run(demo())
'timed out'
"""

from __future__ import annotations

import asyncio
import contextlib
import math

__all__ = ["Deadlines", "expire"]


class Deadlines:
    """Deadlines of entered ``asyncio.Timeout`` scopes made without one of their own."""

    def __init__(self) -> None:
        self._when: dict[asyncio.Timeout, float] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._at = math.inf

    def set(self, scope: asyncio.Timeout, when: float) -> None:
        """End ``scope`` at ``when`` (the loop's clock), unless set again or cleared first."""
        self._when[scope] = when
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop: the last one's timer went with it
            self._loop, self._handle, self._at = loop, None, math.inf
        if when < self._at:
            self._arm(loop, when)

    def clear(self, scope: asyncio.Timeout) -> None:
        """``scope`` has no deadline any more (it ended, or waits for nothing timed)."""
        self._when.pop(scope, None)

    def _arm(self, loop: asyncio.AbstractEventLoop, when: float) -> None:
        if self._handle is not None:
            self._handle.cancel()
        self._at = when
        self._handle = loop.call_at(when, self._fire)

    def _fire(self) -> None:
        loop = self._loop
        assert loop is not None
        self._handle, self._at = None, math.inf
        now = loop.time()
        soonest = math.inf
        for scope, when in list(self._when.items()):
            if when <= now:
                del self._when[scope]
                expire(scope, now)
            elif when < soonest:
                soonest = when
        if soonest < math.inf:
            self._arm(loop, soonest)


def expire(scope: asyncio.Timeout, now: float) -> None:
    """End ``scope`` at the loop's next turn (``now``: the loop's clock), unless it is
    ending already."""
    if not scope.expired():
        with contextlib.suppress(RuntimeError):  # left already: nothing to end
            scope.reschedule(now)
