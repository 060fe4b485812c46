"""How many requests may be in flight: a limit that backs off when a proxy is overloaded.

A graph load keeps many requests in flight (``-j``, 128 by default): what a module proxy
such as proxy.golang.org serves without effort, and what makes a cold load fast. A mirror
that cannot take that many says so with ``429 Too Many Requests`` or ``503 Service
Unavailable``; retrying each refused request (with its ``Retry-After``) is not enough
when the same number of requests keeps arriving. :class:`Window` does what TCP does
with its congestion window:

* **multiplicative decrease**: an overload answer halves the limit (not below
  ``floor``) — once per round of requests: the answers to requests that were already
  under way when the limit came down do not halve it again;
* **additive increase**: every successful answer adds ``1 / limit``, so a full round of
  successes raises the limit by one, back up to ``ceiling``.

Requests beyond the limit wait their turn in order. The engine runs on asyncio (see
:mod:`analysis.memo`); a waiter that is cancelled gives its turn to the next one.

>>> import asyncio
>>> async def demo() -> tuple[int, int]:
...     w = Window(8)
...     ticket = await w.acquire()
...     w.overloaded(ticket)
...     w.release()
...     return w.limit, w.in_flight
>>> asyncio.run(demo())
(4, 0)
"""

from __future__ import annotations

import asyncio
import collections

__all__ = ["Window"]


class Window:
    """At most :attr:`limit` holders at once; the limit moves between ``floor`` and
    ``ceiling`` as answers come back (see the module docstring)."""

    def __init__(self, ceiling: int, floor: int = 4) -> None:
        self.ceiling = max(1, ceiling)
        self.floor = max(1, min(floor, self.ceiling))
        self._limit = float(self.ceiling)
        self.in_flight = 0
        self.lowest = self.ceiling
        """The smallest limit reached (for reports: ``ceiling`` when never overloaded)."""
        self.decreases = 0
        self._started = 0  # tickets handed out so far
        self._cut_at = 0  # tickets handed out when the limit last came down
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()
        self._first: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def limit(self) -> int:
        """How many may hold the window at once now."""
        return int(self._limit)

    async def acquire(self, first: bool = False) -> int:
        """Wait for room; returns a ticket (pass it to :meth:`overloaded`). Every
        acquire needs one :meth:`release`, however the request ends. ``first`` waiters
        are let in before the others (in order among themselves)."""
        if self.in_flight < int(self._limit) and not self._waiters and not self._first:
            self.in_flight += 1
        else:
            waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            line = self._first if first else self._waiters
            line.append(waiter)
            try:
                await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled():
                    self.release()  # room was given to us: pass it on
                elif waiter in line:
                    line.remove(waiter)
                raise
        self._started += 1
        return self._started

    def release(self) -> None:
        """Give the room back (the next waiter gets it while the limit allows)."""
        self.in_flight -= 1
        self._wake()

    def succeeded(self) -> None:
        """An answer came back without complaint: grow toward ``ceiling``."""
        if self._limit < self.ceiling:
            self._limit = min(float(self.ceiling), self._limit + 1.0 / self._limit)
            self._wake()

    def overloaded(self, ticket: int) -> None:
        """The proxy refused the request with ``ticket`` as overloaded (429, 503): halve
        the limit, unless it came down after that request had started."""
        if ticket <= self._cut_at:
            return
        self._cut_at = self._started
        self._limit = max(float(self.floor), self._limit / 2)
        self.lowest = min(self.lowest, self.limit)
        self.decreases += 1

    def _wake(self) -> None:
        while self.in_flight < int(self._limit) and (self._first or self._waiters):
            waiter = (self._first or self._waiters).popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)
