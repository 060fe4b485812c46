"""Single flight: one computation per key, its answer shared by every caller.

>>> async def main():                                         # doctest: +SKIP
...     memo = Memo(remember=ModuleNotFound)
...     a, b = await asyncio.gather(memo.get("k", fetch), memo.get("k", fetch))  # one fetch

The first caller of a key runs the computation in its own task; callers that arrive
while it runs wait for it. What happens next depends on how it ended:

* a result, or an error of a ``remember`` type, is the answer for the key from then on;
* any other :class:`Exception` is raised to the callers that were waiting, then
  forgotten: the next caller computes again;
* a cancellation (or any other :class:`BaseException`) of the first caller is forgotten
  too, and the waiters do not inherit it: one of them computes in its place.

A waiter that is cancelled only stops waiting; the computation goes on for the others.

The engine runs on asyncio (the app, and the command line through
:func:`analysis.session.run_sync`; :mod:`analysis.lean`, :mod:`analysis.fetch` and
:mod:`analysis.loader` use asyncio directly), so this is written on asyncio too. The
cancellation of the few parts written with anyio arrives there as
:class:`asyncio.CancelledError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar

__all__ = ["Memo"]

_T = TypeVar("_T")


class _Flight:
    """One computation: :attr:`done` when it ended; then either :attr:`error` or
    :attr:`value` holds the answer, or neither (the computing caller stopped).

    The event callers wait on is made only when one has to wait: most keys are asked
    once (a graph load makes thousands of flights), and most later askers find the
    answer already there."""

    __slots__ = ("_finished", "answered", "done", "error", "value")

    def __init__(self) -> None:
        self._finished: asyncio.Event | None = None
        self.done = False
        self.answered = False
        self.value: object = None
        self.error: Exception | None = None

    async def wait(self) -> None:
        if not self.done:
            if self._finished is None:
                self._finished = asyncio.Event()
            await self._finished.wait()

    def finish(self) -> None:
        self.done = True
        if self._finished is not None:
            self._finished.set()


class Memo:
    """One computation per key; concurrent callers share its result or its error.

    ``remember`` names the errors that are answers (a module that does not exist stays
    absent); other errors and cancellations are forgotten (see the module docstring).
    """

    def __init__(self, remember: type[Exception] | tuple[type[Exception], ...] = ()) -> None:
        self.remember = remember
        self._flights: dict[Hashable, _Flight] = {}

    async def get(self, key: Hashable, compute: Callable[[], Awaitable[_T]]) -> _T:
        """The answer for ``key``: ``await compute()`` run once, however many ask."""
        while True:
            flight = self._flights.get(key)
            if flight is None:
                return await self._run(key, compute)
            if not flight.done:  # (most askers find the answer there: no coroutine)
                await flight.wait()
            if flight.error is not None:
                raise flight.error
            if flight.answered:
                return flight.value  # type: ignore[return-value]
            # The caller that computed was cancelled: take its place.

    async def _run(self, key: Hashable, compute: Callable[[], Awaitable[_T]]) -> _T:
        flight = _Flight()
        self._flights[key] = flight
        try:
            value = await compute()
        except self.remember as exc:
            flight.error = exc
            raise
        except Exception as exc:
            flight.error = exc  # for those waiting now; later callers compute again
            self._forget(key, flight)
            raise
        except BaseException:
            self._forget(key, flight)
            raise
        else:
            flight.value = value
            flight.answered = True
            return value
        finally:
            flight.finish()

    def put(self, key: Hashable, value: object) -> bool:
        """Record ``value`` as the answer for ``key`` when nobody computed or is
        computing one (then ``True``): an answer that was at hand without waiting."""
        if key in self._flights:
            return False
        flight = _Flight()
        flight.value = value
        flight.answered = True
        flight.done = True
        self._flights[key] = flight
        return True

    def asked(self, key: Hashable) -> bool:
        """Whether ``key`` has an answer, or one is being computed."""
        return key in self._flights

    def peek(self, key: Hashable) -> tuple[bool, object]:
        """``(True, value)`` when ``key`` has a result already, else ``(False, None)``;
        never waits, never computes."""
        flight = self._flights.get(key)
        if flight is not None and flight.answered:
            return True, flight.value
        return False, None

    def clear(self) -> None:
        """Forget every answer (computations running now finish for their callers)."""
        self._flights.clear()

    def _forget(self, key: Hashable, flight: _Flight) -> None:
        if self._flights.get(key) is flight:
            del self._flights[key]
