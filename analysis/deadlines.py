"""Many deadlines kept by one timer of the event loop.

Every request of a cold graph load waits under a deadline (the request's own, and the
read timeout of each read). ``asyncio.timeout`` gives each its own timer: a handle pushed
onto the loop's heap, compared there in Python, and cancelled — most deadlines never
pass — to linger in the heap until the loop sweeps it; and entering and leaving it are
two coroutines. With thousands of requests that costs more than the request's parsing.
Here a :class:`Scope` is what ``asyncio.timeout(None)`` is (no timer of its own), entered
and left by plain calls, whose deadline is a number in :class:`Deadlines`; one timer,
armed for the earliest deadline, ends the scopes whose time has come. Moving a deadline
later (the next read) is a dictionary store.

>>> import asyncio
>>> async def demo() -> str:
...     deadlines = Deadlines()
...     scope = Scope()
...     try:
...         deadlines.set(scope, asyncio.get_running_loop().time() + 0.01)
...         await asyncio.sleep(10)
...     except asyncio.CancelledError as exc:
...         if scope.leave(exc):
...             return "timed out"
...         raise
...     finally:
...         scope.leave(None)
...         deadlines.clear(scope)
...     return "finished"
>>> asyncio.run(demo())
'timed out'
"""

from __future__ import annotations

import asyncio
import math
from typing import Protocol

__all__ = ["Deadlines", "Expirable", "Scope"]


class Expirable(Protocol):
    """What :class:`Deadlines` ends: a :class:`Scope`, or anything else that can be told
    its time is up (a lean connection's read: :class:`analysis.lean.Connection`)."""

    def expire(self) -> None: ...


class Scope:
    """``asyncio.timeout(None)`` entered by the task that makes it, left by :meth:`leave`
    (in a ``finally``, and in the ``except CancelledError`` that may be its end).

    :meth:`expire` cancels the task at the loop's next turn, unless it left first. The
    cancellation arrives as :class:`asyncio.CancelledError` wherever the task waits;
    ``leave(exc)`` tells whether that is this scope's doing — it expired, ``exc`` is that
    CancelledError and no other cancellation came since the scope began — and then takes
    the cancellation back (``Task.uncancel``), so that the caller raises its own error
    instead. That is ``asyncio.Timeout``'s rule, without its two coroutines per use.
    """

    __slots__ = ("_cancelling", "_handle", "_state", "_task")

    _ENTERED, _EXPIRING, _EXPIRED, _LEFT = range(4)

    def __init__(self) -> None:
        task = asyncio.current_task()
        if task is None:
            raise RuntimeError("Scope should be used inside a task")
        self._task = task
        self._cancelling = task.cancelling()
        self._state = Scope._ENTERED
        self._handle: asyncio.Handle | None = None

    def expired(self) -> bool:
        """Whether the scope ran out (its cancellation was sent)."""
        return self._state == Scope._EXPIRING or self._state == Scope._EXPIRED

    def expire(self) -> None:
        """End the scope at the loop's next turn (nothing when it ended or was left)."""
        if self._state == Scope._ENTERED and self._handle is None:
            self._handle = self._task.get_loop().call_soon(self._on_timeout)

    def _on_timeout(self) -> None:
        self._handle = None
        if self._state == Scope._ENTERED:
            self._task.cancel()
            self._state = Scope._EXPIRING

    def leave(self, exc: BaseException | None) -> bool:
        """Leave the scope as the block ends with ``exc`` (``None``: no exception);
        ``True`` when its expiry is what ended the block (see the class docstring).
        Leaving again does nothing."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        if self._state == Scope._EXPIRING:
            self._state = Scope._EXPIRED
            return (
                self._task.uncancel() <= self._cancelling
                and type(exc) is asyncio.CancelledError  # exactly, as asyncio.Timeout asks
            )
        if self._state == Scope._ENTERED:
            self._state = Scope._LEFT
        return False


class Deadlines:
    """Deadlines of :class:`Scope` objects (or other :class:`Expirable` ones)."""

    def __init__(self) -> None:
        self._when: dict[Expirable, float] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._at = math.inf

    def set(self, scope: Expirable, when: float) -> None:
        """End ``scope`` at ``when`` (the loop's clock), unless set again or cleared first."""
        self._when[scope] = when
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop: the last one's timer went with it
            self._loop, self._handle, self._at = loop, None, math.inf
        if when < self._at:
            self._arm(loop, when)

    def clear(self, scope: Expirable) -> None:
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
                scope.expire()
            elif when < soonest:
                soonest = when
        if soonest < math.inf:
            self._arm(loop, soonest)
